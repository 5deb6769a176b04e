import Foundation
import Glibc
import HTTPStreamClient
import Testing

extension Integration {
    /// Test mode: the real CLI against the proxy's own scripted upstream, with no credentials at
    /// all (HOME is empty, no Anthropic key reaches the CLI).
    @Suite struct FakeUpstream {
        static let script = """
            {"match": "weather", "after_tool": "Sunny", "reply": "It is sunny, so no umbrella."}
            {"match": "weather", "tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}
            {"match": "think", "thinking": "Let me think about it.", "reply": "Done thinking."}
            {"match": "busy", "error": 429}
            {"match": "drop", "reply": "one two three four five", "error": "cut"}
            {"match": "long", "reply": "a b c d", "stop_reason": "max_tokens"}
            """

        private func proxy(script: String? = FakeUpstream.script) throws -> ProxyProcess {
            var arguments = ["--fake-upstream"]
            if let script {
                let path = NSTemporaryDirectory() + "fake-\(UInt32.random(in: 0...UInt32.max)).jsonl"
                try script.write(toFile: path, atomically: true, encoding: .utf8)
                arguments += ["--fake-script", path]
            }
            // No credentials of any kind: the fake upstream must not need them.
            return try ProxyProcess(arguments: arguments, environment: ["ANTHROPIC_API_KEY": "", "ANTHROPIC_BASE_URL": ""])
        }

        @Test(.needsRealCLI) func echoWholeAndStreamedWithTheHeader() throws {
            let proxy = try proxy(script: nil)
            defer { proxy.stop() }
            let whole = proxy.chat(#"{"messages":[{"role":"user","content":"hello big world"}]}"#)
            #expect(whole.status == 200, "\(whole.text.prefix(300))")
            #expect(whole.messageContent == "You said: hello big world")
            #expect(whole.header("x-claude-code-proxy-upstream") == "fake")
            let streamed = proxy.chat(#"{"stream":true,"messages":[{"role":"user","content":"hello big world"}]}"#)
            #expect(streamed.streamedContent == "You said: hello big world")
            let pieces = streamed.dataObjects.compactMap {
                (($0["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])?["content"] as? String
            }.filter { !$0.isEmpty }
            #expect(pieces == ["You ", "said: ", "hello ", "big ", "world"], "word by word")
            #expect(streamed.header("x-claude-code-proxy-upstream") == "fake")
            let health = proxy.get("/health", key: nil)
            #expect(health.json["upstream"] as? String == "fake" && health.header("x-claude-code-proxy-upstream") == "fake")
            let error = proxy.chat("{}")
            #expect(error.status == 400 && error.header("x-claude-code-proxy-upstream") == "fake")
            #expect(proxy.log.contains("TEST MODE"))
        }

        @Test(.needsRealCLI) func aScriptedToolLoopThinkingErrorsCutsAndLimits() throws {
            let proxy = try proxy()
            defer { proxy.stop() }
            let tools = #""tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]"#
            let first = proxy.chat(#"{"messages":[{"role":"user","content":"weather in Paris?"}],\#(tools)}"#)
            let call = try #require((((first.json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["tool_calls"] as? [[String: Any]])?.first)
            #expect((call["function"] as? [String: Any])?["arguments"] as? String == #"{"city":"Paris"}"#)
            let id = try #require(call["id"] as? String)
            let second = proxy.chat(#"{"messages":[{"role":"user","content":"weather in Paris?"},{"role":"assistant","content":null,"tool_calls":[{"id":"\#(id)","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},{"role":"tool","tool_call_id":"\#(id)","content":"Sunny, 21 C"}],\#(tools)}"#)
            #expect(second.messageContent == "It is sunny, so no umbrella.")

            let thinking = proxy.chat(#"{"reasoning_effort":"high","messages":[{"role":"user","content":"think hard"}]}"#)
            let message = ((thinking.json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any]) ?? [:]
            #expect(message["reasoning_content"] as? String == "Let me think about it.")
            #expect(message["content"] as? String == "Done thinking.")

            let busy = proxy.chat(#"{"messages":[{"role":"user","content":"busy now"}]}"#)
            #expect(busy.status == 429 && busy.header("retry-after") != nil)

            let cut = proxy.chat(#"{"stream":true,"messages":[{"role":"user","content":"drop it"}]}"#)
            #expect(cut.streamedContent == "one two ")
            #expect(cut.dataObjects.contains { $0["error"] != nil }, "the cut ends the stream with an error: \(cut.text.suffix(400))")

            let long = proxy.chat(#"{"messages":[{"role":"user","content":"long one"}]}"#)
            #expect((long.json["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String == "length", "\(long.status) \(long.text.prefix(400))")
        }

        @Test(.needsRealCLI) func repliesAreTheSameFromRunToRunButForIDs() throws {
            let proxy = try proxy()
            defer { proxy.stop() }
            func normalised(_ response: CurlResponse) -> String {
                var object = response.json
                object["id"] = nil
                object["created"] = nil
                return String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
            }
            let body = #"{"messages":[{"role":"user","content":"think twice"}]}"#
            #expect(normalised(proxy.chat(body)) == normalised(proxy.chat(body)))
        }

        /// The issue's promise: a CI job with no account drives a whole agent loop through the
        /// official SDK, the same from run to run.
        @Test(.needsRealCLI) func anSDKAgentLoopIsDeterministic() throws {
            let proxy = try proxy()
            defer { proxy.stop() }
            let (status, output) = try SDKCheck.run("fake_sdk_check.py", against: proxy)
            #expect(status == 0, "\(output)")
            #expect(output.contains("fake agent loop ok"), "\(output)")
        }

        @Test func badScriptsAndNetworkHostsAreRefusedAtStart() throws {
            let path = NSTemporaryDirectory() + "bad-\(UInt32.random(in: 0...UInt32.max)).jsonl"
            try "{\"reply\": \"ok\"}\n{\"match\": \"(\"}\n".write(toFile: path, atomically: true, encoding: .utf8)
            do {
                _ = try ProxyProcess(cli: TestEnvironment.fakeCLI, arguments: ["--fake-script", path])
                Issue.record("started with a bad script")
            } catch let error as ProxyProcess.ProxyStartError {
                #expect(error.log.contains("line 2") && error.log.contains("regular expression"), "\(error.log)")
            }
            do {
                _ = try ProxyProcess(cli: TestEnvironment.fakeCLI, arguments: ["--fake-upstream", "--host", "0.0.0.0"])
                Issue.record("started on a network host")
            } catch let error as ProxyProcess.ProxyStartError {
                #expect(error.log.contains("--allow-fake-on-network"), "\(error.log)")
            }
            let allowed = try ProxyProcess(cli: TestEnvironment.fakeCLI,
                                           arguments: ["--fake-upstream", "--host", "0.0.0.0", "--allow-fake-on-network"])
            allowed.stop()
        }
    }
}
