import Foundation
import Glibc
import HTTPStreamClient
import Testing

extension Integration {
    /// Shapes real clients send: served as the client expects, or refused with a 400 naming the field.
    @Suite struct ClientFidelity {
        private func anthropic(_ proxy: ProxyProcess, _ method: String, _ path: String, body: String? = nil) -> CurlResponse {
            CurlClient.request(method, proxy.baseURL + path,
                               headers: ["Content-Type: application/json", "x-api-key: \(ProxyProcess.key)",
                                         "anthropic-version: 2023-06-01"], body: body.map { Array($0.utf8) })
        }

        /// The anthropic SDK's `models.list()` and `models.retrieve()`, and OpenAI's retrieve of an id
        /// that chat and Messages accept.
        @Test func modelsInEachAPIsShape() throws {
            let proxy = try ProxyProcess(cli: TestEnvironment.fakeCLI)
            defer { proxy.stop() }
            let openAI = proxy.get("/v1/models/claude-sonnet-4-5")
            #expect(openAI.status == 200 && openAI.json["id"] as? String == "claude-sonnet-4-5")
            #expect(openAI.json["object"] as? String == "model")
            #expect(proxy.get("/v1/models/gpt-4o").status == 404)
            let list = anthropic(proxy, "GET", "/v1/models")
            #expect(list.json["has_more"] as? Bool == false)
            let first = (list.json["data"] as? [[String: Any]])?.first ?? [:]
            #expect(first["type"] as? String == "model" && first["display_name"] as? String == "Claude Haiku")
            #expect((first["created_at"] as? String)?.hasSuffix("Z") == true)
            #expect(list.json["first_id"] as? String == "haiku")
            let one = anthropic(proxy, "GET", "/v1/models/claude-opus-4-1")
            #expect(one.json["type"] as? String == "model" && one.json["id"] as? String == "claude-opus-4-1")
        }

