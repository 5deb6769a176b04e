/// The whole of a turn, folded from its events: what a non-streaming reply is built from.
package struct TurnTranscript: Equatable, Sendable {
    package var model: String?
    package var text = ""
    package var reasoning = ""
    /// The thinking block's signature, when the upstream gave one.
    package var reasoningSignature = ""
    package var completion: TurnCompletion?
    /// The client's tools the model called, with their whole arguments.
    package var toolCalls: [Conversation.ToolCall] = []

    package mutating func record(_ event: TurnEvent) {
        switch event {
        case .began(let model): self.model = model
        case .text(let text): self.text += text
        case .reasoning(let text): reasoning += text
        case .reasoningSignature(let signature): reasoningSignature += signature
        case .completed(let completion): self.completion = completion
        case .toolCall(_, let id, let name): toolCalls.append(Conversation.ToolCall(id: id, name: name, arguments: ""))
        case .toolArguments(let index, let fragment) where toolCalls.indices.contains(index):
            toolCalls[index].arguments += fragment
        case .toolArguments: break
        case .failed: break
        }
    }

    package init(model: String? = nil, text: String = "", reasoning: String = "", completion: TurnCompletion? = nil) {
        self.model = model
        self.text = text
        self.reasoning = reasoning
        self.completion = completion
    }
}

/// Renders turn events for one OpenAI endpoint, streaming or whole.
package protocol ReplyTranslator {
    /// Frames to send for one event while streaming (empty when nothing is due yet).
    mutating func frames(for event: TurnEvent) -> [SSEFrame]
    /// The frames that end a stream with an error, once headers have gone out.
    mutating func frames(for failure: TurnFailure) -> [SSEFrame]
    /// The whole reply for a failure before any byte went out, in this front end's shape.
    func errorReply(for failure: TurnFailure) -> ErrorReply
    /// The JSON body of a non-streaming reply.
    func body(for transcript: TurnTranscript) -> [UInt8]
    /// The same body as a splice, when the answer is large enough to encode a slice at a time.
    func splicedBody(for transcript: TurnTranscript) -> SplicedText?
    /// What a quiet stream sends to keep clients' idle timers from firing; never content.
    func keepAliveFrames() -> [UInt8]
}

extension ReplyTranslator {
    /// A large answer's body, encoded with the text left out: `body` of a transcript whose text
    /// is the marker, cut there.
    package func splicedBody(for transcript: TurnTranscript) -> SplicedText? {
        guard transcript.text.utf8.count >= SplicedText.threshold else { return nil }
        var stand = transcript
        stand.text = SplicedText.marker
        return SplicedText.cut(body(for: stand), text: transcript.text)
    }

    /// An SSE comment: every SSE parser skips it.
    package func keepAliveFrames() -> [UInt8] { Array(": keep-alive\n\n".utf8) }
}

/// An error answered before the reply began: a status, its headers and a body, in a front end's
/// own shape. `code` names the error in the access log.
package struct ErrorReply: Sendable {
    package var status: Int
    package var headers: [(String, String)]
    package var body: [UInt8]
    package var code: String

    package init(status: Int, headers: [(String, String)], body: [UInt8], code: String) {
        self.status = status
        self.headers = headers
        self.body = body
        self.code = code
    }
}
