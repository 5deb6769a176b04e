import ProxyCore

/// `POST /v1/responses` body, the fields the proxy reads.
/// https://platform.openai.com/docs/api-reference/responses/create
package struct ResponsesRequest: Decodable, Sendable {
    package struct Reasoning: Decodable, Sendable {
        package var effort: String?
    }

    package var input: ResponsesInput
    package var model: String?
    package var instructions: String?
    package var stream: Bool?
    package var maxOutputTokens: Int?
    package var previousResponseID: String?
    /// False: the response is not kept for a later `previous_response_id` (OpenAI's default is true).
    package var store: Bool?
    package var tools: [JSONValue]?
    package var toolChoice: JSONValue?
    package var parallelToolCalls: Bool?
    package var text: JSONValue?
    package var metadata: JSONValue?
    package var reasoning: Reasoning?
    /// Extra output asked for; `reasoning.encrypted_content` carries the thinking's signature out
    /// in each reasoning item, for the client to send back.
    package var include: [String]?
    /// State the proxy does not keep: refused by name rather than ignored.
    package var conversation: JSONValue?
    package var prompt: JSONValue?

    package enum CodingKeys: String, CodingKey {
        case input, model, instructions, stream, tools, text, metadata, reasoning, conversation, prompt, include, store
        case maxOutputTokens = "max_output_tokens"
        case previousResponseID = "previous_response_id"
        case toolChoice = "tool_choice"
        case parallelToolCalls = "parallel_tool_calls"
    }
}

/// `input`: a string, or a list of input items.
package enum ResponsesInput: Decodable, Sendable {
    case text(String)
    case items([ResponsesInputItem])

    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .text(text)
        } else {
            self = .items(try container.decode([ResponsesInputItem].self))
        }
    }
}

/// An input item. Messages (`{"role","content"}`, with or without `"type":"message"`) are
/// understood, and so are `function_call` and `function_call_output` (a tool round trip) and `reasoning`
/// (sent back by agents: with `encrypted_content`, the thinking they carry goes back to the model);
/// other item types are named in a 400.
package struct ResponsesInputItem: Decodable, Sendable {
    package var type: String?
    package var role: String?
    package var content: MessageContent?
    /// `function_call` and `function_call_output` items.
    package var callID: String?
    package var name: String?
    package var arguments: String?
    /// A string, or content parts (`input_text`).
    package var output: JSONValue?
    /// `reasoning` items: the summary shown, and the signature given out as `encrypted_content`.
    package var summary: [JSONValue]?
    package var encryptedContent: String?
    /// `custom_tool_call` items: the free-form input the model gave.
    package var input: String?
    /// A call of a tool in a `namespace` tool.
    package var namespace: String?

    /// The call's tool as the bridge names it (`<namespace>__<name>` inside a namespace).
    package var toolName: String? {
        guard let name else { return nil }
        guard let namespace, !namespace.isEmpty else { return name }
        return ToolSpec.Namespaced(namespace: namespace, name: name).flatName
    }

    package enum CodingKeys: String, CodingKey {
        case type, role, content, name, arguments, output, summary, input, namespace
        case callID = "call_id"
        case encryptedContent = "encrypted_content"
    }
}
