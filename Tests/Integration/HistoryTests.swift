import Foundation
import Glibc
import HTTPStreamClient
import Testing

extension Integration {
    /// Native history on cold starts, through the real CLI as a subscriber: a conversation no
    /// CLI holds (after a restart, a park timeout, an edit, beyond --max-parked) reaches the
    /// upstream as real turns from a session file the proxy writes, the same turns a live CLI
    /// sends; what cannot be said exactly is flattened and counted with its reason.
    @Suite struct History {
        static let weather = #"{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}"#

        private func tag() -> String { "hist\(UInt32.random(in: 0...UInt32.max))" }

        private func json(_ object: Any) -> String {
            String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }

        private func message(_ response: CurlResponse) -> [String: Any] {
            ((response.json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any]) ?? [:]
        }

        /// The upstream messages as (role, block types), the CLI's per-turn system message left out.
        private func shape(_ body: [String: Any]) -> [String] {
            (body["messages"] as? [[String: Any]] ?? []).filter { $0["role"] as? String != "system" }.map { message in
                let role = message["role"] as? String ?? "?"
                let types = (message["content"] as? [[String: Any]])?.compactMap { $0["type"] as? String } ?? ["text"]
                return "\(role):\(types.joined(separator: "+"))"
            }
        }

        /// The conversation the upstream read, without what the CLI adds around it wherever it
        /// starts (its environment reminders: on the first message for a live CLI, on the newest
        /// for a resumed one; the continuation text after tool results) and without cache markers,
        /// which `cacheMarkers` checks on their own. Tool results as their text.
        private func conversation(_ body: [String: Any]) -> String {
            func reminder(_ text: String) -> Bool { text.hasPrefix("<system-reminder>") }
            let messages = (body["messages"] as? [[String: Any]] ?? []).filter { $0["role"] as? String != "system" }
            return messages.map { message -> String in
                var blocks: [[String: Any]] = (message["content"] as? [[String: Any]])
                    ?? [["type": "text", "text": message["content"] as? String ?? ""]]
                blocks = blocks.compactMap { block in
                    var block = block
                    block["cache_control"] = nil
                    if let text = block["text"] as? String, reminder(text) || text == "Continue from where you left off." { return nil }
                    if block["type"] as? String == "tool_result" {
                        var text = (block["content"] as? String)
                            ?? (block["content"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }.joined()
                        if let cut = text.range(of: "\n\n<system-reminder>") { text = String(text[..<cut.lowerBound]) }
                        block["content"] = text
                    }
                    return block
                }
                return "\(message["role"] as? String ?? "?"): \(json(blocks))"
            }.joined(separator: "\n")
        }

        /// Only the newest message's last block carries a cache marker, as a live CLI places it.
        private func cacheMarkers(_ body: [String: Any]) -> [String] {
            let messages = body["messages"] as? [[String: Any]] ?? []
            return messages.enumerated().flatMap { index, message in
                ((message["content"] as? [[String: Any]]) ?? []).enumerated().compactMap { block, content in
                    content["cache_control"] == nil ? nil : "\(index).\(block)"
                }
            }
        }

        private func count(_ proxy: ProxyProcess, _ labels: String) -> Double? {
            proxy.metric("ccp_history_requests_total{\(labels)}")
        }

        /// A plain chat's second turn after a restart (a proxy that keeps nothing): native turns,
        /// the cache marker on the newest block only, no flattened transcript, a silent CLI; with
        /// each subscription login (the credentials file, and CLAUDE_CODE_OAUTH_TOKEN), whose OAuth
        /// token the resumed CLI carries upstream.
        @Test(.needsRealCLI, arguments: ["file", "oauth_token"])
        func aColdSecondTurnReachesTheUpstreamAsTurns(login: String) throws {
            let token = "sk-ant-oat01-HISTORY-\(login.uppercased())"
            let proxy = try ProxyProcess(arguments: ["--max-parked", "0"],
                                         login: login == "file" ? .subscription(token: token) : .oauthToken(token))
            defer { proxy.stop() }
            let tag = tag()
            let body = #"{"model":"sonnet","messages":[{"role":"user","content":"hi [[id:\#(tag)]]"},"#
                + #"{"role":"assistant","content":"Hello! How can I help?"},{"role":"user","content":"2+2? [[id:\#(tag)]]"}]}"#
            let reply = proxy.chat(body)
            #expect(reply.status == 200, "\(reply.text.prefix(300))")
            let upstream = try #require(TestEnvironment.mock.requests(tag: tag).last)
            #expect(shape(upstream).count == 3 && shape(upstream).prefix(2) == ["user:text", "assistant:text"],
                    "\(shape(upstream))")
            #expect(conversation(upstream) == """
                user: [{"text":"hi [[id:\(tag)]]","type":"text"}]
                assistant: [{"text":"Hello! How can I help?","type":"text"}]
                user: [{"text":"2+2? [[id:\(tag)]]","type":"text"}]
                """, "\(conversation(upstream))")
            let last = (upstream["messages"] as? [[String: Any]] ?? []).count - 1
            #expect(cacheMarkers(upstream).allSatisfy { $0.hasPrefix("\(last).") } && cacheMarkers(upstream).count == 1,
                    "\(cacheMarkers(upstream))")
            #expect(!json(upstream).contains("The conversation so far"))
            #expect(ProcessTable.waitUntil { proxy.log.contains("history=native") })
            #expect(count(proxy, #"form="native""#) == 1)
            #expect(count(proxy, #"form="flattened",reason="tools_missing""#) == 0)
            let credentials = TestEnvironment.mock.credentials(tag: tag)
            #expect(!credentials.isEmpty && credentials.allSatisfy { $0.kind == "oauth" && $0.token == token }, "\(credentials)")
            #expect(!proxy.log.contains("CLI stderr"), "\(proxy.log.suffix(800))")
            // The session file went with its CLI.
            #expect(ProcessTable.waitUntil { proxy.children.isEmpty })
            let files = FileManager.default.enumerator(atPath: proxy.runtimeDirectories.first ?? "/nonexistent")?
                .compactMap { $0 as? String }.filter { $0.hasSuffix(".jsonl") } ?? []
            #expect(files.isEmpty, "\(files)")
        }

        /// An agent's conversation whose CLI was lost while the client ran its tool: the results
        /// reach the model as native tool_result blocks after its own bridged call.
        @Test(.needsRealCLI) func aToolConversationEndingInResultsContinuesNatively() throws {
            let proxy = try ProxyProcess(arguments: ["--max-parked", "0"])
            defer { proxy.stop() }
            let tag = tag()
            let user = #"{"role":"user","content":"weather? [[scenario:tool_call]] [[id:\#(tag)]]"}"#
            let assistant = #"{"role":"assistant","content":null,"tool_calls":[{"id":"toolu_h1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]}"#
            let result = #"{"role":"tool","tool_call_id":"toolu_h1","content":"Sunny"}"#
            let reply = proxy.chat(#"{"model":"sonnet","tools":[\#(Self.weather)],"messages":[\#(user),\#(assistant),\#(result)]}"#)
            #expect(reply.status == 200, "\(reply.text.prefix(300))")
            #expect((message(reply)["content"] as? String)?.hasPrefix("The tool said: Sunny") == true, "\(reply.text.prefix(300))")
            let upstream = try #require(TestEnvironment.mock.requests(tag: tag).last)
            #expect(shape(upstream).prefix(2) == ["user:text", "assistant:tool_use"], "\(shape(upstream))")
            #expect(shape(upstream).last?.hasPrefix("user:tool_result") == true, "\(shape(upstream))")
            #expect(json(upstream).contains(#""name":"mcp__client__get_weather""#))
            #expect(ProcessTable.waitUntil { proxy.log.contains("history=native") })
            #expect(!proxy.log.contains("CLI stderr"), "\(proxy.log.suffix(800))")
        }

        /// What the cold path sends for a history is what the live path sent for it: a
        /// conversation carried on in its CLI, then the same requests to a proxy that keeps nothing.
        @Test(.needsRealCLI, arguments: ["chat", "tools"])
        func theColdPathSendsWhatTheLivePathSends(_ kind: String) throws {
            let tag = tag()
            let tools = kind == "tools" ? #""tools":[\#(Self.weather)],"# : ""
            let scenario = kind == "tools" ? "tool_call" : "count"
            let user = #"{"role":"user","content":"first [[scenario:\#(scenario)]] [[id:\#(tag)]]"}"#
            var requests: [String] = []
            let live = try ProxyProcess()
            let first = live.chat(#"{"model":"sonnet",\#(tools)"messages":[\#(user)]}"#)
            let answer = message(first)
            var history = "\(user),\(json(answer))"
            if kind == "tools" {
                let call = try #require((answer["tool_calls"] as? [[String: Any]])?.first?["id"] as? String)
                history += #",{"role":"tool","tool_call_id":"\#(call)","content":"Sunny"}"#
            } else {
                history += #",{"role":"user","content":"second [[scenario:count]] [[id:\#(tag)]]"}"#
            }
            requests.append(#"{"model":"sonnet",\#(tools)"messages":[\#(history)]}"#)
            let second = live.chat(requests[0])
            #expect(second.status == 200)
            #expect(ProcessTable.waitUntil { live.log.contains("history=kept") }, "the live path: \(live.log.suffix(600))")
            live.stop()
            let cold = try ProxyProcess(arguments: ["--max-parked", "0"])
            defer { cold.stop() }
            let again = cold.chat(requests[0])
            #expect(again.status == 200)
            #expect(ProcessTable.waitUntil { cold.log.contains("history=native") })
            let upstream = TestEnvironment.mock.requests(tag: tag)
            #expect(upstream.count == 3)
            guard upstream.count == 3 else { return }
            #expect(conversation(upstream[2]) == conversation(upstream[1]),
                    "live:\n\(conversation(upstream[1]))\ncold:\n\(conversation(upstream[2]))")
            #expect(cacheMarkers(upstream[2]).count == 1)
        }

        /// Anthropic's Messages front, a multi-turn request with an image in its history.
        @Test(.needsRealCLI) func aMessagesHistoryWithAnImageIsNative() throws {
            let proxy = try ProxyProcess(arguments: ["--max-parked", "0"])
            defer { proxy.stop() }
            let tag = tag()
            let pixel = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
            let body = #"{"model":"claude-sonnet-4-5","max_tokens":200,"messages":[{"role":"user","content":[{"type":"text","text":"see [[id:\#(tag)]]"},"#
                + #"{"type":"image","source":{"type":"base64","media_type":"image/png","data":"\#(pixel)"}}]},"#
                + #"{"role":"assistant","content":"A pixel."},{"role":"user","content":"and now? [[id:\#(tag)]]"}]}"#
            let reply = CurlClient.request("POST", proxy.baseURL + "/v1/messages",
                                           headers: ["Content-Type: application/json", "x-api-key: \(ProxyProcess.key)",
                                                     "anthropic-version: 2023-06-01"], body: Array(body.utf8))
            #expect(reply.status == 200, "\(reply.text.prefix(300))")
            let upstream = try #require(TestEnvironment.mock.requests(tag: tag).last)
            #expect(shape(upstream).prefix(2) == ["user:text+image", "assistant:text"], "\(shape(upstream))")
            #expect(ProcessTable.waitUntil { proxy.log.contains("history=native") })
        }

        /// A Messages client sends back its earlier turn's signed thinking: a cold start gives it to
        /// the model as the thinking block it was (the session file names the model the CLI
        /// resolved the alias to, learnt from the first turn, or the CLI would drop it).
        @Test(.needsRealCLI) func signedThinkingInAColdHistoryReachesTheModel() throws {
            let proxy = try ProxyProcess(arguments: ["--max-parked", "0"])
            defer { proxy.stop() }
            let tag = tag()
            func send(_ messages: String) -> CurlResponse {
                let body = #"{"model":"sonnet","max_tokens":200,"messages":[\#(messages)]}"#
                return CurlClient.request("POST", proxy.baseURL + "/v1/messages",
                                          headers: ["Content-Type: application/json", "x-api-key: \(ProxyProcess.key)",
                                                    "anthropic-version: 2023-06-01"], body: Array(body.utf8))
            }
            let first = #"{"role":"user","content":"think [[id:\#(tag)]]"}"#
            #expect(send(first).status == 200)
            let assistant = #"{"role":"assistant","content":[{"type":"thinking","thinking":"Let me weigh it.","signature":"sig-abc"},{"type":"text","text":"Hello."}]}"#
            let reply = send(#"\#(first),\#(assistant),{"role":"user","content":"and? [[id:\#(tag)]]"}"#)
            #expect(reply.status == 200, "\(reply.text.prefix(300))")
            let upstream = try #require(TestEnvironment.mock.requests(tag: tag).last)
            let assistantBlocks = (upstream["messages"] as? [[String: Any]] ?? [])
                .first { $0["role"] as? String == "assistant" }?["content"] as? [[String: Any]] ?? []
            #expect(assistantBlocks.first?["type"] as? String == "thinking", "\(assistantBlocks)")
            #expect(assistantBlocks.first?["signature"] as? String == "sig-abc")
            #expect(assistantBlocks.first?["thinking"] as? String == "Let me weigh it.")
        }

        /// What a session file cannot say exactly goes as a transcript, and the proxy says why.
        @Test(.needsRealCLI) func whatCannotBeNativeIsFlattenedAndCounted() throws {
            let proxy = try ProxyProcess(arguments: ["--max-parked", "0"])
            defer { proxy.stop() }
            let tag = tag()
            // Tool calls in the history, no tools in the request: the upstream would refuse the blocks.
            let noTools = #"{"model":"sonnet","messages":[{"role":"user","content":"weather? [[id:\#(tag)]]"},"#
                + #"{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},"#
                + #"{"role":"tool","tool_call_id":"c1","content":"Sunny"},{"role":"user","content":"thanks [[id:\#(tag)]]"}]}"#
            #expect(proxy.chat(noTools).status == 200)
            #expect(ProcessTable.waitUntil { proxy.log.contains("history_reason=tools_missing") }, "\(proxy.log.suffix(600))")
            #expect(json(TestEnvironment.mock.requests(tag: tag).last ?? [:]).contains("The conversation so far"))
            #expect(count(proxy, #"form="flattened",reason="tools_missing""#) == 1)
            #expect(count(proxy, #"form="native""#) == 0)
        }

        /// A plain chat's first turn keeps its CLI, so its second turn starts no CLI at all.
        @Test(.needsRealCLI) func aPlainChatsSecondTurnContinuesInItsCLI() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let tag = tag()
            let user = #"{"role":"user","content":"hi [[scenario:count]] [[id:\#(tag)]]"}"#
            let first = proxy.chat(#"{"model":"sonnet","messages":[\#(user)]}"#)
            let reply = try #require(message(first)["content"] as? String)
            #expect(proxy.metric("ccp_parked_conversations") == 1)
            let second = proxy.chat(#"{"model":"sonnet","messages":[\#(user),{"role":"assistant","content":"\#(reply)"},{"role":"user","content":"more [[id:\#(tag)]]"}]}"#)
            #expect(second.status == 200)
            #expect(proxy.metric("ccp_conversation_resumes_total{kind=\"next_turn\"}") == 1)
            #expect(ProcessTable.waitUntil { proxy.log.contains("history=kept") })
            #expect(count(proxy, #"form="single""#) == 1)
            #expect(proxy.children.count == 1, "one CLI served both turns")
        }
    }
}
