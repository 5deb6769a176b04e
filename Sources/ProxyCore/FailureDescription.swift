import Glibc

/// A failed turn said once, in the proxy's words, before a front renders it: the OpenAI fronts
/// as `OpenAIError`, the Messages front as `AnthropicError`, each with its own statuses and types
/// for the same `kind` (docs/cli.md, "Failures").
package struct FailureDescription: Equatable, Sendable {
    package enum Kind: Equatable, Sendable {
        /// The request cannot succeed as sent (upstream 400; `param` names the field).
        case invalidRequest
        case notFound
        case tooLarge
        /// Try again later: Anthropic's rate limit, or the proxy's queue.
        case rateLimited
        /// A subscription usage window is used up, or a key's reserve reached.
        case usageLimit
        /// Anthropic or the proxy is short of capacity for a moment.
        case overloaded
        /// The CLI cannot run or cannot log in; an operator must act.
        case unavailable
        case timeout
        /// Anthropic or the CLI failed while answering.
        case upstreamFailed
        /// The proxy itself could not do its part.
        case internalError
    }

    package var kind: Kind
    /// The proxy's own code (`cli_failed`, `queue_full`, …): OpenAI's `error.code`, and the access log's.
    package var code: String
    package var message: String
    package var param: String?
    /// Seconds before trying again (`retry-after`).
    package var retryAfter: Int?
    /// False for failures a retry cannot mend: `x-should-retry: false`, so the SDKs do not run the CLI again.
    package var isRetryable: Bool

    package init(_ kind: Kind, code: String, message: String, param: String? = nil, retryAfter: Int? = nil,
                 isRetryable: Bool = false) {
        self.kind = kind
        self.code = code
        self.message = message
        self.param = param
        self.retryAfter = retryAfter
        self.isRetryable = isRetryable
    }

    package init(usage refusal: UsageRefusal) {
        self.init(.usageLimit, code: refusal.code, message: refusal.message, retryAfter: refusal.retryAfter)
    }
}

extension TurnFailure {
    /// This failure in the proxy's words: one text for both fronts.
    package var described: FailureDescription {
        switch self {
        case .upstream(let upstream):
            return upstream.described
        case .usageBlocked(let block):
            return FailureDescription(usage: UsageRefusal(block, now: UTCTime.now()))
        case .restartedAfterOutput:
            return FailureDescription(
                .upstreamFailed, code: "upstream_stream_restarted",
                message: "The upstream stream broke after part of the answer was sent, and the Claude Code CLI "
                    + "restarted it; the proxy stopped rather than send text twice.", isRetryable: true)
        case .toolsEnabled(let tools):
            return FailureDescription(
                .internalError, code: "cli_tools_enabled",
                message: "The Claude Code CLI started with tools enabled (\(tools.prefix(5).joined(separator: ", "))); "
                    + "the proxy refuses to run it that way.")
        case .exitedWithoutResult(let status):
            return FailureDescription(
                .upstreamFailed, code: "cli_failed",
                message: "The Claude Code CLI ended\(status.map { " (\($0))" } ?? "") without finishing its answer.")
        case .spawnFailed(_, let errno) where Self.isResourceShortage(errno):
            return FailureDescription(
                .overloaded, code: "overloaded",
                message: "The proxy is short of file descriptors or processes (\(String(cString: strerror(errno)))); "
                    + "try again shortly.", retryAfter: 2, isRetryable: true)
        case .spawnFailed(let executable, let errno):
            return FailureDescription(
                .unavailable, code: "cli_unavailable",
                message: "The Claude Code CLI could not be started (`\(executable)`: \(String(cString: strerror(errno)))). "
                    + "Install Claude Code, or start the proxy with --claude /path/to/claude.")
        case .structuredOutputMissing:
            return FailureDescription(
                .upstreamFailed, code: "structured_output_failed",
                message: "The model did not produce output matching the requested JSON schema.", isRetryable: true)
        case .idle(let seconds):
            return FailureDescription(
                .timeout, code: "timeout",
                message: "The Claude Code CLI produced no output for \(Int(seconds)) s; the proxy stopped it.",
                isRetryable: true)
        case .deadlineExceeded(let seconds):
            return FailureDescription(
                .timeout, code: "timeout",
                message: "The request did not finish within the proxy's limit of \(Int(seconds)) s.", isRetryable: true)
        case .preparationFailed:
            return FailureDescription(.internalError, code: "internal_error", message: "The proxy could not prepare the request.")
        case .toolBridgeFailed(let expected, let got):
            return FailureDescription(
                .upstreamFailed, code: "tool_bridge_failed",
                message: "The Claude Code CLI did not load the request's tools from the proxy "
                    + "(expected \(expected.count), got \(got.count)).", isRetryable: true)
        case .queueFull(let waited):
            return FailureDescription(
                .rateLimited, code: waited ? "queue_timeout" : "queue_full",
                message: waited ? "No Claude Code CLI became free in time; try again shortly."
                    : "Too many requests are running or waiting; try again shortly.", retryAfter: 5, isRetryable: true)
        case .shuttingDown:
            return FailureDescription(.overloaded, code: "shutting_down", message: "The proxy is shutting down.",
                                      retryAfter: 1, isRetryable: true)
        case .replyTooLarge(let limit):
            return FailureDescription(
                .upstreamFailed, code: "reply_too_large",
                message: "The answer grew beyond the proxy's limit of \(limit) bytes (--max-reply-bytes); "
                    + "the proxy stopped the CLI.")
        }
    }
}

