import Foundation
import PropertyBased
import Testing
@testable import OpenAIFront
@testable import ProxyCore

/// The MCP bridge's JSON-RPC exchange, replayed from what the pinned CLI sent.
struct MCPEndpointTests {
    private let tools = [ToolSpec(name: "get_weather", description: "Weather for a city",
                                  parameters: .object(["type": .string("object")]))]

    private func reply(_ json: String) -> (status: Int, body: [String: Any]) {
        let reply = MCPEndpoint.reply(to: Array(json.utf8), tools: tools, version: "9.9")
        return (reply.status, jsonObject(reply.body))
    }

    @Test func theRecordedExchangeIsAnsweredInOrder() throws {
        let lines = try String(contentsOf: Fixture.directory.appendingPathComponent("tool_bridge_mcp_requests.jsonl"),
                               encoding: .utf8).split(separator: "\n")
        var methods: [String] = []
        for line in lines {
            let entry = jsonObject(Array(line.utf8))
            guard let message = entry["msg"] as? [String: Any] else { continue }  // the GET for a stream
            let body = try JSONSerialization.data(withJSONObject: message)
            let answer = MCPEndpoint.reply(to: Array(body), tools: tools, version: "9.9")
            let method = message["method"] as? String ?? ""
            methods.append(method)
            let object = jsonObject(answer.body)
            switch method {
            case "server/discover":
                #expect((object["error"] as? [String: Any])?["code"] as? Int == -32601)
                #expect(object["id"] as? String == "server-discover-probe-1")
            case "initialize":
                let result = try #require(object["result"] as? [String: Any])
                #expect(result["protocolVersion"] as? String == "2025-11-25", "the client's version is echoed")
                #expect((result["capabilities"] as? [String: Any])?["tools"] != nil)
            case "notifications/initialized":
                #expect(answer.status == 202 && answer.body.isEmpty)
            case "tools/list":
                let listed = try #require((object["result"] as? [String: Any])?["tools"] as? [[String: Any]])
                #expect(listed.map { $0["name"] as? String } == ["get_weather"])
                #expect(listed.first?["description"] as? String == "Weather for a city")
                #expect((listed.first?["inputSchema"] as? [String: Any])?["type"] as? String == "object")
            case "tools/call":
                #expect((object["result"] as? [String: Any])?["isError"] as? Bool == true)
            default:
                Issue.record("unexpected method \(method)")
            }
        }
        #expect(methods == ["server/discover", "initialize", "notifications/initialized", "tools/list", "tools/call"])
    }

    @Test func unknownMethodsMalformedBodiesAndPing() {
        #expect((reply(#"{"jsonrpc":"2.0","id":7,"method":"resources/list"}"#).body["error"] as? [String: Any])?["code"] as? Int == -32601)
        #expect((reply("not json").body["error"] as? [String: Any])?["code"] as? Int == -32700)
        #expect(reply(#"{"jsonrpc":"2.0","method":"notifications/cancelled"}"#).status == 202)
        #expect(reply(#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#).body["result"] != nil)
        #expect(reply(#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#).status == 200, "an explicit null id is a request")
    }
}

/// The denied tool call the CLI makes under `--max-turns 1`, folded and rendered.
struct ToolTurnTests {
    private func events(bridged: [String]) throws -> [TurnEvent] {
        var reducer = TurnReducer(bridgedTools: bridged)
        var out = try Fixture.withoutCustomizations("tool_bridge_denied").flatMap { reducer.events(for: $0) }
        out += reducer.endOfOutput(exitStatus: .exited(1))
        return out
    }

    @Test func theDeniedCallIsAToolCallingTurn() throws {
        let turn = try events(bridged: ["get_weather"])
        #expect(turn.first == .began(model: "claude-sonnet-5-5"))
        #expect(turn.contains(.toolCall(index: 0, id: "toolu_1", name: "get_weather")))
        let fragments = turn.compactMap { if case .toolArguments(0, let fragment) = $0 { fragment } else { nil } }
        #expect(fragments == [#"{"city": "#, #""Paris"}"#], "each fragment as the model wrote it")
        guard case .completed(let completion)? = turn.last else { Issue.record("\(turn)"); return }
        #expect(completion.finishReason == .toolCalls)
    }

    @Test func toolsTheProxyDidNotBridgeFailClosed() throws {
        guard case .failed(.toolsEnabled(let tools))? = try events(bridged: []).last else { Issue.record(); return }
        #expect(tools.contains("mcp__client__get_weather"))
        guard case .failed(.toolBridgeFailed)? = try events(bridged: ["get_weather", "other"]).last else {
            Issue.record("a tool missing from the CLI's list must fail"); return
        }
    }

