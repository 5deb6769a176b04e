import Testing
@testable import OpenAIFront
@testable import ProxyCore

/// Stored Responses: a request naming one becomes its whole input, any stored response may be
/// continued (more than once), only with the key that made it, and `store: false` keeps nothing.
struct ResponseStoreTests {
    private func request(_ json: String) throws -> ResponsesRequest {
        try WireJSON.decode(ResponsesRequest.self, from: Array(json.utf8))
    }

    private func answered(_ events: [TurnEvent]) -> TurnTranscript {
        var transcript = TurnTranscript()
        events.forEach { transcript.record($0) }
        return transcript
    }

    private let tools = #"[{"type":"function","name":"get_weather","parameters":{"type":"object"}},"#
        + #"{"type":"namespace","name":"agents","description":"A.","tools":[{"type":"function","name":"close","parameters":{"type":"object"}}]}]"#

    @Test func aStoredResponseIsContinuedAsTheWholeConversation() throws {
        var store = ResponseStore()
        let first = try request(#"{"model":"sonnet","input":"weather?","tools":\#(tools)}"#)
        let (whole, turn) = try store.begin(first, apiKey: "k", bodyBytes: 100)
        var stored = try #require(turn)
        let plan = try CompletionPlan(responses: whole, defaultModel: "sonnet", now: 1)
        stored.use(plan.tools)
        store.end(stored, reply: ("resp_1", answered([
            .began(model: "m"), .reasoning("hmm"), .reasoningSignature("c2ln"), .text("Calling."),
            .toolCall(index: 0, id: "call_1", name: "get_weather"), .toolArguments(index: 0, fragment: #"{"city":"Paris"}"#),
            .toolCall(index: 1, id: "call_2", name: "agents__close"), .toolArguments(index: 1, fragment: "{}"),
            .completed(TurnCompletion(finishReason: .toolCalls, usage: TokenUsage(), costUSD: nil, stopsChild: false)),
        ])))
        let next = try request(#"{"model":"sonnet","previous_response_id":"resp_1","tools":\#(tools),"input":["#
            + #"{"type":"function_call_output","call_id":"call_1","output":"Sunny"},"#
            + #"{"type":"function_call_output","call_id":"call_2","output":"closed"}]}"#)
        for _ in 0..<2 {  // a branch: the same response continued twice
            let (made, _) = try store.begin(next, apiKey: "k", bodyBytes: 100)
            #expect(made.previousResponseID == nil)
            let continued = try CompletionPlan(responses: made, defaultModel: "sonnet", now: 1, previousResponseID: "resp_1")
            #expect(continued.conversation.turns.map(\.role) == [.user, .assistant, .tool])
            #expect(continued.conversation.turns[1].blocks == [
                .thinking(text: "hmm", signature: "c2ln", redacted: false), .text("Calling."),
                .toolCall(Conversation.ToolCall(id: "call_1", name: "get_weather", arguments: #"{"city":"Paris"}"#)),
                .toolCall(Conversation.ToolCall(id: "call_2", name: "agents__close", arguments: "{}")),
            ])
            let body = jsonObject(continued.translator.body(for: answered([.began(model: "m"), .text("ok"),
                .completed(TurnCompletion(finishReason: .stop, usage: TokenUsage(), costUSD: nil, stopsChild: false))])))
            #expect(body["previous_response_id"] as? String == "resp_1" && body["store"] as? Bool == true)
        }
        #expect { try store.begin(next, apiKey: "other", bodyBytes: 1) } throws: { error in
            (error as? OpenAIError)?.param == "previous_response_id"
        }
    }

    @Test func storeFalseKeepsNothing() throws {
        var store = ResponseStore()
        let (_, turn) = try store.begin(try request(#"{"model":"sonnet","input":"hi","store":false}"#), apiKey: "k", bodyBytes: 1)
        #expect(turn == nil)
        #expect(store.count == 0)
        let body = jsonObject(try CompletionPlan(responses: try request(#"{"input":"hi","store":false}"#), defaultModel: "s", now: 1)
            .translator.body(for: TurnTranscript()))
        #expect(body["store"] as? Bool == false)
    }
}
