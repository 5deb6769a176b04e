/// `GET /v1/usage`: the usage windows as last reported, each reset as a Unix time and as seconds
/// from now; `null` fields until the first report (an API-key login never makes one).
package struct UsageReport: Encodable, Sendable {
    package struct Window: Encodable, Sendable {
        var utilization: Double?
        var status: String?
        var resetsAt: Int?
        var resetsInSeconds: Int?
        var surpassedThreshold: Double?

        enum CodingKeys: String, CodingKey {
            case utilization, status
            case resetsAt = "resets_at"
            case resetsInSeconds = "resets_in_seconds"
            case surpassedThreshold = "surpassed_threshold"
        }

        package func encode(to encoder: any Encoder) throws {
            // Every field is written, `null` when unknown: a client reads one shape whatever it knows.
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(utilization, forKey: .utilization)
            try c.encode(status, forKey: .status)
            try c.encode(resetsAt, forKey: .resetsAt)
            try c.encode(resetsInSeconds, forKey: .resetsInSeconds)
            try c.encode(surpassedThreshold, forKey: .surpassedThreshold)
        }
    }

    package struct Overage: Encodable, Sendable {
        var status: String?
        var disabledReason: String?
        var inUse: Bool?
        enum CodingKeys: String, CodingKey {
            case status
            case disabledReason = "disabled_reason"
            case inUse = "in_use"
        }
        package func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(status, forKey: .status)
            try c.encode(disabledReason, forKey: .disabledReason)
            try c.encode(inUse, forKey: .inUse)
        }
    }

    var object = "usage"
    var login: String?
    var status: String?
    var representativeWindow: String?
    var seenAt: Int?
    var ageSeconds: Int?
    var windows: [String: Window]
    var overage: Overage
    var refusedRequests: [String: Int]
    var blockedRequests: [String: Int]
    var reservePercent: Int?
    var note: String?

    enum CodingKeys: String, CodingKey {
        case object, login, status, windows, overage, note
        case representativeWindow = "representative_window"
        case seenAt = "seen_at"
        case ageSeconds = "age_seconds"
        case refusedRequests = "refused_requests"
        case blockedRequests = "blocked_requests"
        case reservePercent = "reserve_percent"
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(object, forKey: .object)
        try c.encode(login, forKey: .login)
        try c.encode(status, forKey: .status)
        try c.encode(representativeWindow, forKey: .representativeWindow)
        try c.encode(seenAt, forKey: .seenAt)
        try c.encode(ageSeconds, forKey: .ageSeconds)
        try c.encode(windows, forKey: .windows)
        try c.encode(overage, forKey: .overage)
        try c.encode(refusedRequests, forKey: .refusedRequests)
        try c.encode(blockedRequests, forKey: .blockedRequests)
        try c.encode(reservePercent, forKey: .reservePercent)
        try c.encode(note, forKey: .note)
    }

    /// - Parameters:
    ///   - login: the kind of login the CLIs use (`subscription`, `api_key`, …), nil when none.
    ///   - reservePercent: the asking key's reserve.
    ///   - now: Unix seconds.
    package init(_ ledger: UsageLedger, login: String?, reservePercent: Int?, now: Int) {
        self.login = login
        self.reservePercent = reservePercent
        refusedRequests = ledger.refusals
        blockedRequests = ledger.blocked
        let latest = ledger.latest
        status = latest?.status.text
        representativeWindow = latest?.representativeWindow
        seenAt = ledger.seenAt.map { Int($0) }
        ageSeconds = ledger.seenAt.map { max(0, now - Int($0)) }
        var windows: [String: Window] = ["five_hour": Window(), "seven_day": Window()]
        for (name, window) in latest?.windows ?? [:] {
            windows[name] = Window(utilization: window.utilization, status: window.status?.text, resetsAt: window.resetsAt,
                                   resetsInSeconds: window.resetsAt.map { max(0, $0 - now) },
                                   surpassedThreshold: window.surpassedThreshold)
        }
        self.windows = windows
        overage = Overage(status: latest?.overageStatus?.text, disabledReason: latest?.overageDisabledReason,
                          inUse: latest?.isUsingOverage)
        switch (latest, login) {
        case (nil, "api_key"?), (nil, "auth_token"?):
            note = "This login is an API key or a bearer token: Anthropic reports no usage windows for it, and the fields stay null."
        case (nil, _):
            note = "No usage report yet: the CLI reports the subscription's windows with its first answer."
        default:
            note = nil
        }
    }
}
