import Foundation
import Glibc
import HTTPStreamClient
import Testing

extension Integration {
    /// Anthropic's Messages API through the real CLI: whole and streamed, thinking, tools, stop
    /// sequences, limits, images, and errors in Anthropic's shape.
    @Suite struct Messages {
        private func messages(_ proxy: ProxyProcess, _ body: String, key: String = ProxyProcess.key,
                              onChunk: ((CurlResponse.Chunk, [UInt8]) -> Bool)? = nil) -> CurlResponse {
            CurlClient.request("POST", proxy.baseURL + "/v1/messages",
                               headers: ["Content-Type: application/json", "x-api-key: \(key)", "anthropic-version: 2023-06-01",
                                         "anthropic-beta: tools-2024-04-04"],
                               body: Array(body.utf8), onChunk: onChunk)
        }

        private func user(_ text: String, extra: String = "") -> String {
            #"{"model":"claude-sonnet-4-5","max_tokens":200,"messages":[{"role":"user","content":"\#(text)"}]\#(extra)}"#
        }

        @Test(.needsRealCLI) func wholeAndStreamedText() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let whole = messages(proxy, user("hi"))
            #expect(whole.status == 200)
            #expect(whole.json["type"] as? String == "message")
            #expect((whole.json["id"] as? String)?.hasPrefix("msg_") == true)
            let content = whole.json["content"] as? [[String: Any]] ?? []
            #expect(content.first?["text"] as? String == "Hello from mock.")
            #expect(whole.json["stop_reason"] as? String == "end_turn")
            let usage = whole.json["usage"] as? [String: Any] ?? [:]
            #expect(usage["input_tokens"] as? Int == 12 && usage["cache_read_input_tokens"] as? Int == 30)

            let streamed = messages(proxy, user("hi", extra: #","stream":true"#))
            #expect(streamed.header("content-type")?.hasPrefix("text/event-stream") == true)
            #expect(streamed.eventNames == ["message_start", "content_block_start", "content_block_delta",
                                            "content_block_delta", "content_block_delta", "content_block_stop",
                                            "message_delta", "message_stop"])
            let text = streamed.dataObjects.compactMap { ($0["delta"] as? [String: Any])?["text"] as? String }
            #expect(text == ["Hello", " from", " mock."], "relayed delta by delta")
        }

        @Test(.needsRealCLI) func thinkingStopSequenceAndMaxTokens() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let thinking = messages(proxy, user("x [[scenario:thinking]]", extra: #","thinking":{"type":"enabled","budget_tokens":4096}"#))
            let blocks = (thinking.json["content"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String }
            #expect(blocks == ["thinking", "text"])
            let stopped = messages(proxy, user("x [[scenario:long]]", extra: #","stop_sequences":["word3 "]"#))
            #expect(stopped.json["stop_reason"] as? String == "stop_sequence")
            #expect(stopped.json["stop_sequence"] as? String == "word3 ")
            #expect(((stopped.json["content"] as? [[String: Any]])?.first?["text"] as? String) == "word0 word1 word2 ")
            let limited = messages(proxy, user("x [[scenario:max_tokens]]", extra: #","max_tokens":3"#)
                .replacingOccurrences(of: #""max_tokens":200,"#, with: ""))
            #expect(limited.json["stop_reason"] as? String == "max_tokens", "\(limited.text.prefix(300))")
        }

        @Test(.needsRealCLI) func anImageReachesTheModel() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg=="
            let tag = "img\(UInt32.random(in: 0...UInt32.max))"
            let response = messages(proxy, #"{"model":"sonnet","max_tokens":50,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"\#(png)"}},{"type":"text","text":"what? [[id:\#(tag)]]"}]}]}"#)
            #expect(response.status == 200)
            let sent = String(decoding: try JSONSerialization.data(withJSONObject: TestEnvironment.mock.requests(tag: tag).first?["messages"] ?? []), as: UTF8.self)
            #expect(sent.contains(#""media_type":"image\/png""#) || sent.contains(#""media_type":"image/png""#))
        }

        @Test func errorsInAnthropicsShape() throws {
            let proxy = try ProxyProcess(cli: TestEnvironment.fakeCLI)
            defer { proxy.stop() }
            let wrongKey = messages(proxy, user("x"), key: "wrong")
            #expect(wrongKey.status == 401)
            #expect(wrongKey.json["type"] as? String == "error")
            #expect((wrongKey.json["error"] as? [String: Any])?["type"] as? String == "authentication_error")
            let bad = messages(proxy, #"{"model":"sonnet","messages":[{"role":"user","content":"x"}]}"#)
            #expect(bad.status == 400)
            #expect((bad.json["error"] as? [String: Any])?["type"] as? String == "invalid_request_error")
            #expect(((bad.json["error"] as? [String: Any])?["message"] as? String)?.contains("max_tokens") == true)
            #expect(bad.header("x-should-retry") == "false")
            let count = CurlClient.request("POST", proxy.baseURL + "/v1/messages/count_tokens",
                                           headers: ["x-api-key: \(ProxyProcess.key)"], body: Array("{}".utf8))
            #expect(count.status == 404 && (count.json["error"] as? [String: Any])?["type"] as? String == "not_found_error")
        }

        @Test(.needsRealCLI) func anUpstreamErrorInTheStreamIsAnErrorEvent() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let limited = messages(proxy, user("x [[scenario:err429]]"))
            #expect(limited.status == 429 && limited.header("retry-after") != nil)
            #expect((limited.json["error"] as? [String: Any])?["type"] as? String == "rate_limit_error")
            let cut = messages(proxy, user("x [[scenario:cut]]", extra: #","stream":true"#))
            #expect(cut.eventNames.first == "message_start")
            #expect(cut.eventNames.last == "error", "\(cut.eventNames)")
        }

        @Test(.needsRealCLI) func aClientThatLeavesLeavesNoChild() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let gate = "msgleave\(UInt32.random(in: 0...UInt32.max))"
            var pids: Set<Int32> = []
            let response = messages(proxy, user("x [[scenario:gate:\(gate)]]", extra: #","stream":true"#)) { _, soFar in
                for child in proxy.children { pids.insert(child.pid) }
                return !String(decoding: soFar, as: UTF8.self).contains("Hello")
            }
            #expect(response.curlCode != 0)
            #expect(!pids.isEmpty)
            #expect(ProcessTable.waitUntil { proxy.children.isEmpty && ProcessTable.members(ofGroups: pids).isEmpty })
            _ = TestEnvironment.mock.release(gate: gate)
        }

        /// The official anthropic SDK: messages.create and messages.stream, with and without tools.
        @Test(.needsRealCLI) func theAnthropicSDK() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let (status, text) = try SDKCheck.run("anthropic_check.py", against: proxy)
            #expect(status == 0, "\(text)")
            #expect(text.contains("errors ok"), "\(text)")
            #expect((proxy.metric("ccp_conversation_resumes_total{kind=\"tool_result\"}") ?? 0) >= 1,
                    "the Messages tool loop carried on in its CLI")
        }
    }
}
