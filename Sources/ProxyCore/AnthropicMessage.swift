/// One message of Anthropic's Messages API, as the upstream reads it: the shape the proxy writes
/// into a session file for the CLI to resume (and, over time, every other place that writes or
/// reads Anthropic messages). Typed so a block is never assembled by hand.
package struct AnthropicMessage: Codable, Equatable, Sendable {
    package enum Role: String, Codable, Sendable {
        case user, assistant
    }

    package var role: Role
    package var content: [AnthropicContentBlock]

    package init(role: Role, content: [AnthropicContentBlock]) {
        self.role = role
        self.content = content
    }

    private enum Key: String, CodingKey { case role, content }

    /// Content may be a string: one text block.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        role = try container.decode(Role.self, forKey: .role)
        if let text = try? container.decode(String.self, forKey: .content) {
            content = [.text(text)]
        } else {
            content = try container.decode([AnthropicContentBlock].self, forKey: .content)
        }
    }
}

/// A content block of a message. Decoding keeps a block of a type the proxy does not know as
/// `unknown` with its JSON, so it is neither lost nor misread.
package enum AnthropicContentBlock: Codable, Equatable, Sendable {
    case text(String)
    /// An inline image, base64 encoded.
    case image(ImageInput)
    case toolUse(id: String, name: String, input: JSONValue)
    case toolResult(toolUseID: String, content: String, isError: Bool)
    /// The model's reasoning and the signature the upstream checks when it is sent back.
    case thinking(String, signature: String)
    case redactedThinking(data: String)
    case unknown(type: String, JSONValue)

    private enum Key: String, CodingKey {
        case type, text, source, id, name, input, content, thinking, signature, data
        case toolUseID = "tool_use_id"
        case isError = "is_error"
        case mediaType = "media_type"
    }

    package func encode(to encoder: any Encoder) throws {
        if case .unknown(_, let raw) = self { return try raw.encode(to: encoder) }
        var container = encoder.container(keyedBy: Key.self)
        switch self {
        case .text(let text):
            try container.encode("text", forKey: .type)
            try container.encode(text, forKey: .text)
        case .image(let image):
            try container.encode("image", forKey: .type)
            var source = container.nestedContainer(keyedBy: Key.self, forKey: .source)
            try source.encode("base64", forKey: .type)
            try source.encode(image.mediaType, forKey: .mediaType)
            try source.encode(image.base64, forKey: .data)
        case .toolUse(let id, let name, let input):
            try container.encode("tool_use", forKey: .type)
            try container.encode(id, forKey: .id)
            try container.encode(name, forKey: .name)
            try container.encode(input, forKey: .input)
        case .toolResult(let id, let content, let isError):
            try container.encode("tool_result", forKey: .type)
            try container.encode(id, forKey: .toolUseID)
            try container.encode(content, forKey: .content)
            if isError { try container.encode(true, forKey: .isError) }
        case .thinking(let text, let signature):
            try container.encode("thinking", forKey: .type)
            try container.encode(text, forKey: .thinking)
            try container.encode(signature, forKey: .signature)
        case .redactedThinking(let data):
            try container.encode("redacted_thinking", forKey: .type)
            try container.encode(data, forKey: .data)
        case .unknown:
            break
        }
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "text":
            self = .text(try container.decode(String.self, forKey: .text))
        case "image":
            let source = try container.nestedContainer(keyedBy: Key.self, forKey: .source)
            guard try source.decode(String.self, forKey: .type) == "base64" else {
                self = .unknown(type: type, try JSONValue(from: decoder))
                return
            }
            self = .image(ImageInput(mediaType: try source.decode(String.self, forKey: .mediaType),
                                     base64: try source.decode(String.self, forKey: .data)))
        case "tool_use":
            self = .toolUse(id: try container.decode(String.self, forKey: .id),
                            name: try container.decode(String.self, forKey: .name),
                            input: try container.decodeIfPresent(JSONValue.self, forKey: .input) ?? .object([:]))
        case "tool_result":
            // A result's content may be text or text blocks; the proxy keeps the text.
            let content: String
            if let text = try? container.decode(String.self, forKey: .content) {
                content = text
            } else {
                let blocks = try container.decodeIfPresent([AnthropicContentBlock].self, forKey: .content) ?? []
                content = blocks.compactMap { if case .text(let text) = $0 { text } else { nil } }.joined(separator: "\n")
            }
            self = .toolResult(toolUseID: try container.decode(String.self, forKey: .toolUseID), content: content,
                               isError: try container.decodeIfPresent(Bool.self, forKey: .isError) ?? false)
        case "thinking":
            self = .thinking(try container.decode(String.self, forKey: .thinking),
                             signature: try container.decodeIfPresent(String.self, forKey: .signature) ?? "")
        case "redacted_thinking":
            self = .redactedThinking(data: try container.decode(String.self, forKey: .data))
        default:
            self = .unknown(type: type, try JSONValue(from: decoder))
        }
    }
}
