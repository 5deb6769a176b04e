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
        self.init(status: 429, message: refusal.message, retryAfter: refusal.retryAfter, isRetryable: false,
                  code: refusal.code)
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
        ErrorReply(status: status, headers: headers, body: body, code: code ?? type)
    }
}

extension AnthropicError {
    /// The neutral failure, as the Messages API would report it.
    package init(failure: TurnFailure) {
        switch failure {
        case .upstream(let upstream):
            self.init(upstream: upstream)
        case .usageBlocked(let block):
            self.init(usage: UsageRefusal(block, now: UTCTime.now()))
        case .restartedAfterOutput:
            self.init(status: 500, message: "The upstream stream broke after part of the answer was sent, and the "
                      + "Claude Code CLI restarted it; the proxy stopped rather than send text twice.")
        case .toolsEnabled(let tools):
            self.init(status: 500, message: "The Claude Code CLI started with tools enabled "
                      + "(\(tools.prefix(5).joined(separator: ", "))); the proxy refuses to run it that way.",
                      isRetryable: false)
        case .toolBridgeFailed(let expected, let got):
            self.init(status: 500, message: "The Claude Code CLI did not load the request's tools from the proxy "
                      + "(expected \(expected.count), got \(got.count)).")
        case .exitedWithoutResult(let status):
            self.init(status: 500, message: "The Claude Code CLI ended\(status.map { " (\($0))" } ?? "") without "
                      + "finishing its answer.", isRetryable: false)
        case .spawnFailed(_, let errno) where TurnFailure.isResourceShortage(errno):
            self.init(status: 529, message: "The proxy is short of file descriptors or processes; try again shortly.",
                      retryAfter: 2)
        case .spawnFailed(let executable, _):
            self.init(status: 500, message: "The Claude Code CLI could not be started (`\(executable)`). Install "
                      + "Claude Code, or start the proxy with --claude /path/to/claude.", isRetryable: false)
        case .structuredOutputMissing:
            self.init(status: 500, message: "The model did not produce the requested structured output.")
        case .idle(let seconds):
            self.init(status: 500, message: "The Claude Code CLI produced no output for \(Int(seconds)) s; the proxy "
                      + "stopped it.")
        case .deadlineExceeded(let seconds):
            self.init(status: 500, message: "The request did not finish within the proxy's limit of \(Int(seconds)) s.")
        case .replyTooLarge(let limit):
            self.init(status: 500, message: "The answer grew beyond the proxy's limit of \(limit) bytes.",
                      isRetryable: false)
        case .preparationFailed:
            self.init(status: 500, message: "The proxy could not prepare the request.")
        case .queueFull(let waited):
            self.init(status: 429, message: waited ? "No Claude Code CLI became free in time; try again shortly."
                      : "Too many requests are running or waiting; try again shortly.", retryAfter: 5)
        case .shuttingDown:
            self.init(status: 529, message: "The proxy is shutting down.", retryAfter: 1)
        }
    }

    private init(upstream: UpstreamError) {
        switch upstream.cause {
        case .notAuthenticated:
            // The client's key was fine: the CLI's own login is what failed, which no retry mends.
            self.init(status: 500, message: "The Claude Code CLI is not logged in, or Anthropic rejected its "
                      + "credentials. Run `claude` once and log in (/login) as the user running the proxy, or give the "
                      + "proxy CLAUDE_CODE_OAUTH_TOKEN (from `claude setup-token`) or ANTHROPIC_API_KEY, then retry.",
                      isRetryable: false)
        case .loginExpired:
            self.init(status: 500, message: "The Claude subscription login has expired and the CLI could not refresh "
                      + "it. Run `claude` once as the user running the proxy (it refreshes the login), or log in again "
                      + "with /login, then retry.", isRetryable: false)
        case .usageLimitReached(let window, let resetsAt):
            self.init(usage: UsageRefusal(window: window, resetsAt: resetsAt, now: UTCTime.now()))
        case .rateLimited:
            self.init(status: 429, message: "Anthropic rate-limited the request. Try again later.", retryAfter: 30)
        case .overloaded:
            self.init(status: 529, message: "Anthropic is overloaded. Try again shortly.", retryAfter: 5)
        case .promptTooLong, .badRequest:
            self.init(status: 400, message: upstream.message, isRetryable: false)
        case .modelNotFound:
            self.init(status: 404, message: "The model is not available to this Claude Code login: \(upstream.message)",
                      isRetryable: false)
        case .requestTooLarge:
            self.init(status: 413, message: "The request is too large for Anthropic.", isRetryable: false)
        case .stalled:
            self.init(status: 500, message: "The upstream stopped answering before the turn was complete.")
        case .connectionLost:
            self.init(status: 500, message: "The connection to Anthropic failed or was lost.")
        case .serverError(let status):
            self.init(status: 500, message: "Anthropic answered with HTTP \(status).")
        case .other:
            self.init(status: 500, message: "The Claude Code CLI reported an error: \(upstream.message)", isRetryable: false)
        }
    }
}
