import Foundation
import Glibc
import HTTPStreamClient
import Testing

extension Integration {
    /// Client tool calling through the real CLI: the client's functions reach the model over the
    /// proxy's MCP bridge; its calls come back as OpenAI tool calls, whole and streamed.
    @Suite struct ToolCalling {
        static let weather = #"{"type":"function","function":{"name":"get_weather","description":"Current weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}"#
        static let time = #"{"type":"function","function":{"name":"get_time","description":"Local time","parameters":{"type":"object","properties":{"zone":{"type":"string"}}}}}"#
        static let flatWeather = #"{"type":"function","name":"get_weather","description":"Current weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}"#

        private func body(_ text: String, scenario: String, tag: String, stream: Bool = false,
                          tools: String = "[\(weather)]", extra: String = "") -> String {
            chatBody(text, scenario: scenario, tag: tag, stream: stream, extra: #","tools":\#(tools)\#(extra)"#)
        }

        private func tag() -> String { "tools\(UInt32.random(in: 0...UInt32.max))" }

        @Test(.needsRealCLI) func aWholeToolCall() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let tag = tag()
            let response = proxy.chat(body("weather in Paris?", scenario: "tool_call", tag: tag))
            #expect(response.status == 200, "\(response.text.prefix(300))")
            let choice = try #require((response.json["choices"] as? [[String: Any]])?.first)
            #expect(choice["finish_reason"] as? String == "tool_calls")
            let message = try #require(choice["message"] as? [String: Any])
            #expect(message["content"] is NSNull)
            let call = try #require((message["tool_calls"] as? [[String: Any]])?.first)
            #expect(call["type"] as? String == "function")
            let function = try #require(call["function"] as? [String: Any])
            #expect(function["name"] as? String == "get_weather", "without the bridge's prefix")
            #expect(function["arguments"] as? String == #"{"city": "Alice"}"#)
            // The model saw the client's tool, with its schema, under the bridge's name.
            let upstream = try #require(TestEnvironment.mock.requests(tag: tag).first)
            let tools = try #require(upstream["tools"] as? [[String: Any]])
            let bridged = try #require(tools.first { $0["name"] as? String == "mcp__client__get_weather" })
            #expect(bridged["description"] as? String == "Current weather")
            #expect(((bridged["input_schema"] as? [String: Any])?["required"] as? [String]) == ["city"])
        }

