import ProxyCore

/// `POST /v1/messages` body, the fields the proxy reads (Anthropic's Messages API).
package struct MessagesRequest: Decodable, Sendable {
    package var model: String?
    package var maxTokens: Int?
    /// A string or text blocks.
    package var system: MessagesContent?
    package var messages: [MessagesMessage]
    package var stopSequences: [String]?
    package var stream: Bool?
    package var thinking: JSONValue?
    package var tools: [JSONValue]?
    package var toolChoice: JSONValue?
    /// Structured output: `output_config.format` (what `messages.parse` sends), or the beta
    /// `output_format`.
    package var outputConfig: JSONValue?
    package var outputFormat: JSONValue?
    /// A server-side thread (the SDK's tool runner), held by `MessageThreads`.
    package var thread: MessagesThread?

    package enum CodingKeys: String, CodingKey {
        case model, system, messages, stream, thinking, tools, thread
        case maxTokens = "max_tokens"
        case stopSequences = "stop_sequences"
        case toolChoice = "tool_choice"
        case outputConfig = "output_config"
        case outputFormat = "output_format"
    }
}

package struct MessagesMessage: Decodable, Sendable {
    package var role: String
    package var content: MessagesContent?
}

/// Message content (and `system`): a string, or typed blocks.
package enum MessagesContent: Decodable, Sendable {
    case text(String)
    case blocks([MessagesBlock])

    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .text(text)
        } else {
            self = .blocks(try container.decode([MessagesBlock].self))
        }
    }
}

/// One content block of any type; the fields a type does not use stay nil.
package struct MessagesBlock: Decodable, Sendable {
    package struct Source: Decodable, Sendable {
        package var type: String?
        package var mediaType: String?
        package var data: String?
        package var url: String?
        package enum CodingKeys: String, CodingKey {
            case type, data, url
            case mediaType = "media_type"
        }
    }
    package var type: String
    package var text: String?
    package var source: Source?
    /// `tool_use`
    package var id: String?
    package var name: String?
    package var input: JSONValue?
    /// `tool_result`
    package var toolUseID: String?
    package var content: MessagesContent?
    package var isError: Bool?
    /// `thinking` and `redacted_thinking` from an earlier turn.
    package var thinking: String?
    package var signature: String?
    package var data: String?

    package enum CodingKeys: String, CodingKey {
        case type, text, source, id, name, input, content, thinking, signature
        case toolUseID = "tool_use_id"
        case isError = "is_error"
        case data
    }
}
