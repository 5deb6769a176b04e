import ProxyCore

extension TokenUsage {
    package var chat: ChatUsage {
        ChatUsage(promptTokens: promptTokens, completionTokens: outputTokens, totalTokens: totalTokens,
                  promptTokensDetails: .init(cachedTokens: cacheReadInputTokens),
                  completionTokensDetails: .init(reasoningTokens: reasoningTokens))
    }

    package var responses: ResponsesUsage {
        ResponsesUsage(inputTokens: promptTokens, inputTokensDetails: .init(cachedTokens: cacheReadInputTokens),
                       outputTokens: outputTokens, outputTokensDetails: .init(reasoningTokens: reasoningTokens),
                       totalTokens: totalTokens)
    }
}

/// https://platform.openai.com/docs/api-reference/chat/object#chat/object-usage
package struct ChatUsage: Encodable, Equatable, Sendable {
    package struct PromptDetails: Encodable, Equatable, Sendable {
        package var cachedTokens: Int
        package enum CodingKeys: String, CodingKey { case cachedTokens = "cached_tokens" }
    }
    package struct CompletionDetails: Encodable, Equatable, Sendable {
        package var reasoningTokens: Int
        package enum CodingKeys: String, CodingKey { case reasoningTokens = "reasoning_tokens" }
    }
    package var promptTokens: Int
    package var completionTokens: Int
    package var totalTokens: Int
    package var promptTokensDetails: PromptDetails
    package var completionTokensDetails: CompletionDetails

    package enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case totalTokens = "total_tokens"
        case promptTokensDetails = "prompt_tokens_details"
        case completionTokensDetails = "completion_tokens_details"
    }
}

/// https://platform.openai.com/docs/api-reference/responses/object#responses/object-usage
package struct ResponsesUsage: Encodable, Equatable, Sendable {
    package struct InputDetails: Encodable, Equatable, Sendable {
        package var cachedTokens: Int
        package enum CodingKeys: String, CodingKey { case cachedTokens = "cached_tokens" }
    }
    package struct OutputDetails: Encodable, Equatable, Sendable {
        package var reasoningTokens: Int
        package enum CodingKeys: String, CodingKey { case reasoningTokens = "reasoning_tokens" }
    }
    package var inputTokens: Int
    package var inputTokensDetails: InputDetails
    package var outputTokens: Int
    package var outputTokensDetails: OutputDetails
    package var totalTokens: Int

    package enum CodingKeys: String, CodingKey {
        case inputTokens = "input_tokens"
        case inputTokensDetails = "input_tokens_details"
        case outputTokens = "output_tokens"
        case outputTokensDetails = "output_tokens_details"
        case totalTokens = "total_tokens"
    }
}
