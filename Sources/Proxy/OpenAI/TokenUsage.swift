/// Token counts of one turn, as the CLI's `result` event reports them.
struct TokenUsage: Equatable, Sendable {
    var inputTokens = 0
    var cacheCreationInputTokens = 0
    var cacheReadInputTokens = 0
    var outputTokens = 0
    var reasoningTokens = 0

    /// Everything the model read: fresh input plus cache reads plus cache writes.
    var promptTokens: Int { inputTokens + cacheReadInputTokens + cacheCreationInputTokens }
    var totalTokens: Int { promptTokens + outputTokens }

    var chat: ChatUsage {
        ChatUsage(promptTokens: promptTokens, completionTokens: outputTokens, totalTokens: totalTokens,
                  promptTokensDetails: .init(cachedTokens: cacheReadInputTokens),
                  completionTokensDetails: .init(reasoningTokens: reasoningTokens))
    }

    var responses: ResponsesUsage {
        ResponsesUsage(inputTokens: promptTokens, inputTokensDetails: .init(cachedTokens: cacheReadInputTokens),
                       outputTokens: outputTokens, outputTokensDetails: .init(reasoningTokens: reasoningTokens),
                       totalTokens: totalTokens)
    }
}

/// https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage
struct ChatUsage: Encodable, Equatable, Sendable {
    struct PromptDetails: Encodable, Equatable, Sendable {
        var cachedTokens: Int
        enum CodingKeys: String, CodingKey { case cachedTokens = "cached_tokens" }
    }
    struct CompletionDetails: Encodable, Equatable, Sendable {
        var reasoningTokens: Int
        enum CodingKeys: String, CodingKey { case reasoningTokens = "reasoning_tokens" }
    }
    var promptTokens: Int
    var completionTokens: Int
    var totalTokens: Int
    var promptTokensDetails: PromptDetails
    var completionTokensDetails: CompletionDetails

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case totalTokens = "total_tokens"
        case promptTokensDetails = "prompt_tokens_details"
        case completionTokensDetails = "completion_tokens_details"
    }
}

/// https://platform.openai.com/docs/api-reference/responses/object#responses/object-usage
struct ResponsesUsage: Encodable, Equatable, Sendable {
    struct InputDetails: Encodable, Equatable, Sendable {
        var cachedTokens: Int
        enum CodingKeys: String, CodingKey { case cachedTokens = "cached_tokens" }
    }
    struct OutputDetails: Encodable, Equatable, Sendable {
        var reasoningTokens: Int
        enum CodingKeys: String, CodingKey { case reasoningTokens = "reasoning_tokens" }
    }
    var inputTokens: Int
    var inputTokensDetails: InputDetails
    var outputTokens: Int
    var outputTokensDetails: OutputDetails
    var totalTokens: Int

    enum CodingKeys: String, CodingKey {
        case inputTokens = "input_tokens"
        case inputTokensDetails = "input_tokens_details"
        case outputTokens = "output_tokens"
        case outputTokensDetails = "output_tokens_details"
        case totalTokens = "total_tokens"
    }
}
