/// The latest known state of the subscription's usage windows, from every `rate_limit_event`
/// and every refused request, and the decisions taken on it: whether a window that covers a
/// request is used up (answer it at once, start no CLI), and whether a key's reserve is reached.
/// Pure: the caller gives the time (Unix seconds).
package struct UsageLedger: Equatable, Sendable {
    /// The state as last reported, windows merged across events (an event without windows keeps
    /// the ones known).
    package private(set) var latest: RateLimitInfo?
    /// When it was last reported (Unix seconds).
    package private(set) var seenAt: Double?
    /// Requests refused by Anthropic for a used-up window, by window.
    package private(set) var refusals: [String: Int] = [:]
    /// Requests the proxy answered itself because a window was used up or a key's reserve reached,
    /// by window.
    package private(set) var blocked: [String: Int] = [:]

    package init() {}

    /// Why a request is not run now.
    package struct Block: Equatable, Sendable {
        package enum Reason: Equatable, Sendable {
            /// Anthropic said the window is used up.
            case usageLimitReached
            /// The key's reserve (`--reserve-quota PERCENT`) is reached.
            case quotaReserved(percent: Int)
        }
        package var reason: Reason
        package var window: String
        /// Unix seconds.
        package var resetsAt: Int
        package var utilization: Double?
    }

    package mutating func record(_ info: RateLimitInfo, at now: Double) {
        var merged = info
        // Older CLIs (2.1.284) give no per-window status or threshold: the representative
        // window's are the event's own.
        if let name = info.representativeWindow, var window = merged.windows[name] {
            window.status = window.status ?? info.status
            window.surpassedThreshold = window.surpassedThreshold ?? info.surpassedThreshold
            merged.windows[name] = window
        }
        if let latest {
            for (name, window) in latest.windows where merged.windows[name] == nil { merged.windows[name] = window }
            // A refusal's params name its window and reset but not the window's own state.
            if info.windows.isEmpty, info.status == .rejected, let name = info.representativeWindow {
                var window = merged.windows[name] ?? RateLimitInfo.Window()
                window.status = .rejected
                window.resetsAt = info.resetsAt ?? window.resetsAt
                merged.windows[name] = window
            }
        } else if info.windows.isEmpty, info.status == .rejected, let name = info.representativeWindow {
            merged.windows[name] = RateLimitInfo.Window(resetsAt: info.resetsAt, status: .rejected)
        }
        latest = merged
        seenAt = now
    }

    package mutating func recordRefusal(window: String) {
        refusals[window, default: 0] += 1
    }

    package mutating func recordBlock(_ block: Block) {
        blocked[block.window, default: 0] += 1
    }

    /// The window that stops a request for `model` now, if any: one Anthropic reported used up
    /// (rejected, or fully utilised) whose reset is still ahead; else, with a reserve, a 5-hour or
    /// 7-day window used beyond 100 − `reservePercent` %. The latest reset wins: nothing goes
    /// through before it.
    package func block(model: String, reservePercent: Int?, now: Double) -> Block? {
        guard let latest else { return nil }
        var found: Block?
        func consider(_ candidate: Block) {
            if found == nil || candidate.resetsAt > found!.resetsAt { found = candidate }
        }
        for (name, window) in latest.windows where RateLimitInfo.window(name, covers: model) {
            guard let reset = window.resetsAt, Double(reset) > now else { continue }
            if window.status == .rejected || (window.utilization ?? 0) >= 1 {
                consider(Block(reason: .usageLimitReached, window: name, resetsAt: reset, utilization: window.utilization))
            }
        }
        if found == nil, latest.status == .rejected, let name = latest.representativeWindow, let reset = latest.resetsAt,
           Double(reset) > now, RateLimitInfo.window(name, covers: model) {
            consider(Block(reason: .usageLimitReached, window: name, resetsAt: reset, utilization: nil))
        }
        if found == nil, let percent = reservePercent, percent > 0 {
            let ceiling = 1 - Double(percent) / 100
            for name in ["five_hour", "seven_day"] {
                guard let window = latest.windows[name], let used = window.utilization, used >= ceiling,
                      let reset = window.resetsAt, Double(reset) > now else { continue }
                consider(Block(reason: .quotaReserved(percent: percent), window: name, resetsAt: reset, utilization: used))
            }
        }
        return found
    }

    /// The latest state as Anthropic's own response headers (`anthropic-ratelimit-unified-…`).
    package var headers: [(String, String)] {
        guard let latest else { return [] }
        let prefix = "anthropic-ratelimit-unified-"
        var out: [(String, String)] = [(prefix + "status", latest.status.text)]
        if let reset = latest.resetsAt { out.append((prefix + "reset", String(reset))) }
        if let name = latest.representativeWindow { out.append((prefix + "representative-claim", name)) }
        for name in latest.windows.keys.sorted() {
            guard let window = latest.windows[name] else { continue }
            let suffix = prefix + RateLimitInfo.headerSuffix(window: name)
            if let status = window.status { out.append((suffix + "-status", status.text)) }
            if let used = window.utilization { out.append((suffix + "-utilization", Self.number(used))) }
            if let reset = window.resetsAt { out.append((suffix + "-reset", String(reset))) }
            if let threshold = window.surpassedThreshold { out.append((suffix + "-surpassed-threshold", Self.number(threshold))) }
        }
        if let overage = latest.overageStatus { out.append((prefix + "overage-status", overage.text)) }
        if let reason = latest.overageDisabledReason { out.append((prefix + "overage-disabled-reason", reason)) }
        return out
    }

    /// A fraction as the headers write it: at most four decimals, no trailing zeros.
    package static func number(_ value: Double) -> String {
        let scaled = (value * 10_000).rounded()
        // A fraction is between 0 and 1; anything a CLI line may say beyond Int's range is said as it is.
        guard scaled.isFinite, abs(scaled) < 1e15 else { return "\(value)" }
        let whole = Int(scaled) / 10_000
        var fraction = String(Int(abs(scaled)) % 10_000)
        while fraction.count < 4 { fraction = "0" + fraction }
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? String(whole) : "\(whole).\(fraction)"
    }
}

extension TurnFailure {
    /// The usage window a failure names, for the access log.
    package var usageWindow: String? {
        switch self {
        case .usageBlocked(let block): block.window
        case .upstream(let error):
            if case .usageLimitReached(let window, _) = error.cause { window } else { nil }
        default: nil
        }
    }
}
