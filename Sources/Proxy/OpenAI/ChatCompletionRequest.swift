/// `POST /v1/chat/completions` body, the fields the proxy reads.
/// Fields follow https://platform.openai.com/docs/api-reference/chat/create; unknown ones are ignored.
struct ChatCompletionRequest: Decodable, Sendable {
    struct StreamOptions: Decodable, Sendable {
        var includeUsage: Bool?
        enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
    }

    var messages: [ChatMessage]
    var model: String?
    var stream: Bool?
    var streamOptions: StreamOptions?
    var maxTokens: Int?
    var maxCompletionTokens: Int?
    var n: Int?
    var stop: JSONValue?
    var responseFormat: JSONValue?
    var tools: [JSONValue]?
    var toolChoice: JSONValue?
    var logprobs: Bool?
    var reasoningEffort: String?

    enum CodingKeys: String, CodingKey {
        case messages, model, stream, n, stop, tools, logprobs
        case streamOptions = "stream_options"
        case maxTokens = "max_tokens"
        case maxCompletionTokens = "max_completion_tokens"
        case responseFormat = "response_format"
        case toolChoice = "tool_choice"
        case reasoningEffort = "reasoning_effort"
    }
}

/// One entry of `messages`. `content` is a string, an array of parts, or null.
struct ChatMessage: Decodable, Sendable {
    var role: String
    var content: MessageContent?
    var toolCalls: [JSONValue]?
    var toolCallID: String?

    enum CodingKeys: String, CodingKey {
        case role, content
        case toolCalls = "tool_calls"
        case toolCallID = "tool_call_id"
    }
}

/// Message content as OpenAI allows it: a plain string or typed parts.
enum MessageContent: Decodable, Equatable, Sendable {
    case text(String)
    case parts([ContentPart])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .text(text)
        } else {
            self = .parts(try container.decode([ContentPart].self))
        }
    }
}

/// A content part: `{"type":"text","text":…}`, `input_text`, `output_text`, `image_url`, `input_image`.
struct ContentPart: Decodable, Equatable, Sendable {
    var type: String
    var text: String?
    /// `image_url.url` (chat) or `image_url` (responses `input_image`).
    var imageURL: String?

    enum CodingKeys: String, CodingKey {
        case type, text
        case imageURL = "image_url"
    }

    private struct ImageURL: Decodable {
        var url: String
    }

    init(type: String, text: String? = nil, imageURL: String? = nil) {
        self.type = type
        self.text = text
        self.imageURL = imageURL
    }

    init(from decoder: any Decoder) throws {
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
