import ProxyCore

/// The Responses API `response` object. https://platform.openai.com/docs/api-reference/responses/object
package struct ResponseObject: Encodable, Sendable {
    package struct Failure: Encodable, Equatable, Sendable {
        package var code: String
        package var message: String
    }
    package struct IncompleteDetails: Encodable, Equatable, Sendable {
        package var reason: String
    }

    package var id: String
    package var object = "response"
    package var createdAt: Int
    package var status: ResponseStatus
    package var error: Failure?
    package var incompleteDetails: IncompleteDetails?
    package var instructions: String?
    package var maxOutputTokens: Int?
    package var model: String
    package var output: [OutputItem]
    package var usage: ResponsesUsage?
    /// Kept for a later `previous_response_id`, and the response this one continued.
    package var store = false
    package var previousResponseID: String?

    package enum CodingKeys: String, CodingKey {
        case id, object, status, error, instructions, model, output, usage, metadata, reasoning, store, temperature
        case text, tools, truncation, user
        case createdAt = "created_at"
        case incompleteDetails = "incomplete_details"
        case maxOutputTokens = "max_output_tokens"
        case parallelToolCalls = "parallel_tool_calls"
        case previousResponseID = "previous_response_id"
        case toolChoice = "tool_choice"
        case topP = "top_p"
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(object, forKey: .object)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(status, forKey: .status)
        try c.encode(error, forKey: .error)
        try c.encode(incompleteDetails, forKey: .incompleteDetails)
        try c.encode(instructions, forKey: .instructions)
        try c.encode(maxOutputTokens, forKey: .maxOutputTokens)
        try c.encode(model, forKey: .model)
        try c.encode(output, forKey: .output)
        try c.encode(true, forKey: .parallelToolCalls)
        try c.encode(previousResponseID, forKey: .previousResponseID)
        try c.encode(JSONValue.object(["effort": .null, "summary": .null]), forKey: .reasoning)
        try c.encode(store, forKey: .store)
        try c.encode(1.0, forKey: .temperature)
        try c.encode(JSONValue.object(["format": .object(["type": .string("text")])]), forKey: .text)
        try c.encode("auto", forKey: .toolChoice)
        try c.encode([JSONValue](), forKey: .tools)
        try c.encode(1.0, forKey: .topP)
        try c.encode("disabled", forKey: .truncation)
        try c.encode(usage, forKey: .usage)
        try c.encodeNil(forKey: .user)
        try c.encode([String: String](), forKey: .metadata)
    }
}

/// An output item: the answer (`message`) or the model's thinking (`reasoning`).
package enum OutputItem: Encodable, Equatable, Sendable {
    case message(OutputMessage)
    case reasoning(ReasoningItem)
    case functionCall(FunctionCallItem)
    case customToolCall(CustomToolCallItem)

    package func encode(to encoder: any Encoder) throws {
        switch self {
        case .message(let message): try message.encode(to: encoder)
        case .reasoning(let reasoning): try reasoning.encode(to: encoder)
        case .functionCall(let call): try call.encode(to: encoder)
        case .customToolCall(let call): try call.encode(to: encoder)
        }
    }
}

/// An output item of type `custom_tool_call`: the model calls one of the client's free-form
/// (`custom`) tools with one string of input.
package struct CustomToolCallItem: Encodable, Equatable, Sendable {
    package var id: String
    package var type = "custom_tool_call"
    package var status: ResponseStatus
    /// What the client's `custom_tool_call_output` names in the next request.
    package var callID: String
    package var name: String
    /// The namespace tool it belongs to, if any.
    package var namespace: String?
    package var input: String

    package enum CodingKeys: String, CodingKey {
        case id, type, status, name, input, namespace
        case callID = "call_id"
    }
}

/// An output item of type `function_call`: the model calls one of the client's functions.
package struct FunctionCallItem: Encodable, Equatable, Sendable {
    package var id: String
    package var type = "function_call"
    package var status: ResponseStatus
    /// What the client's `function_call_output` names in the next request.
    package var callID: String
    package var name: String
    /// The namespace tool it belongs to, if any.
    package var namespace: String?
    package var arguments: String

    package enum CodingKeys: String, CodingKey {
        case id, type, status, name, arguments, namespace
        case callID = "call_id"
    }
}

/// An output item of type `message`.
package struct OutputMessage: Encodable, Equatable, Sendable {
    package var id: String
    package var type = "message"
    package var status: ResponseStatus
    package var role = "assistant"
    package var content: [OutputPart]
}

/// An output item of type `reasoning`, whose summary carries the thinking text.
package struct ReasoningItem: Encodable, Equatable, Sendable {
    package var id: String
    package var type = "reasoning"
    package var status: ResponseStatus
    package var summary: [OutputPart]
    /// The thinking's signature, when the request included `reasoning.encrypted_content`.
    package var encryptedContent: String?

    package enum CodingKeys: String, CodingKey {
        case id, type, status, summary
        case encryptedContent = "encrypted_content"
    }
}

/// A content part (`output_text`, `refusal`) or a reasoning summary part (`summary_text`).
package struct OutputPart: Encodable, Equatable, Sendable {
    package var type: String
    package var text: String?
    package var refusal: String?
    package var annotations: [JSONValue]?
    package var logprobs: [JSONValue]?

    package static func outputText(_ text: String) -> OutputPart {
        OutputPart(type: "output_text", text: text, annotations: [], logprobs: [])
    }
    package static func summaryText(_ text: String) -> OutputPart {
        OutputPart(type: "summary_text", text: text)
    }
    package static func refusal(_ text: String) -> OutputPart {
        OutputPart(type: "refusal", refusal: text)
    }
}

/// One streamed Responses event: `type` and `sequence_number` plus the fields its type uses.
/// https://platform.openai.com/docs/api-reference/responses-streaming
package struct ResponseStreamEvent: Encodable, Sendable {
    package var type: String
    package var sequenceNumber: Int
    package var response: ResponseObject?
    package var outputIndex: Int?
    package var contentIndex: Int?
    package var itemID: String?
    package var summaryIndex: Int?
    package var item: OutputItem?
    package var part: OutputPart?
    package var delta: String?
    package var text: String?
    package var logprobs: [JSONValue]?
    package var arguments: String?
    /// A custom tool call's whole input (`response.custom_tool_call_input.done`).
    package var input: String?

    package enum CodingKeys: String, CodingKey {
        case type, response, item, part, delta, text, logprobs, arguments, input
        case sequenceNumber = "sequence_number"
        case outputIndex = "output_index"
        case contentIndex = "content_index"
        case itemID = "item_id"
        case summaryIndex = "summary_index"
    }
}

/// The status of a response or of one of its output items, as the Responses API spells it.
package enum ResponseStatus: String, Encodable, Equatable, Sendable {
    case inProgress = "in_progress"
    case completed
    case incomplete
    case failed
}
