import Testing
@testable import AnthropicFront
@testable import ProxyCore

/// Messages threads: a continue made whole from the thread, each reply continued once, one
/// continue at a time, only with the creating key, and the memory bound.
struct MessageThreadsTests {
    private func request(_ json: String) throws -> MessagesRequest {
        try WireJSON.decode(MessagesRequest.self, from: Array(json.utf8))
    }

    private let create = #"""
        {"model":"sonnet","max_tokens":50,"system":"Be brief.","thread":{"type":"create"},
         "tools":[{"name":"get_weather","input_schema":{"type":"object"}}],
         "messages":[{"role":"user","content":"weather?"}]}
        """#

    private func proceed(from id: String) throws -> MessagesRequest {
        try request(#"""
            {"model":"sonnet","max_tokens":50,"thread":{"type":"continue","previous_message_id":"\#(id)"},
             "messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"tu1","content":"Sunny"}]}]}
            """#)
    }

    private let call: [AnthropicContentBlock] = [
        .thinking("hmm", signature: "c2ln"), .text("Calling."), .toolUse(id: "tu1", name: "get_weather", input: .object(["city": .string("Paris")])),
    ]

    /// Code of the error a request gets, nil when it is made whole.
    private func refusal(_ threads: inout MessageThreads, _ request: MessagesRequest, key: String = "k") -> String? {
        do {
            _ = try threads.begin(request, apiKey: key, bodyBytes: 10)
            return nil
        } catch {
            return error.code ?? error.type
        }
    }

    @Test func aContinueBecomesTheWholeConversationAndPlansLikeOne() throws {
        var threads = MessageThreads()
        let (first, turn) = try threads.begin(try request(create), apiKey: "k", bodyBytes: 100)
        #expect(first.thread == nil)
        threads.end(try #require(turn), reply: ("msg_1", call))
        let (whole, next) = try threads.begin(try proceed(from: "msg_1"), apiKey: "k", bodyBytes: 80)
        #expect(whole.thread == nil && next != nil)
        #expect(whole.messages.map(\.role) == ["user", "assistant", "user"])
        #expect(whole.tools?.count == 1)
        let plan = try CompletionPlan(messages: whole, defaultModel: "sonnet")
        #expect(plan.conversation.system == ["Be brief."])
        #expect(plan.conversation.turns.map(\.role) == [.user, .assistant, .tool])
        let assistant = plan.conversation.turns[1].blocks
        #expect(assistant == [.thinking(text: "hmm", signature: "c2ln", redacted: false), .text("Calling."),
                              .toolCall(Conversation.ToolCall(id: "tu1", name: "get_weather", arguments: #"{"city":"Paris"}"#))])
        #expect(plan.bridgedTools.map(\.name) == ["get_weather"])
    }

    @Test func eachReplyIsContinuedOnceAndOneAtATime() throws {
        var threads = MessageThreads()
        let (_, turn) = try threads.begin(try request(create), apiKey: "k", bodyBytes: 100)
        threads.end(try #require(turn), reply: ("msg_1", call))
        let (_, running) = try threads.begin(try proceed(from: "msg_1"), apiKey: "k", bodyBytes: 80)
        #expect(refusal(&threads, try proceed(from: "msg_1")) == "thread_continue_in_flight")
        threads.end(try #require(running), reply: ("msg_2", [.text("Sunny.")]))
        #expect(refusal(&threads, try proceed(from: "msg_1")) == "thread_already_continued")
        #expect(refusal(&threads, try proceed(from: "msg_2")) == nil)
    }

    @Test func aFailedTurnLeavesTheThreadAsItWas() throws {
        var threads = MessageThreads()
        let (_, turn) = try threads.begin(try request(create), apiKey: "k", bodyBytes: 100)
        threads.end(try #require(turn), reply: ("msg_1", call))
        let (_, failing) = try threads.begin(try proceed(from: "msg_1"), apiKey: "k", bodyBytes: 80)
        threads.end(try #require(failing), reply: nil)
        let (whole, _) = try threads.begin(try proceed(from: "msg_1"), apiKey: "k", bodyBytes: 80)
        #expect(whole.messages.count == 3)
        // A create whose turn failed holds nothing.
        let (_, lost) = try threads.begin(try request(create), apiKey: "k", bodyBytes: 100)
        threads.end(try #require(lost), reply: nil)
        #expect(threads.count == 1)
    }

    @Test func unknownIdsOtherKeysAndFieldsOfTheThreadAreRefused() throws {
        var threads = MessageThreads()
        #expect(refusal(&threads, try proceed(from: "msg_none")) == "thread_not_found")
        let (_, turn) = try threads.begin(try request(create), apiKey: "k", bodyBytes: 100)
        threads.end(try #require(turn), reply: ("msg_1", call))
        #expect(refusal(&threads, try proceed(from: "msg_1"), key: "other") == "thread_not_found")
        let withSystem = try request(#"""
            {"model":"sonnet","max_tokens":50,"system":"x","thread":{"type":"continue","previous_message_id":"msg_1"},
             "messages":[{"role":"user","content":"hi"}]}
            """#)
        #expect(refusal(&threads, withSystem) == "invalid_request_error")
        let unknown = try request(#"{"model":"sonnet","max_tokens":5,"thread":{"type":"fork"},"messages":[{"role":"user","content":"hi"}]}"#)
        #expect(refusal(&threads, unknown) == "invalid_request_error")
        // Nothing was lost on the way: the thread still continues.
        #expect(refusal(&threads, try proceed(from: "msg_1")) == nil)
    }

    @Test func theOldestThreadsGoFirstPastTheBounds() throws {
        var threads = MessageThreads(maxThreads: 2, maxBytes: 1 << 20)
        for number in 1...3 {
            let (_, turn) = try threads.begin(try request(create), apiKey: "k", bodyBytes: 100)
            threads.end(try #require(turn), reply: ("msg_\(number)", call))
        }
        #expect(threads.count == 2)
        #expect(refusal(&threads, try proceed(from: "msg_1")) == "thread_not_found")
        // A continued thread's spent ids go with it.
        var small = MessageThreads(maxThreads: 8, maxBytes: 500)
        let (_, turn) = try small.begin(try request(create), apiKey: "k", bodyBytes: 100)
        small.end(try #require(turn), reply: ("msg_a", call))
        let (_, next) = try small.begin(try proceed(from: "msg_a"), apiKey: "k", bodyBytes: 100)
        small.end(try #require(next), reply: ("msg_b", [.text("ok")]))
        #expect(refusal(&small, try proceed(from: "msg_a")) == "thread_already_continued")
        let (_, big) = try small.begin(try request(create), apiKey: "k", bodyBytes: 400)
        small.end(try #require(big), reply: ("msg_c", [.text("ok")]))
        #expect(small.count == 1)
        #expect(refusal(&small, try proceed(from: "msg_a")) == "thread_not_found")
        #expect(refusal(&small, try proceed(from: "msg_c")) == nil)
    }
}

