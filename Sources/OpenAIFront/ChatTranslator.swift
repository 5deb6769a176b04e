import ProxyCore

/// Turn events → Chat Completions (chunks while streaming, one object otherwise).
///
/// Spec rules applied here: one `id` and `created` for the whole stream; `role` in the first
/// chunk only; `finish_reason` null until a last chunk with an empty delta; with
/// `include_usage`, `usage: null` on every chunk and one more chunk with `choices: []` and the
/// totals; `data: [DONE]` at the end, after an error too.
package struct ChatTranslator: ReplyTranslator {
    // Configuration, fixed for the stream.
    package let id: String
    package let created: Int
    package let includeUsage: Bool
    // Stream state.
    private var model: String
    private var sentRole = false

    package init(id: String, created: Int, model: String, includeUsage: Bool) {
        self.id = id
        self.created = created
        self.model = model
        self.includeUsage = includeUsage
    }

    package mutating func frames(for event: TurnEvent) -> [SSEFrame] {
        switch event {
        case .began(let model):
            self.model = model
            return roleFrame()
        case .text(let text):
            return roleFrame() + [chunk(ChatCompletionChunk.Delta(content: text), finishReason: nil)]
        case .reasoning(let text):
            return roleFrame() + [chunk(ChatCompletionChunk.Delta(reasoningContent: text), finishReason: nil)]
        case .reasoningSignature:
            // Chat Completions has no place for it.
            return []
        case .toolCall(let index, let id, let name):
            return roleFrame() + [chunk(ChatCompletionChunk.Delta(toolCalls: [.start(index: index, id: id, name: name)]),
                                        finishReason: nil)]
        case .toolArguments(let index, let fragment):
            return roleFrame() + [chunk(ChatCompletionChunk.Delta(toolCalls: [.arguments(index: index, fragment)]),
                                        finishReason: nil)]
        case .completed(let completion):
            var frames = roleFrame()
            if completion.finishReason == .contentFilter {
                frames.append(chunk(ChatCompletionChunk.Delta(refusal: refusalMessage), finishReason: nil))
            }
            frames.append(chunk(ChatCompletionChunk.Delta(), finishReason: completion.finishReason.chatValue))
            if includeUsage {
                frames.append(.json(ChatCompletionChunk(id: id, created: created, model: model, choices: [],
                                                        usage: .some(completion.usage.chat))))
            }
            frames.append(.done)
            return frames
        case .failed(let failure):
            return frames(for: failure)
        }
    }

    package mutating func frames(for failure: TurnFailure) -> [SSEFrame] {
        [SSEFrame(event: nil, data: failure.openAIError.body), .done]
    }

    package func errorReply(for failure: TurnFailure) -> ErrorReply {
        failure.openAIError.reply
    }

    package func body(for transcript: TurnTranscript) -> [UInt8] {
        let completion = transcript.completion
        let reason = completion?.finishReason ?? .stop
        // Calls cut by the output limit are not calls: a `length` reply carries none.
        let calls = reason == .toolCalls ? transcript.toolCalls.map(ToolCallObject.init) : []
        return WireJSON.encode(ChatCompletion(
            id: id, created: created, model: transcript.model ?? model,
            choices: [.init(message: .init(content: calls.isEmpty || !transcript.text.isEmpty ? transcript.text : nil,
                                           refusal: reason == .contentFilter ? refusalMessage : nil,
                                           reasoningContent: transcript.reasoning.isEmpty ? nil : transcript.reasoning,
                                           toolCalls: calls.isEmpty ? nil : calls),
                            finishReason: reason.chatValue)],
            usage: (completion?.usage ?? TokenUsage()).chat))
    }

    /// An SSE comment, and once the role chunk is out, a chunk with an empty delta: clients that
    /// count only `data:` events see the stream alive too; the content is unchanged.
    package func keepAliveFrames() -> [UInt8] {
        var bytes = Array(": keep-alive\n\n".utf8)
        if sentRole { bytes += chunk(ChatCompletionChunk.Delta(), finishReason: nil).bytes }
        return bytes
    }

    private mutating func roleFrame() -> [SSEFrame] {
        guard !sentRole else { return [] }
        sentRole = true
        return [chunk(ChatCompletionChunk.Delta(role: "assistant", content: ""), finishReason: nil)]
    }

    private func chunk(_ delta: ChatCompletionChunk.Delta, finishReason: String?) -> SSEFrame {
        .json(ChatCompletionChunk(id: id, created: created, model: model,
                                  choices: [.init(delta: delta, finishReason: finishReason)],
                                  usage: includeUsage ? .some(nil) : nil))
    }
}
