/// The whole of a turn, folded from its events: what a non-streaming reply is built from.
struct TurnTranscript: Equatable, Sendable {
    var model: String?
    var text = ""
    var reasoning = ""
    var completion: TurnCompletion?

    mutating func record(_ event: TurnEvent) {
        switch event {
        case .began(let model): self.model = model
        case .text(let text): self.text += text
        case .reasoning(let text): reasoning += text
        case .completed(let completion): self.completion = completion
        case .failed: break
        }
    }
}

/// Renders turn events for one OpenAI endpoint, streaming or whole.
protocol ReplyTranslator {
    /// Frames to send for one event while streaming (empty when nothing is due yet).
    mutating func frames(for event: TurnEvent) -> [SSEFrame]
    /// The frames that end a stream with an error, once headers have gone out.
    mutating func frames(for error: OpenAIError) -> [SSEFrame]
    /// The JSON body of a non-streaming reply.
    func body(for transcript: TurnTranscript) -> [UInt8]
    /// What a quiet stream sends to keep clients' idle timers from firing; never content.
    func keepAliveFrames() -> [UInt8]
}

extension ReplyTranslator {
    /// An SSE comment: every SSE parser skips it.
    func keepAliveFrames() -> [UInt8] { Array(": keep-alive\n\n".utf8) }
}