        @Test(.needsRealCLI) func aStreamedCallArrivesInSeveralArgumentChunks() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let response = proxy.chat(body("weather?", scenario: "tool_text_call", tag: tag(), stream: true))
            #expect(response.status == 200)
            let deltas = response.dataObjects.compactMap {
                ($0["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any]
            }
            #expect(response.streamedContent == "Let me check.", "text before the call stays content")
            let calls = deltas.compactMap { ($0["tool_calls"] as? [[String: Any]])?.first }
            #expect(calls.first?["id"] as? String != nil && calls.first?["type"] as? String == "function")
            #expect((calls.first?["function"] as? [String: Any])?["name"] as? String == "get_weather")
            let fragments = calls.dropFirst().compactMap { ($0["function"] as? [String: Any])?["arguments"] as? String }
            #expect(fragments.count >= 2, "token-level: \(fragments)")
            #expect(fragments.joined() == #"{"city": "Alice"}"#)
            let reasons = response.dataObjects.compactMap { ($0["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String }
            #expect(reasons == ["tool_calls"])
            #expect(response.dataLines.last == "[DONE]")
        }

        @Test(.needsRealCLI) func twoParallelCallsGetIndicesZeroAndOne() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let streamed = proxy.chat(body("both?", scenario: "tool_calls2", tag: tag(), stream: true,
                                           tools: "[\(Self.weather),\(Self.time)]"))
            let starts = streamed.dataObjects.compactMap {
                ((($0["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])?["tool_calls"] as? [[String: Any]])?.first
            }.filter { $0["id"] != nil }
            #expect(starts.map { $0["index"] as? Int } == [0, 1])
            // The mock calls the first two tools in the order the CLI lists them (the CLI sorts them).
            #expect(Set(starts.compactMap { ($0["function"] as? [String: Any])?["name"] as? String }) == ["get_weather", "get_time"])
            let whole = proxy.chat(body("both?", scenario: "tool_calls2", tag: tag(), tools: "[\(Self.weather),\(Self.time)]"))
            let calls = (((whole.json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["tool_calls"]
                as? [[String: Any]]) ?? []
            #expect(calls.count == 2)
        }

        /// The agent loop, cold (no conversation kept): the second request carries the call and its
        /// result, and the model sees both, paired by id, as native blocks from a session file.
        @Test(.needsRealCLI) func aFullTwoRequestLoop() throws {
            let proxy = try ProxyProcess(arguments: ["--max-parked", "0"])
            defer { proxy.stop() }
            let tag = tag()
            let first = proxy.chat(body("weather in Paris?", scenario: "tool_call", tag: tag))
            let message = try #require(((first.json["choices"] as? [[String: Any]])?.first?["message"]) as? [String: Any])
            let call = try #require((message["tool_calls"] as? [[String: Any]])?.first)
            let id = try #require(call["id"] as? String)
            let assistant = String(decoding: try JSONSerialization.data(withJSONObject: message), as: UTF8.self)
            let second = #"{"model":"sonnet","tools":[\#(Self.weather)],"messages":[{"role":"user","content":"weather in Paris? [[scenario:tool_call]] [[id:\#(tag)]]"},\#(assistant),{"role":"tool","tool_call_id":"\#(id)","content":"Sunny, 21 C"}]}"#
            let answer = proxy.chat(second)
            #expect(answer.status == 200, "\(answer.text.prefix(300))")
            #expect(answer.messageContent == "The tool said: Sunny, 21 C")
            let upstream = TestEnvironment.mock.requests(tag: tag)
            #expect(upstream.count == 2)
            let messages = upstream.last?["messages"] as? [[String: Any]] ?? []
            let blocks = messages.flatMap { $0["content"] as? [[String: Any]] ?? [] }
            #expect(blocks.contains { $0["type"] as? String == "tool_use" && $0["id"] as? String == id })
            let result = blocks.first { $0["type"] as? String == "tool_result" }
            #expect(result?["tool_use_id"] as? String == id)
            #expect((result?["content"] as? String)?.hasPrefix("Sunny, 21 C") == true, "\(String(describing: result))")
            #expect(ProcessTable.waitUntil { proxy.log.contains("history=native") })
        }

        /// Codex's request shape (Fixtures/codex_responses_request.json, written after codex-rs's
        /// request builder: instructions, a developer message, a `custom` patch tool with a lark
        /// grammar beside a function, store false, include, prompt_cache_key, text.verbosity),
        /// streamed: the model's call of the free-form tool is a `custom_tool_call` item with its
        /// input as a string, and the next request, carrying that item and a
        /// `custom_tool_call_output`, continues the conversation with the result.
        @Test(.needsRealCLI) func aCodexLoopWithItsFreeFormPatchTool() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let tag = tag()
            let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/codex_responses_request.json").path
            let fixture = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "__TAG__", with: tag)
            let first = proxy.responses(fixture)
            #expect(first.status == 200, "\(first.text.prefix(400))")
            #expect(first.eventNames.contains("response.custom_tool_call_input.done"), "\(first.eventNames)")
            #expect(!first.eventNames.contains("response.function_call_arguments.delta"))
            let completed = try #require(first.dataObjects.last?["response"] as? [String: Any])
            let output = try #require(completed["output"] as? [[String: Any]])
            let call = try #require(output.first { $0["type"] as? String == "custom_tool_call" }, "\(output)")
            #expect(call["name"] as? String == "apply_patch")
            #expect(call["input"] as? String == "Alice", "the input is the string itself, not JSON: \(call)")
            let callID = try #require(call["call_id"] as? String)
            var body = try #require(try JSONSerialization.jsonObject(with: Data(fixture.utf8)) as? [String: Any])
            var input = try #require(body["input"] as? [[String: Any]])
            input += output.filter { $0["type"] as? String != "message" }
            input.append(["type": "custom_tool_call_output", "call_id": callID, "output": "Done. Added README.md"])
            body["input"] = input
            let second = proxy.responses(String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self))
            #expect(second.status == 200, "\(second.text.prefix(400))")
            let answer = (second.dataObjects.last?["response"] as? [String: Any])?["output"] as? [[String: Any]] ?? []
            let text = answer.compactMap { ($0["content"] as? [[String: Any]])?.first?["text"] as? String }.joined()
            #expect(text.hasPrefix("The tool said: Done. Added README.md"), "\(answer)")
            #expect(proxy.metric("ccp_conversation_resumes_total{kind=\"tool_result\"}") == 1, "carried on in its CLI")
        }

        @Test(.needsRealCLI) func responsesFunctionCallsStreamedAndWhole() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let streamed = proxy.responses(#"{"model":"sonnet","stream":true,"input":"weather? [[scenario:tool_text_call]]","tools":[\#(Self.flatWeather)]}"#)
            #expect(streamed.eventNames == [
                "response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
                "response.output_text.delta", "response.output_text.delta", "response.output_text.done",
                "response.content_part.done", "response.output_item.done", "response.output_item.added",
                "response.function_call_arguments.delta", "response.function_call_arguments.delta",
                "response.function_call_arguments.delta", "response.function_call_arguments.done",
                "response.output_item.done", "response.completed",
            ])
            let whole = proxy.responses(#"{"model":"sonnet","input":"weather? [[scenario:tool_call]]","tools":[\#(Self.flatWeather)]}"#)
            let output = try #require(whole.json["output"] as? [[String: Any]])
            #expect(output.map { $0["type"] as? String } == ["function_call"])
            let item = try #require(output.first)
            #expect(item["name"] as? String == "get_weather" && item["arguments"] as? String == #"{"city": "Alice"}"#)
            let callID = try #require(item["call_id"] as? String)
            // The round trip with function_call and function_call_output items.
            let next = proxy.responses(#"{"model":"sonnet","tools":[\#(Self.flatWeather)],"input":[{"role":"user","content":"weather? [[scenario:tool_call]]"},{"type":"function_call","call_id":"\#(callID)","name":"get_weather","arguments":"{}"},{"type":"function_call_output","call_id":"\#(callID)","output":"Rain"}]}"#)
            #expect(next.status == 200)
            let text = (((next.json["output"] as? [[String: Any]])?.first?["content"] as? [[String: Any]])?.first?["text"] as? String)
            #expect(text == "The tool said: Rain")
        }

        @Test(.needsRealCLI) func toolChoiceNoneAndNamed() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let none = proxy.chat(body("x", scenario: "tool_call", tag: tag(), extra: #","tool_choice":"none""#))
            #expect(none.messageContent == "No tools reached me.")
            let tag = tag()
            let named = proxy.chat(body("x", scenario: "tool_call", tag: tag, tools: "[\(Self.weather),\(Self.time)]",
                                        extra: #","tool_choice":{"type":"function","function":{"name":"get_time"}}"#))
            let call = (((named.json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["tool_calls"]
                as? [[String: Any]])?.first
            #expect((call?["function"] as? [String: Any])?["name"] as? String == "get_time")
            let upstream = try #require(TestEnvironment.mock.requests(tag: tag).first)
            let names = (upstream["tools"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
                .filter { $0.hasPrefix("mcp__") }
            #expect(names == ["mcp__client__get_time"], "only the named tool is bridged")
            let system = String(decoding: try JSONSerialization.data(withJSONObject: upstream["system"] ?? []), as: UTF8.self)
            #expect(system.contains("You must call the tool `get_time`"))
        }

        @Test func badDefinitionsAre400sBeforeAnyCLIStarts() throws {
            let proxy = try ProxyProcess(cli: TestEnvironment.fakeCLI)
            defer { proxy.stop() }
            for tools in [#"[{"type":"function","function":{"name":"has space"}}]"#,
                          #"[{"type":"function","function":{"name":"f","parameters":{"type":"string"}}}]"#,
                          #"[{"type":"function","function":{"name":"f"}},{"type":"function","function":{"name":"f"}}]"#] {
                let response = proxy.chat(#"{"messages":[{"role":"user","content":"x"}],"tools":\#(tools)}"#)
                #expect(response.status == 400, "\(tools)")
                #expect(response.header("x-should-retry") == "false")
            }
            let builtIn = proxy.responses(#"{"input":"x","tools":[{"type":"web_search"}]}"#)
            #expect(builtIn.status == 400)
            #expect((builtIn.error?["message"] as? String)?.contains("web_search") == true)
            let orphan = proxy.chat(#"{"messages":[{"role":"user","content":"x"},{"role":"tool","tool_call_id":"nope","content":"y"}]}"#)
            #expect(orphan.status == 400)
        }

        @Test(.needsRealCLI) func aCallCutByTheOutputLimitEndsAsLength() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let whole = proxy.chat(body("x", scenario: "tool_call_max_tokens", tag: tag(), extra: #","max_tokens":5"#))
            let choice = (whole.json["choices"] as? [[String: Any]])?.first
            #expect(choice?["finish_reason"] as? String == "length")
            #expect((choice?["message"] as? [String: Any])?["tool_calls"] == nil, "never a broken tool_calls")
        }

        /// The bridge lives only as long as its CLI (here one request: nothing is kept), and only
        /// on loopback.
        @Test(.needsRealCLI) func theBridgeEndsWithItsRequest() throws {
            let proxy = try ProxyProcess(arguments: ["--max-parked", "0"])
            defer { proxy.stop() }
            #expect(proxy.chat(body("x", scenario: "tool_call", tag: tag())).status == 200)
            let prompts = proxy.runtimeDirectories.map { "\($0)/prompts" }
            #expect(ProcessTable.waitUntil {
                prompts.allSatisfy { (try? FileManager.default.contentsOfDirectory(atPath: $0))?.isEmpty ?? true }
            }, "the MCP configuration file outlived its request")
            let unknown = CurlClient.request("POST", proxy.baseURL + "/mcp/0123456789abcdef", body: Array(#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#.utf8))
            #expect(unknown.status == 404)
        }
    }
}
