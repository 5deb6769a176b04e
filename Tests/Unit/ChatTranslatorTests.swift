import Testing
@testable import ProxyCore
@testable import OpenAIFront
@testable import EventTransport
@testable import ChildProcesses
@testable import ProxyDaemon

struct ChatTranslatorTests {
    private func stream(_ name: String, includeUsage: Bool) throws -> [SSEFrame] {
        var translator = ChatTranslator(id: "chatcmpl-1", created: 42, model: "sonnet", includeUsage: includeUsage)
        return try Fixture.turn(name).flatMap { translator.frames(for: $0) }
    }

    @Test func streamFollowsTheChunkRules() throws {
        let frames = try stream("10a_rec_plain", includeUsage: false)
        #expect(frames.last == .done)
        let chunks = frames.dropLast().map { $0.json ?? [:] }
        #expect(chunks.count == 5)  // role, 3 deltas, finish
        for chunk in chunks {
            #expect(chunk["id"] as? String == "chatcmpl-1")
            #expect(chunk["created"] as? Int == 42)
            #expect(chunk["object"] as? String == "chat.completion.chunk")
            #expect(chunk["model"] as? String == "claude-sonnet-4-5")
            #expect(chunk.keys.contains("usage") == false)
        }
        let deltas = chunks.map { (($0["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any]) ?? [:] }
        let reasons = chunks.map { (($0["choices"] as? [[String: Any]])?.first?["finish_reason"]) }
        #expect(deltas[0]["role"] as? String == "assistant")
        #expect(deltas.dropFirst().allSatisfy { $0["role"] == nil })
        #expect(deltas.last?.isEmpty == true)
        #expect(reasons.dropLast().allSatisfy { $0 is NSNull })
        #expect(reasons.last as? String == "stop")
    }

    @Test func includeUsageAddsNullsAndAFinalUsageChunk() throws {
        let frames = try stream("10a_rec_plain", includeUsage: true)
        let chunks = frames.dropLast().map { $0.json ?? [:] }
        #expect(chunks.dropLast().allSatisfy { $0["usage"] is NSNull })
        let last = try #require(chunks.last)
        #expect((last["choices"] as? [Any])?.isEmpty == true)
        let usage = try #require(last["usage"] as? [String: Any])
        #expect(usage["prompt_tokens"] as? Int == 12)
        #expect(usage["completion_tokens"] as? Int == 5)
        #expect(usage["total_tokens"] as? Int == 17)
        #expect((usage["prompt_tokens_details"] as? [String: Any])?["cached_tokens"] as? Int == 0)
    }

    @Test func anErrorMidStreamIsADataLineThenDone() throws {
        let frames = try stream("04_cut_partial", includeUsage: false)
        #expect(frames.last == .done)
        let error = try #require(frames.dropLast().last?.json?["error"] as? [String: Any])
        #expect(error["code"] as? String == "upstream_stream_restarted")
        #expect(error.keys.sorted() == ["code", "message", "param", "type"])
    }

    @Test func wholeReplyCarriesTextReasonAndUsage() throws {
        var transcript = TurnTranscript()
        try Fixture.turn("10a_rec_plain").forEach { transcript.record($0) }
        let translator = ChatTranslator(id: "chatcmpl-1", created: 42, model: "sonnet", includeUsage: false)
        let body = jsonObject(translator.body(for: transcript))
        #expect(body["object"] as? String == "chat.completion")
        #expect(body["model"] as? String == "claude-sonnet-4-5")
        let choice = try #require((body["choices"] as? [[String: Any]])?.first)
        #expect(choice["finish_reason"] as? String == "stop")
        let message = try #require(choice["message"] as? [String: Any])
        #expect(message["role"] as? String == "assistant")
        #expect((message["content"] as? String)?.hasPrefix("ECHO ") == true)
        #expect((body["usage"] as? [String: Any])?["total_tokens"] as? Int == 17)
    }

    @Test func cacheTokensCountAsPrompt() {
        let usage = TokenUsage(inputTokens: 12, cacheCreationInputTokens: 5, cacheReadInputTokens: 30, outputTokens: 3)
        #expect(usage.chat.promptTokens == 47)
        #expect(usage.chat.promptTokensDetails.cachedTokens == 30)
        #expect(usage.chat.totalTokens == 50)
        #expect(usage.responses.inputTokens == 47)
    }
}

import Foundation
