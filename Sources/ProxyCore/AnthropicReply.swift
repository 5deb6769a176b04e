/// The Messages API's answer, whole (`message`) or as its stream events, typed so that neither
/// the Messages front nor the test mode's upstream builds one by hand.
package struct AnthropicReply: Codable, Equatable, Sendable {
    package var id: String
    package var model: String
    package var content: [AnthropicContentBlock]
    /// nil while streaming (`message_start`), as the API sends it.
    package var stopReason: StopReason?
    package var stopSequence: String?
    package var usage: AnthropicUsage

    package init(id: String, model: String, content: [AnthropicContentBlock], stopReason: StopReason?,
                 stopSequence: String?, usage: AnthropicUsage) {
        self.id = id
        self.model = model
        self.content = content
        self.stopReason = stopReason
        self.stopSequence = stopSequence
        self.usage = usage
    }

    private enum Key: String, CodingKey {
        case id, type, role, model, content, usage
        case stopReason = "stop_reason"
        case stopSequence = "stop_sequence"
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(id, forKey: .id)
        try container.encode("message", forKey: .type)
        try container.encode("assistant", forKey: .role)
        try container.encode(model, forKey: .model)
        try container.encode(content, forKey: .content)
        // Both are `null` rather than absent: clients read them unconditionally.
        try container.encode(stopReason?.description, forKey: .stopReason)
        try container.encode(stopSequence, forKey: .stopSequence)
        try container.encode(usage, forKey: .usage)
    }

    /// Read leniently (the CLI forwards the upstream's `message_start` as it came): what is
    /// missing is empty.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        id = try container.decodeIfPresent(String.self, forKey: .id) ?? ""
        model = try container.decodeIfPresent(String.self, forKey: .model) ?? ""
        content = try container.decodeIfPresent([AnthropicContentBlock].self, forKey: .content) ?? []
        stopReason = try container.decodeIfPresent(String.self, forKey: .stopReason).map { StopReason($0) }
        stopSequence = try container.decodeIfPresent(String.self, forKey: .stopSequence)
        usage = try container.decodeIfPresent(AnthropicUsage.self, forKey: .usage) ?? AnthropicUsage(inputTokens: nil, outputTokens: 0)
    }
}

/// Token counts as the Messages API reports them; the cache figures only where it gives them,
/// and a stream's `message_delta` may carry the output count alone.
package struct AnthropicUsage: Codable, Equatable, Sendable {
    package var inputTokens: Int?
    package var cacheCreationInputTokens: Int?
    package var cacheReadInputTokens: Int?
    package var outputTokens: Int

    package init(inputTokens: Int?, cacheCreationInputTokens: Int? = nil, cacheReadInputTokens: Int? = nil,
                 outputTokens: Int) {
        self.inputTokens = inputTokens
        self.cacheCreationInputTokens = cacheCreationInputTokens
        self.cacheReadInputTokens = cacheReadInputTokens
        self.outputTokens = outputTokens
    }

    package init(_ usage: TokenUsage) {
        self.init(inputTokens: usage.inputTokens, cacheCreationInputTokens: usage.cacheCreationInputTokens,
                  cacheReadInputTokens: usage.cacheReadInputTokens, outputTokens: usage.outputTokens)
    }

    private enum Key: String, CodingKey {
        case inputTokens = "input_tokens"
        case cacheCreationInputTokens = "cache_creation_input_tokens"
        case cacheReadInputTokens = "cache_read_input_tokens"
        case outputTokens = "output_tokens"
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encodeIfPresent(inputTokens, forKey: .inputTokens)
        try container.encodeIfPresent(cacheCreationInputTokens, forKey: .cacheCreationInputTokens)
        try container.encodeIfPresent(cacheReadInputTokens, forKey: .cacheReadInputTokens)
        try container.encode(outputTokens, forKey: .outputTokens)
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        inputTokens = try container.decodeIfPresent(Int.self, forKey: .inputTokens)
        cacheCreationInputTokens = try container.decodeIfPresent(Int.self, forKey: .cacheCreationInputTokens)
        cacheReadInputTokens = try container.decodeIfPresent(Int.self, forKey: .cacheReadInputTokens)
        outputTokens = try container.decodeIfPresent(Int.self, forKey: .outputTokens) ?? 0
    }
}