extension UpstreamError {
    package var described: FailureDescription {
        switch cause {
        case .promptTooLong:
            return FailureDescription(.invalidRequest, code: "context_length_exceeded", message: message, param: "messages")
        case .notAuthenticated:
            // The client's key was fine: the CLI's own login is what failed, which no retry mends.
            return FailureDescription(
                .unavailable, code: "cli_not_authenticated",
                message: "The Claude Code CLI is not logged in, or Anthropic rejected its credentials. "
                    + "Run `claude` once and log in (/login) as the user running the proxy, or give the proxy "
                    + "CLAUDE_CODE_OAUTH_TOKEN (from `claude setup-token`) or ANTHROPIC_API_KEY, then retry.")
        case .loginExpired:
            return FailureDescription(
                .unavailable, code: "cli_login_expired",
                message: "The Claude subscription login has expired and the CLI could not refresh it. "
                    + "Run `claude` once as the user running the proxy (it refreshes the login), or log in again "
                    + "with /login, then retry.")
        case .usageLimitReached(let window, let resetsAt):
            return FailureDescription(usage: UsageRefusal(window: window, resetsAt: resetsAt, now: UTCTime.now()))
        case .rateLimited:
            return FailureDescription(.rateLimited, code: "rate_limit_exceeded",
                                      message: "Anthropic rate-limited the request. Try again later.",
                                      retryAfter: 30, isRetryable: true)
        case .overloaded:
            return FailureDescription(.overloaded, code: "overloaded", message: "Anthropic is overloaded. Try again shortly.",
                                      retryAfter: 5, isRetryable: true)
        case .badRequest:
            return FailureDescription(.invalidRequest, code: "upstream_invalid_request",
                                      message: "Anthropic rejected the request: \(message)")
        case .modelNotFound:
            return FailureDescription(.notFound, code: "model_not_found",
                                      message: "The model is not available to this Claude Code login: \(message)",
                                      param: "model")
        case .requestTooLarge:
            return FailureDescription(.tooLarge, code: "request_too_large", message: "The request is too large for Anthropic.")
        case .stalled:
            return FailureDescription(.timeout, code: "upstream_timeout",
                                      message: "The upstream stopped answering before the turn was complete.",
                                      isRetryable: true)
        case .connectionLost:
            return FailureDescription(.upstreamFailed, code: "upstream_connection_error",
                                      message: "The connection to Anthropic failed or was lost.", isRetryable: true)
        case .serverError(let status):
            return FailureDescription(.upstreamFailed, code: "upstream_error",
                                      message: "Anthropic answered with HTTP \(status).", isRetryable: true)
        case .other:
            return FailureDescription(.upstreamFailed, code: "upstream_error",
                                      message: "The Claude Code CLI reported an error: \(message)")
        }
    }
}
