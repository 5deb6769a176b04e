import Foundation
import Testing

extension Integration {
    /// Every endpoint, in both modes, through the real CLI and the mock upstream.
    @Suite struct Endpoints {
        @Test(.needsRealCLI) func healthIsOpenAndModelsNeedTheKey() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let health = proxy.get("/health", key: nil)
            #expect(health.status == 200)
            #expect(health.json["status"] as? String == "ok")
            // One Date header, the proxy's own: evhttp adds its own only to a reply without one.
            let raw = try RawConnection(port: proxy.port)
            raw.send("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            let dates = raw.readAll().components(separatedBy: "\r\n").filter { $0.lowercased().hasPrefix("date:") }
            #expect(dates.count == 1, "\(dates)")
            let imfFixdate = #"^Date: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$"#
            #expect(dates.first?.range(of: imfFixdate, options: .regularExpression) != nil, "\(dates)")
            #expect(proxy.get("/v1/models", key: nil).status == 401)
            #expect(proxy.get("/v1/models", key: nil).error?["code"] as? String == "invalid_api_key")
            for path in ["/v1/models", "/models"] {
                let models = proxy.get(path)
                #expect(models.status == 200)
                #expect(models.json["object"] as? String == "list")
                let data = try #require(models.json["data"] as? [[String: Any]])
                let ids = data.compactMap { $0["id"] as? String }
                #expect(Set(ids) == ["haiku", "sonnet", "opus"])
                #expect(ids.count == 3)
                #expect(data.allSatisfy { $0["created"] is Int && $0["owned_by"] as? String == "anthropic" })
            }
            #expect(proxy.get("/v1/models/opus").json["id"] as? String == "opus")
            #expect(proxy.get("/v1/models/gpt-9").status == 404)
        }

        @Test(.needsRealCLI) func chatCompletionWhole() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let response = proxy.chat(chatBody("hello"), extraHeaders: ["X-Request-Id: my-trace-1"])
            #expect(response.status == 200)
            #expect(response.header("content-type")?.hasPrefix("application/json") == true)
            #expect(response.header("x-request-id") == "my-trace-1")
            #expect(Double(response.header("x-claude-cost-usd") ?? "") != nil)
            let body = response.json
            #expect(body["object"] as? String == "chat.completion")
            #expect((body["id"] as? String)?.hasPrefix("chatcmpl-") == true)
            #expect(body["model"] as? String == "claude-sonnet-5-5")  // what the CLI used, from system/init
            let choice = try #require((body["choices"] as? [[String: Any]])?.first)
            #expect(choice["finish_reason"] as? String == "stop")
            #expect((choice["message"] as? [String: Any])?["content"] as? String == "Hello from mock.")
            let usage = try #require(body["usage"] as? [String: Any])
            // The mock reports 12 input + 5 cache-creation + 30 cache-read tokens and 3 output tokens.
            #expect(usage["prompt_tokens"] as? Int == 47)
            #expect(usage["completion_tokens"] as? Int == 3)
            #expect(usage["total_tokens"] as? Int == 50)
            #expect((usage["prompt_tokens_details"] as? [String: Any])?["cached_tokens"] as? Int == 30)
        }

