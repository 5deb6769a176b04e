import ProxyCore

extension Conversation {
    /// Reads chat `messages`. Throws a 400 for anything the proxy cannot honour yet,
    /// rather than dropping part of what the user said.
    package init(chatMessages messages: [ChatMessage]) throws(OpenAIError) {
        self.init()
        guard !messages.isEmpty else {
            throw .invalidRequest("`messages` must contain at least one message.", param: "messages")
        }
        for (index, message) in messages.enumerated() {
            let param = "messages[\(index)]"
            if message.toolCalls.map({ !$0.isEmpty }) == true || message.role == "tool" || message.role == "function" {
                throw .invalidRequest("Tool calling is not supported by this proxy yet (\(param) is a tool message).",
                                      param: param, code: "unsupported_tool_calling")
            }
            let blocks = try Self.blocks(of: message.content, param: "\(param).content",
                                         allowImages: message.role == "user")
            let texts = blocks.compactMap { if case .text(let text) = $0 { text } else { nil } }
            switch message.role {
            case "system", "developer":
                system.append(texts.joined(separator: "\n"))
            case "user":
                turns.append(Turn(role: .user, blocks: blocks))
            case "assistant":
                turns.append(Turn(role: .assistant, blocks: blocks))
            default:
                throw .invalidRequest(
                    "Invalid value for `role`: '\(message.role)'. Expected one of system, developer, user, assistant.",
                    param: "\(param).role")
            }
        }
        try validateTurns(param: "messages")
    }

    /// Reads a Responses `input` plus `instructions`.
    package init(responsesInput input: ResponsesInput, instructions: String?) throws(OpenAIError) {
        self.init()
        if let instructions, !instructions.isEmpty { system.append(instructions) }
        switch input {
        case .text(let text):
            turns.append(Turn(role: .user, texts: [text]))
        case .items(let items):
            for (index, item) in items.enumerated() {
                let param = "input[\(index)]"
                if let type = item.type, type != "message" {
                    throw .invalidRequest("Input items of type '\(type)' are not supported by this proxy yet.",
                                          param: "\(param).type")
                }
                let blocks = try Self.blocks(of: item.content, param: "\(param).content",
                                             allowImages: item.role == "user")
                let texts = blocks.compactMap { if case .text(let text) = $0 { text } else { nil } }
                switch item.role {
                case "system", "developer": system.append(texts.joined(separator: "\n"))
                case "user": turns.append(Turn(role: .user, blocks: blocks))
                case "assistant": turns.append(Turn(role: .assistant, blocks: blocks))
                default:
                    throw .invalidRequest("Invalid value for `role`: '\(item.role ?? "")'.", param: "\(param).role")
                }
            }
        }
        try validateTurns(param: "input")
    }

    private func validateTurns(param: String) throws(OpenAIError) {
        let images = turns.flatMap(\.blocks).filter { if case .image = $0 { true } else { false } }.count
        guard images <= ImageInput.maxCount else {
            throw .invalidRequest("At most \(ImageInput.maxCount) images are accepted per request.", param: param,
                                  code: "too_many_images")
        }
        guard let last = turns.last else {
            throw .invalidRequest("The conversation has no user message.", param: param)
        }
        guard last.role == .user else {
            throw .invalidRequest(
                "The last message must come from the user; this proxy cannot continue an assistant message.",
                param: param)
        }
    }

    private static func blocks(of content: MessageContent?, param: String,
                               allowImages: Bool) throws(OpenAIError) -> [Block] {
        switch content {
        case nil:
            return []
        case .text(let text)?:
            return [.text(text)]
        case .parts(let parts)?:
            var blocks: [Block] = []
            for (index, part) in parts.enumerated() {
                switch part.type {
                case "text", "input_text", "output_text":
                    guard let text = part.text else {
                        throw .invalidRequest("A '\(part.type)' part needs `text`.", param: "\(param)[\(index)].text")
                    }
                    blocks.append(.text(text))
                case "image_url", "input_image":
                    guard allowImages else {
                        throw .invalidRequest("Images are accepted in user messages only.", param: "\(param)[\(index)]")
                    }
                    guard let url = part.imageURL else {
                        throw .invalidRequest("An image part needs `image_url` (a data: URL); file ids are not supported.",
                                              param: "\(param)[\(index)].image_url")
                    }
                    blocks.append(.image(try ImageInput(url: url, param: "\(param)[\(index)].image_url")))
                default:
                    throw .invalidRequest("Content parts of type '\(part.type)' are not supported.",
                                          param: "\(param)[\(index)].type", code: "unsupported_content")
                }
            }
            return blocks
        }
    }
}
