/// A conversation as the CLI takes it: one system text and one user message.
/// The CLI cannot replay assistant turns (docs/cli.md, "Input"), so a multi-turn history is
/// rendered into the user message as a transcript; its images follow the transcript in order,
/// each marked in the text where it was sent (`[image 1]`).
package struct Prompt: Equatable, Sendable {
    package var system: String
    /// Blocks of the single user message.
    package var userBlocks: [Conversation.Block]

    /// - Parameter tools: the request's tools; their use policy adds to the system prompt.
    package init(_ conversation: Conversation, tools: ToolUse? = nil) {
        var system = conversation.system
        if conversation.hasToolHistory { system.append(Self.toolHistoryNote) }
        if let instructions = tools?.instructions { system.append(instructions) }
        self.system = system.joined(separator: "\n\n")
        if conversation.turns.count == 1, let only = conversation.turns.first, only.role == .user {
            userBlocks = only.blocks.isEmpty ? [.text("")] : only.blocks
        } else {
            userBlocks = Self.transcript(of: conversation.turns)
        }
    }

    /// Told to the model whenever the transcript holds tool calls, so it reads them as a record
    /// and calls tools for real instead of writing calls as text.
    package static let toolHistoryNote = """
        In the conversation transcript, <tool_call id="…" name="…"> elements inside an assistant turn \
        record tools you called earlier, with the JSON arguments you gave, and each <tool_result id="…"> \
        holds what the call with that id returned. They are a record of what already happened. To call \
        a tool now, use your tool-calling ability; never write <tool_call> or <tool_result> elements \
        in your reply.
        """

    package static func transcript(of turns: [Conversation.Turn]) -> [Conversation.Block] {
        let endsWithResults = turns.last?.role == .tool
        var out = "The conversation so far is below, oldest turn first. "
            + (endsWithResults ? "Continue as the assistant: the tool results at the end answer your latest calls.\n"
                : "Write the assistant's reply to the final user turn.\n")
        var images: [Conversation.Block] = []
        var names: [String: String] = [:]
        for turn in turns {
            let body = turn.blocks.compactMap { block -> String? in
                switch block {
                // Reasoning is not quoted: the model would read it as something it said.
                case .thinking: return nil
                case .text(let text): return text
                case .image:
                    images.append(block)
                    return "[image \(images.count)]"
                case .toolCall(let call):
                    names[call.id] = call.name
                    return "<tool_call id=\"\(call.id)\" name=\"\(call.name)\">\n\(call.arguments)\n</tool_call>"
                case .toolResult(let result):
                    let name = names[result.callID].map { " name=\"\($0)\"" } ?? ""
                    return "<tool_result id=\"\(result.callID)\"\(name)>\n\(result.content)\n</tool_result>"
                }
            }.joined(separator: "\n")
            let tag = turn.role == .tool ? "tool_results" : turn.role.rawValue
            out += "\n<\(tag)>\n\(body)\n</\(tag)>\n"
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
                case .toolCall, .toolResult, .thinking:
                    // Never alone in a user message: `transcript` writes them as text.
                    type = "text"
                    text = Prompt.transcript(of: [Conversation.Turn(role: .user, blocks: [block])]).first
                        .flatMap { if case .text(let text) = $0 { text } else { nil } }
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
