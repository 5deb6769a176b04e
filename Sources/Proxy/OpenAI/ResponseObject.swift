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
    var output: [OutputMessage]
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

/// An output item of type `message`.
struct OutputMessage: Encodable, Equatable, Sendable {
    var id: String
    var type = "message"
    var status: String
    var role = "assistant"
    var content: [OutputText]
}

/// A content part of type `output_text`.
struct OutputText: Encodable, Equatable, Sendable {
    var type = "output_text"
    var text: String
    var annotations: [JSONValue] = []
    var logprobs: [JSONValue] = []
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
    var item: OutputMessage?
    var part: OutputText?
    var delta: String?
    var text: String?
    var logprobs: [JSONValue]?

    enum CodingKeys: String, CodingKey {
        case type, response, item, part, delta, text, logprobs
        case sequenceNumber = "sequence_number"
        case outputIndex = "output_index"
        case contentIndex = "content_index"
        case itemID = "item_id"
    }
}
