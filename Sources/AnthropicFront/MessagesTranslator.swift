import ProxyCore

/// Turn events → Messages API events (streaming) or one `message` object, in Anthropic's own
/// words: the CLI's events are the Messages API's, so nothing is renamed but the stop reason.
///
/// A stream: `message_start` → per content block `content_block_start` →
/// `content_block_delta` (`text_delta`, `thinking_delta`, `input_json_delta`)… →
/// `content_block_stop` → `message_delta` (stop reason, usage) → `message_stop`. Blocks follow the
/// order the model wrote them in: thinking, text, tool calls. `ping` keeps a quiet stream alive;
/// a failure after the start is an `error` event.
package struct MessagesTranslator: ReplyTranslator {
    private enum Block: Equatable { case thinking, text, tool(Int) }

    package let id: String
    private var model: String
    private var started = false
    private var openBlock: Block?
    private var blockIndex = -1

    package init(id: String, model: String) {
        self.id = id
        self.model = model
    }

    package mutating func frames(for event: TurnEvent) -> [SSEFrame] {
        switch event {
        case .began(let model):
            self.model = model
            return start()
        case .reasoning(let piece):
            return start() + open(.thinking, ["type": .string("thinking"), "thinking": .string(""), "signature": .string("")])
                + [delta(["type": .string("thinking_delta"), "thinking": .string(piece)])]
        case .reasoningSignature(let signature):
            return start() + open(.thinking, ["type": .string("thinking"), "thinking": .string(""), "signature": .string("")])
                + [delta(["type": .string("signature_delta"), "signature": .string(signature)])]
        case .text(let piece):
            return start() + open(.text, ["type": .string("text"), "text": .string("")])
                + [delta(["type": .string("text_delta"), "text": .string(piece)])]
        case .toolCall(let index, let callID, let name):
            return start() + open(.tool(index), ["type": .string("tool_use"), "id": .string(callID),
                                                 "name": .string(name), "input": .object([:])])
        case .toolArguments(let index, let fragment):
            guard openBlock == .tool(index) else { return [] }
            return [delta(["type": .string("input_json_delta"), "partial_json": .string(fragment)])]
        case .completed(let completion):
            var frames = start() + close()
            frames.append(frame("message_delta", [
                "delta": .object(["stop_reason": .string(Self.stopReason(completion.finishReason, completion.stopSequence)),
                                  "stop_sequence": completion.stopSequence.map(JSONValue.string) ?? .null]),
                "usage": Self.usage(completion.usage),
            ]))
            frames.append(frame("message_stop", [:]))
            return frames
        case .failed(let failure):
            return frames(for: failure)
        }
    }

    package mutating func frames(for failure: TurnFailure) -> [SSEFrame] {
        let error = AnthropicError(failure: failure)
        return [SSEFrame(event: "error", data: error.body)]
    }

    package func errorReply(for failure: TurnFailure) -> ErrorReply {
        AnthropicError(failure: failure).reply
    }

    package func keepAliveFrames() -> [UInt8] {
        SSEFrame(event: "ping", data: Array(#"{"type":"ping"}"#.utf8)).bytes
    }

    package func body(for transcript: TurnTranscript) -> [UInt8] {
        let completion = transcript.completion
            ?? TurnCompletion(finishReason: .stop, usage: TokenUsage(), costUSD: nil, stopsChild: false)
        var content: [JSONValue] = []
        if !transcript.reasoning.isEmpty || !transcript.reasoningSignature.isEmpty {
            content.append(.object(["type": .string("thinking"), "thinking": .string(transcript.reasoning),
                                    "signature": .string(transcript.reasoningSignature)]))
        }
        if !transcript.text.isEmpty || (transcript.reasoning.isEmpty && transcript.toolCalls.isEmpty) {
            content.append(.object(["type": .string("text"), "text": .string(transcript.text)]))
        }
        // Calls cut by the output limit are not calls: a max_tokens reply carries none.
        if completion.finishReason == .toolCalls {
            for call in transcript.toolCalls {
                content.append(.object(["type": .string("tool_use"), "id": .string(call.id), "name": .string(call.name),
                                        "input": Self.input(call.arguments)]))
            }
        }
        return WireJSON.encode(JSONValue.object([
            "id": .string(id), "type": .string("message"), "role": .string("assistant"),
            "model": .string(transcript.model ?? model), "content": .array(content),
            "stop_reason": .string(Self.stopReason(completion.finishReason, completion.stopSequence)),
            "stop_sequence": completion.stopSequence.map(JSONValue.string) ?? .null,
            "usage": Self.usage(completion.usage),
        ]))
    }

    // MARK: Pieces

    package static func stopReason(_ reason: FinishReason, _ stopSequence: String?) -> String {
        switch reason {
        case .stop: stopSequence == nil ? "end_turn" : "stop_sequence"
        case .length: "max_tokens"
        case .contentFilter: "refusal"
        case .toolCalls: "tool_use"
        }
    }

    private static func usage(_ usage: TokenUsage) -> JSONValue {
        .object(["input_tokens": .number(Double(usage.inputTokens)),
                 "cache_creation_input_tokens": .number(Double(usage.cacheCreationInputTokens)),
                 "cache_read_input_tokens": .number(Double(usage.cacheReadInputTokens)),
                 "output_tokens": .number(Double(usage.outputTokens))])
    }

    /// A call's arguments as the object the model wrote (an empty object if it was not JSON).
    private static func input(_ arguments: String) -> JSONValue {
        guard let value = try? WireJSON.decode(JSONValue.self, from: Array(arguments.utf8)), case .object = value else {
            return .object([:])
        }
        return value
    }

    private mutating func start() -> [SSEFrame] {
        guard !started else { return [] }
        started = true
        return [frame("message_start", ["message": .object([
            "id": .string(id), "type": .string("message"), "role": .string("assistant"), "model": .string(model),
            "content": .array([]), "stop_reason": .null, "stop_sequence": .null,
            "usage": .object(["input_tokens": .number(0), "output_tokens": .number(0)]),
        ])])]
    }

    private mutating func open(_ block: Block, _ contentBlock: [String: JSONValue]) -> [SSEFrame] {
        guard openBlock != block else { return [] }
        var frames = close()
        blockIndex += 1
        openBlock = block
        frames.append(frame("content_block_start", ["index": .number(Double(blockIndex)), "content_block": .object(contentBlock)]))
        return frames
    }

    private mutating func close() -> [SSEFrame] {
        guard openBlock != nil else { return [] }
        openBlock = nil
        return [frame("content_block_stop", ["index": .number(Double(blockIndex))])]
    }

    private func delta(_ delta: [String: JSONValue]) -> SSEFrame {
        frame("content_block_delta", ["index": .number(Double(blockIndex)), "delta": .object(delta)])
    }

    private func frame(_ type: String, _ fields: [String: JSONValue]) -> SSEFrame {
        var object = fields
        object["type"] = .string(type)
        return SSEFrame(event: type, data: WireJSON.encode(JSONValue.object(object)))
    }
}