/// One event of a streamed Messages reply; `name` is both the SSE event name and its `type`.
/// The Messages front and the test mode's upstream write them; the CLI's `stream_event` lines
/// are read into them (`StreamJSONEvent`), kinds a newer API adds as `unknown`.
package enum AnthropicStreamFrame: Codable, Equatable, Sendable {
    package enum Delta: Equatable, Sendable {
        case text(String)
        case thinking(String)
        case signature(String)
        case inputJSON(String)
        case unknown(type: String)
    }

    case messageStart(AnthropicReply)
    /// A block opens empty: text `""`, thinking `""` with signature `""`, tool_use with input `{}`.
    case contentBlockStart(index: Int, AnthropicContentBlock)
    case contentBlockDelta(index: Int, Delta)
    case contentBlockStop(index: Int)
    case messageDelta(stopReason: StopReason?, stopSequence: String?, usage: AnthropicUsage)
    case messageStop
    /// `ping`, `error` and kinds a newer API adds (read only).
    case unknown(type: String)

    package var name: String {
        switch self {
        case .messageStart: "message_start"
        case .contentBlockStart: "content_block_start"
        case .contentBlockDelta: "content_block_delta"
        case .contentBlockStop: "content_block_stop"
        case .messageDelta: "message_delta"
        case .messageStop: "message_stop"
        case .unknown(let type): type
        }
    }

    private enum Key: String, CodingKey {
        case type, message, index, delta, usage, text, thinking, signature
        case contentBlock = "content_block"
        case partialJSON = "partial_json"
        case stopReason = "stop_reason"
        case stopSequence = "stop_sequence"
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(name, forKey: .type)
        switch self {
        case .messageStart(let reply):
            try container.encode(reply, forKey: .message)
        case .contentBlockStart(let index, let block):
            try container.encode(index, forKey: .index)
            try container.encode(block, forKey: .contentBlock)
        case .contentBlockDelta(let index, let delta):
            try container.encode(index, forKey: .index)
            var nested = container.nestedContainer(keyedBy: Key.self, forKey: .delta)
            switch delta {
            case .text(let text):
                try nested.encode("text_delta", forKey: .type)
                try nested.encode(text, forKey: .text)
            case .thinking(let text):
                try nested.encode("thinking_delta", forKey: .type)
                try nested.encode(text, forKey: .thinking)
            case .signature(let signature):
                try nested.encode("signature_delta", forKey: .type)
                try nested.encode(signature, forKey: .signature)
            case .inputJSON(let fragment):
                try nested.encode("input_json_delta", forKey: .type)
                try nested.encode(fragment, forKey: .partialJSON)
            case .unknown(let type):
                try nested.encode(type, forKey: .type)
            }
        case .contentBlockStop(let index):
            try container.encode(index, forKey: .index)
        case .messageDelta(let stopReason, let stopSequence, let usage):
            var nested = container.nestedContainer(keyedBy: Key.self, forKey: .delta)
            try nested.encode(stopReason?.description, forKey: .stopReason)
            try nested.encode(stopSequence, forKey: .stopSequence)
            try container.encode(usage, forKey: .usage)
        case .messageStop, .unknown:
            break
        }
    }

    /// Read leniently, as the CLI forwards them: a missing index is 0, a missing text empty.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        let type = try container.decode(String.self, forKey: .type)
        let index = { () throws -> Int in try container.decodeIfPresent(Int.self, forKey: .index) ?? 0 }
        switch type {
        case "message_start":
            self = .messageStart(try container.decode(AnthropicReply.self, forKey: .message))
        case "content_block_start":
            self = .contentBlockStart(index: try index(), try container.decode(AnthropicContentBlock.self, forKey: .contentBlock))
        case "content_block_delta":
            let delta = try container.nestedContainer(keyedBy: Key.self, forKey: .delta)
            let text = { (key: Key) throws -> String in try delta.decodeIfPresent(String.self, forKey: key) ?? "" }
            switch try delta.decode(String.self, forKey: .type) {
            case "text_delta": self = .contentBlockDelta(index: try index(), .text(try text(.text)))
            case "thinking_delta": self = .contentBlockDelta(index: try index(), .thinking(try text(.thinking)))
            case "signature_delta": self = .contentBlockDelta(index: try index(), .signature(try text(.signature)))
            case "input_json_delta": self = .contentBlockDelta(index: try index(), .inputJSON(try text(.partialJSON)))
            case let other: self = .contentBlockDelta(index: try index(), .unknown(type: other))
            }
        case "content_block_stop":
            self = .contentBlockStop(index: try index())
        case "message_delta":
            let delta = try? container.nestedContainer(keyedBy: Key.self, forKey: .delta)
            self = .messageDelta(
                stopReason: try delta?.decodeIfPresent(String.self, forKey: .stopReason).map { StopReason($0) },
                stopSequence: try delta?.decodeIfPresent(String.self, forKey: .stopSequence),
                usage: try container.decodeIfPresent(AnthropicUsage.self, forKey: .usage) ?? AnthropicUsage(inputTokens: nil, outputTokens: 0))
        case "message_stop":
            self = .messageStop
        default:
            self = .unknown(type: type)
        }
    }

    /// A `message_start` with no content yet.
    package static func started(id: String, model: String, usage: AnthropicUsage) -> AnthropicStreamFrame {
        .messageStart(AnthropicReply(id: id, model: model, content: [], stopReason: nil, stopSequence: nil, usage: usage))
    }

    /// The frame on the wire: `event: <name>` and the JSON.
    package var sse: SSEFrame { SSEFrame(event: name, data: WireJSON.encode(self)) }
}
