import Testing
@testable import AnthropicFront
@testable import OpenAIFront
@testable import ProxyCore
@testable import ProxyDaemon

/// The subscription's usage windows: every shape the pinned CLI printed (limits/ transcripts),
/// the ledger's decisions on a fake clock, and how both fronts say a window is used up.
@Suite struct UsageTests {
    private func infos() throws -> [RateLimitInfo] {
        try Fixture.events("rate_limit_lines").compactMap { if case .rateLimit(let info) = $0 { info } else { nil } }
    }

    /// Numbers no CLI prints but a line may carry (the fuzzer found the first): an out-of-range
    /// reset time is no reset time, and a huge utilization is written as it is, never a trap.
    @Test func absurdNumbersNeitherTrapNorLie() throws {
        let line = #"{"type":"rate_limit_event","rate_limit_info":{"status":"allowed","resetsAt":1e300,"utilization":1e300,"#
            + #""unifiedWindows":{"five_hour":{"status":"allowed","resetsAt":-1e300,"utilization":-1e300,"surpassedThreshold":1e19}}}}"#
        guard case .rateLimit(let info) = try StreamJSONEvent(line: Array(line.utf8)) else { Issue.record("not a rate-limit event"); return }
        #expect(info.resetsAt == nil && info.windows["five_hour"]?.resetsAt == nil)
        var ledger = UsageLedger()
        ledger.record(info, at: 1_796_591_685)
        let headers = Dictionary(ledger.headers, uniquingKeysWith: { first, _ in first })
        #expect(headers["anthropic-ratelimit-unified-5h-utilization"] == "-1e+300", "\(headers)")
        #expect(UsageLedger.number(0.12345) == "0.1235" && UsageLedger.number(Double.nan) == "nan")
    }

