import Foundation
import Testing
@testable import FakeUpstream
@testable import ProxyCore

struct FakeScriptTests {
    @Test func everyEntryKindParses() throws {
        let script = try FakeScript(text: """
            # comments and blank lines are skipped

            {"match": "hello", "reply": "Hi there."}
            {"match": "weather", "tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}
            {"match": "weather", "after_tool": "Sunny", "reply": "No umbrella."}
            {"match": "think", "thinking": "Hmm.", "reply": "Done."}
            {"match": "busy", "error": 429}
            {"match": "drop", "error": "cut"}
            {"match": "hang", "error": "stall"}
            {"match": "long", "stop_reason": "max_tokens", "reply": "a b c"}
            {"match": "slow", "reply": "x", "token_delay_ms": 50, "first_token_delay_ms": 200}
            """)
        #expect(script.entries.count == 9)
        #expect(script.entries.map(\.line) == [3, 4, 5, 6, 7, 8, 9, 10, 11])
        #expect(script.entries[1].toolCalls == [.init(name: "get_weather", arguments: .object(["city": .string("Paris")]))])
        #expect(script.entries[4].failure == .status(429))
        #expect(script.entries[5].failure == .cut && script.entries[6].failure == .stall)
        #expect(script.entries[8].firstTokenDelayMs == 200 && script.entries[8].tokenDelayMs == 50)
    }

    @Test(arguments: [
        ("{\"reply\": \"ok\"}\nnot json", 2, "not a JSON object"),
        ("{\"match\": \"(unclosed\"}", 1, "not a valid regular expression"),
        ("\n\n{\"match\": \"x\", \"colour\": \"red\"}", 3, "unknown key \"colour\""),
        ("{\"error\": 418}", 1, "error must be"),
        ("{\"stop_reason\": \"pause\"}", 1, "stop_reason"),
        ("{\"tool_calls\": [{\"name\": \"bad name\"}]}", 1, "valid \"name\""),
        ("{\"token_delay_ms\": -5}", 1, "token_delay_ms"),
    ])
    func errorsNameTheirLine(text: String, line: Int, problem: String) {
        do {
            _ = try FakeScript(text: text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.line == line)
            #expect(error.problem.contains(problem), "\(error.problem)")
        }
    }

    @Test func theFirstMatchingEntryWinsAndToolResultsNeedAfterTool() throws {
        let script = try FakeScript(text: """
            {"match": "weather", "after_tool": "Sunny", "reply": "A"}
            {"match": "weather", "reply": "B"}
            {"reply": "C"}
            """)
        #expect(script.entry(lastUserText: "weather?", toolResult: nil)?.reply == "B")
        #expect(script.entry(lastUserText: "weather?", toolResult: "Sunny, 21")?.reply == "A")
        #expect(script.entry(lastUserText: "weather?", toolResult: "Rain") == nil, "no entry for that result")
        #expect(script.entry(lastUserText: "anything", toolResult: nil)?.reply == "C")
    }
}

struct FakeResponderTests {
    private func body(_ messages: String, stream: Bool = true, tools: String = "[]") -> [UInt8] {
        Array(#"{"model":"claude-x","stream":\#(stream),"system":[{"type":"text","text":"S"}],"tools":\#(tools),"messages":\#(messages)}"#.utf8)
    }

    private func events(_ plan: FakeResponder.Plan) -> [[String: Any]] {
        guard case .stream(let steps, _) = plan else { return [] }
        return steps.compactMap { step in
            let text = String(decoding: step.bytes, as: UTF8.self)
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("data: ") }) else { return nil }
            return jsonObject(Array(line.dropFirst(6).utf8))
        }
    }

    @Test func withoutAScriptItEchoesWordByWord() {
        let plan = FakeResponder.plan(body: body(#"[{"role":"user","content":"hello big world"}]"#), script: FakeScript(), sequence: 1)
        let texts = events(plan).compactMap { ($0["delta"] as? [String: Any])?["text"] as? String }
        #expect(texts == ["You ", "said: ", "hello ", "big ", "world"])
    }

    @Test func theUsageRuleIsBytesOverFour() {
        // "S" + "hello" = 6 bytes → 2 input tokens; "You said: hello" = 15 bytes → 4 output tokens.
        guard case .whole(let body) = FakeResponder.plan(body: body(#"[{"role":"user","content":"hello"}]"#, stream: false),
                                                         script: FakeScript(), sequence: 1) else { Issue.record(); return }
        let usage = jsonObject(body)["usage"] as? [String: Any]
        #expect(usage?["input_tokens"] as? Int == 2 && usage?["output_tokens"] as? Int == 4)
    }

    @Test func theProxysTranscriptIsReadBackForTheLastUserTextAndToolResult() {
        let transcript = """
            The conversation so far is below, oldest turn first. Continue as the assistant.\\n\\n<user>\\nweather in Paris?\\n</user>\\n\\n<assistant>\\n<tool_call id=\\"t\\" name=\\"get_weather\\">\\n{}\\n</tool_call>\\n</assistant>\\n\\n<tool_results>\\n<tool_result id=\\"t\\" name=\\"get_weather\\">\\nSunny, 21\\n</tool_result>\\n</tool_results>\\n
            """
        let request = FakeResponder.read(body(#"[{"role":"user","content":[{"type":"text","text":"\#(transcript)"}]}]"#))
        #expect(request?.lastUserText == "weather in Paris?")
        #expect(request?.toolResult == "Sunny, 21")
    }

    @Test func scriptedToolCallsUseTheBridgedNameAndOnlyOfferedTools() throws {
        let script = try FakeScript(text: #"{"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]}"#)
        let offered = #"[{"name":"mcp__client__get_weather","input_schema":{"type":"object"}}]"#
        let plan = FakeResponder.plan(body: body(#"[{"role":"user","content":"x"}]"#, tools: offered), script: script, sequence: 3)
        let start = events(plan).compactMap { $0["content_block"] as? [String: Any] }.first
        #expect(start?["name"] as? String == "mcp__client__get_weather" && start?["id"] as? String == "toolu_fake_3_0")
        let json = events(plan).compactMap { ($0["delta"] as? [String: Any])?["partial_json"] as? String }.joined()
        #expect(json == #"{"city":"Paris"}"#)
        #expect((events(plan).last { $0["type"] as? String == "message_delta" }?["delta"] as? [String: Any])?["stop_reason"] as? String == "tool_use")
        let notOffered = FakeResponder.plan(body: body(#"[{"role":"user","content":"x"}]"#), script: script, sequence: 4)
        let said = events(notOffered).compactMap { ($0["delta"] as? [String: Any])?["text"] as? String }.joined()
        #expect(said.contains("not offered"))
    }

    @Test func delaysFallOnTheDeltas() throws {
        let script = try FakeScript(text: #"{"reply": "a b", "first_token_delay_ms": 100, "token_delay_ms": 20}"#)
        guard case .stream(let steps, .close) = FakeResponder.plan(body: body(#"[{"role":"user","content":"x"}]"#), script: script, sequence: 1) else {
            Issue.record(); return
        }
        #expect(steps.map(\.delayMs).filter { $0 > 0 } == [100, 20])
    }
}