        /// A Messages thread, served as the SDK's tool runner uses it, through the real CLI as a
        /// subscriber: a create, then a continue that carries only the new turn, answered from the
        /// kept CLI (or, in a proxy that keeps no CLI, from the whole conversation resumed natively);
        /// each reply continued once; an unknown id is `thread_not_found`, on which the SDK replays.
        /// Each subscription login once: the credentials file with a kept CLI, CLAUDE_CODE_OAUTH_TOKEN
        /// with the thread resumed by a new CLI.
        @Test(.needsRealCLI, arguments: [true, false]) func aMessagesThreadIsServed(keepsCLIs: Bool) throws {
            let token = keepsCLIs ? "sk-ant-oat01-THREAD-FILE" : "sk-ant-oat01-THREAD-ENV"
            let proxy = try ProxyProcess(arguments: keepsCLIs ? [] : ["--max-parked", "0"],
                                         login: keepsCLIs ? .subscription(token: token) : .oauthToken(token))
            defer { proxy.stop() }
            let tag = "thread\(UInt32.random(in: 0...UInt32.max))"
            let create = anthropic(proxy, "POST", "/v1/messages", body:
                #"{"model":"claude-sonnet-4-5","max_tokens":100,"system":"Be brief.","thread":{"type":"create"},"#
                + #""messages":[{"role":"user","content":"hi [[id:\#(tag)]]"}]}"#)
            #expect(create.status == 200, "\(create.text.prefix(300))")
            let first = try #require(create.json["id"] as? String)
            let firstText = ((create.json["content"] as? [[String: Any]])?.first?["text"] as? String) ?? ""
            func proceed(from id: String, stream: Bool = false) -> CurlResponse {
                anthropic(proxy, "POST", "/v1/messages", body:
                    #"{"model":"claude-sonnet-4-5","max_tokens":100,"stream":\#(stream),"#
                    + #""thread":{"type":"continue","previous_message_id":"\#(id)"},"#
                    + #""messages":[{"role":"user","content":"and 2+2? [[id:\#(tag)]]"}]}"#)
            }
            let second = proceed(from: first, stream: true)
            #expect(second.status == 200, "\(second.text.prefix(300))")
            #expect(second.text.contains("event: message_stop"))
            // The model read the whole conversation: the first turn, its reply, the new turn.
            let upstream = try #require(TestEnvironment.mock.requests(tag: tag).last)
            // (The CLI's own environment notes left out, wherever it puts them.)
            let said = (upstream["messages"] as? [[String: Any]] ?? []).map { message in
                ((message["content"] as? String).map { [$0] } ?? (message["content"] as? [[String: Any]] ?? [])
                    .compactMap { $0["text"] as? String })
                    .filter { !$0.hasPrefix("<system-reminder>") && !$0.hasPrefix("# Environment") }.joined()
            }.filter { !$0.isEmpty }
            #expect(said.count == 3 && said[0].hasPrefix("hi ") && said[1] == firstText && said[2].hasPrefix("and 2+2?"),
                    "\(said)")
            let system = (upstream["system"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }.joined()
            #expect(system.contains("Be brief."))
            let credentials = TestEnvironment.mock.credentials(tag: tag)
            #expect(credentials.count == 2 && credentials.allSatisfy { $0.kind == "oauth" && $0.token == token }, "\(credentials)")
            if keepsCLIs {
                #expect(proxy.metric(#"ccp_conversation_resumes_total{kind="next_turn"}"#) == 1)
            } else {
                #expect(ProcessTable.waitUntil { proxy.log.contains("history=native") })
            }
            // A reply is continued once; an id the proxy never gave is not found.
            let again = proceed(from: first)
            #expect(again.status == 409)
            let details = { (response: CurlResponse) in
                ((response.json["error"] as? [String: Any])?["details"] as? [String: Any])?["error_code"] as? String
            }
            #expect(details(again) == "thread_already_continued", "\(again.text)")
            let unknown = proceed(from: "msg_unknown")
            #expect(unknown.status == 404 && details(unknown) == "thread_not_found", "\(unknown.text)")
            #expect(unknown.headers["x-should-retry"] == "false")
        }

        /// `previous_response_id`, as the OpenAI Agents SDK and LangChain send it, through the real
        /// CLI as a subscriber: a stored response continued with only the new items (here a
        /// function call's output), answered from the kept CLI; `store: false` keeps nothing.
        @Test(.needsRealCLI) func aStoredResponseIsContinued() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let tag = "stored\(UInt32.random(in: 0...UInt32.max))"
            let tools = #"[{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}]"#
            let first = proxy.responses(#"{"model":"sonnet","tools":\#(tools),"input":"weather? [[scenario:tool_call]] [[id:\#(tag)]]"}"#)
            #expect(first.status == 200, "\(first.text.prefix(300))")
            #expect(first.json["store"] as? Bool == true)
            let id = try #require(first.json["id"] as? String)
            let call = try #require((first.json["output"] as? [[String: Any]])?.first { $0["type"] as? String == "function_call" })
            let callID = try #require(call["call_id"] as? String)
            let next = proxy.responses(#"{"model":"sonnet","tools":\#(tools),"previous_response_id":"\#(id)","stream":true,"#
                + #""input":[{"type":"function_call_output","call_id":"\#(callID)","output":"Sunny [[id:\#(tag)]]"}]}"#)
            #expect(next.status == 200, "\(next.text.prefix(300))")
            #expect(next.text.contains("The tool said: Sunny"), "\(next.text.prefix(600))")
            #expect(next.text.contains(#""previous_response_id":"\#(id)""#))
            #expect(proxy.metric(#"ccp_conversation_resumes_total{kind="tool_result"}"#) == 1, "\(proxy.log.suffix(1200))")
            // Not stored: nothing to continue.
            let unstored = proxy.responses(#"{"model":"sonnet","store":false,"input":"hi [[id:\#(tag)]]"}"#)
            #expect(unstored.json["store"] as? Bool == false)
            let lost = proxy.responses(#"{"model":"sonnet","previous_response_id":"\#(unstored.json["id"] as? String ?? "")","input":"and?"}"#)
            #expect(lost.status == 400 && (lost.json["error"] as? [String: Any])?["code"] as? String == "previous_response_not_found",
                    "\(lost.text)")
        }

        /// The SDK's default tool runner, unchanged, through a tool round trip with the real CLI; and
        /// `messages.parse` with a pydantic model.
        @Test(.needsRealCLI) func theAnthropicSDKsToolRunnerWorksUnchanged() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let (status, output) = try SDKCheck.run("anthropic_tool_runner_check.py", against: proxy)
            #expect(status == 0, "\(output)")
            #expect(output.contains("tool runner ok") && output.contains("thread ok") && output.contains("parse ok"), "\(output)")
        }

        @Test func responsesStateTheProxyDoesNotKeepIsRefusedByName() throws {
            let proxy = try ProxyProcess(cli: TestEnvironment.fakeCLI)
            defer { proxy.stop() }
            for (field, value) in [("conversation", #""conv_123""#), ("prompt", #"{"id":"pmpt_1"}"#)] {
                let response = proxy.responses(#"{"model":"sonnet","input":"hi","\#(field)":\#(value)}"#)
                #expect(response.status == 400)
                #expect((response.json["error"] as? [String: Any])?["param"] as? String == field)
            }
        }

        /// `messages.parse(output_format=Model)` sends `output_config.format`: the answer is exactly
        /// the JSON value, whole and streamed.
        @Test(.needsRealCLI) func messagesStructuredOutput() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let schema = #"{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}},"required":["name","age"]}"#
            for stream in [false, true] {
                let body = #"{"model":"claude-sonnet-4-5","max_tokens":500,"stream":\#(stream),"#
                    + #""output_config":{"format":{"type":"json_schema","schema":\#(schema)}},"#
                    + #""messages":[{"role":"user","content":"who? [[scenario:structured]]"}]}"#
                let response = anthropic(proxy, "POST", "/v1/messages", body: body)
                #expect(response.status == 200, "\(response.text.prefix(300))")
                let text: String
                if stream {
                    text = response.dataObjects.compactMap { ($0["delta"] as? [String: Any])?["text"] as? String }.joined()
                } else {
                    text = ((response.json["content"] as? [[String: Any]])?.first?["text"] as? String) ?? ""
                }
                let value = try #require(try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
                #expect(value["name"] as? String == "Alice" && value["age"] as? Int == 30)
            }
        }

        /// The thinking block's signature reaches the Messages client, whole and streamed.
        @Test(.needsRealCLI) func theThinkingSignatureReachesMessagesClients() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let body = { (stream: Bool) in
                #"{"model":"claude-sonnet-4-5","max_tokens":2000,"stream":\#(stream),"thinking":{"type":"enabled","budget_tokens":1024},"#
                    + #""messages":[{"role":"user","content":"think [[scenario:thinking]]"}]}"#
            }
            let whole = anthropic(proxy, "POST", "/v1/messages", body: body(false))
            let thinking = (whole.json["content"] as? [[String: Any]])?.first { $0["type"] as? String == "thinking" }
            #expect(thinking?["signature"] as? String == "c2ln", "\(whole.text.prefix(400))")
            let streamed = anthropic(proxy, "POST", "/v1/messages", body: body(true))
            let signature = streamed.dataObjects.compactMap { ($0["delta"] as? [String: Any]).flatMap {
                $0["type"] as? String == "signature_delta" ? $0["signature"] as? String : nil } }
            #expect(signature == ["c2ln"])
        }

        /// A request that asks for reasoning makes the CLI ask for summarized thinking (current models
        /// send empty thinking text otherwise); one that does not, leaves the CLI's default.
        @Test(.needsRealCLI) func reasoningAskedForIsReasoningShown() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let asked = tag("reasoning"), plain = tag("plain"), messages = tag("thinking")
            #expect(proxy.chat(chatBody("hi", tag: asked, extra: #","reasoning_effort":"high""#)).status == 200)
            #expect(proxy.chat(chatBody("hi", tag: plain)).status == 200)
            _ = anthropic(proxy, "POST", "/v1/messages", body: #"{"model":"claude-sonnet-4-5","max_tokens":2000,"#
                          + #""thinking":{"type":"enabled","budget_tokens":1024},"messages":[{"role":"user","content":"hi [[id:\#(messages)]]"}]}"#)
            func display(_ tag: String) -> String? {
                (TestEnvironment.mock.requests(tag: tag).first?["thinking"] as? [String: Any])?["display"] as? String
            }
            #expect(display(asked) == "summarized")
            #expect(display(messages) == "summarized")
            #expect(display(plain) != "summarized")
        }

        private func tag(_ name: String) -> String { "\(name)\(UInt32.random(in: 0...UInt32.max))" }

        /// `parallel_tool_calls: false` (chat) and `disable_parallel_tool_use` (Messages): one call back,
        /// however many the model made, and the CLI that made more is not kept.
        @Test(.needsRealCLI) func oneCallAtMostWhenParallelCallsAreOff() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let weather = #"{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}"#
            let time = #"{"type":"function","function":{"name":"get_time","parameters":{"type":"object","properties":{"zone":{"type":"string"}}}}}"#
            let chat = proxy.chat(chatBody("both", scenario: "tool_calls2", extra: #","tools":[\#(weather),\#(time)],"parallel_tool_calls":false"#))
            let calls = ((chat.json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["tool_calls"] as? [[String: Any]]
            #expect(calls?.count == 1, "\(chat.text.prefix(400))")
            #expect(ProcessTable.waitUntil { proxy.children.isEmpty }, "the CLI waiting on a call the client never saw is stopped")
            #expect(proxy.metric("ccp_parked_conversations") == 0)
            let both = proxy.chat(chatBody("both", scenario: "tool_calls2", extra: #","tools":[\#(weather),\#(time)]"#))
            #expect((((both.json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["tool_calls"] as? [[String: Any]])?.count == 2,
                    "parallel calls stay the default")
            let messages = anthropic(proxy, "POST", "/v1/messages", body: #"{"model":"claude-sonnet-4-5","max_tokens":500,"#
                + #""tools":[{"name":"get_weather","input_schema":{"type":"object"}},{"name":"get_time","input_schema":{"type":"object"}}],"#
                + #""tool_choice":{"type":"auto","disable_parallel_tool_use":true},"#
                + #""messages":[{"role":"user","content":"both [[scenario:tool_calls2]]"}]}"#)
            let uses = (messages.json["content"] as? [[String: Any]])?.filter { $0["type"] as? String == "tool_use" }
            #expect(uses?.count == 1, "\(messages.text.prefix(400))")
        }

        /// instructor's TOOLS mode forces one function and never sends the result back: no CLI is kept.
        @Test(.needsRealCLI) func aOneShotExtractionKeepsNoCLI() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let tool = #"{"type":"function","function":{"name":"Person","parameters":{"type":"object","properties":{"name":{"type":"string"}}}}}"#
            let response = proxy.chat(chatBody("extract", scenario: "tool_call", extra:
                #","tools":[\#(tool)],"tool_choice":{"type":"function","function":{"name":"Person"}}"#))
            #expect(response.text.contains("tool_calls"), "\(response.text.prefix(300))")
            #expect(ProcessTable.waitUntil { proxy.children.isEmpty }, "the CLI ended with its request")
            #expect(proxy.metric("ccp_parked_conversations") == 0)
        }
    }
}