        @Test(.needsRealCLI) func chatCompletionStreamed() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let response = proxy.chat(chatBody("hello", stream: true,
                                               extra: #","stream_options":{"include_usage":true}"#))
            #expect(response.status == 200)
            #expect(response.header("content-type")?.hasPrefix("text/event-stream") == true)
            #expect(response.dataLines.last == "[DONE]")
            let chunks = response.dataObjects
            #expect(Set(chunks.compactMap { $0["id"] as? String }).count == 1)
            #expect(Set(chunks.compactMap { $0["created"] as? Int }).count == 1)
            let choices = chunks.compactMap { ($0["choices"] as? [[String: Any]])?.first }
            let deltas = choices.map { ($0["delta"] as? [String: Any]) ?? [:] }
            #expect(deltas.first?["role"] as? String == "assistant")
            #expect(deltas.dropFirst().allSatisfy { $0["role"] == nil })
            #expect(deltas.compactMap { $0["content"] as? String }.joined() == "Hello from mock.")
            #expect(choices.dropLast().allSatisfy { $0["finish_reason"] is NSNull })
            #expect(choices.last?["finish_reason"] as? String == "stop")
            let usageChunk = try #require(chunks.last)
            #expect((usageChunk["choices"] as? [Any])?.isEmpty == true)
            #expect((usageChunk["usage"] as? [String: Any])?["total_tokens"] as? Int == 50)
            #expect(chunks.dropLast().allSatisfy { $0["usage"] is NSNull })
        }

        @Test(.needsRealCLI) func responsesWholeAndStreamed() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let whole = proxy.responses(#"{"model":"opus","instructions":"Be brief.","input":[{"role":"user","content":[{"type":"input_text","text":"hi"}]}]}"#)
            #expect(whole.status == 200)
            #expect(whole.json["object"] as? String == "response")
            #expect(whole.json["status"] as? String == "completed")
            #expect(whole.json["model"] as? String == "claude-opus-5-5")
            let output = try #require(whole.json["output"] as? [[String: Any]])
            #expect(((output.first?["content"] as? [[String: Any]])?.first?["text"] as? String) == "Hello from mock.")
            #expect((whole.json["usage"] as? [String: Any])?["input_tokens"] as? Int == 47)

            let streamed = proxy.responses(#"{"model":"haiku","stream":true,"input":"hi"}"#)
            #expect(streamed.status == 200)
            #expect(streamed.eventNames.first == "response.created")
            #expect(streamed.eventNames.last == "response.completed")
            #expect(streamed.eventNames.filter { $0 == "response.output_text.delta" }.count == 3)
            #expect(!streamed.dataLines.contains("[DONE]"))
            let numbers = streamed.dataObjects.compactMap { $0["sequence_number"] as? Int }
            #expect(numbers == Array(0..<streamed.eventNames.count))
        }

        @Test(.needsRealCLI) func systemDeveloperAndHistoryReachTheModel() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let tag = "hist\(UInt32.random(in: 0...UInt32.max))"
            let body = """
                {"messages":[{"role":"system","content":"SYSTEM-ONE"},{"role":"developer","content":"DEV-TWO"},
                {"role":"user","content":"first question"},{"role":"assistant","content":"first answer"},
                {"role":"user","content":[{"type":"text","text":"second question [[scenario:echo]] [[id:\(tag)]]"}]}]}
                """
            let response = proxy.chat(body)
            #expect(response.status == 200)
            let upstream = try #require(TestEnvironment.mock.requests(tag: tag).first)
            let system = (upstream["system"] as? [[String: Any]])?.compactMap { $0["text"] as? String } ?? []
            #expect(system.contains("SYSTEM-ONE\n\nDEV-TWO"))
            // The history as real turns, in order (a session file the new CLI resumed).
            let messages = try #require(upstream["messages"] as? [[String: Any]]).filter { $0["role"] as? String != "system" }
            #expect(messages.map { $0["role"] as? String ?? "" } == ["user", "assistant", "user"])
            let texts = messages.map { message in
                (message["content"] as? String)
                    ?? (message["content"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }.joined(separator: " ")
            }
            #expect(texts.count == 3 && texts[0].contains("first question") && texts[1] == "first answer"
                    && texts[2].contains("second question"), "\(texts)")
        }

        @Test(.needsRealCLI) func a300KBPromptAndAPromptThatLooksLikeAFlag() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let big = String(repeating: "abcdefghij", count: 30_000)
            let tag = "big\(UInt32.random(in: 0...UInt32.max))"
            #expect(proxy.chat(chatBody(big, tag: tag)).status == 200)
            let received = try #require(TestEnvironment.mock.requests(tag: tag).first)
            #expect(upstreamUserText(received).hasPrefix(big))

            let dashTag = "dash\(UInt32.random(in: 0...UInt32.max))"
            let dash = proxy.chat(chatBody("--model opus -p /context @/etc/hostname", tag: dashTag))
            #expect(dash.status == 200)
            let dashReceived = try #require(TestEnvironment.mock.requests(tag: dashTag).first)
            #expect(upstreamUserText(dashReceived).hasPrefix("--model opus -p /context @/etc/hostname"))
            #expect(dashReceived["model"] as? String == "claude-sonnet-5-5")
        }
    }
}

/// The text of the last user message the upstream received (the CLI appends an empty
/// `role:"system"` message after it under --bare).
func upstreamUserText(_ body: [String: Any]) -> String {
    let messages = body["messages"] as? [[String: Any]] ?? []
    let user = messages.last { $0["role"] as? String == "user" }
    if let text = user?["content"] as? String { return text }
    return (user?["content"] as? [[String: Any]])?.compactMap { $0["text"] as? String }.joined() ?? ""
}
