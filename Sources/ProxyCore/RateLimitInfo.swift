/// The subscription's usage windows as the CLI reports them: the `rate_limit_info` of a
/// `rate_limit_event` line, and of a refused request's synthetic message (`api_error_params`).
/// Decoded once into typed values (`../shared/cli-contract/limits/README.md` §1).
package struct RateLimitInfo: Equatable, Sendable, Decodable {
    package enum Status: OpenStringEnum {
        case allowed, allowedWarning, rejected
        case unknown(String)

        package static let spellings: [(String, Status)] = [
            ("allowed", .allowed), ("allowed_warning", .allowedWarning), ("rejected", .rejected),
        ]

        package var unknownText: String? { if case .unknown(let text) = self { text } else { nil } }

        /// As Anthropic's headers and the CLI spell it.
        package var text: String { description }
    }

    /// One window (`five_hour`, `seven_day`, `seven_day_opus`, `overage`, …).
    package struct Window: Equatable, Sendable, Decodable {
        /// A fraction: 0.85 is 85 % used.
        package var utilization: Double?
        /// Unix seconds.
        package var resetsAt: Int?
        package var status: Status?
        package var surpassedThreshold: Double?

        package init(utilization: Double? = nil, resetsAt: Int? = nil, status: Status? = nil, surpassedThreshold: Double? = nil) {
            self.utilization = utilization
            self.resetsAt = resetsAt
            self.status = status
            self.surpassedThreshold = surpassedThreshold
        }

        enum CodingKeys: String, CodingKey { case utilization, resetsAt, status, surpassedThreshold }

        package init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            utilization = try? c.decodeIfPresent(Double.self, forKey: .utilization)
            resetsAt = (try? c.decodeIfPresent(Double.self, forKey: .resetsAt)).flatMap { $0?.wholeSeconds }
            status = (try? c.decodeIfPresent(String.self, forKey: .status)).flatMap { $0.map { Status($0) } }
            surpassedThreshold = try? c.decodeIfPresent(Double.self, forKey: .surpassedThreshold)
        }
    }

    package var status: Status
    /// When the representative window resets (Unix seconds).
    package var resetsAt: Int?
    /// The window that decided the status (`five_hour`, …).
    package var representativeWindow: String?
    package var utilization: Double?
    package var surpassedThreshold: Double?
    package var overageStatus: Status?
    package var overageDisabledReason: String?
    package var isUsingOverage: Bool?
    /// Each window by name; empty when the event named none (a refusal's params, or a reply
    /// without the unified headers).
    package var windows: [String: Window]

    package init(status: Status, resetsAt: Int? = nil, representativeWindow: String? = nil, utilization: Double? = nil,
                 surpassedThreshold: Double? = nil, overageStatus: Status? = nil, overageDisabledReason: String? = nil,
                 isUsingOverage: Bool? = nil, windows: [String: Window] = [:]) {
        self.status = status
        self.resetsAt = resetsAt
        self.representativeWindow = representativeWindow
        self.utilization = utilization
        self.surpassedThreshold = surpassedThreshold
        self.overageStatus = overageStatus
        self.overageDisabledReason = overageDisabledReason
        self.isUsingOverage = isUsingOverage
        self.windows = windows
    }

    enum CodingKeys: String, CodingKey {
        case status, resetsAt, utilization, surpassedThreshold, overageStatus, overageDisabledReason, isUsingOverage
        case representativeWindow = "rateLimitType"
        case windows = "unifiedWindows"
    }

    /// Every field but `status` may be missing or of another shape: a field the proxy does not
    /// expect never costs it the whole event.
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        status = Status(try c.decode(String.self, forKey: .status))
        resetsAt = (try? c.decodeIfPresent(Double.self, forKey: .resetsAt)).flatMap { $0?.wholeSeconds }
        representativeWindow = try? c.decodeIfPresent(String.self, forKey: .representativeWindow)
        utilization = try? c.decodeIfPresent(Double.self, forKey: .utilization)
        surpassedThreshold = try? c.decodeIfPresent(Double.self, forKey: .surpassedThreshold)
        overageStatus = (try? c.decodeIfPresent(String.self, forKey: .overageStatus)).flatMap { $0.map { Status($0) } }
        overageDisabledReason = try? c.decodeIfPresent(String.self, forKey: .overageDisabledReason)
        isUsingOverage = try? c.decodeIfPresent(Bool.self, forKey: .isUsingOverage)
        windows = (try? c.decodeIfPresent([String: Window].self, forKey: .windows)) ?? [:]
    }

    /// The suffix Anthropic's headers use for a window: `5h`, `7d`, `7d_oi`, `overage`; other
    /// windows keep their name with the period shortened (`seven_day_opus` → `7d_opus`).
    package static func headerSuffix(window: String) -> String {
        switch window {
        case "five_hour": "5h"
        case "seven_day": "7d"
        case "seven_day_overage_included": "7d_oi"
        default:
            window.replacingPrefix("five_hour", with: "5h").replacingPrefix("seven_day", with: "7d")
        }
    }

    /// How people name a window: "5-hour", "7-day", "7-day Opus".
    package static func displayName(window: String) -> String {
        let parts = window.split(separator: "_").map(String.init)
        var words: [String] = []
        var index = 0
        while index < parts.count {
            switch (parts[index], index + 1 < parts.count ? parts[index + 1] : nil) {
            case ("five", "hour"?): words.append("5-hour"); index += 2
            case ("seven", "day"?): words.append("7-day"); index += 2
            case (let word, _): words.append(word.prefix(1).uppercased() + word.dropFirst()); index += 1
            }
        }
        return words.joined(separator: " ")
    }

    /// Whether a window limits requests for `model`: a window named after a model family covers
    /// only that family (an Opus-only window does not stop Sonnet requests).
    package static func window(_ window: String, covers model: String) -> Bool {
        let families = ["opus", "sonnet", "haiku", "fable"]
        guard let family = families.first(where: { window.contains($0) }) else { return true }
        return model.lowercased().contains(family)
    }
}

extension String {
    fileprivate func replacingPrefix(_ prefix: String, with replacement: String) -> String {
        hasPrefix(prefix) ? replacement + dropFirst(prefix.count) : self
    }
}

extension Double {
    /// A time in whole seconds, nil when it is not a finite number within ±10^15 (a reset time
    /// from a CLI line: `Int(_:)` would stop the daemon on 1e300 or NaN).
    package var wholeSeconds: Int? {
        isFinite && abs(self) < 1e15 ? Int(rounded(.down)) : nil
    }
}
