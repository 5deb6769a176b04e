import ProxyCore

/// `chat.completion` (non-streaming). https://platform.openai.com/docs/api-reference/chat/object
package struct ChatCompletion: Encodable, Sendable {
    package struct Message: Encodable, Sendable {
        package var role = "assistant"
        /// Null when the reply is tool calls only, as OpenAI sends it.
        package var content: String?
        package var refusal: String?
        /// The model's thinking (the OpenRouter/DeepSeek field reasoning clients read); omitted when empty.
        package var reasoningContent: String?
        package var toolCalls: [ToolCallObject]?
        package enum CodingKeys: String, CodingKey {
            case role, content, refusal
            case reasoningContent = "reasoning_content"
            case toolCalls = "tool_calls"
        }
        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(role, forKey: .role)
            try container.encode(content, forKey: .content)
            try container.encode(refusal, forKey: .refusal)
            try container.encodeIfPresent(reasoningContent, forKey: .reasoningContent)
            try container.encodeIfPresent(toolCalls, forKey: .toolCalls)
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
        package var toolCalls: [ToolCallDelta]?
        package enum CodingKeys: String, CodingKey {
            case role, content, refusal
            case reasoningContent = "reasoning_content"
            case toolCalls = "tool_calls"
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

/// `message.tool_calls[i]`: a whole call.
package struct ToolCallObject: Encodable, Equatable, Sendable {
    package struct Function: Encodable, Equatable, Sendable {
        package var name: String
        /// The JSON arguments as the model produced them.
        package var arguments: String
    }
    package var id: String
    package var type = "function"
    package var function: Function

    package init(_ call: Conversation.ToolCall) {
        id = call.id
        function = Function(name: call.name, arguments: call.arguments)
    }
}

/// `delta.tool_calls[i]`: the first fragment of a call carries its id, type and name; every
/// fragment carries its `index`.
package struct ToolCallDelta: Encodable, Equatable, Sendable {
    package struct Function: Encodable, Equatable, Sendable {
        package var name: String?
        package var arguments: String?
    }
    package var index: Int
    package var id: String?
    package var type: String?
    package var function: Function

    package static func start(index: Int, id: String, name: String) -> ToolCallDelta {
        ToolCallDelta(index: index, id: id, type: "function", function: Function(name: name, arguments: ""))
    }

    package static func arguments(index: Int, _ fragment: String) -> ToolCallDelta {
        ToolCallDelta(index: index, id: nil, type: nil, function: Function(name: nil, arguments: fragment))
    }
}
