import Foundation
import Testing
@testable import AnthropicFront
@testable import OpenAIFront
@testable import ProxyCore

/// The Messages front: request decoding into the conversation, CLI events into Messages events.
struct MessagesRequestTests {
    private func job(_ json: String) throws(AnthropicError) -> CompletionPlan {
        let request: MessagesRequest
        do { request = try WireJSON.decode(MessagesRequest.self, from: Array(json.utf8)) } catch {
            throw .invalidRequest("\(error)")
        }
        return try CompletionPlan(messages: request, defaultModel: "sonnet")
    }

    private let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg=="

    @Test func everyBlockTypeIsRead() throws {
        let job = try job(#"""
            {"model":"claude-opus-4-1","max_tokens":50,"system":[{"type":"text","text":"S1"},{"type":"text","text":"S2"}],
             "stop_sequences":["END"],"thinking":{"type":"enabled","budget_tokens":20000},
             "tools":[{"name":"get_weather","description":"W","input_schema":{"type":"object"}}],
             "messages":[
               {"role":"user","content":[{"type":"text","text":"look"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"\#(png)"}}]},
               {"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"sig"},{"type":"text","text":"calling"},
                 {"type":"tool_use","id":"tu1","name":"get_weather","input":{"city":"Paris"}}]},
               {"role":"user","content":[{"type":"tool_result","tool_use_id":"tu1","content":[{"type":"text","text":"Sunny"}]},{"type":"text","text":"and now?"}]}]}
            """#)
        #expect(job.model == "opus")
        #expect(job.options.effort == "high" && job.options.maxOutputTokens == 50)
        #expect(job.stopSequences == ["END"])
        #expect(job.bridgedTools.map(\.name) == ["get_weather"])
        #expect(job.prompt.system.hasPrefix("S1\n\nS2"))
        let text = job.prompt.userBlocks.compactMap { if case .text(let text) = $0 { text } else { nil } }.joined()
        #expect(text.contains(#"<tool_call id="tu1" name="get_weather">"# + "\n" + #"{"city":"Paris"}"#))
        #expect(text.contains("Sunny") && text.contains("and now?") && text.contains("[image 1]"))
        #expect(!text.contains("hmm"), "earlier thinking is not fed back")
        #expect(job.prompt.userBlocks.contains { if case .image = $0 { true } else { false } })
    }

    @Test(arguments: [
        #"{"messages":[{"role":"user","content":"x"}]}"#,
        #"{"max_tokens":5,"messages":[]}"#,
        #"{"max_tokens":5,"messages":[{"role":"assistant","content":"x"}]}"#,
        #"{"max_tokens":5,"messages":[{"role":"user"}]}"#,
        #"{"max_tokens":5,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"url","url":"https://x/y.png"}}]}]}"#,
        #"{"max_tokens":5,"messages":[{"role":"user","content":[{"type":"document","source":{}}]}]}"#,
        #"{"max_tokens":5,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"nope","content":"x"}]}]}"#,
        #"{"max_tokens":5,"tools":[{"type":"web_search_20250305","name":"web_search"}],"messages":[{"role":"user","content":"x"}]}"#,
        #"{"max_tokens":5,"tools":[{"name":"f","input_schema":{"type":"object"}}],"tool_choice":{"type":"tool","name":"g"},"messages":[{"role":"user","content":"x"}]}"#,
        #"{"max_tokens":5,"thinking":{"type":"enabled","budget_tokens":10},"messages":[{"role":"user","content":"x"}]}"#,
    ])
    func badShapesAre400s(json: String) {
        do {
            _ = try job(json)
            Issue.record("accepted: \(json)")
        } catch {
            #expect(error.status == 400 && error.type == "invalid_request_error")
        }
    }

    @Test func toolChoiceMapsOntoTheBridge() throws {
        let tools = #""tools":[{"name":"f","input_schema":{"type":"object"}},{"name":"g","input_schema":{"type":"object"}}]"#
        #expect(try job(#"{"max_tokens":5,\#(tools),"tool_choice":{"type":"none"},"messages":[{"role":"user","content":"x"}]}"#).bridgedTools == [])
        #expect(try job(#"{"max_tokens":5,\#(tools),"tool_choice":{"type":"tool","name":"g"},"messages":[{"role":"user","content":"x"}]}"#).bridgedTools.map(\.name) == ["g"])
        #expect(try job(#"{"max_tokens":5,\#(tools),"tool_choice":{"type":"any","disable_parallel_tool_use":true},"messages":[{"role":"user","content":"x"}]}"#).tools?.instructions?.contains("at most one") == true)
    }
}

struct MessagesTranslatorTests {
    private func stream(_ events: [TurnEvent]) -> [(event: String, data: [String: Any])] {
        var translator = MessagesTranslator(id: "msg_1", model: "sonnet")
        return events.flatMap { translator.frames(for: $0) }.map { ($0.event ?? "", $0.json ?? [:]) }
    }

    @Test func aRecordedTextTurnIsTheMessagesEventSequence() throws {
        let frames = stream(try Fixture.turn("10a_rec_plain"))
        #expect(frames.map(\.event) == ["message_start", "content_block_start", "content_block_delta", "content_block_delta",
                                        "content_block_delta", "content_block_stop", "message_delta", "message_stop"])
        #expect(frames.allSatisfy { $0.event == $0.data["type"] as? String })
        let delta = try #require(frames[6].data["delta"] as? [String: Any])
        #expect(delta["stop_reason"] as? String == "end_turn")
        #expect((frames[6].data["usage"] as? [String: Any])?["output_tokens"] as? Int == 5)
    }

    /// The thinking block's signature reaches Messages clients, streamed and whole (it lets them
    /// send the block back on the next turn).
    @Test func theThinkingSignatureIsPassedOn() throws {
        let events = try Fixture.turn("02a_thinking_partial")
        let frames = stream(events)
        let signatures = frames.compactMap { frame -> String? in
            guard let delta = frame.data["delta"] as? [String: Any], delta["type"] as? String == "signature_delta" else { return nil }
            return delta["signature"] as? String
        }
        #expect(signatures == ["EqQBCkYIBxgCKkBmocksignature=="])
        var transcript = TurnTranscript()
        events.forEach { transcript.record($0) }
        let body = jsonObject(MessagesTranslator(id: "msg_1", model: "sonnet").body(for: transcript))
        let thinking = (body["content"] as? [[String: Any]])?.first
        #expect(thinking?["type"] as? String == "thinking")
        #expect(thinking?["signature"] as? String == "EqQBCkYIBxgCKkBmocksignature==")
    }

    @Test func thinkingThenTextAreTwoBlocks() throws {
        let frames = stream(try Fixture.turn("02a_thinking_partial"))
        let starts = frames.filter { $0.event == "content_block_start" }
            .compactMap { ($0.data["content_block"] as? [String: Any])?["type"] as? String }
        #expect(starts == ["thinking", "text"])
        let kinds = frames.compactMap { ($0.data["delta"] as? [String: Any])?["type"] as? String }
        #expect(kinds.first == "thinking_delta" && kinds.contains("text_delta"))
        #expect(frames.filter { $0.event == "content_block_start" }.map { $0.data["index"] as? Int } == [0, 1])
    }

    @Test func aToolCallIsAToolUseBlockWithInputJSONDeltas() throws {
        var reducer = TurnReducer(bridgedTools: ["get_weather"])
        let events = try Fixture.withoutCustomizations("tool_bridge_denied").flatMap { reducer.events(for: $0) }
        let frames = stream(events)
        let block = try #require(frames.first { $0.event == "content_block_start" }?.data["content_block"] as? [String: Any])
        #expect(block["type"] as? String == "tool_use" && block["name"] as? String == "get_weather" && block["id"] as? String == "toolu_1")
        let json = frames.compactMap { ($0.data["delta"] as? [String: Any])?["partial_json"] as? String }.joined()
        #expect(json == #"{"city": "Paris"}"#)
        #expect((frames.first { $0.event == "message_delta" }?.data["delta"] as? [String: Any])?["stop_reason"] as? String == "tool_use")
    }

    @Test func stopReasonsInAnthropicsWords() {
        #expect(MessagesTranslator.stopReason(.stop, nil) == "end_turn")
        #expect(MessagesTranslator.stopReason(.stop, "END") == "stop_sequence")
        #expect(MessagesTranslator.stopReason(.length, nil) == "max_tokens")
        #expect(MessagesTranslator.stopReason(.contentFilter, nil) == "refusal")
        #expect(MessagesTranslator.stopReason(.toolCalls, nil) == "tool_use")
    }

    @Test func aWholeMessageHasTheBlocksAndUsage() {
        var transcript = TurnTranscript()
        for event: TurnEvent in [.began(model: "claude-x"), .reasoning("think"), .text("Hi"),
                                 .toolCall(index: 0, id: "t1", name: "f"), .toolArguments(index: 0, fragment: #"{"a":1}"#),
                                 .completed(TurnCompletion(finishReason: .toolCalls,
                                                           usage: TokenUsage(inputTokens: 3, cacheReadInputTokens: 4, outputTokens: 5),
                                                           costUSD: nil, stopsChild: false))] {
            transcript.record(event)
        }
        let body = jsonObject(MessagesTranslator(id: "msg_1", model: "sonnet").body(for: transcript))
        #expect(body["type"] as? String == "message" && body["role"] as? String == "assistant" && body["model"] as? String == "claude-x")
        let content = body["content"] as? [[String: Any]] ?? []
        #expect(content.map { $0["type"] as? String } == ["thinking", "text", "tool_use"])
        #expect((content[2]["input"] as? [String: Any])?["a"] as? Int == 1)
        #expect(body["stop_reason"] as? String == "tool_use" && body["stop_sequence"] is NSNull)
        let usage = body["usage"] as? [String: Any] ?? [:]
        #expect(usage["input_tokens"] as? Int == 3 && usage["cache_read_input_tokens"] as? Int == 4 && usage["output_tokens"] as? Int == 5)
    }

    @Test func errorsInAnthropicsShapeWithMatchingStatuses() {
        let cases: [(TurnFailure, Int, String)] = [
            (.upstream(UpstreamError(status: 429, message: "x")), 429, "rate_limit_error"),
            (.upstream(UpstreamError(status: 529, message: "x")), 529, "overloaded_error"),
            (.upstream(UpstreamError(status: 400, message: "x")), 400, "invalid_request_error"),
            (.upstream(UpstreamError(status: 404, message: "x")), 404, "not_found_error"),
            (.upstream(UpstreamError(status: 413, message: "x")), 413, "request_too_large"),
            (.upstream(UpstreamError(status: 500, message: "x")), 500, "api_error"),
            (.queueFull(waited: false), 429, "rate_limit_error"),
        ]
        for (failure, status, type) in cases {
            let error = AnthropicError(failure: failure)
            #expect(error.status == status && error.type == type, "\(failure)")
            let body = jsonObject(error.body)
            #expect(body["type"] as? String == "error")
            #expect((body["error"] as? [String: Any])?["type"] as? String == type)
        }
        #expect(AnthropicError(failure: .upstream(UpstreamError(status: 429, message: "x"))).headers.contains { $0.0 == "retry-after" })
        #expect(AnthropicError.invalidRequest("x").headers.contains { $0 == ("x-should-retry", "false") })
        var translator = MessagesTranslator(id: "m", model: "s")
        let frame = translator.frames(for: .deadlineExceeded(seconds: 3))
        #expect(frame.map(\.event) == ["error"])
    }
}
