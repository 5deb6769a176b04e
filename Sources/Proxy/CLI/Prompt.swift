/// A conversation as the CLI takes it: one system text and one user message.
/// The CLI cannot replay assistant turns (CONTRACT.md §3.2), so a multi-turn history is
/// rendered into the user message as a transcript.
struct Prompt: Equatable, Sendable {
    var system: String
    /// Text blocks of the single user message.
    var userTexts: [String]

    init(_ conversation: Conversation) {
        system = conversation.system.joined(separator: "\n\n")
        if conversation.turns.count == 1, let only = conversation.turns.first {
            userTexts = only.texts.isEmpty ? [""] : only.texts
        } else {
            userTexts = [Self.transcript(of: conversation.turns)]
        }
    }

    static func transcript(of turns: [Conversation.Turn]) -> String {
        var out = "The conversation so far is below, oldest turn first. "
            + "Write the assistant's reply to the final user turn.\n"
        for turn in turns {
            out += "\n<\(turn.role.rawValue)>\n\(turn.texts.joined(separator: "\n"))\n</\(turn.role.rawValue)>\n"
        }
        return out
    }

    /// The single stream-json input line (without its newline), with `client_composed`
    /// so slash commands and `@file` mentions reach the model as literal text.
    var stdinLine: [UInt8] {
        WireJSON.encode(InputLine(message: .init(content: userTexts.map { .init(text: $0) })))
    }

    private struct InputLine: Encodable {
        struct Message: Encodable {
            struct Block: Encodable {
                var type = "text"
                var text: String
            }
            var role = "user"
            var content: [Block]
        }
        var type = "user"
        var message: Message
        var clientComposed = true
        enum CodingKeys: String, CodingKey {
            case type, message
            case clientComposed = "client_composed"
        }
    }
}
