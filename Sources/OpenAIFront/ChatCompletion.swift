import ProxyCore

/// `chat.completion` (non-streaming). https://platform.openai.com/docs/api-reference/chat/object
package struct ChatCompletion: Encodable, Sendable {
    package struct Message: Encodable, Sendable {
        package var role = "assistant"
        package var content: String
        package var refusal: String?
        /// The model's thinking (the OpenRouter/DeepSeek field reasoning clients read); omitted when empty.
        package var reasoningContent: String?
        package enum CodingKeys: String, CodingKey {
            case role, content, refusal
            case reasoningContent = "reasoning_content"
        }
        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(role, forKey: .role)
            try container.encode(content, forKey: .content)
            try container.encode(refusal, forKey: .refusal)
            try container.encodeIfPresent(reasoningContent, forKey: .reasoningContent)
        }
    }
    package struct Choice: Encodable, Sendable {
        package var index = 0
        package var message: Message
        package var finishReason: String
        package enum CodingKeys: String, CodingKey {
            case index, message, logprobs
            case finishReason = "finish_reason"
        }
        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(index, forKey: .index)
            try container.encode(message, forKey: .message)
            try container.encodeNil(forKey: .logprobs)
            try container.encode(finishReason, forKey: .finishReason)
        }
    }

    package var id: String
    package var object = "chat.completion"
    package var created: Int
    package var model: String
    package var choices: [Choice]
    package var usage: ChatUsage
    package enum CodingKeys: String, CodingKey {
        case id, object, created, model, choices, usage
        case systemFingerprint = "system_fingerprint"
    }
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(object, forKey: .object)
        try container.encode(created, forKey: .created)
        try container.encode(model, forKey: .model)
        try container.encode(choices, forKey: .choices)
        try container.encode(usage, forKey: .usage)
        try container.encodeNil(forKey: .systemFingerprint)
    }
}

/// `chat.completion.chunk`. https://platform.openai.com/docs/api-reference/chat-streaming
package struct ChatCompletionChunk: Encodable, Sendable {
    package struct Delta: Encodable, Equatable, Sendable {
        package var role: String?
        package var content: String?
        package var reasoningContent: String?
        package var refusal: String?
        package enum CodingKeys: String, CodingKey {
            case role, content, refusal
            case reasoningContent = "reasoning_content"
        }
    }
    package struct Choice: Encodable, Sendable {
        package var index = 0
        package var delta: Delta
        package var finishReason: String?
        package enum CodingKeys: String, CodingKey {
            case index, delta, logprobs
            case finishReason = "finish_reason"
        }
        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(index, forKey: .index)
            try container.encode(delta, forKey: .delta)
            try container.encodeNil(forKey: .logprobs)
            try container.encode(finishReason, forKey: .finishReason)  // null until the last chunk
        }
    }

    package var id: String
    package var object = "chat.completion.chunk"
    package var created: Int
    package var model: String
    package var choices: [Choice]
    /// Present (as null, or the totals on the last chunk) only with `stream_options.include_usage`.
    package var usage: ChatUsage??

    package enum CodingKeys: String, CodingKey {
        case id, object, created, model, choices, usage
        case systemFingerprint = "system_fingerprint"
    }
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(object, forKey: .object)
        try container.encode(created, forKey: .created)
        try container.encode(model, forKey: .model)
        try container.encodeNil(forKey: .systemFingerprint)
        try container.encode(choices, forKey: .choices)
        switch usage {
        case .none: break
        case .some(.none): try container.encodeNil(forKey: .usage)
        case .some(.some(let usage)): try container.encode(usage, forKey: .usage)
        }
    }
}
