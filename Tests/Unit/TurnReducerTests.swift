import Testing
@testable import ProxyCore
@testable import OpenAIFront
@testable import EventTransport
@testable import ChildProcesses
@testable import ProxyDaemon

struct TurnReducerTests {
    @Test func plainRunStreamsEveryDeltaThenCompletes() throws {
        let events = try Fixture.turn("10a_rec_plain")
        #expect(events.first == .began(model: "claude-sonnet-4-5"))
        let text = events.compactMap { if case .text(let t) = $0 { t } else { nil } }
        #expect(text.count == 3)
        #expect(text.joined().hasPrefix("ECHO {\"model\""))
        guard case .completed(let completion) = events.last else { Issue.record("not completed"); return }
        #expect(completion.finishReason == .stop)
        #expect(completion.usage.promptTokens == 12)
        #expect(completion.usage.outputTokens == 5)
        #expect(!completion.stopsChild)
    }

    @Test func thinkingNeverBecomesText() throws {
        let events = try Fixture.turn("02a_thinking_partial")
        let text = events.compactMap { if case .text(let t) = $0 { t } else { nil } }.joined()
        #expect(text == "The answer is 42.")
    }

    @Test(arguments: [
        ("04_err401_recommended", 401, "authentication_failed"),
        ("04_err429_recommended", 429, "rate_limit"),
        ("04_err400_recommended", 400, "unknown"),
        ("04_err529_retries0", 529, "server_error"),
    ])
    func upstreamErrorsFailTheTurnWithTheirStatus(name: String, status: Int, kind: String) throws {
        let events = try Fixture.turn(name)
        #expect(!events.contains { if case .text = $0 { true } else { false } })
        guard case .failed(.upstream(let upstream)) = events.last else { Issue.record("\(events)"); return }
        #expect(upstream.status == status)
        #expect(upstream.kind == kind)
    }

    @Test func aRestreamAfterARetryFailsInsteadOfRepeatingText() throws {
        let events = try Fixture.turn("04_cut_partial")
        let text = events.compactMap { if case .text(let t) = $0 { t } else { nil } }.joined()
        #expect(text == "Hello from ")
        #expect(events.last == .failed(.restartedAfterOutput))
    }

    @Test func aNonStreamedFallbackAfterPartialTextIsNotAppended() throws {
        let events = try Fixture.turn("04_sse_error_once_partial")
        let text = events.compactMap { if case .text(let t) = $0 { t } else { nil } }.joined()
        #expect(text == "Partial ")
        #expect(events.last == .failed(.restartedAfterOutput))
    }

    @Test func aNonStreamedAnswerIsSentWhole() throws {
        var reducer = TurnReducer()
        let assistant = StreamJSONEvent.assistant(AssistantMessage(id: "msg_1", model: "m", texts: ["Whole."]))
        #expect(reducer.events(for: assistant) == [.began(model: "m"), .text("Whole.")])
    }

    @Test func maxTokensStopsTheTurnAtTheFirstLimit() throws {
        let events = try Fixture.turn("04_max_tokens")
        guard case .completed(let completion) = events.last else { Issue.record("\(events)"); return }
        #expect(completion.finishReason == .length)
        #expect(completion.stopsChild)
        #expect(events.filter { if case .began = $0 { true } else { false } }.count == 1)
    }

    @Test func aToolCallUnderMaxTurnsOneEndsNormally() throws {
        let events = try Fixture.turn("03q_tool_use_pure_maxturns1")
        guard case .completed(let completion) = events.last else { Issue.record("\(events)"); return }
        #expect(completion.finishReason == .stop)
    }

    @Test func aRefusalEndsWithContentFilter() throws {
        let events = try Fixture.turn("04_refusal")
        guard case .completed(let completion) = events.last else { Issue.record("\(events)"); return }
        #expect(completion.finishReason == .contentFilter)
    }

    @Test func reportedToolsFailClosed() throws {
        let events = try Fixture.turn("03_flags_C_bare", isolated: false)
        guard case .failed(.toolsEnabled(let tools)) = events.first else { Issue.record("\(events)"); return }
        #expect(tools.contains("Bash"))
    }