    @Test func everyRecordedEventDecodes() throws {
        let all = try infos()
        #expect(all.count == 7)
        // rl03: allowed, both windows.
        #expect(all[0].status == .allowed && all[0].representativeWindow == "five_hour")
        #expect(all[0].windows["five_hour"]?.utilization == 0.12 && all[0].windows["seven_day"]?.utilization == 0.05)
        // rl04: a header warning without a threshold is reported as allowed, the window as a warning.
        #expect(all[1].status == .allowed && all[1].windows["five_hour"]?.status == .allowedWarning)
        // rl05: with a threshold.
        #expect(all[2].status == .allowedWarning && all[2].surpassedThreshold == 0.75
                && all[2].windows["five_hour"]?.surpassedThreshold == 0.75)
        // rl06: rejected, with the overage state.
        #expect(all[3].status == .rejected && all[3].overageStatus == .rejected
                && all[3].overageDisabledReason == "org_level_disabled" && all[3].windows["five_hour"]?.utilization == 1)
        // rl09: no unified headers at all.
        #expect(all[4] == RateLimitInfo(status: .allowed, isUsingOverage: false))
        #expect(all[5].status == .rejected && all[5].windows.isEmpty)
        // rl15: the CLI's own time-based warning.
        #expect(all[6].status == .allowedWarning && all[6].utilization == 0.95)
        #expect(RateLimitInfo.Status("something_new") == .unknown("something_new"))
    }

    /// rl06: the refused request's synthetic message names the window; the turn fails as a used-up window.
    @Test func aRefusalNamesItsWindowAndReset() throws {
        var reducer = TurnReducer()
        let events = try Fixture.withoutCustomizations("rl06_oauth_rejected").flatMap { reducer.events(for: $0) }
        guard case .failed(.upstream(let error))? = events.last else { Issue.record("\(events)"); return }
        #expect(error.cause == .usageLimitReached(window: "five_hour", resetsAt: 1_796_591_685))
        let now = 1_796_591_685 - 3600
        let refusal = UsageRefusal(window: "five_hour", resetsAt: 1_796_591_685, now: now)
        #expect(refusal.code == "usage_limit_reached" && refusal.retryAfter == 3600)
        #expect(refusal.message.contains("5-hour") && refusal.message.contains("(in 1 h)"))
        let openAI = OpenAIError.usage(refusal)
        #expect(openAI.status == 429 && openAI.code == "usage_limit_reached" && !openAI.isRetryable)
        #expect(openAI.headers.contains { $0 == ("Retry-After", "3600") })
        let anthropic = AnthropicError(usage: refusal)
        #expect(anthropic.status == 429 && anthropic.type == "rate_limit_error")
        #expect(String(decoding: anthropic.body, as: UTF8.self).contains(#""details":{"error_code":"usage_limit_reached"}"#))
    }

    /// CLI 2.1.284 (the oldest tested) names the window only in the rate-limit event before its
    /// refusal, and gives no per-window status: the refusal is still a used-up window.
    @Test func anOlderCLIsRefusalIsReadFromItsEvent() throws {
        var reducer = TurnReducer()
        var ledger = UsageLedger()
        var events: [TurnEvent] = []
        for event in try Fixture.withoutCustomizations("rate_limit_refusal_cli2_1_284") {
            if case .rateLimit(let info) = event { ledger.record(info, at: 0) }
            events += reducer.events(for: event)
        }
        guard case .failed(.upstream(let error))? = events.last,
              case .usageLimitReached(let window, let reset) = error.cause else { Issue.record("\(events)"); return }
        #expect(window == "five_hour" && reset != nil)
        #expect(ledger.latest?.windows["five_hour"]?.status == .rejected, "the representative window takes the event's status")
        #expect(ledger.block(model: "sonnet", reservePercent: nil, now: 0)?.window == "five_hour")
    }

    /// rl09: a 429 without the unified headers ("not your usage limit") is an ordinary rate limit,
    /// even after the CLI's windowless `rejected` event.
    @Test func aRateLimitThatNamesNoWindowIsNotAUsedUpWindow() throws {
        var reducer = TurnReducer()
        _ = reducer.events(for: .initialized(CLIInitReport(model: "m", tools: [], mcpServers: [])))
        _ = reducer.events(for: .rateLimit(try infos()[5]))
        let events = reducer.events(for: .result(ResultEvent(subtype: "success", isError: true, apiErrorStatus: 429,
                                                              text: "API Error: Server is temporarily limiting requests",
                                                              usage: TokenUsage())))
        guard case .failed(.upstream(let error))? = events.last else { Issue.record("\(events)"); return }
        #expect(error.cause == .rateLimited)
    }

    @Test func aUsedUpWindowStopsWhatItCoversUntilItsReset() throws {
        var ledger = UsageLedger()
        #expect(ledger.block(model: "sonnet", reservePercent: 50, now: 0) == nil, "nothing known: nothing stopped")
        let rejected = try infos()[3]
        ledger.record(rejected, at: 100)
        let reset = try #require(rejected.resetsAt)
        let block = try #require(ledger.block(model: "sonnet", reservePercent: nil, now: Double(reset - 10)))
        #expect(block.reason == .usageLimitReached && block.window == "five_hour" && block.resetsAt == reset)
        #expect(ledger.block(model: "sonnet", reservePercent: nil, now: Double(reset + 1)) == nil, "after the reset it goes through")
        // A warning never stops a request.
        var warned = UsageLedger()
        warned.record(try infos()[2], at: 0)
        #expect(warned.block(model: "opus", reservePercent: nil, now: 0) == nil)
    }

    @Test func aFamilysWindowStopsOnlyThatFamily() {
        var ledger = UsageLedger()
        ledger.record(RateLimitInfo(status: .allowed, windows: [
            "seven_day_opus": .init(utilization: 1, resetsAt: 1000, status: .rejected),
            "five_hour": .init(utilization: 0.2, resetsAt: 900, status: .allowed),
        ]), at: 0)
        #expect(ledger.block(model: "opus", reservePercent: nil, now: 10)?.window == "seven_day_opus")
        #expect(ledger.block(model: "claude-opus-4-1", reservePercent: nil, now: 10) != nil)
        #expect(ledger.block(model: "sonnet", reservePercent: nil, now: 10) == nil, "an Opus-only window does not stop Sonnet")
    }

    @Test func aKeysReserveStopsItAtItsShareWindowByWindow() {
        var ledger = UsageLedger()
        ledger.record(RateLimitInfo(status: .allowed, windows: [
            "five_hour": .init(utilization: 0.83, resetsAt: 500, status: .allowed),
            "seven_day": .init(utilization: 0.55, resetsAt: 9000, status: .allowed),
        ]), at: 0)
        let background = ledger.block(model: "sonnet", reservePercent: 50, now: 10)
        #expect(background?.reason == .quotaReserved(percent: 50))
        #expect(background?.window == "seven_day", "both windows are past 50 %: the later reset decides")
        #expect(ledger.block(model: "sonnet", reservePercent: 20, now: 10)?.window == "five_hour")
        #expect(ledger.block(model: "sonnet", reservePercent: 10, now: 10) == nil, "an interactive key goes on to 90 %")
        #expect(ledger.block(model: "sonnet", reservePercent: 20, now: 600) == nil, "the 5-hour window reset")
        let refusal = UsageRefusal(background!, now: 10)
        #expect(refusal.code == "quota_reserved" && refusal.retryAfter == 8990)
        #expect(refusal.message.contains("keeps 50 %") && refusal.message.contains("55 %"))
    }

    @Test func theStateMergesAndReadsAsAnthropicsHeaders() throws {
        var ledger = UsageLedger()
        ledger.record(try infos()[2], at: 1)
        // A reply without unified headers keeps what is known of the windows.
        ledger.record(RateLimitInfo(status: .allowed, isUsingOverage: false), at: 2)
        #expect(ledger.latest?.windows["five_hour"]?.utilization == 0.85)
        #expect(ledger.seenAt == 2)
        let headers = Dictionary(uniqueKeysWithValues: ledger.headers)
        #expect(headers["anthropic-ratelimit-unified-status"] == "allowed")
        #expect(headers["anthropic-ratelimit-unified-5h-utilization"] == "0.85")
        #expect(headers["anthropic-ratelimit-unified-5h-status"] == "allowed_warning")
        #expect(headers["anthropic-ratelimit-unified-5h-surpassed-threshold"] == "0.75")
        #expect(headers["anthropic-ratelimit-unified-7d-utilization"] == "0.3")
        #expect(headers["anthropic-ratelimit-unified-5h-reset"] != nil && headers["anthropic-ratelimit-unified-7d-reset"] != nil)
        #expect(RateLimitInfo.headerSuffix(window: "seven_day_opus") == "7d_opus")
        #expect(RateLimitInfo.displayName(window: "seven_day_opus") == "7-day Opus")
        #expect(UsageLedger.number(1) == "1" && UsageLedger.number(0.125) == "0.125")
    }

    @Test func theUsageReplyHasOneShapeWhateverIsKnown() throws {
        let empty = String(decoding: WireJSON.encode(UsageReport(UsageLedger(), login: "api_key", reservePercent: nil, now: 0)),
                           as: UTF8.self)
        #expect(empty.contains(#""five_hour":{"resets_at":null,"resets_in_seconds":null,"status":null,"surpassed_threshold":null,"utilization":null}"#))
        #expect(empty.contains("API key"))
        var ledger = UsageLedger()
        ledger.record(try infos()[0], at: 100)
        ledger.recordRefusal(window: "five_hour")
        let reset = try #require(try infos()[0].windows["five_hour"]?.resetsAt)
        let report = String(decoding: WireJSON.encode(UsageReport(ledger, login: "subscription", reservePercent: 20,
                                                                  now: reset - 60)), as: UTF8.self)
        #expect(report.contains(#""resets_in_seconds":60"#) && report.contains(#""utilization":0.12"#))
        #expect(report.contains(#""refused_requests":{"five_hour":1}"#) && report.contains(#""reserve_percent":20"#))
    }

    @Test func theKeyFileGivesEachKeyItsReserve() throws {
        let configuration = try Configuration(
            flags: .init(apiKeyFile: "/keys", reserveQuota: 5), environment: [:]) { _ in
            "# keys\nbackground reserve=50\ninteractive\n"
        }
        #expect(configuration.apiKeys == ["background", "interactive"])
        #expect(configuration.reserve(forKey: "background") == 50)
        #expect(configuration.reserve(forKey: "interactive") == 5)
        #expect(throws: ConfigurationError.self) {
            try Configuration(flags: .init(apiKeyFile: "/keys"), environment: [:]) { _ in "k reserve=150\n" }
        }
    }
}
