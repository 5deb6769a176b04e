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
            if case .stream(_, .contentBlockDelta(_, .text(let text))) = event { return text }
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
        #expect((try? StreamJSONEvent(line: broken)) == .stream(messageID: nil, .contentBlockDelta(index: 0, .text("a\u{FFFD}b"))))
        #expect((try? StreamJSONEvent(line: Array(#"{"type":"novel"}"#.utf8))) == .other(type: "novel"))
    }

    /// The CLI's `stream_event` lines and the Messages front's frames are one wire type: every
    /// frame the front writes reads back as itself, and what a newer API adds reads as unknown.
    @Test func aStreamFrameReadsBackAsItself() throws {
        let frames: [AnthropicStreamFrame] = [
            .started(id: "msg_1", model: "claude-sonnet-5-5", usage: AnthropicUsage(inputTokens: 3, cacheReadInputTokens: 7, outputTokens: 1)),
            .contentBlockStart(index: 0, .thinking("", signature: "")),
            .contentBlockDelta(index: 0, .thinking("hm")), .contentBlockDelta(index: 0, .signature("c2ln")),
            .contentBlockStart(index: 1, .text("")), .contentBlockDelta(index: 1, .text("hi")), .contentBlockStop(index: 1),
            .contentBlockStart(index: 2, .toolUse(id: "t1", name: "f", input: .object([:]))),
            .contentBlockDelta(index: 2, .inputJSON(#"{"a":"#)),
            .messageDelta(stopReason: .toolUse, stopSequence: nil, usage: AnthropicUsage(inputTokens: nil, outputTokens: 9)),
            .messageStop,
        ]
        for frame in frames {
            let line = Array(#"{"type":"stream_event","event":"#.utf8) + WireJSON.encode(frame) + Array("}".utf8)
            #expect(try StreamJSONEvent(line: line) == .stream(messageID: nil, frame))
        }
        let novel = Array(#"{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"citations_delta"}}}"#.utf8)
        #expect(try StreamJSONEvent(line: novel) == .stream(messageID: nil, .contentBlockDelta(index: 0, .unknown(type: "citations_delta"))))
        #expect(try StreamJSONEvent(line: Array(#"{"type":"stream_event","event":{"type":"ping"}}"#.utf8))
            == .stream(messageID: nil, .unknown(type: "ping")))
    }
}
