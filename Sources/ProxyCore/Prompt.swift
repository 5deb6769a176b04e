/// A conversation as the CLI takes it: one system text and one user message.
/// The CLI cannot replay assistant turns (CONTRACT.md §3.2), so a multi-turn history is
/// rendered into the user message as a transcript; its images follow the transcript in order,
/// each marked in the text where it was sent (`[image 1]`).
package struct Prompt: Equatable, Sendable {
    package var system: String
    /// Blocks of the single user message.
    package var userBlocks: [Conversation.Block]

    package init(_ conversation: Conversation) {
        system = conversation.system.joined(separator: "\n\n")
        if conversation.turns.count == 1, let only = conversation.turns.first {
            userBlocks = only.blocks.isEmpty ? [.text("")] : only.blocks
        } else {
            userBlocks = Self.transcript(of: conversation.turns)
        }
    }

    /// The text blocks, for tests and logs.
    package var userTexts: [String] { userBlocks.compactMap { if case .text(let text) = $0 { text } else { nil } } }

    package static func transcript(of turns: [Conversation.Turn]) -> [Conversation.Block] {
        var out = "The conversation so far is below, oldest turn first. "
            + "Write the assistant's reply to the final user turn.\n"
        var images: [Conversation.Block] = []
        for turn in turns {
            let body = turn.blocks.map { block -> String in
                switch block {
                case .text(let text): return text
                case .image:
                    images.append(block)
                    return "[image \(images.count)]"
                }
            }.joined(separator: "\n")
            out += "\n<\(turn.role.rawValue)>\n\(body)\n</\(turn.role.rawValue)>\n"
        }
        return [.text(out)] + images
    }

    /// The single stream-json input line (without its newline), with `client_composed`
    /// so slash commands and `@file` mentions reach the model as literal text.
    package var stdinLine: [UInt8] {
        WireJSON.encode(InputLine(message: .init(content: userBlocks.map(InputLine.Block.init))))
    }

    private struct InputLine: Encodable {
        struct Source: Encodable {
            package var type = "base64"
            package var mediaType: String
            package var data: String
            package enum CodingKeys: String, CodingKey {
                case type, data
                case mediaType = "media_type"
            }
        }
        struct Block: Encodable {
            package var type: String
            package var text: String?
            package var source: Source?

            package init(_ block: Conversation.Block) {
                switch block {
                case .text(let text):
                    type = "text"
                    self.text = text
                case .image(let image):
                    type = "image"
                    source = Source(mediaType: image.mediaType, data: image.base64)
                }
            }
        }
        struct Message: Encodable {
            package var role = "user"
            package var content: [Block]
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
