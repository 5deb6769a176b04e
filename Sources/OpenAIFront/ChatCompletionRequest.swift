import ProxyCore

/// `POST /v1/chat/completions` body, the fields the proxy reads.
/// Fields follow https://platform.openai.com/docs/api-reference/chat/create; unknown ones are ignored.
package struct ChatCompletionRequest: Decodable, Sendable {
    package struct StreamOptions: Decodable, Sendable {
        package var includeUsage: Bool?
        package enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
    }

    package var messages: [ChatMessage]
    package var model: String?
    package var stream: Bool?
    package var streamOptions: StreamOptions?
    package var maxTokens: Int?
    package var maxCompletionTokens: Int?
    package var n: Int?
    package var stop: JSONValue?
    package var responseFormat: JSONValue?
    package var tools: [JSONValue]?
    package var toolChoice: JSONValue?
    package var parallelToolCalls: Bool?
    /// The pre-`tools` function-calling fields, refused with a pointer to `tools`.
    package var functions: JSONValue?
    package var functionCall: JSONValue?
    package var logprobs: Bool?
    package var reasoningEffort: String?

    package enum CodingKeys: String, CodingKey {
        case messages, model, stream, n, stop, tools, logprobs, functions
        case parallelToolCalls = "parallel_tool_calls"
        case functionCall = "function_call"
        case streamOptions = "stream_options"
        case maxTokens = "max_tokens"
        case maxCompletionTokens = "max_completion_tokens"
        case responseFormat = "response_format"
        case toolChoice = "tool_choice"
        case reasoningEffort = "reasoning_effort"
    }
}

/// Who speaks in a chat message, decoded once.
package enum ChatRole: OpenStringEnum, Decodable {
    case system, developer, user, assistant, tool
    /// The deprecated function-calling API's role.
    case function
    case unknown(String)

    package static let spellings: [(String, ChatRole)] = [
        ("system", .system), ("developer", .developer), ("user", .user), ("assistant", .assistant), ("tool", .tool),
        ("function", .function),
    ]

    package var unknownText: String? { if case .unknown(let text) = self { text } else { nil } }

    package init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }
}

/// One entry of `messages`. `content` is a string, an array of parts, or null.
package struct ChatMessage: Decodable, Sendable {
    package var role: ChatRole
    package var content: MessageContent?
    package var toolCalls: [JSONValue]?
    package var toolCallID: String?

    package enum CodingKeys: String, CodingKey {
        case role, content
        case toolCalls = "tool_calls"
        case toolCallID = "tool_call_id"
    }
}

/// Message content as OpenAI allows it: a plain string or typed parts.
package enum MessageContent: Decodable, Equatable, Sendable {
    case text(String)
    case parts([ContentPart])

    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .text(text)
        } else {
            self = .parts(try container.decode([ContentPart].self))
        }
    }
}

/// A content part: `{"type":"text","text":…}`, `input_text`, `output_text`, `image_url`, `input_image`.
package struct ContentPart: Decodable, Equatable, Sendable {
    package var type: String
    package var text: String?
    /// `image_url.url` (chat) or `image_url` (responses `input_image`).
    package var imageURL: String?

    package enum CodingKeys: String, CodingKey {
        case type, text
        case imageURL = "image_url"
    }

    private struct ImageURL: Decodable {
        var url: String
    }

    package init(type: String, text: String? = nil, imageURL: String? = nil) {
        self.type = type
        self.text = text
        self.imageURL = imageURL
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(String.self, forKey: .type)
        text = try container.decodeIfPresent(String.self, forKey: .text)
        if let url = try? container.decodeIfPresent(String.self, forKey: .imageURL) {
            imageURL = url
        } else {
            imageURL = try container.decodeIfPresent(ImageURL.self, forKey: .imageURL)?.url
        }
    }
}
