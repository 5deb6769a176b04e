import Testing
@testable import ProxyCore
@testable import OpenAIFront
@testable import EventTransport
@testable import ChildProcesses
@testable import ProxyDaemon

struct ConversationTests {
    private func chat(_ json: String) throws -> ChatCompletionRequest {
        try RequestDecoder.decode(ChatCompletionRequest.self, from: Array(json.utf8))
    }

    @Test func systemAndDeveloperMessagesBecomeTheSystemPrompt() throws {
        let request = try chat(#"{"messages":[{"role":"system","content":"A"},{"role":"developer","content":[{"type":"text","text":"B"}]},{"role":"user","content":"hi"}]}"#)
        let prompt = Prompt(try Conversation(chatMessages: request.messages))
        #expect(prompt.system == "A\n\nB")
        #expect(prompt.userTexts == ["hi"])
    }

    @Test func contentPartsStaySeparateBlocks() throws {
        let request = try chat(#"{"messages":[{"role":"user","content":[{"type":"text","text":"one"},{"type":"text","text":"two"}]}]}"#)
        let prompt = Prompt(try Conversation(chatMessages: request.messages))
        #expect(prompt.userTexts == ["one", "two"])
        let line = jsonObject(prompt.stdinLine)
        #expect(line["type"] as? String == "user")
        #expect(line["client_composed"] as? Bool == true)
        let content = (line["message"] as? [String: Any])?["content"] as? [[String: Any]]
        #expect(content?.map { $0["text"] as? String } == ["one", "two"])
    }

    @Test func aHistoryIsRenderedAsATranscriptWithEveryTurn() throws {
        let request = try chat(#"{"messages":[{"role":"user","content":"Q1"},{"role":"assistant","content":"A1"},{"role":"user","content":"Q2"}]}"#)
        let prompt = Prompt(try Conversation(chatMessages: request.messages))
        #expect(prompt.userTexts.count == 1)
        let text = prompt.userTexts[0]
        let q1 = try #require(text.range(of: "<user>\nQ1\n</user>"))
        let a1 = try #require(text.range(of: "<assistant>\nA1\n</assistant>"))
        let q2 = try #require(text.range(of: "<user>\nQ2\n</user>"))
        #expect(q1.upperBound <= a1.lowerBound && a1.upperBound <= q2.lowerBound)
    }

    @Test(arguments: [
        (#"{"messages":[]}"#, "messages"),
        (#"{"messages":[{"role":"assistant","content":"x"}]}"#, "messages"),
        (#"{"messages":[{"role":"user","content":"x"},{"role":"tool","content":"r","tool_call_id":"1"}]}"#, "messages[1].tool_call_id"),
        (#"{"messages":[{"role":"wizard","content":"x"}]}"#, "messages[0].role"),
        (#"{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"http://x"}}]}]}"#, "messages[0].content[0].image_url"),
        (#"{"messages":[{"role":"user","content":[{"type":"input_audio"}]}]}"#, "messages[0].content[0].type"),
        // OpenAI requires content on these (an assistant message may carry tool calls instead).
        (#"{"messages":[{"role":"user"}]}"#, "messages[0].content"),
        (#"{"messages":[{"role":"system"},{"role":"user","content":"x"}]}"#, "messages[0].content"),
        (#"{"messages":[{"role":"user","content":"x"},{"role":"assistant","content":"y"},{"role":"user","content":null}]}"#,
         "messages[2].content"),
    ])
    func whatCannotBeHonouredIsA400NamingTheField(json: String, param: String) throws {
        let request = try chat(json)
        #expect(throws: OpenAIError.self) { try Conversation(chatMessages: request.messages) }
        do {
            _ = try Conversation(chatMessages: request.messages)
        } catch {
            #expect(error.status == 400)
            #expect(error.param == param)
        }
    }

    @Test func responsesInputAsStringOrItems() throws {
        let plain = try RequestDecoder.decode(ResponsesRequest.self, from: Array(#"{"input":"hi","instructions":"S"}"#.utf8))
        let a = Prompt(try Conversation(responsesInput: plain.input, instructions: plain.instructions))
        #expect(a.system == "S")
        #expect(a.userTexts == ["hi"])
        let items = try RequestDecoder.decode(ResponsesRequest.self, from: Array(#"{"input":[{"role":"developer","content":"D"},{"type":"message","role":"user","content":[{"type":"input_text","text":"q"}]}]}"#.utf8))
        let b = Prompt(try Conversation(responsesInput: items.input, instructions: nil))
        #expect(b.system == "D")
        #expect(b.userTexts == ["q"])
        let call = try RequestDecoder.decode(ResponsesRequest.self, from: Array(#"{"input":[{"type":"function_call_output","call_id":"1","output":"x"}]}"#.utf8))
        #expect(throws: OpenAIError.self) { try Conversation(responsesInput: call.input, instructions: nil) }
    }

    @Test func aPromptThatLooksLikeAFlagStaysText() throws {
        let request = try chat(#"{"messages":[{"role":"user","content":"--model opus /context @/etc/passwd"}]}"#)
        let prompt = Prompt(try Conversation(chatMessages: request.messages))
        let invocation = CLIProfile.fixture.invocation(model: "sonnet", systemPromptFile: "/p")
        #expect(!invocation.arguments.contains { $0.contains("/context") || $0.contains("passwd") })
        #expect(String(decoding: prompt.stdinLine, as: UTF8.self).contains("--model opus /context @/etc/passwd"))
    }
}

extension CLIProfile {
    static let fixture = CLIProfile(
        executable: "/bin/claude", home: "/run/h", tmpdir: "/run/t", workingDirectory: "/run/w",
        inherited: CLIProfile.inherited(from: ["PATH": "/usr/bin", "PROXY_API_KEY": "secret", "ANTHROPIC_API_KEY": "sk",
                                               "HOME": "/root", "AWS_SECRET_ACCESS_KEY": "x",
                                               "CLAUDE_CONFIG_DIR": "/elsewhere"]),
        loginDirectory: "/root/.claude", streamIdleTimeoutMs: 60000, apiTimeoutMs: 60000)
}