    /// Without --bare the CLI reports its built-in agents and plugins (allowed) and would report
    /// anyone's skills, commands, plugins and agents (refused): recorded with the proxy's profile and
    /// a subscription login, and with the CLI's default flags.
    @Test func configurationTheCLILoadedFailsClosed() throws {
        let isolated = try Fixture.turn("subscription_profile", isolated: false)
        guard case .completed? = isolated.last else { Issue.record("\(isolated)"); return }
        var reducer = TurnReducer()
        let defaults = try Fixture.events("02a_thinking_partial").compactMap { event -> CLIInitReport? in
            if case .initialized(let report) = event { report } else { nil }
        }.first
        var report = try #require(defaults)
        report.tools = []
        guard case .failed(.toolsEnabled(let loaded))? = reducer.events(for: .initialized(report)).last else {
            Issue.record(); return
        }
        #expect(loaded.contains("skill:code-review"))
        #expect(loaded.contains("command:compact"))
        #expect(!loaded.contains { $0.hasPrefix("plugin:") || $0.hasPrefix("agent:") }, "built into the CLI")
        #expect(CLIInitReport.customizations(skills: [], slashCommands: [], plugins: [("mine", "/home/a/.claude/plugins/mine")],
                                             agents: ["Plan", "my-reviewer"]) == ["plugin:mine", "agent:my-reviewer"])
    }

    /// An expired subscription login whose refresh could not reach the token endpoint: the CLI
    /// reports a refused connection before any upstream call; the client is told to renew the login.
    @Test func anExpiredLoginThatCouldNotBeRefreshedSaysSo() throws {
        func failure(loginExpired: Bool) throws -> UpstreamCause? {
            var reducer = TurnReducer(continuity: .init(loginExpired: loginExpired))
            let events = try Fixture.events("subscription_expired_refresh_unreachable").flatMap { reducer.events(for: $0) }
            guard case .failed(.upstream(let error))? = events.last else { return nil }
            return error.cause
        }
        #expect(try failure(loginExpired: true) == .loginExpired)
        #expect(try failure(loginExpired: false) == .connectionLost)
    }

    /// `parallel_tool_calls: false`: the second call is dropped, and the CLI that made it is stopped.
    @Test func oneCallAtMostWhenTheClientAskedForOne() {
        for parallel in [true, false] {
            var reducer = TurnReducer(bridgedTools: ["a", "b"], parallelToolCalls: parallel)
            var events = reducer.events(for: .initialized(CLIInitReport(model: "m", tools: ["mcp__client__a", "mcp__client__b"],
                                                                        mcpServers: ["client"])))
            for (index, name) in ["a", "b"].enumerated() {
                events += reducer.events(for: .stream(messageID: "m", .contentBlockStart(index: index, .toolUse(id: "t\(index)", name: "mcp__client__\(name)", input: .object([:])))))
                events += reducer.events(for: .stream(messageID: "m", .contentBlockDelta(index: index, .inputJSON("{}"))))
            }
            events += reducer.events(for: .result(ResultEvent(subtype: "error_max_turns", isError: true, stopReason: "tool_use",
                                                              usage: TokenUsage())))
            let calls = events.filter { if case .toolCall = $0 { true } else { false } }
            #expect(calls.count == (parallel ? 2 : 1))
            guard case .completed(let completion)? = events.last else { Issue.record("\(events)"); continue }
            #expect(completion.finishReason == .toolCalls && completion.stopsChild == !parallel)
        }
    }

    @Test func theProxysBudgetStopIsANormalEndWithStreamUsage() {
        var reducer = TurnReducer()
        let start = AnthropicStreamFrame.started(id: "m1", model: "x", usage: AnthropicUsage(inputTokens: 12, cacheReadInputTokens: 30, outputTokens: 0))
        _ = reducer.events(for: .stream(messageID: "m1", start))
        _ = reducer.events(for: .stream(messageID: "m1", .contentBlockDelta(index: 0, .text("hi"))))
        _ = reducer.events(for: .stream(messageID: "m1", .messageDelta(stopReason: .endTurn, stopSequence: nil, usage: AnthropicUsage(inputTokens: nil, outputTokens: 4))))
        let result = ResultEvent(subtype: "error_max_budget_usd", isError: true, stopReason: "end_turn", usage: TokenUsage())
        guard case .completed(let completion)? = reducer.events(for: .result(result)).last else { Issue.record(); return }
        #expect(completion.finishReason == .stop)
        #expect(completion.usage == TokenUsage(inputTokens: 12, cacheReadInputTokens: 30, outputTokens: 4))
    }

    @Test func outputThatEndsWithoutAResultFails() throws {
        var reducer = TurnReducer()
        _ = reducer.events(for: .initialized(CLIInitReport(model: "m", tools: [], mcpServers: [])))
        #expect(reducer.endOfOutput(exitStatus: .signaled(9)) == [.failed(.exitedWithoutResult(.signaled(9)))])
        #expect(reducer.endOfOutput(exitStatus: nil) == [])
    }
}

/// Under the near-zero budget (an output limit is set), the CLI's retry after a cut stream is
/// stopped by the budget too; the reducer must not take that for a finished answer.
struct BudgetEndTests {
    private func run(stopReason: StopReason?) -> [TurnEvent] {
        var reducer = TurnReducer()
        let lines: [StreamJSONEvent] = [
            .initialized(CLIInitReport(model: "m", tools: [], mcpServers: [])),
            .stream(messageID: "a", .started(id: "a", model: "m", usage: AnthropicUsage(inputTokens: 3, outputTokens: 0))),
            .stream(messageID: "a", .contentBlockDelta(index: 0, .text("Hello"))),
            .stream(messageID: "a", .messageDelta(stopReason: stopReason, stopSequence: nil, usage: AnthropicUsage(inputTokens: nil, outputTokens: 2))),
            .stream(messageID: "a", .messageStop),
            .result(ResultEvent(subtype: "error_max_budget_usd", isError: true, stopReason: stopReason,
                                usage: TokenUsage(), totalCostUSD: 0)),
        ]
        return lines.flatMap { reducer.events(for: $0) }
    }

    @Test func aCutStreamIsAFailureNotAnAnswer() {
        guard case .failed(.upstream(let error))? = run(stopReason: nil).last else { Issue.record(); return }
        #expect(error.cause == .connectionLost)
    }

    @Test func aFinishedMessageIsANormalEnd() {
        guard case .completed(let completion)? = run(stopReason: "end_turn").last else { Issue.record(); return }
        #expect(completion.finishReason == .stop && completion.usage.outputTokens == 2)
    }
}
