/// What went wrong upstream, in the proxy's own terms: each front end renders it as its API's
/// error. Classified from the CLI's structured fields first (HTTP status, error type, the
/// synthetic assistant's `error` and `api_error`, the terminal reason); where only text exists,
/// from the patterns in `FailurePatterns`.
package enum UpstreamCause: Equatable, Sendable {
    case notAuthenticated
    /// The subscription login expired and the CLI could not refresh it (refused, or no way to
    /// reach the token endpoint).
    case loginExpired
    /// A usage window of the subscription is used up (`api_error: "usage_limit_reached"`): which,
    /// and when it resets (Unix seconds), when the CLI said.
    case usageLimitReached(window: String?, resetsAt: Int?)
    case rateLimited
    case overloaded
    case promptTooLong
    case badRequest
    case modelNotFound
    case requestTooLarge
    /// The upstream went silent mid-turn (the CLI's idle timeout).
    case stalled
    /// The connection to the upstream failed or was lost.
    case connectionLost
    case serverError(status: Int)
    case other
}

extension UpstreamError {
    package var cause: UpstreamCause {
        if loginExpired, [.notAuthenticated, .connectionLost].contains(classified) { return .loginExpired }
        return classified
    }

    private var classified: UpstreamCause {
        if terminalReason == .promptTooLong { return .promptTooLong }
        // 2.1.331 says so in `api_error`; 2.1.284 only with a 429 after a rejected rate-limit event.
        if transport == "usage_limit_reached"
            || (status == 429 && rateLimit?.status == .rejected && rateLimit?.representativeWindow != nil) {
            return .usageLimitReached(window: rateLimit?.representativeWindow, resetsAt: rateLimit?.resetsAt)
        }
        if kind == "authentication_failed" || status == 401 || status == 403 { return .notAuthenticated }
        switch status {
        case 429?: return .rateLimited
        case 529?: return .overloaded
        case 400?: return .badRequest
        case 404?: return .modelNotFound
        case 413?: return .requestTooLarge
        default: break
        }
        if type == "overloaded_error" || kind == "overloaded" { return .overloaded }
        if transport == "stream_idle_timeout" { return .stalled }
        if let matched = FailurePatterns.cause(of: message) { return matched }
        if status == nil && transport == "connection_failed" { return .connectionLost }
        if let status, status >= 500 { return .serverError(status: status) }
        return .other
    }
}

/// The only place failures are classified by their text: messages the CLI prints with no
/// structured field that says the same. Each row names the recorded transcript (in
/// Tests/Unit/Fixtures) that shows the CLI printing it; a unit test replays each one.
package enum FailurePatterns {
    package struct Row: Sendable {
        package var text: String
        package var cause: UpstreamCause
        package var fixture: String
    }

    package static let rows: [Row] = [
        // No credentials at all: a result whose only sign is this sentence.
        Row(text: "Not logged in", cause: .notAuthenticated, fixture: "06q_no_credentials"),
        // An upstream that never sends its headers, under the CLI's API timeout, reported as text.
        Row(text: "timed out", cause: .stalled, fixture: "04_stall_noheaders_api_timeout8s_r0"),
        // A cut stream as CLI 2.1.284 reports it (2.1.331 says so in a transport field): only this sentence.
        Row(text: "Connection to the API was lost", cause: .connectionLost, fixture: "04_cut_cli2_1_284"),
    ]

    package static func cause(of message: String) -> UpstreamCause? {
        let lowered = message.lowercased()
        return rows.first { lowered.contains($0.text.lowercased()) }?.cause
    }
}
