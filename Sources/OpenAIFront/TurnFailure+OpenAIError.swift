import ProxyCore

/// The failure map (docs/cli.md, "Failures"), OpenAI's side: a failure's description
/// (`FailureDescription`, the same words the Messages front uses) with OpenAI's status and type.
extension FailureDescription {
    package var openAIError: OpenAIError {
        let (status, type): (Int, String) = switch kind {
        case .invalidRequest: (400, "invalid_request_error")
        case .notFound: (404, "invalid_request_error")
        case .tooLarge: (413, "invalid_request_error")
        case .rateLimited, .usageLimit: (429, "rate_limit_error")
        case .overloaded, .unavailable: (503, "server_error")
        case .timeout: (504, "server_error")
        case .upstreamFailed: (502, "server_error")
        case .internalError: (500, "server_error")
        }
        return OpenAIError(status: status, type: type, message: message, param: param, code: code,
                           retryAfter: retryAfter, isRetryable: isRetryable)
    }
}

extension TurnFailure {
    package var openAIError: OpenAIError { described.openAIError }
}

extension OpenAIError {
    /// A used-up usage window or a key's reserve: 429 with the wait to the window's reset, never
    /// retried by the SDKs (a window resets in hours, not seconds).
    static func usage(_ refusal: UsageRefusal) -> OpenAIError {
        FailureDescription(usage: refusal).openAIError
    }
}
