import Glibc
import ProxyCore

/// The failure map (docs/cli.md, "Failures"): every way a turn fails becomes one OpenAI error.
extension TurnFailure {
    package var openAIError: OpenAIError {
        switch self {
        case .upstream(let upstream):
            return upstream.openAIError
        case .usageBlocked(let block):
            return .usage(UsageRefusal(block, now: UTCTime.now()))
        case .restartedAfterOutput:
            return OpenAIError(
                status: 502, type: "server_error",
                message: "The upstream stream broke after part of the answer was sent, and the Claude Code CLI "
                    + "restarted it; the proxy stopped rather than send text twice.",
                code: "upstream_stream_restarted", isRetryable: true)
        case .toolsEnabled(let tools):
            return OpenAIError(
                status: 500, type: "server_error",
                message: "The Claude Code CLI started with tools enabled (\(tools.prefix(5).joined(separator: ", "))); "
                    + "the proxy refuses to run it that way.",
                code: "cli_tools_enabled")
        case .exitedWithoutResult(let status):
            let how = status.map { " (\($0))" } ?? ""
            return OpenAIError(
                status: 502, type: "server_error",
                message: "The Claude Code CLI ended\(how) without finishing its answer.",
                code: "cli_failed")
        case .spawnFailed(_, let errno) where Self.isResourceShortage(errno):
            return OpenAIError(
                status: 503, type: "server_error",
                message: "The proxy is short of file descriptors or processes (\(String(cString: strerror(errno)))); "
                    + "try again shortly.",
                code: "overloaded", retryAfter: 2, isRetryable: true)
        case .spawnFailed(let executable, let errno):
            return OpenAIError(
                status: 503, type: "server_error",
                message: "The Claude Code CLI could not be started (`\(executable)`: \(String(cString: strerror(errno)))). "
                    + "Install Claude Code, or start the proxy with --claude /path/to/claude.",
                code: "cli_unavailable")
        case .structuredOutputMissing:
            return OpenAIError(
                status: 502, type: "server_error",
                message: "The model did not produce output matching the requested JSON schema.",
                code: "structured_output_failed", isRetryable: true)
        case .idle(let seconds):
            return OpenAIError(
                status: 504, type: "server_error",
                message: "The Claude Code CLI produced no output for \(Int(seconds)) s; the proxy stopped it.",
                code: "timeout", isRetryable: true)
        case .deadlineExceeded(let seconds):
            return OpenAIError(
                status: 504, type: "server_error",
                message: "The request did not finish within the proxy's limit of \(Int(seconds)) s.",
                code: "timeout", isRetryable: true)
        case .preparationFailed:
            return OpenAIError(status: 500, type: "server_error", message: "The proxy could not prepare the request.",
                               code: "internal_error")
        case .toolBridgeFailed(let expected, let got):
            return OpenAIError(
                status: 502, type: "server_error",
                message: "The Claude Code CLI did not load the request's tools from the proxy "
                    + "(expected \(expected.count), got \(got.count)).",
                code: "tool_bridge_failed", isRetryable: true)
        case .queueFull(let waited):
            return OpenAIError(status: 429, type: "rate_limit_error",
                               message: waited ? "No Claude Code CLI became free in time; try again shortly."
                                   : "Too many requests are running or waiting; try again shortly.",
                               code: waited ? "queue_timeout" : "queue_full", retryAfter: 5, isRetryable: true)
        case .shuttingDown:
            return OpenAIError(status: 503, type: "server_error", message: "The proxy is shutting down.",
                               code: "shutting_down", retryAfter: 1, isRetryable: true)
        case .replyTooLarge(let limit):
            return OpenAIError(
                status: 502, type: "server_error",
                message: "The answer grew beyond the proxy's limit of \(limit) bytes (--max-reply-bytes); "
                    + "the proxy stopped the CLI.",
                code: "reply_too_large")
        }
    }
}

extension UpstreamError {
    private static let notLoggedIn = OpenAIError(
        status: 503, type: "server_error",
        message: "The Claude Code CLI is not logged in, or Anthropic rejected its credentials. "
            + "Run `claude` once and log in (/login) as the user running the proxy, or give the proxy "
            + "CLAUDE_CODE_OAUTH_TOKEN (from `claude setup-token`) or ANTHROPIC_API_KEY, then retry.",
        code: "cli_not_authenticated")

    private static let loginExpired = OpenAIError(
        status: 503, type: "server_error",
        message: "The Claude subscription login has expired and the CLI could not refresh it. "
            + "Run `claude` once as the user running the proxy (it refreshes the login), or log in again "
            + "with /login, then retry.",
        code: "cli_login_expired")

    package var openAIError: OpenAIError {
        switch cause {
        case .promptTooLong:
            return .invalidRequest(message, param: "messages", code: "context_length_exceeded")
        case .notAuthenticated:
            return Self.notLoggedIn
        case .loginExpired:
            return Self.loginExpired
        case .usageLimitReached(let window, let resetsAt):
            return .usage(UsageRefusal(window: window, resetsAt: resetsAt, now: UTCTime.now()))
        case .rateLimited:
            return OpenAIError(status: 429, type: "rate_limit_error",
                               message: "Anthropic rate-limited the request. Try again later.",
                               code: "rate_limit_exceeded", retryAfter: 30, isRetryable: true)
        case .overloaded:
            return overloaded
        case .badRequest:
            return .invalidRequest("Anthropic rejected the request: \(message)", code: "upstream_invalid_request")
        case .modelNotFound:
            return OpenAIError(status: 404, type: "invalid_request_error",
                               message: "The model is not available to this Claude Code login: \(message)",
                               param: "model", code: "model_not_found")
        case .requestTooLarge:
            return OpenAIError(status: 413, type: "invalid_request_error",
                               message: "The request is too large for Anthropic.", code: "request_too_large")
        case .stalled:
            return OpenAIError(status: 504, type: "server_error",
                               message: "The upstream stopped answering before the turn was complete.",
                               code: "upstream_timeout", isRetryable: true)
        case .connectionLost:
            return OpenAIError(status: 502, type: "server_error",
                               message: "The connection to Anthropic failed or was lost.",
                               code: "upstream_connection_error", isRetryable: true)
        case .serverError(let status):
            return OpenAIError(status: 502, type: "server_error",
                               message: "Anthropic answered with HTTP \(status).",
                               code: "upstream_error", isRetryable: true)
        case .other:
            return OpenAIError(status: 502, type: "server_error",
                               message: "The Claude Code CLI reported an error: \(message)", code: "upstream_error")
        }
    }

    private var overloaded: OpenAIError {
        OpenAIError(status: 503, type: "server_error", message: "Anthropic is overloaded. Try again shortly.",
                    code: "overloaded", retryAfter: 5, isRetryable: true)
    }
}

extension OpenAIError {
    /// A used-up usage window or a key's reserve: 429 with the wait to the window's reset, never
    /// retried by the SDKs (a window resets in hours, not seconds).
    static func usage(_ refusal: UsageRefusal) -> OpenAIError {
        OpenAIError(status: 429, type: "rate_limit_error", message: refusal.message, code: refusal.code,
                    retryAfter: refusal.retryAfter, isRetryable: false)
    }
}
