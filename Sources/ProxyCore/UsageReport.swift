/// `GET /v1/usage`: the usage windows as last reported, each reset as a Unix time and as seconds
/// from now; `null` fields until the first report (an API-key login never makes one).
package struct UsageReport: Encodable, Sendable {
    /// A value written as `null` when absent (a plain optional is left out): a client reads one
    /// shape whatever the proxy knows.
    package struct Nullable<Value: Encodable & Sendable>: Encodable, Sendable {
        var value: Value?
        init(_ value: Value?) { self.value = value }
        package func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(value)
        }
    }

    package struct Window: Encodable, Sendable {
        var utilization: Nullable<Double>
        var status: Nullable<String>
        var resetsAt: Nullable<Int>
        var resetsInSeconds: Nullable<Int>
        var surpassedThreshold: Nullable<Double>

        enum CodingKeys: String, CodingKey {
            case utilization, status
            case resetsAt = "resets_at"
            case resetsInSeconds = "resets_in_seconds"
            case surpassedThreshold = "surpassed_threshold"
        }
    }

    package struct Overage: Encodable, Sendable {
        var status: Nullable<String>
        var disabledReason: Nullable<String>
        var inUse: Nullable<Bool>

        enum CodingKeys: String, CodingKey {
            case status
            case disabledReason = "disabled_reason"
            case inUse = "in_use"
        }
    }

    var object = "usage"
    var login: Nullable<String>
    var status: Nullable<String>
    var representativeWindow: Nullable<String>
    var seenAt: Nullable<Int>
    var ageSeconds: Nullable<Int>
    var windows: [String: Window]
    var overage: Overage
    var refusedRequests: [String: Int]
    var blockedRequests: [String: Int]
    var reservePercent: Nullable<Int>
    var note: Nullable<String>

    enum CodingKeys: String, CodingKey {
        case object, login, status, windows, overage, note
        case representativeWindow = "representative_window"
        case seenAt = "seen_at"
        case ageSeconds = "age_seconds"
        case refusedRequests = "refused_requests"
        case blockedRequests = "blocked_requests"
        case reservePercent = "reserve_percent"
    }

    /// - Parameters:
    ///   - login: the kind of login the CLIs use (`subscription`, `api_key`, …), nil when none.
    ///   - reservePercent: the asking key's reserve.
    ///   - now: Unix seconds.
    package init(_ ledger: UsageLedger, login: String?, reservePercent: Int?, now: Int) {
        self.login = Nullable(login)
        self.reservePercent = Nullable(reservePercent)
        refusedRequests = ledger.refusals
        blockedRequests = ledger.blocked
        let latest = ledger.latest
        status = Nullable(latest?.status.text)
        representativeWindow = Nullable(latest?.representativeWindow)
        seenAt = Nullable(ledger.seenAt.map { Int($0) })
        ageSeconds = Nullable(ledger.seenAt.map { max(0, now - Int($0)) })
        let unknown = Window(utilization: Nullable(nil), status: Nullable(nil), resetsAt: Nullable(nil),
                             resetsInSeconds: Nullable(nil), surpassedThreshold: Nullable(nil))
        var windows: [String: Window] = ["five_hour": unknown, "seven_day": unknown]
        for (name, window) in latest?.windows ?? [:] {
            windows[name] = Window(utilization: Nullable(window.utilization), status: Nullable(window.status?.text),
                                   resetsAt: Nullable(window.resetsAt),
                                   resetsInSeconds: Nullable(window.resetsAt.map { max(0, $0 - now) }),
                                   surpassedThreshold: Nullable(window.surpassedThreshold))
        }
        self.windows = windows
        overage = Overage(status: Nullable(latest?.overageStatus?.text), disabledReason: Nullable(latest?.overageDisabledReason),
                          inUse: Nullable(latest?.isUsingOverage))
        switch (latest, login) {
        case (nil, "api_key"?), (nil, "auth_token"?):
            note = Nullable("This login is an API key or a bearer token: Anthropic reports no usage windows for it, "
                            + "and the fields stay null.")
        case (nil, _):
            note = Nullable("No usage report yet: the CLI reports the subscription's windows with its first answer.")
        default:
            note = Nullable(nil)
        }
    }
}
