import ProxyCore

/// Every failure on the Messages front, in Anthropic's shape:
/// `{"type":"error","error":{"type":…,"message":…}}`, with the status the SDKs expect for its type.
package struct AnthropicError: Error, Equatable, Sendable {
    package var status: Int
    package var type: String
    package var message: String
    /// Seconds before trying again (`retry-after`).
    package var retryAfter: Int?
    /// False for deterministic failures: `x-should-retry: false`, so the SDKs do not run the CLI again.
    package var isRetryable: Bool
    /// The proxy's own code for the failure, as `error.details.error_code` (where Anthropic puts one).
    package var code: String?
    /// Request fields the failure is about, as `error.details.unsupported`.
    package var unsupported: [String]?
    /// The proxy's own code for a failed turn (`FailureDescription.code`), for the access log.
    package var reason: String?

    package init(status: Int, type: String? = nil, message: String, retryAfter: Int? = nil, isRetryable: Bool? = nil,
                 code: String? = nil, unsupported: [String]? = nil) {
        self.status = status
        self.type = type ?? Self.type(for: status)
        self.message = message
        self.retryAfter = retryAfter
        self.isRetryable = isRetryable ?? (status == 429 || status >= 500)
        self.code = code
        self.unsupported = unsupported
    }

    /// A used-up usage window or a key's reserve: 429 with the wait to the window's reset.
    package init(usage refusal: UsageRefusal) {
        self.init(FailureDescription(usage: refusal))
    }

    /// Anthropic's error type for an HTTP status.
    package static func type(for status: Int) -> String {
        switch status {
        case 400: "invalid_request_error"
        case 401: "authentication_error"
        case 403: "permission_error"
        case 404: "not_found_error"
        case 413: "request_too_large"
        case 429: "rate_limit_error"
        case 529: "overloaded_error"
        default: "api_error"
        }
    }

    package static func invalidRequest(_ message: String) -> AnthropicError {
        AnthropicError(status: 400, message: message, isRetryable: false)
    }

    package var body: [UInt8] {
        WireJSON.encode(Envelope(error: Detail(type: type, message: message,
                                               details: code.map { Detail.Details(errorCode: $0, unsupported: unsupported) })))
    }

    private struct Envelope: Encodable {
        var type = "error"
        var error: Detail
    }

    private struct Detail: Encodable {
        struct Details: Encodable {
            var errorCode: String
            var unsupported: [String]?
            enum CodingKeys: String, CodingKey {
                case unsupported
                case errorCode = "error_code"
            }
        }
        var type: String
        var message: String
        var details: Details?
    }

    package var headers: [(String, String)] {
        var headers: [(String, String)] = [("Content-Type", "application/json")]
        if let retryAfter { headers.append(("retry-after", String(retryAfter))) }
        if !isRetryable { headers.append(("x-should-retry", "false")) }
        return headers
    }

    package var reply: ErrorReply {
        ErrorReply(status: status, headers: headers, body: body, code: code ?? reason ?? type)
    }
}

extension AnthropicError {
    /// A failure's description (the same words the OpenAI fronts use) with Anthropic's status
    /// for its kind; only a usage refusal carries the proxy's code in `error.details`, as before.
    package init(failure: TurnFailure) {
        self.init(failure.described)
    }

    package init(_ description: FailureDescription) {
        let status = switch description.kind {
        case .invalidRequest: 400
        case .notFound: 404
        case .tooLarge: 413
        case .rateLimited, .usageLimit: 429
        case .overloaded: 529
        case .unavailable, .timeout, .upstreamFailed, .internalError: 500
        }
        self.init(status: status, message: description.message, retryAfter: description.retryAfter,
                  isRetryable: description.isRetryable, code: description.kind == .usageLimit ? description.code : nil)
        reason = description.code
    }
}
