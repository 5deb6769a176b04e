import ProxyCore

extension Conversation {
    /// Reads `system` and `messages`. Anything the proxy cannot honour is a 400 naming it.
    package init(system: MessagesContent?, messages: [MessagesMessage]) throws(AnthropicError) {
        self.init()
        switch system {
        case .text(let text)?: if !text.isEmpty { self.system.append(text) }
        case .blocks(let blocks)?:
            for (index, block) in blocks.enumerated() {
                guard block.type == "text", let text = block.text else {
                    throw .invalidRequest("system.\(index): system blocks must be text blocks.")
                }
                self.system.append(text)
            }
        case nil: break
        }
        guard !messages.isEmpty else { throw .invalidRequest("messages: at least one message is required.") }
        var pairing = ToolCallPairing<AnthropicError>(error: { message, param in .invalidRequest("\(param): \(message)") })
        for (index, message) in messages.enumerated() {
            let param = "messages.\(index)"
            guard let content = message.content else {
                throw .invalidRequest("\(param).content: Field required")
            }
            let blocks: [MessagesBlock]
            switch content {
            case .text(let text): blocks = [MessagesBlock(type: "text", text: text)]
            case .blocks(let list): blocks = list
            }
            switch message.role {
            case "user":
                var said: [Block] = []
                var results: [Block] = []
                for (number, block) in blocks.enumerated() {
                    let blockParam = "\(param).content.\(number)"
                    switch block.type {
                    case "tool_result":
                        guard let id = block.toolUseID else { throw .invalidRequest("\(blockParam).tool_use_id: Field required") }
                        try pairing.answer(id, param: "\(blockParam).tool_use_id")
                        let text = try Self.resultText(block, param: blockParam)
                        results.append(.toolResult(ToolResult(callID: id, content: block.isError == true ? "Error: \(text)" : text)))
                    default:
                        try pairing.requireAnswered(before: blockParam)
                        if let piece = try Self.block(block, param: blockParam, role: "user") { said.append(piece) }
                    }
                }
                try pairing.requireAnswered(before: param)
                if !results.isEmpty { turns.append(Turn(role: .tool, blocks: results)) }
                if !said.isEmpty { turns.append(Turn(role: .user, blocks: said)) }
            case "assistant":
                try pairing.requireAnswered(before: param)
                var said: [Block] = []
                for (number, block) in blocks.enumerated() {
                    let blockParam = "\(param).content.\(number)"
                    if block.type == "tool_use" {
                        guard let id = block.id, let name = block.name else {
                            throw .invalidRequest("\(blockParam): a tool_use block needs `id` and `name`.")
                        }
                        try pairing.called(id, param: "\(blockParam).id")
                        let input = block.input ?? .object([:])
                        said.append(.toolCall(ToolCall(id: id, name: name,
                                                       arguments: String(decoding: WireJSON.encode(input), as: UTF8.self))))
                    } else if let piece = try Self.block(block, param: blockParam, role: "assistant") {
                        said.append(piece)
                    }
                }
                turns.append(Turn(role: .assistant, blocks: said))
            default:
                throw .invalidRequest("\(param).role: Input should be 'user' or 'assistant'")
            }
        }
        guard let last = turns.last, last.role == .user || last.role == .tool else {
            throw .invalidRequest("messages: the last message must be a user message; this proxy cannot continue "
                                  + "an assistant message (prefill).")
        }
        let images = turns.flatMap(\.blocks).filter { if case .image = $0 { true } else { false } }.count
        guard images <= ImageInput.maxCount else {
            throw .invalidRequest("messages: at most \(ImageInput.maxCount) images are accepted per request.")
        }
    }

    /// A text, image or earlier-thinking block. Thinking goes back to the model only from a cold
    /// start's session file, with its signature; a transcript leaves it out.
    private static func block(_ block: MessagesBlock, param: String, role: String) throws(AnthropicError) -> Block? {
        switch block.type {
        case "text":
            guard let text = block.text else { throw .invalidRequest("\(param).text: Field required") }
            return .text(text)
        case "image":
            guard role == "user" else { throw .invalidRequest("\(param): images are accepted in user messages only.") }
            return .image(try image(block.source, param: param))
        case "thinking" where role == "assistant":
            return .thinking(text: block.thinking ?? "", signature: block.signature ?? "", redacted: false)
        case "redacted_thinking" where role == "assistant":
            return block.data.map { .thinking(text: $0, signature: "", redacted: true) }
        case "thinking", "redacted_thinking":
            return nil
        case "document", "search_result", "container_upload":
            throw .invalidRequest("\(param): content blocks of type '\(block.type)' are not supported by this proxy.")
        default:
            throw .invalidRequest("\(param).type: content blocks of type '\(block.type)' are not supported.")
        }
    }

    private static func image(_ source: MessagesBlock.Source?, param: String) throws(AnthropicError) -> ImageInput {
        guard let source, source.type == "base64", let mediaType = source.mediaType, let data = source.data else {
            throw .invalidRequest("\(param).source: only base64 image sources are accepted; this proxy never fetches "
                                  + "URLs for a caller.")
        }
        do {
            return try ImageInput(validating: data, mediaType: mediaType)
        } catch {
            throw .invalidRequest("\(param).source: \(error.message)")
        }
    }

    /// A `tool_result`'s content: a string, or text blocks (images in results are not supported).
    private static func resultText(_ block: MessagesBlock, param: String) throws(AnthropicError) -> String {
        switch block.content {
        case nil: return ""
        case .text(let text)?: return text
        case .blocks(let blocks)?:
            var texts: [String] = []
            for (number, inner) in blocks.enumerated() {
                guard inner.type == "text", let text = inner.text else {
                    throw .invalidRequest("\(param).content.\(number): tool results may hold text blocks only.")
                }
                texts.append(text)
            }
            return texts.joined(separator: "\n")
        }
    }
}

extension MessagesBlock {
    init(type: String, text: String) {
        self.type = type
        self.text = text
    }
}