    @Test func chatStreamsEachFragmentWithItsIndex() throws {
        var translator = ChatTranslator(id: "c", created: 0, model: "m", includeUsage: false)
        let frames = try events(bridged: ["get_weather"]).flatMap { translator.frames(for: $0) }
        let deltas = frames.compactMap { ($0.json?["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any] }
        let calls = deltas.compactMap { ($0["tool_calls"] as? [[String: Any]])?.first }
        #expect(calls.count == 3)
        #expect(calls[0]["id"] as? String == "toolu_1" && calls[0]["type"] as? String == "function")
        #expect((calls[0]["function"] as? [String: Any])?["name"] as? String == "get_weather")
        #expect(calls.allSatisfy { $0["index"] as? Int == 0 })
        #expect(calls.dropFirst().allSatisfy { $0["id"] == nil && ($0["function"] as? [String: Any])?["name"] == nil })
        let reasons = frames.compactMap { ($0.json?["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String }
        #expect(reasons == ["tool_calls"])
    }

    @Test func aWholeChatReplyCarriesTheCallsAndNullContent() throws {
        var transcript = TurnTranscript()
        try events(bridged: ["get_weather"]).forEach { transcript.record($0) }
        let body = jsonObject(ChatTranslator(id: "c", created: 0, model: "m", includeUsage: false).body(for: transcript))
        let choice = try #require((body["choices"] as? [[String: Any]])?.first)
        #expect(choice["finish_reason"] as? String == "tool_calls")
        let message = try #require(choice["message"] as? [String: Any])
        #expect(message["content"] is NSNull)
        let call = try #require((message["tool_calls"] as? [[String: Any]])?.first)
        #expect((call["function"] as? [String: Any])?["arguments"] as? String == #"{"city": "Paris"}"#)
        #expect(call["id"] as? String == "toolu_1")
    }

    @Test func aCallCutByTheOutputLimitIsLengthWithoutCalls() {
        var transcript = TurnTranscript()
        for event: TurnEvent in [.began(model: "m"), .toolCall(index: 0, id: "t", name: "f"),
                                 .toolArguments(index: 0, fragment: #"{"a"#),
                                 .completed(TurnCompletion(finishReason: .length, usage: TokenUsage(), costUSD: nil, stopsChild: true))] {
            transcript.record(event)
        }
        let message = ((jsonObject(ChatTranslator(id: "c", created: 0, model: "m", includeUsage: false)
            .body(for: transcript))["choices"] as? [[String: Any]])?.first)
        #expect(message?["finish_reason"] as? String == "length")
        #expect((message?["message"] as? [String: Any])?["tool_calls"] == nil)
    }

    @Test func responsesStreamAFunctionCallItem() throws {
        var translator = ResponsesTranslator(id: "resp_1", itemID: "msg_1", createdAt: 0, model: "m", instructions: nil,
                                             maxOutputTokens: nil)
        let frames = try events(bridged: ["get_weather"]).flatMap { translator.frames(for: $0) }
        #expect(frames.map(\.event) == [
            "response.created", "response.in_progress", "response.output_item.added",
            "response.function_call_arguments.delta", "response.function_call_arguments.delta",
            "response.function_call_arguments.done", "response.output_item.done", "response.completed",
        ])
        let payloads = frames.map { $0.json ?? [:] }
        #expect(payloads.map { $0["sequence_number"] as? Int } == Array(0..<frames.count))
        let added = try #require(payloads[2]["item"] as? [String: Any])
        #expect(added["type"] as? String == "function_call" && added["call_id"] as? String == "toolu_1")
        #expect(added["arguments"] as? String == "" && added["status"] as? String == "in_progress")
        #expect(payloads[5]["arguments"] as? String == #"{"city": "Paris"}"#)
        let final = try #require(payloads.last?["response"] as? [String: Any])
        let output = try #require(final["output"] as? [[String: Any]])
        #expect(output.map { $0["type"] as? String } == ["function_call"])
        #expect(output.first?["status"] as? String == "completed")
    }

    @Test func aWholeResponseListsTextThenCalls() throws {
        var transcript = TurnTranscript()
        for event: TurnEvent in [.began(model: "m"), .text("Checking."), .toolCall(index: 0, id: "a", name: "f"),
                                 .toolArguments(index: 0, fragment: "{}"), .toolCall(index: 1, id: "b", name: "g"),
                                 .toolArguments(index: 1, fragment: "{}"),
                                 .completed(TurnCompletion(finishReason: .toolCalls, usage: TokenUsage(), costUSD: nil, stopsChild: false))] {
            transcript.record(event)
        }
        let body = jsonObject(ResponsesTranslator(id: "resp_1", itemID: "msg_1", createdAt: 0, model: "m",
                                                  instructions: nil, maxOutputTokens: nil).body(for: transcript))
        let output = try #require(body["output"] as? [[String: Any]])
        #expect(output.map { $0["type"] as? String } == ["message", "function_call", "function_call"])
        #expect(output.compactMap { $0["call_id"] as? String } == ["a", "b"])
    }

    /// However the model's JSON is cut into fragments, what the client reassembles is that JSON.
    @Test func argumentFragmentsReassembleWhateverTheSplit() async {
        let json = #"{"city": "Paris", "units": ["c", "f"], "note": "naïve \"quoted\" 😀"}"#
        let scalars = Array(json.unicodeScalars)
        await propertyCheck(input: Gen.int(in: 1...scalars.count).array(of: 0...12)) { cuts in
            var pieces: [String] = []
            var start = 0
            for cut in Set(cuts).sorted() where cut > start && cut < scalars.count {
                pieces.append(String(String.UnicodeScalarView(scalars[start..<cut])))
                start = cut
            }
            pieces.append(String(String.UnicodeScalarView(scalars[start...])))
            let events: [TurnEvent] = [.began(model: "m"), .toolCall(index: 0, id: "t", name: "f")]
                + pieces.map { .toolArguments(index: 0, fragment: $0) }
                + [.completed(TurnCompletion(finishReason: .toolCalls, usage: TokenUsage(), costUSD: nil, stopsChild: false))]
            var chat = ChatTranslator(id: "c", created: 0, model: "m", includeUsage: false)
            let chatArguments = events.flatMap { chat.frames(for: $0) }.compactMap {
                ((($0.json?["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])?["tool_calls"]
                    as? [[String: Any]])?.first?["function"] as? [String: Any]
            }.compactMap { $0["arguments"] as? String }.joined()
            #expect(chatArguments == json)
            var responses = ResponsesTranslator(id: "r", itemID: "msg_1", createdAt: 0, model: "m", instructions: nil,
                                                maxOutputTokens: nil)
            let payloads = events.flatMap { responses.frames(for: $0) }.compactMap(\.json)
            let deltas = payloads.filter { $0["type"] as? String == "response.function_call_arguments.delta" }
                .compactMap { $0["delta"] as? String }.joined()
            #expect(deltas == json)
            #expect(payloads.first { $0["type"] as? String == "response.function_call_arguments.done" }?["arguments"]
                as? String == json)
            var transcript = TurnTranscript()
            events.forEach { transcript.record($0) }
            #expect(transcript.toolCalls.first?.arguments == json)
        }
    }
}

/// `tools` and `tool_choice` are checked as OpenAI checks them.
struct ToolDefinitionTests {
    private func chat(_ tools: String, choice: String? = nil) throws(OpenAIError) -> ToolUse? {
        let body = #"{"messages":[{"role":"user","content":"x"}],"tools":\#(tools)\#(choice.map { #","tool_choice":\#($0)"# } ?? "")}"#
        let request = try RequestDecoder.decode(ChatCompletionRequest.self, from: Array(body.utf8))
        return try CompletionPlan(chat: request, defaultModel: "sonnet", now: 0).tools
    }

    private let weather = #"{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}"#

    @Test func validToolsAndChoices() throws {
        #expect(try chat("[\(weather)]")?.bridged.map(\.name) == ["get_weather"])
        #expect(try chat("[\(weather)]", choice: #""none""#)?.bridged == [])
        #expect(try chat("[\(weather)]", choice: #""required""#)?.instructions?.contains("must call") == true)
        let named = try chat("[\(weather), {\"type\":\"function\",\"function\":{\"name\":\"other\"}}]",
                             choice: #"{"type":"function","function":{"name":"other"}}"#)
        #expect(named?.bridged.map(\.name) == ["other"], "only the named tool is bridged")
        #expect(named?.bridged.first?.parameters == .object(["type": .string("object"), "properties": .object([:])]))
        #expect(try chat("[]") == nil)
    }

    @Test(arguments: [
        (#"[{"type":"function","function":{"name":"bad name"}}]"#, nil as String?),
        (#"[{"type":"function","function":{"name":"\#(String(repeating: "a", count: 52))"}}]"#, nil),
        (#"[{"type":"function","function":{"name":"f","parameters":{"type":"array"}}}]"#, nil),
        (#"[{"type":"function","function":{"name":"f","parameters":"x"}}]"#, nil),
        (#"[{"type":"function","function":{"name":"f"}},{"type":"function","function":{"name":"f"}}]"#, nil),
        (#"[{"type":"web_search"}]"#, nil),
        (#"[{"type":"function","function":{"name":"f"}}]"#, #"{"type":"function","function":{"name":"g"}}"#),
        ("[]", #""required""#),
        (#"[{"type":"function","function":{"name":"f"}}]"#, #""sometimes""#),
    ])
    func badDefinitionsAre400s(tools: String, choice: String?) {
        #expect(throws: OpenAIError.self) { try chat(tools, choice: choice) }
    }

    @Test func builtInResponsesToolsAreRefusedByName() throws {
        for type in ["web_search", "file_search", "computer_use", "code_interpreter", "mcp"] {
            let body = #"{"input":"x","tools":[{"type":"\#(type)"}]}"#
            let request = try RequestDecoder.decode(ResponsesRequest.self, from: Array(body.utf8))
            do {
                _ = try CompletionPlan(responses: request, defaultModel: "sonnet", now: 0)
                Issue.record("\(type) accepted")
            } catch {
                #expect(error.status == 400 && error.message.contains(type))
            }
        }
    }

    @Test func theLegacyFunctionsFieldsAreRefused() throws {
        let body = #"{"messages":[{"role":"user","content":"x"}],"functions":[{"name":"f"}]}"#
        let request = try RequestDecoder.decode(ChatCompletionRequest.self, from: Array(body.utf8))
        #expect(throws: OpenAIError.self) { try CompletionPlan(chat: request, defaultModel: "sonnet", now: 0) }
    }
}

/// A history with tool calls and results reaches the model paired, in order, as a record.
struct ToolHistoryTests {
    private func chat(_ messages: String) throws(OpenAIError) -> Conversation {
        let request = try RequestDecoder.decode(ChatCompletionRequest.self, from: Array(#"{"messages":\#(messages)}"#.utf8))
        return try Conversation(chatMessages: request.messages)
    }

    private let call = #"{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},{"id":"c2","type":"function","function":{"name":"get_time","arguments":"{}"}}]}"#

    @Test func aRoundTripIsRenderedPairedByID() throws {
        let conversation = try chat(#"[{"role":"user","content":"weather?"},\#(call),{"role":"tool","tool_call_id":"c1","content":"Sunny"},{"role":"tool","tool_call_id":"c2","content":"noon"}]"#)
        #expect(conversation.turns.map(\.role) == [.user, .assistant, .tool], "parallel results are one group")
        let prompt = Prompt(conversation)
        let text = prompt.userTexts.joined()
        #expect(text.contains(#"<tool_call id="c1" name="get_weather">"# + "\n" + #"{"city":"Paris"}"#))
        #expect(text.contains(#"<tool_result id="c1" name="get_weather">"# + "\nSunny\n</tool_result>"))
        #expect(text.contains(#"<tool_result id="c2" name="get_time">"#))
        #expect(text.contains("Continue as the assistant"))
        #expect(prompt.system.contains("never write <tool_call>"))
    }

    @Test func unpairedResultsAndUnansweredCallsAre400s() {
        #expect(throws: OpenAIError.self) {
            try chat(#"[{"role":"user","content":"x"},{"role":"tool","tool_call_id":"nope","content":"y"}]"#)
        }
        #expect(throws: OpenAIError.self) {
            try chat(#"[{"role":"user","content":"x"},\#(call),{"role":"tool","tool_call_id":"c1","content":"y"},{"role":"user","content":"z"}]"#)
        }
        #expect(throws: OpenAIError.self) { try chat(#"[{"role":"user"}]"#) }
        #expect(throws: OpenAIError.self) { try chat(#"[{"role":"system"},{"role":"user","content":"x"}]"#) }
    }

    @Test func responsesItemsRoundTripAndReasoningItemsAreSkipped() throws {
        let body = #"{"input":[{"role":"user","content":"x"},{"type":"reasoning","id":"rs_1","summary":[]},{"type":"function_call","call_id":"k","name":"f","arguments":"{}"},{"type":"function_call_output","call_id":"k","output":"done"}]}"#
        let request = try RequestDecoder.decode(ResponsesRequest.self, from: Array(body.utf8))
        let conversation = try Conversation(responsesInput: request.input, instructions: nil)
        #expect(conversation.turns.map(\.role) == [.user, .assistant, .tool])
        let orphan = #"{"input":[{"role":"user","content":"x"},{"type":"function_call_output","call_id":"zz","output":"done"}]}"#
        let bad = try RequestDecoder.decode(ResponsesRequest.self, from: Array(orphan.utf8))
        #expect(throws: OpenAIError.self) { try Conversation(responsesInput: bad.input, instructions: nil) }
    }
}
