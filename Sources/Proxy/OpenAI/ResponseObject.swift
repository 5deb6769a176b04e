/// The Responses API `response` object. https://platform.openai.com/docs/api-reference/responses/object
struct ResponseObject: Encodable, Sendable {
    struct Failure: Encodable, Equatable, Sendable {
        var code: String
        var message: String
    }
    struct IncompleteDetails: Encodable, Equatable, Sendable {
        var reason: String
    }

    var id: String
    var object = "response"
    var createdAt: Int
    var status: String
    var error: Failure?
    var incompleteDetails: IncompleteDetails?
    var instructions: String?
    var maxOutputTokens: Int?
    var model: String
    var output: [OutputItem]
    var usage: ResponsesUsage?

    enum CodingKeys: String, CodingKey {
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

    func encode(to encoder: any Encoder) throws {
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
        try c.encodeNil(forKey: .previousResponseID)
        try c.encode(JSONValue.object(["effort": .null, "summary": .null]), forKey: .reasoning)
        try c.encode(false, forKey: .store)
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
enum OutputItem: Encodable, Equatable, Sendable {
    case message(OutputMessage)
    case reasoning(ReasoningItem)

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .message(let message): try message.encode(to: encoder)
        case .reasoning(let reasoning): try reasoning.encode(to: encoder)
        }
    }
}

/// An output item of type `message`.
struct OutputMessage: Encodable, Equatable, Sendable {
    var id: String
    var type = "message"
    var status: String
    var role = "assistant"
    var content: [OutputPart]
}

/// An output item of type `reasoning`, whose summary carries the thinking text.
struct ReasoningItem: Encodable, Equatable, Sendable {
    var id: String
    var type = "reasoning"
    var status: String
    var summary: [OutputPart]
}

/// A content part (`output_text`, `refusal`) or a reasoning summary part (`summary_text`).
struct OutputPart: Encodable, Equatable, Sendable {
    var type: String
    var text: String?
    var refusal: String?
    var annotations: [JSONValue]?
    var logprobs: [JSONValue]?

    static func outputText(_ text: String) -> OutputPart {
        OutputPart(type: "output_text", text: text, annotations: [], logprobs: [])
    }
    static func summaryText(_ text: String) -> OutputPart {
        OutputPart(type: "summary_text", text: text)
    }
    static func refusal(_ text: String) -> OutputPart {
        OutputPart(type: "refusal", refusal: text)
    }
}

/// One streamed Responses event: `type` and `sequence_number` plus the fields its type uses.
/// https://platform.openai.com/docs/api-reference/responses-streaming
struct ResponseStreamEvent: Encodable, Sendable {
    var type: String
    var sequenceNumber: Int
    var response: ResponseObject?
    var outputIndex: Int?
    var contentIndex: Int?
    var itemID: String?
    var summaryIndex: Int?
    var item: OutputItem?
    var part: OutputPart?
    var delta: String?
    var text: String?
    var logprobs: [JSONValue]?

    enum CodingKeys: String, CodingKey {
        case type, response, item, part, delta, text, logprobs
        case sequenceNumber = "sequence_number"
        case outputIndex = "output_index"
        case contentIndex = "content_index"
        case itemID = "item_id"
        case summaryIndex = "summary_index"
    }
}
