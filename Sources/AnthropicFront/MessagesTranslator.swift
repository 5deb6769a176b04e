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
            return start() + open(.thinking, .thinking("", signature: "")) + [delta(.thinking(piece))]
        case .reasoningSignature(let signature):
            return start() + open(.thinking, .thinking("", signature: "")) + [delta(.signature(signature))]
        case .text(let piece):
            return start() + open(.text, .text("")) + [delta(.text(piece))]
        case .toolCall(let index, let callID, let name):
            return start() + open(.tool(index), .toolUse(id: callID, name: name, input: .object([:])))
        case .toolArguments(let index, let fragment):
            guard openBlock == .tool(index) else { return [] }
            return [delta(.inputJSON(fragment))]
        case .completed(let completion):
            return start() + close() + [
                AnthropicStreamFrame.messageDelta(
                    stopReason: Self.stopReason(completion.finishReason, completion.stopSequence),
                    stopSequence: completion.stopSequence, usage: AnthropicUsage(completion.usage)).sse,
                AnthropicStreamFrame.messageStop.sse,
            ]
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
        return WireJSON.encode(AnthropicReply(
            id: id, model: transcript.model ?? model, content: Self.content(for: transcript),
            stopReason: Self.stopReason(completion.finishReason, completion.stopSequence),
            stopSequence: completion.stopSequence, usage: AnthropicUsage(completion.usage)))
    }

    /// A whole reply's content blocks: thinking, text, then the calls.
    package static func content(for transcript: TurnTranscript) -> [AnthropicContentBlock] {
        var content: [AnthropicContentBlock] = []
        if !transcript.reasoning.isEmpty || !transcript.reasoningSignature.isEmpty {
            content.append(.thinking(transcript.reasoning, signature: transcript.reasoningSignature))
        }
        if !transcript.text.isEmpty || (transcript.reasoning.isEmpty && transcript.toolCalls.isEmpty) {
            content.append(.text(transcript.text))
        }
        // Calls cut by the output limit are not calls: a max_tokens reply carries none.
        if transcript.completion?.finishReason == .toolCalls {
            // Arguments that are not a JSON object go out as an empty input.
            content += transcript.toolCalls.map { .toolUse(id: $0.id, name: $0.name, input: $0.input ?? .object([:])) }
        }
        return content
    }

    // MARK: Pieces

    package static func stopReason(_ reason: FinishReason, _ stopSequence: String?) -> StopReason {
        switch reason {
        case .stop: stopSequence == nil ? .endTurn : .stopSequence
        case .length: .maxTokens
        case .contentFilter: .refusal
        case .toolCalls: .toolUse
        }
    }

    /// A call's arguments as the object the model wrote (an empty object if it was not JSON).
    private mutating func start() -> [SSEFrame] {
        guard !started else { return [] }
        started = true
        return [AnthropicStreamFrame.started(id: id, model: model, usage: AnthropicUsage(inputTokens: 0, outputTokens: 0)).sse]
    }

    private mutating func open(_ block: Block, _ empty: AnthropicContentBlock) -> [SSEFrame] {
        guard openBlock != block else { return [] }
        var frames = close()
        blockIndex += 1
        openBlock = block
        frames.append(AnthropicStreamFrame.contentBlockStart(index: blockIndex, empty).sse)
        return frames
    }

    private mutating func close() -> [SSEFrame] {
        guard openBlock != nil else { return [] }
        openBlock = nil
        return [AnthropicStreamFrame.contentBlockStop(index: blockIndex).sse]
    }

    private func delta(_ delta: AnthropicStreamFrame.Delta) -> SSEFrame {
        AnthropicStreamFrame.contentBlockDelta(index: blockIndex, delta).sse
    }
}
