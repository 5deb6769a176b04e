/// `POST /v1/responses` body, the fields the proxy reads.
/// https://platform.openai.com/docs/api-reference/responses/create
struct ResponsesRequest: Decodable, Sendable {
    struct Reasoning: Decodable, Sendable {
        var effort: String?
    }

    var input: ResponsesInput
    var model: String?
    var instructions: String?
    var stream: Bool?
    var maxOutputTokens: Int?
    var previousResponseID: String?
    var tools: [JSONValue]?
    var toolChoice: JSONValue?
    var text: JSONValue?
    var metadata: JSONValue?
    var reasoning: Reasoning?

    enum CodingKeys: String, CodingKey {
        case input, model, instructions, stream, tools, text, metadata, reasoning
        case maxOutputTokens = "max_output_tokens"
        case previousResponseID = "previous_response_id"
        case toolChoice = "tool_choice"
    }
}

/// `input`: a string, or a list of input items.
enum ResponsesInput: Decodable, Sendable {
    case text(String)
    case items([ResponsesInputItem])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .text(text)
        } else {
            self = .items(try container.decode([ResponsesInputItem].self))
        }
    }
}

/// An input item. Messages (`{"role","content"}`, with or without `"type":"message"`) are
/// understood; other item types (function calls, reasoning, references) are named in a 400.
struct ResponsesInputItem: Decodable, Sendable {
    var type: String?
    var role: String?
    var content: MessageContent?
}
