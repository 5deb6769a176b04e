import Foundation
import Testing
@testable import ProxyCore
@testable import OpenAIFront
@testable import EventTransport
@testable import ChildProcesses
@testable import ProxyDaemon

struct ResponsesTranslatorTests {
    private func translator() -> ResponsesTranslator {
        ResponsesTranslator(id: "resp_1", itemID: "msg_1", createdAt: 42, model: "sonnet", instructions: "be brief",
                            maxOutputTokens: nil)
    }

    @Test func aTextAnswerStreamsTheSpecSequence() throws {
        var translator = translator()
        let frames = try Fixture.turn("10a_rec_plain").flatMap { translator.frames(for: $0) }
        #expect(frames.map(\.event) == [
            "response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
            "response.output_text.delta", "response.output_text.delta", "response.output_text.delta",
            "response.output_text.done", "response.content_part.done", "response.output_item.done",
            "response.completed",
        ])
        let payloads = frames.map { $0.json ?? [:] }
        #expect(payloads.map { $0["sequence_number"] as? Int } == Array(0..<frames.count))
        #expect(zip(frames, payloads).allSatisfy { $0.event == $1["type"] as? String })
        #expect(!frames.contains(.done))
        let completed = try #require(payloads.last?["response"] as? [String: Any])
        #expect(completed["status"] as? String == "completed")
        #expect(completed["instructions"] as? String == "be brief")
        let usage = try #require(completed["usage"] as? [String: Any])
        #expect(usage["input_tokens"] as? Int == 12)
        #expect(usage["output_tokens"] as? Int == 5)
        let output = try #require(completed["output"] as? [[String: Any]])
        let text = ((output.first?["content"] as? [[String: Any]])?.first?["text"] as? String) ?? ""
        #expect(text.hasPrefix("ECHO "))
        let done = payloads[7]
        #expect(done["text"] as? String == text)
        #expect(done["item_id"] as? String == "msg_1")
    }

    @Test func aFailureAfterTheStartIsResponseFailed() throws {
        var translator = translator()
        let frames = try Fixture.turn("04_cut_partial").flatMap { translator.frames(for: $0) }
        #expect(frames.last?.event == "response.failed")
        let response = try #require(frames.last?.json?["response"] as? [String: Any])
        #expect(response["status"] as? String == "failed")
        #expect((response["error"] as? [String: Any])?["code"] as? String == "upstream_stream_restarted")
    }

    @Test func aLengthStopIsIncomplete() throws {
        var translator = translator()
        let frames = try Fixture.turn("04_max_tokens").flatMap { translator.frames(for: $0) }
        #expect(frames.last?.event == "response.incomplete")
        let response = try #require(frames.last?.json?["response"] as? [String: Any])
        #expect((response["incomplete_details"] as? [String: Any])?["reason"] as? String == "max_output_tokens")
    }

    @Test func wholeReplyIsTheResponseObject() throws {
        var transcript = TurnTranscript()
        try Fixture.turn("10a_rec_plain").forEach { transcript.record($0) }
        let body = jsonObject(translator().body(for: transcript))
        #expect(body["object"] as? String == "response")
        #expect(body["status"] as? String == "completed")
        #expect(body["id"] as? String == "resp_1")
        #expect(body["model"] as? String == "claude-sonnet-4-5")
    }
}
