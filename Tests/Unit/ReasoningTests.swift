import Foundation
import Testing
@testable import ProxyCore
@testable import OpenAIFront
@testable import EventTransport
@testable import ChildProcesses
@testable import ProxyDaemon

struct ReasoningTests {
    @Test func thinkingIsReasoningNeverContent() throws {
        let events = try Fixture.turn("02a_thinking_partial")
        let reasoning = events.compactMap { if case .reasoning(let t) = $0 { t } else { nil } }.joined()
        #expect(reasoning == "Let me think about this.")
        var chat = ChatTranslator(id: "c", created: 1, model: "m", includeUsage: false)
        let deltas = events.flatMap { chat.frames(for: $0) }.compactMap {
            (($0.json?["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])
        }
        #expect(deltas.compactMap { $0["reasoning_content"] as? String }.joined() == "Let me think about this.")
        #expect(deltas.compactMap { $0["content"] as? String }.joined() == "The answer is 42.")
        #expect(!deltas.contains { $0["reasoning_content"] != nil && $0["content"] != nil })

        var transcript = TurnTranscript()
        events.forEach { transcript.record($0) }
        let message = (jsonObject(chat.body(for: transcript))["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any]
        #expect(message?["reasoning_content"] as? String == "Let me think about this.")
        #expect(message?["content"] as? String == "The answer is 42.")
    }

    @Test func responsesPutAReasoningItemBeforeTheMessage() throws {
        var translator = ResponsesTranslator(id: "resp_1", itemID: "msg_1", createdAt: 1, model: "m",
                                             instructions: nil, maxOutputTokens: nil)
        let frames = try Fixture.turn("02a_thinking_partial").flatMap { translator.frames(for: $0) }
        #expect(frames.map(\.event) == [
            "response.created", "response.in_progress",
            "response.output_item.added", "response.reasoning_summary_part.added",
            "response.reasoning_summary_text.delta", "response.reasoning_summary_text.delta",
            "response.reasoning_summary_text.delta",
            "response.reasoning_summary_text.done", "response.reasoning_summary_part.done", "response.output_item.done",
            "response.output_item.added", "response.content_part.added",
            "response.output_text.delta", "response.output_text.delta", "response.output_text.delta",
            "response.output_text.done", "response.content_part.done", "response.output_item.done",
            "response.completed",
        ])
        let payloads = frames.map { $0.json ?? [:] }
        #expect(payloads.map { $0["sequence_number"] as? Int } == Array(0..<frames.count))
        #expect(payloads[4]["output_index"] as? Int == 0)
        #expect(payloads[12]["output_index"] as? Int == 1)
        let output = try #require((payloads.last?["response"] as? [String: Any])?["output"] as? [[String: Any]])
        #expect(output.map { $0["type"] as? String } == ["reasoning", "message"])
        let summary = (output[0]["summary"] as? [[String: Any]])?.first
        #expect(summary?["type"] as? String == "summary_text")
        #expect(summary?["text"] as? String == "Let me think about this.")
    }

    @Test(arguments: [("minimal", "low"), ("none", "low"), ("low", "low"), ("medium", "medium"), ("high", "high"),
                      ("xhigh", "xhigh"), ("max", "max")])
    func effortMapsToTheCLIs(openAI: String, cli: String) throws {
        let request = try RequestDecoder.decode(ChatCompletionRequest.self, from: Array(
            #"{"messages":[{"role":"user","content":"x"}],"reasoning_effort":"\#(openAI)"}"#.utf8))
        let job = try CompletionPlan(chat: request, defaultModel: "sonnet", now: 0)
        #expect(job.options.effort == cli)
    }

    @Test func anUnknownEffortIsA400() throws {
        let request = try RequestDecoder.decode(ResponsesRequest.self, from: Array(
            #"{"input":"x","reasoning":{"effort":"extreme"}}"#.utf8))
        #expect(throws: OpenAIError.self) { try CompletionPlan(responses: request, defaultModel: "sonnet", now: 0) }
    }
}
