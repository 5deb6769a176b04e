import Glibc

/// A request refused for a used-up usage window, or for a key's reserve, described once for both
/// fronts: the error code, the words (naming the window and its reset), and the wait.
package struct UsageRefusal: Equatable, Sendable {
    /// `usage_limit_reached` (Anthropic's refusal, or the proxy's own while the window is used up)
    /// or `quota_reserved` (the key's `--reserve-quota`).
    package var code: String
    package var message: String
    /// Seconds to the window's reset, at least 1 (`Retry-After`).
    package var retryAfter: Int

    /// - Parameter now: Unix seconds.
    package init(window: String?, resetsAt: Int?, reservePercent: Int? = nil, utilization: Double? = nil, now: Int) {
        let name = window.map(RateLimitInfo.displayName(window:)) ?? "usage"
        let wait = resetsAt.map { max(1, $0 - now) }
        retryAfter = wait ?? 60
        let when = resetsAt.map { " It resets at \(Self.utc($0)) (in \(Self.duration(max(1, $0 - now))))." } ?? ""
        if let percent = reservePercent {
            code = "quota_reserved"
            let used = utilization.map { " and \(Int(($0 * 100).rounded())) % of it is used" } ?? ""
            message = "This API key keeps \(percent) % of the subscription's \(name) window in reserve\(used); "
                + "the proxy runs no more of its requests until the window resets.\(when)"
        } else {
            code = "usage_limit_reached"
            message = "The Claude subscription's \(name) usage limit is reached.\(when) "
                + "Requests the window covers are refused until then; GET /v1/usage shows every window."
        }
    }

    package init(_ block: UsageLedger.Block, now: Int) {
        switch block.reason {
        case .usageLimitReached:
            self.init(window: block.window, resetsAt: block.resetsAt, now: now)
        case .quotaReserved(let percent):
            self.init(window: block.window, resetsAt: block.resetsAt, reservePercent: percent,
                      utilization: block.utilization, now: now)
        }
    }

    /// `2026-12-06 21:14 UTC`.
    package static func utc(_ seconds: Int) -> String { UTCTime.minutes(seconds) }

    /// `3 h 12 min`, `45 min`, `30 s`.
    package static func duration(_ seconds: Int) -> String {
        if seconds < 60 { return "\(seconds) s" }
        let minutes = (seconds + 59) / 60
        if minutes < 60 { return "\(minutes) min" }
        let hours = minutes / 60
        return minutes % 60 == 0 ? "\(hours) h" : "\(hours) h \(minutes % 60) min"
    }
}
