import Foundation
import Testing
@testable import ProxyCore

/// The session file a cold CLI resumes: which histories it can say exactly, what it writes, and
/// that it says what the CLI itself wrote for the same conversation (q2_01, recorded).
@Suite struct SessionHistoryTests {
    let sessionID = SessionHistory.sessionID(fromHex: "0123456789abcdef0123456789abcdef")
    let call = Conversation.ToolCall(id: "toolu_1", name: "get_weather", arguments: #"{"city":"Paris"}"#)

    private func plan(_ turns: [Conversation.Turn], tools: Bool = true) -> Result<SessionHistory, SessionHistory.Fallback>? {
        SessionHistory.plan(Conversation(system: ["S"], turns: turns), model: "claude-sonnet-4-5", toolsBridged: tools,
                            sessionID: sessionID)
    }

    private func user(_ text: String) -> Conversation.Turn { Conversation.Turn(role: .user, texts: [text]) }
    private func assistant(_ text: String) -> Conversation.Turn { Conversation.Turn(role: .assistant, texts: [text]) }
    private var calling: Conversation.Turn { Conversation.Turn(role: .assistant, blocks: [.text("Let me look."), .toolCall(call)]) }
    private var result: Conversation.Turn {
        Conversation.Turn(role: .tool, blocks: [.toolResult(.init(callID: "toolu_1", content: "sunny"))])
    }

    @Test func aSessionIDIsAVersion4UUID() {
        #expect(sessionID == "01234567-89ab-4def-8123-456789abcdef")
    }

    @Test func oneUserMessageHasNothingToResume() throws {
        let one = try #require(try plan([user("hi")])?.get())
        #expect(!one.resumes && one.newTurn == user("hi"))
        let two = try #require(try plan([user("hi"), user("there")])?.get())
        #expect(!two.resumes, "two user turns are one upstream message")
        #expect(two.newTurn == Conversation.Turn(role: .user, texts: ["hi", "there"]))
        #expect(plan([]) == nil)
    }

    @Test func aChatKeepsEveryEarlierTurnAndWritesTheNewOneOnStdin() throws {
        let history = try #require(try plan([user("hi"), assistant("Hello!"), user("2+2?")])?.get())
        #expect(history.messages == [AnthropicMessage(role: .user, content: [.text("hi")]),
                                     AnthropicMessage(role: .assistant, content: [.text("Hello!")])])
        #expect(history.newTurn == user("2+2?"))
        #expect(!history.continuesByItself)
    }

    @Test func toolCallsAreBridgedAndTheirResultsFollow() throws {
        let history = try #require(try plan([user("weather?"), calling, result, assistant("Sunny."), user("thanks")])?.get())
        #expect(history.messages == [
            AnthropicMessage(role: .user, content: [.text("weather?")]),
            AnthropicMessage(role: .assistant, content: [
                .text("Let me look."),
                .toolUse(id: "toolu_1", name: "mcp__client__get_weather", input: .object(["city": .string("Paris")])),
            ]),
            AnthropicMessage(role: .user, content: [.toolResult(toolUseID: "toolu_1", content: "sunny", isError: false)]),
            AnthropicMessage(role: .assistant, content: [.text("Sunny.")]),
        ])
    }

    @Test func aHistoryEndingInToolResultsIsContinuedByTheCLIItself() throws {
        let history = try #require(try plan([user("weather?"), calling, result])?.get())
        #expect(history.continuesByItself)
        #expect(history.messages.last == AnthropicMessage(
            role: .user, content: [.toolResult(toolUseID: "toolu_1", content: "sunny", isError: false)]))
        // The user's words after the results join them, results first, as the API wants.
        let withWords = try #require(try plan([user("weather?"), calling, result, user("be brief")])?.get())
        #expect(withWords.continuesByItself)
        #expect(withWords.messages.last?.content == [.toolResult(toolUseID: "toolu_1", content: "sunny", isError: false),
                                                     .text("be brief")])
    }

    /// Signed reasoning goes back as the model wrote it, redacted reasoning as its data; unsigned
    /// thinking (which the upstream would refuse) is left out.
    @Test func signedThinkingGoesBackAndUnsignedIsLeftOut() throws {
        let thought = Conversation.Turn(role: .assistant, blocks: [
            .thinking(text: "weigh it", signature: "sig", redacted: false),
            .thinking(text: "no signature", signature: "", redacted: false),
            .thinking(text: "opaque", signature: "", redacted: true),
            .text("Done."),
        ])
        let history = try #require(try plan([user("q"), thought, user("again")])?.get())
        #expect(history.messages.last == AnthropicMessage(role: .assistant, content: [
            .thinking("weigh it", signature: "sig"), .redactedThinking(data: "opaque"), .text("Done."),
        ]))
        let lines = String(decoding: history.fileBytes(workingDirectory: "/w", timestamp: "t", cliVersion: nil), as: UTF8.self)
        #expect(lines.contains(#""model":"claude-sonnet-4-5""#), "the run's model, so the CLI keeps the thinking")
    }

    @Test func imagesStayInTheirUserMessage() throws {
        let image = ImageInput(mediaType: "image/png", base64: "iVBORw0KGgo=")
        let history = try #require(try plan([Conversation.Turn(role: .user, blocks: [.text("see"), .image(image)]),
                                             assistant("a pixel"), user("again")])?.get())
        #expect(history.messages.first?.content == [.text("see"), .image(image)])
    }

    @Test func whatTheCLIWouldRewriteIsFlattenedWithItsReason() {
        #expect(plan([user("weather?"), calling, result, user("x")], tools: false) == .failure(.toolsMissing))
        #expect(plan([user("weather?"), calling, user("x")]) == .failure(.unansweredToolCall))
        #expect(plan([user("weather?"), calling]) == .failure(.unansweredToolCall))
        #expect(plan([user("q"), assistant("a"), result, user("x")]) == .failure(.unmatchedToolResult))
        #expect(plan([assistant("I start"), user("x")]) == .failure(.startsWithAssistant))
        #expect(plan([user("q"), assistant("The answer is")]) == .failure(.endsWithAssistant))
        #expect(plan([user("q"), assistant("a"), assistant("b"), user("x")]) == .failure(.assistantAfterAssistant))
        let bad = Conversation.Turn(role: .assistant, blocks: [.toolCall(.init(id: "c", name: "f", arguments: "[1]"))])
        #expect(plan([user("q"), bad, Conversation.Turn(role: .tool, blocks: [.toolResult(.init(callID: "c", content: "r"))])])
                == .failure(.argumentsNotJSON))
    }

    @Test func anEmptyAssistantTurnIsDroppedAsClientsDrop() throws {
        let history = try #require(try plan([user("q"), Conversation.Turn(role: .assistant, blocks: [.text("")]),
                                             user("again")])?.get())
        #expect(!history.resumes)
        #expect(history.newTurn == Conversation.Turn(role: .user, texts: ["q", "again"]))
    }

    /// Every line chained to the one before (an unchained file silently loses all but its last
    /// line), the first with an explicit null, assistants stamped with the run's model.
    @Test func theFileIsChainedAndStamped() throws {
        let history = try #require(try plan([user("weather?"), calling, result, assistant("Sunny."), user("thanks")])?.get())
        let bytes = history.fileBytes(workingDirectory: "/w", timestamp: "2026-12-07T00:00:00.000Z", cliVersion: "2.1.331")
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map {
            try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        #expect(lines.count == 4)
        #expect(lines[0].keys.contains("parentUuid") && lines[0]["parentUuid"] is NSNull)
        for (index, line) in lines.enumerated() {
            #expect(line["sessionId"] as? String == sessionID)
            #expect(UUID(uuidString: line["uuid"] as? String ?? "") != nil)
            if index > 0 { #expect(line["parentUuid"] as? String == lines[index - 1]["uuid"] as? String) }
            let message = line["message"] as? [String: Any] ?? [:]
            #expect(line["type"] as? String == message["role"] as? String)
            if line["type"] as? String == "assistant" { #expect(message["model"] as? String == "claude-sonnet-4-5") }
        }
        #expect(Set(lines.compactMap { $0["uuid"] as? String }).count == 4)
    }

    @Test func theProjectDirectoryIsTheCLIsSlug() {
        #expect(SessionHistory.projectDirectory(configDirectory: "/h/.claude", workingDirectory: "/tmp/claude-code-proxy.Ab1/work")
                == "/h/.claude/projects/-tmp-claude-code-proxy-Ab1-work")
        #expect(SessionHistory.projectDirectory(configDirectory: "/h", workingDirectory: "/" + String(repeating: "a", count: 200)) == nil)
    }

    /// The CLI's own file of a two-turn conversation (a bridged tool round trip, then thinking):
    /// the proxy's writer says the same messages for the same conversation.
    @Test func theWriterSaysWhatTheCLIWroteForTheSameConversation() throws {
        let recorded = try Fixture.bytes("history/q2_01_cli_written_session")
        struct Line: Decodable {
            var type: String
            var message: AnthropicMessage?
        }
        var messages: [AnthropicMessage] = []
        for text in String(decoding: recorded, as: UTF8.self).split(separator: "\n") {
            // Other lines (attachments, the per-turn `system` effort message) are not turns.
            guard let line = try? JSONDecoder().decode(Line.self, from: Data(text.utf8)),
                  ["user", "assistant"].contains(line.type), let message = line.message else { continue }
            // The CLI writes one line per block of an assistant message.
            if message.role == .assistant, messages.last?.role == .assistant {
                messages[messages.count - 1].content += message.content
            } else {
                messages.append(message)
            }
        }
        // The same conversation as a client sends it (the bridge in the recording was named
        // `bridge`; the proxy's is `client`), without the final thinking answer.
        let call = Conversation.ToolCall(id: "toolu_heldout_0", name: "get_weather", arguments: #"{"city":"Paris"}"#)
        let history = try #require(try plan([
            user("What is the weather in Paris? [[scenario:tool]]"),
            Conversation.Turn(role: .assistant, blocks: [.toolCall(call)]),
            Conversation.Turn(role: .tool, blocks: [.toolResult(.init(callID: "toolu_heldout_0", content: "sunny, 21 C in Paris"))]),
            assistant("It is sunny in Paris."),
            user("Thanks. Think, then say hi. [[scenario:thinking]]"),
        ])?.get())
        let expected = Array(messages.prefix(4)).map { message in
            AnthropicMessage(role: message.role, content: message.content.map { block in
                if case .toolUse(let id, let name, let input) = block {
                    return .toolUse(id: id, name: name.replacingOccurrences(of: "mcp__bridge__", with: ToolBridge.prefix), input: input)
                }
                return block
            })
        }
        #expect(history.messages == expected)
        #expect(history.newTurn == user("Thanks. Think, then say hi. [[scenario:thinking]]"))
        #expect(messages[4] == AnthropicMessage(role: .user, content: [.text("Thanks. Think, then say hi. [[scenario:thinking]]")]))
        #expect(messages.last?.content.first == .thinking("Let me think.", signature: "sig"))
    }

    @Test func blocksRoundTripTheWire() throws {
        let blocks: [AnthropicContentBlock] = [
            .text("t"), .image(ImageInput(mediaType: "image/png", base64: "AA==")),
            .toolUse(id: "i", name: "n", input: .object(["a": .number(1)])),
            .toolResult(toolUseID: "i", content: "r", isError: true), .thinking("x", signature: "s"),
            .redactedThinking(data: "d"), .unknown(type: "bogus", .object(["type": .string("bogus"), "v": .number(2)])),
        ]
        let decoded = try WireJSON.decode([AnthropicContentBlock].self, from: WireJSON.encode(blocks))
        #expect(decoded == blocks)
    }
}
