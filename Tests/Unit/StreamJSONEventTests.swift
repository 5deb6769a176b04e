import Testing
@testable import ProxyCore
@testable import OpenAIFront
@testable import EventTransport
@testable import ChildProcesses
@testable import ProxyDaemon

struct StreamJSONEventTests {
    @Test func decodesEveryRecordedKindWithoutFailing() throws {
        let events = try Fixture.events("event_examples")
        #expect(events.count > 10)
        #expect(events.contains { if case .initialized = $0 { true } else { false } })
        #expect(events.contains { if case .result = $0 { true } else { false } })
        #expect(events.contains { if case .apiRetry = $0 { true } else { false } })
    }

    @Test func readsInitResultAndDeltasOfAPlainRun() throws {
        let events = try Fixture.events("10a_rec_plain")
        #expect(events.first == .other(type: "system"))  // ui_invalidate comes first under --bare
        #expect(events[1] == .initialized(CLIInitReport(model: "claude-sonnet-4-5", tools: [], mcpServers: [])))
        guard case .result(let result) = events.last else { Issue.record("no result"); return }
        #expect(!result.isError)
        #expect(result.usage == TokenUsage(inputTokens: 12, outputTokens: 5))
        #expect(result.totalCostUSD != nil)
        let deltas = events.compactMap { event -> String? in
            if case .stream(_, .textDelta(_, let text)) = event { return text }
            return nil
        }
        #expect(deltas.first == "ECHO ")
    }

    @Test func readsTheSyntheticErrorAssistant() throws {
        let events = try Fixture.events("04_err429_recommended")
        let synthetic = events.compactMap { event -> AssistantMessage? in
            if case .assistant(let message) = event { return message }
            return nil
        }
        #expect(synthetic.first?.isSynthetic == true)
        #expect(synthetic.first?.error == "rate_limit")
    }

    @Test func rejectsLinesThatAreNotJSONObjects() {
        #expect(throws: (any Error).self) { try StreamJSONEvent(line: Array("not json".utf8)) }
        #expect(throws: (any Error).self) { try StreamJSONEvent(line: [0xff, 0xfe]) }
        let broken = Array(#"{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"#.utf8)
            + [0xc3] + Array(#"b"}}}"#.utf8)
        #expect((try? StreamJSONEvent(line: broken)) == .stream(messageID: nil, .textDelta(index: 0, text: "a\u{FFFD}b")))
        #expect((try? StreamJSONEvent(line: Array(#"{"type":"novel"}"#.utf8))) == .other(type: "novel"))
    }
}
