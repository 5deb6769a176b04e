/// Turn events → Responses API events (streaming) or one `response` object.
///
/// A text answer streams as: `response.created` → `response.in_progress` →
/// `response.output_item.added` → `response.content_part.added` → `response.output_text.delta`… →
/// `response.output_text.done` → `response.content_part.done` → `response.output_item.done` →
/// `response.completed` (or `response.incomplete`). A failure after the start is `response.failed`.
/// No `[DONE]` on this endpoint. Sequence numbers are assigned in `event(_:)` only.
struct ResponsesTranslator: ReplyTranslator {
    // Configuration.
    let id: String
    let itemID: String
    let createdAt: Int
    let instructions: String?
    let maxOutputTokens: Int?
    // Stream state.
    private var model: String
    private var sequenceNumber = 0
    private var hasBegun = false
    private var itemOpened = false
    private var text = ""

    init(id: String, itemID: String, createdAt: Int, model: String, instructions: String?, maxOutputTokens: Int?) {
        self.id = id
        self.itemID = itemID
        self.createdAt = createdAt
        self.model = model
        self.instructions = instructions
        self.maxOutputTokens = maxOutputTokens
    }

    mutating func frames(for event: TurnEvent) -> [SSEFrame] {
        switch event {
        case .began(let model):
            self.model = model
            return begin()
        case .text(let delta):
            text += delta
            return begin() + openItem() + [self.event("response.output_text.delta", outputIndex: 0, contentIndex: 0,
                                                      itemID: itemID, delta: delta, logprobs: [])]
        case .completed(let completion):
            var frames = begin() + openItem()
            let part = OutputText(text: text)
            let item = OutputMessage(id: itemID, status: completion.finishReason == .stop ? "completed" : "incomplete",
                                     content: [part])
            frames.append(self.event("response.output_text.done", outputIndex: 0, contentIndex: 0, itemID: itemID,
                                     text: text, logprobs: []))
            frames.append(self.event("response.content_part.done", outputIndex: 0, contentIndex: 0, itemID: itemID,
                                     part: part))
            frames.append(self.event("response.output_item.done", outputIndex: 0, item: item))
            let final = response(for: completion, output: [item])
            frames.append(self.event(final.status == "completed" ? "response.completed" : "response.incomplete",
                                     response: final))
            return frames
        case .failed(let failure):
            return frames(for: failure.openAIError)
        }
    }

    mutating func frames(for error: OpenAIError) -> [SSEFrame] {
        var failed = snapshot(status: "failed", output: [])
        failed.error = .init(code: error.code ?? error.type, message: error.message)
        return begin() + [event("response.failed", response: failed)]
    }

    func body(for transcript: TurnTranscript) -> [UInt8] {
        let completion = transcript.completion
            ?? TurnCompletion(finishReason: .stop, usage: TokenUsage(), costUSD: nil, stopsChild: false)
        var copy = self
        copy.model = transcript.model ?? model
        let item = OutputMessage(id: itemID, status: completion.finishReason == .stop ? "completed" : "incomplete",
                                 content: [OutputText(text: transcript.text)])
        return WireJSON.encode(copy.response(for: completion, output: [item]))
    }

    private func response(for completion: TurnCompletion, output: [OutputMessage]) -> ResponseObject {
        var object = snapshot(status: "completed", output: output)
        switch completion.finishReason {
        case .stop: break
        case .length:
            object.status = "incomplete"
            object.incompleteDetails = .init(reason: "max_output_tokens")
        case .contentFilter:
            object.status = "incomplete"
            object.incompleteDetails = .init(reason: "content_filter")
        }
        object.usage = completion.usage.responses
        return object
    }

    private func snapshot(status: String, output: [OutputMessage]) -> ResponseObject {
        ResponseObject(id: id, createdAt: createdAt, status: status, instructions: instructions,
                       maxOutputTokens: maxOutputTokens, model: model, output: output)
    }

    private mutating func begin() -> [SSEFrame] {
        guard !hasBegun else { return [] }
        hasBegun = true
        let object = snapshot(status: "in_progress", output: [])
        return [event("response.created", response: object), event("response.in_progress", response: object)]
    }

    private mutating func openItem() -> [SSEFrame] {
        guard !itemOpened else { return [] }
        itemOpened = true
        return [
            event("response.output_item.added", outputIndex: 0,
                  item: OutputMessage(id: itemID, status: "in_progress", content: [])),
            event("response.content_part.added", outputIndex: 0, contentIndex: 0, itemID: itemID,
                  part: OutputText(text: "")),
        ]
    }

    /// Builds one event and gives it the next sequence number.
    private mutating func event(_ type: String, response: ResponseObject? = nil, outputIndex: Int? = nil,
                                contentIndex: Int? = nil, itemID: String? = nil, item: OutputMessage? = nil,
                                part: OutputText? = nil, delta: String? = nil, text: String? = nil,
                                logprobs: [JSONValue]? = nil) -> SSEFrame {
        defer { sequenceNumber += 1 }
        return .json(ResponseStreamEvent(type: type, sequenceNumber: sequenceNumber, response: response,
                                         outputIndex: outputIndex, contentIndex: contentIndex, itemID: itemID,
                                         item: item, part: part, delta: delta, text: text, logprobs: logprobs),
                     event: type)
    }
}
