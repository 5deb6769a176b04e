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

    /// A call of a `custom` tool, in a whole reply: a `custom_tool_call` item whose input is the
    /// string the model passed, not the bridged function's JSON arguments.
    @Test func aFreeFormToolCallIsACustomToolCallItem() throws {
        var transcript = TurnTranscript()
        for event: TurnEvent in [
            .began(model: "claude-sonnet-4-5"), .toolCall(index: 0, id: "call_1", name: "apply_patch"),
            .toolArguments(index: 0, fragment: #"{"input":"*** Begin Patch\n*** End Patch"}"#),
            .completed(TurnCompletion(finishReason: .toolCalls, usage: TokenUsage(), costUSD: nil, stopsChild: false)),
        ] { transcript.record(event) }
        let translator = ResponsesTranslator(id: "resp_1", itemID: "msg_1", createdAt: 42, model: "sonnet",
                                             instructions: nil, maxOutputTokens: nil, freeFormTools: ["apply_patch"])
        let output = jsonObject(translator.body(for: transcript))["output"] as? [[String: Any]] ?? []
        #expect(output.count == 1)
        #expect(output.first?["type"] as? String == "custom_tool_call")
        #expect(output.first?["input"] as? String == "*** Begin Patch\n*** End Patch")
        #expect(output.first?["call_id"] as? String == "call_1")
        #expect(output.first?["arguments"] == nil)
    }

    /// A `custom` tool becomes a function of one required string, and `tool_choice` may name it.
    @Test func aCustomToolIsBridgedAsAOneStringFunction() throws {
        let tools: [JSONValue] = [.object(["type": .string("custom"), "name": .string("apply_patch"),
                                           "description": .string("Edit files."),
                                           "format": .object(["type": .string("grammar"), "syntax": .string("lark"),
                                                              "definition": .string("start: \"x\"")])])]
        let use = try #require(try ToolDefinitions.parse(tools: tools, choice: .object(["type": .string("custom"),
                                                                                       "name": .string("apply_patch")]),
                                                         parallel: nil, shape: .responses))
        let spec = try #require(use.tools.first)
        #expect(spec.isFreeForm)
        #expect(use.choice == .named("apply_patch"))
        #expect(spec.description?.contains("lark grammar") == true && spec.description?.contains("start: \"x\"") == true)
        guard case .object(let schema) = spec.parameters, case .array(let required)? = schema["required"] else {
            Issue.record("\(spec.parameters)"); return
        }
        #expect(required == [.string("input")])
        // Chat has no custom tools: still refused by type.
        #expect(throws: OpenAIError.self) { try ToolDefinitions.parse(tools: tools, choice: nil, parallel: nil, shape: .chat) }
    }

    /// Codex's `namespace` tool (its sub-agent tools): each inner tool bridged as
    /// `<namespace>__<name>`, its call going back with `name` and `namespace` apart, and a call sent
    /// back in the next request's input read as the same tool.
    @Test func aNamespaceToolsCallsCarryTheirNamespace() throws {
        let body = #"""
            {"model":"sonnet","stream":false,"tools":[{"type":"namespace","name":"multi_agent_v1","description":"Sub-agents.",
              "tools":[{"type":"function","name":"close_agent","description":"Close one.","strict":false,
                        "parameters":{"type":"object","properties":{"target":{"type":"string"}},"required":["target"]}}]}],
             "input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"go"}]},
                      {"type":"function_call","call_id":"call_1","name":"close_agent","namespace":"multi_agent_v1","arguments":"{}"},
                      {"type":"function_call_output","call_id":"call_1","output":"closed"}]}
            """#
        let request = try WireJSON.decode(ResponsesRequest.self, from: Array(body.utf8))
        let plan = try CompletionPlan(responses: request, defaultModel: "sonnet", now: 42)
        let spec = try #require(plan.tools?.tools.first)
        #expect(spec.name == "multi_agent_v1__close_agent")
        #expect(spec.description == "(multi_agent_v1: Sub-agents.) Close one.")
        #expect(plan.conversation.turns.flatMap(\.blocks).contains {
            if case .toolCall(let call) = $0 { call.name == "multi_agent_v1__close_agent" } else { false }
        })
        var transcript = TurnTranscript()
        for event: TurnEvent in [
            .began(model: "claude-sonnet-4-5"), .toolCall(index: 0, id: "call_2", name: "multi_agent_v1__close_agent"),
            .toolArguments(index: 0, fragment: #"{"target":"a1"}"#),
            .completed(TurnCompletion(finishReason: .toolCalls, usage: TokenUsage(), costUSD: nil, stopsChild: false)),
        ] { transcript.record(event) }
        let output = jsonObject(plan.translator.body(for: transcript))["output"] as? [[String: Any]] ?? []
        #expect(output.first?["type"] as? String == "function_call")
        #expect(output.first?["name"] as? String == "close_agent")
        #expect(output.first?["namespace"] as? String == "multi_agent_v1")
        // A web_search tool is refused by name, with how to turn it off in Codex.
        let search: [JSONValue] = [.object(["type": .string("web_search")])]
        #expect { try ToolDefinitions.parse(tools: search, choice: nil, parallel: nil, shape: .responses) } throws: { error in
            (error as? OpenAIError)?.param == "tools[0].type" && (error as? OpenAIError)?.message.contains("web_search=disabled") == true
        }
    }
}
