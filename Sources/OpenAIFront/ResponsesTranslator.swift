import ProxyCore

/// Turn events → Responses API events (streaming) or one `response` object.
///
/// A text answer streams as: `response.created` → `response.in_progress` →
/// `response.output_item.added` → `response.content_part.added` → `response.output_text.delta`… →
/// `response.output_text.done` → `response.content_part.done` → `response.output_item.done` →
/// `response.completed` (or `response.incomplete`). Thinking comes first as a `reasoning` item
/// (`response.reasoning_summary_part.added`, `response.reasoning_summary_text.delta`…, `.done`).
/// Each call of a client function is a `function_call` item of its own, after any text:
/// `response.output_item.added` → `response.function_call_arguments.delta`… → `.done` →
/// `response.output_item.done`. A failure after the start is `response.failed`. No `[DONE]`.
/// Sequence numbers are assigned in `event(_:)` only; output indexes in `open…` only.
package struct ResponsesTranslator: ReplyTranslator {
    private struct Call {
        var outputIndex: Int
        var itemID: String
        var callID: String
        var name: String
        var arguments = ""
        var closed = false
        /// A `custom` tool: a `custom_tool_call` item whose input is the `input` argument.
        var isFreeForm = false
    }

    // Configuration.
    package let id: String
    package let itemID: String
    package let reasoningID: String
    package let createdAt: Int
    package let instructions: String?
    package let maxOutputTokens: Int?
    // Stream state.
    private var model: String
    private var sequenceNumber = 0
    private var hasBegun = false
    private var nextOutputIndex = 0
    private var reasoningIndex: Int?
    private var reasoningClosed = false
    private var messageIndex: Int?
    private var messageClosed = false
    private var calls: [Call] = []
    private var reasoning = ""
    private var signature = ""
    /// The request asked for `reasoning.encrypted_content`: the signature goes out with the summary.
    private let includesSignature: Bool
    /// The client's `custom` tools by name.
    private let freeFormTools: Set<String>
    /// Tools inside `namespace` tools, by the one name the bridge gives them.
    private let namespacedTools: [String: ToolSpec.Namespaced]
    /// What the response object says of its storage (`store`, `previous_response_id`).
    package var stores = false
    package var previousResponseID: String?
    private var text = ""
    private var refused = false
    /// While the final events are built around a large text: that text (`text` holds the marker).
    private var splicing: String?

    package init(id: String, itemID: String, createdAt: Int, model: String, instructions: String?, maxOutputTokens: Int?,
                 includesSignature: Bool = false, freeFormTools: Set<String> = [],
                 namespacedTools: [String: ToolSpec.Namespaced] = [:]) {
        self.id = id
        self.namespacedTools = namespacedTools
        self.includesSignature = includesSignature
        self.freeFormTools = freeFormTools
        self.itemID = itemID
        self.reasoningID = "rs_" + itemID.dropFirst(4)
        self.createdAt = createdAt
        self.model = model
        self.instructions = instructions
        self.maxOutputTokens = maxOutputTokens
    }

    package mutating func frames(for event: TurnEvent) -> [SSEFrame] {
        switch event {
        case .began(let model):
            self.model = model
            return begin()
        case .reasoning(let delta):
            reasoning += delta
            var frames = begin() + openReasoning()
            guard let index = reasoningIndex else { return frames }  // thinking after the answer began: not shown
            frames.append(self.event("response.reasoning_summary_text.delta", outputIndex: index, itemID: reasoningID,
                                     summaryIndex: 0, delta: delta))
            return frames
        case .reasoningSignature(let piece):
            // Carried out in the reasoning item's `encrypted_content` (when asked), so that a
            // stateless client (Codex) sends the thinking back and a cold start passes it on.
            signature += piece
            return []
        case .text(let delta):
            text += delta
            var frames = begin() + closeReasoning() + openMessage()
            frames.append(self.event("response.output_text.delta", outputIndex: messageIndex, contentIndex: 0,
                                     itemID: itemID, delta: delta, logprobs: []))
            return frames
        case .toolCall(let index, let callID, let name):
            var frames = begin() + closeReasoning() + closeMessage(status: .completed) + closeCalls(status: .completed)
            guard index == calls.count else { return frames }
            let isFreeForm = freeFormTools.contains(name)
            let call = Call(outputIndex: nextOutputIndex, itemID: callItemID(index, freeForm: isFreeForm), callID: callID,
                            name: name, isFreeForm: isFreeForm)
            nextOutputIndex += 1
            calls.append(call)
            frames.append(self.event("response.output_item.added", outputIndex: call.outputIndex,
                                     item: item(call, status: .inProgress)))
            return frames
        case .toolArguments(let index, let fragment):
            guard calls.indices.contains(index), !calls[index].closed else { return [] }
            calls[index].arguments += fragment
            // A custom tool's input is the JSON string inside the arguments: sent whole at the end.
            guard !calls[index].isFreeForm else { return [] }
            return [self.event("response.function_call_arguments.delta", outputIndex: calls[index].outputIndex,
                               itemID: calls[index].itemID, delta: fragment)]
        case .completed(let completion):
            refused = completion.finishReason == .contentFilter
            let status = Self.itemStatus(completion)
            var frames = begin() + closeReasoning()
            // The final events repeat the whole text four times: a large one is left out of the
            // encoding and written a slice at a time (SplicedText).
            let whole = text
            if whole.utf8.count >= SplicedText.threshold {
                splicing = whole
                text = SplicedText.marker
            }
            if calls.isEmpty || messageIndex != nil {
                frames += openMessage() + closeMessage(status: status)
            }
            frames += closeCalls(status: status)
            let final = response(for: completion)
            frames.append(self.event(final.status == .completed ? "response.completed" : "response.incomplete",
                                     response: final))
            text = whole
            splicing = nil
            return frames
        case .failed(let failure):
            return frames(for: failure)
        }
    }

    package mutating func frames(for failure: TurnFailure) -> [SSEFrame] {
        let error = failure.openAIError
        var failed = snapshot(status: .failed, output: [])
        failed.error = .init(code: error.code ?? error.type, message: error.message)
        return begin() + [event("response.failed", response: failed)]
    }

    package func errorReply(for failure: TurnFailure) -> ErrorReply {
        failure.openAIError.reply
    }

    package func body(for transcript: TurnTranscript) -> [UInt8] {
        let completion = transcript.completion
            ?? TurnCompletion(finishReason: .stop, usage: TokenUsage(), costUSD: nil, stopsChild: false)
        var copy = self
        copy.model = transcript.model ?? model
        copy.text = transcript.text
        copy.reasoning = transcript.reasoning
        copy.signature = transcript.reasoningSignature
        copy.refused = completion.finishReason == .contentFilter
        if !transcript.reasoning.isEmpty {
            copy.reasoningIndex = copy.nextOutputIndex
            copy.nextOutputIndex += 1
        }
        let toolCalls = completion.finishReason == .toolCalls ? transcript.toolCalls : []
        if toolCalls.isEmpty || !transcript.text.isEmpty {
            copy.messageIndex = copy.nextOutputIndex
            copy.nextOutputIndex += 1
        }
        for (index, call) in toolCalls.enumerated() {
            let isFreeForm = freeFormTools.contains(call.name)
            copy.calls.append(Call(outputIndex: copy.nextOutputIndex, itemID: callItemID(index, freeForm: isFreeForm),
                                   callID: call.id, name: call.name, arguments: call.arguments, closed: true,
                                   isFreeForm: isFreeForm))
            copy.nextOutputIndex += 1
        }
        return WireJSON.encode(copy.response(for: completion))
    }

    // MARK: Items

    private static func itemStatus(_ completion: TurnCompletion) -> ResponseStatus {
        switch completion.finishReason {
        case .stop, .toolCalls: .completed
        case .length, .contentFilter: .incomplete
        }
    }

    private func callItemID(_ index: Int, freeForm: Bool) -> String {
        "\(freeForm ? "ctc" : "fc")_\(itemID.dropFirst(4))_\(index)"
    }

    private func messageItem(status: ResponseStatus) -> OutputItem {
        guard status != .inProgress else { return .message(OutputMessage(id: itemID, status: status, content: [])) }
        var content: [OutputPart] = [.outputText(text)]
        if refused { content.append(.refusal(refusalMessage)) }
        return .message(OutputMessage(id: itemID, status: status, content: content))
    }

    private func reasoningItem(status: ResponseStatus) -> OutputItem {
        .reasoning(ReasoningItem(id: reasoningID, status: status,
                                 summary: status == .inProgress ? [] : [.summaryText(reasoning)],
                                 encryptedContent: includesSignature && status != .inProgress && !signature.isEmpty
                                     ? signature : nil))
    }

    private func item(_ call: Call, status: ResponseStatus) -> OutputItem {
        let namespaced = namespacedTools[call.name]
        let name = namespaced?.name ?? call.name
        if call.isFreeForm {
            return .customToolCall(CustomToolCallItem(
                id: call.itemID, status: status, callID: call.callID, name: name, namespace: namespaced?.namespace,
                input: status == .inProgress ? "" : ToolSpec.freeFormInput(fromArguments: call.arguments)))
        }
        return .functionCall(FunctionCallItem(id: call.itemID, status: status, callID: call.callID, name: name,
                                              namespace: namespaced?.namespace,
                                              arguments: status == .inProgress ? "" : call.arguments))
    }

    private mutating func openReasoning() -> [SSEFrame] {
        guard reasoningIndex == nil, messageIndex == nil, calls.isEmpty else { return [] }
        reasoningIndex = nextOutputIndex
        nextOutputIndex += 1
        return [
            event("response.output_item.added", outputIndex: reasoningIndex, item: reasoningItem(status: .inProgress)),
            event("response.reasoning_summary_part.added", outputIndex: reasoningIndex, itemID: reasoningID,
                  summaryIndex: 0, part: .summaryText("")),
        ]
    }

    private mutating func closeReasoning() -> [SSEFrame] {
        guard let index = reasoningIndex, !reasoningClosed else { return [] }
        reasoningClosed = true
        return [
            event("response.reasoning_summary_text.done", outputIndex: index, itemID: reasoningID, summaryIndex: 0,
                  text: reasoning),
            event("response.reasoning_summary_part.done", outputIndex: index, itemID: reasoningID, summaryIndex: 0,
                  part: .summaryText(reasoning)),
            event("response.output_item.done", outputIndex: index, item: reasoningItem(status: .completed)),
        ]
    }

    private mutating func openMessage() -> [SSEFrame] {
        guard messageIndex == nil else { return [] }
        let index = nextOutputIndex
        nextOutputIndex += 1
        messageIndex = index
        return [
            event("response.output_item.added", outputIndex: index, item: messageItem(status: .inProgress)),
            event("response.content_part.added", outputIndex: index, contentIndex: 0, itemID: itemID,
                  part: .outputText("")),
        ]
    }

    private mutating func closeMessage(status: ResponseStatus) -> [SSEFrame] {
        guard let index = messageIndex, !messageClosed else { return [] }
        messageClosed = true
        return [
            event("response.output_text.done", outputIndex: index, contentIndex: 0, itemID: itemID, text: text,
                  logprobs: []),
            event("response.content_part.done", outputIndex: index, contentIndex: 0, itemID: itemID,
                  part: .outputText(text)),
            event("response.output_item.done", outputIndex: index, item: messageItem(status: status)),
        ]
    }

    /// Ends the open call (there is at most one: calls stream one after another).
    private mutating func closeCalls(status: ResponseStatus) -> [SSEFrame] {
        var frames: [SSEFrame] = []
        for index in calls.indices where !calls[index].closed {
            calls[index].closed = true
            let call = calls[index]
            if call.isFreeForm {
                let input = ToolSpec.freeFormInput(fromArguments: call.arguments)
                frames.append(event("response.custom_tool_call_input.delta", outputIndex: call.outputIndex,
                                    itemID: call.itemID, delta: input))
                frames.append(event("response.custom_tool_call_input.done", outputIndex: call.outputIndex,
                                    itemID: call.itemID, input: input))
            } else {
                frames.append(event("response.function_call_arguments.done", outputIndex: call.outputIndex,
                                    itemID: call.itemID, arguments: call.arguments))
            }
            frames.append(event("response.output_item.done", outputIndex: call.outputIndex, item: item(call, status: status)))
        }
        return frames
    }

    // MARK: Response objects

    private func response(for completion: TurnCompletion) -> ResponseObject {
        let status = Self.itemStatus(completion)
        var output: [(Int, OutputItem)] = []
        if let reasoningIndex { output.append((reasoningIndex, reasoningItem(status: .completed))) }
        if let messageIndex { output.append((messageIndex, messageItem(status: status))) }
        for call in calls { output.append((call.outputIndex, item(call, status: status))) }
        var object = snapshot(status: .completed, output: output.sorted { $0.0 < $1.0 }.map(\.1))
        switch completion.finishReason {
        case .stop, .toolCalls: break
        case .length:
            object.status = .incomplete
            object.incompleteDetails = .init(reason: "max_output_tokens")
        case .contentFilter:
            object.status = .incomplete
            object.incompleteDetails = .init(reason: "content_filter")
        }
        object.usage = completion.usage.responses
        return object
    }

    private func snapshot(status: ResponseStatus, output: [OutputItem]) -> ResponseObject {
        ResponseObject(id: id, createdAt: createdAt, status: status, instructions: instructions,
                       maxOutputTokens: maxOutputTokens, model: model, output: output, store: stores,
                       previousResponseID: previousResponseID)
    }

    private mutating func begin() -> [SSEFrame] {
        guard !hasBegun else { return [] }
        hasBegun = true
        let object = snapshot(status: .inProgress, output: [])
        return [event("response.created", response: object), event("response.in_progress", response: object)]
    }

    /// Builds one event and gives it the next sequence number.
    private mutating func event(_ type: String, response: ResponseObject? = nil, outputIndex: Int? = nil,
                                contentIndex: Int? = nil, itemID: String? = nil, summaryIndex: Int? = nil,
                                item: OutputItem? = nil, part: OutputPart? = nil, delta: String? = nil,
                                text: String? = nil, logprobs: [JSONValue]? = nil, arguments: String? = nil,
                                input: String? = nil) -> SSEFrame {
        defer { sequenceNumber += 1 }
        let value = ResponseStreamEvent(type: type, sequenceNumber: sequenceNumber, response: response,
                                        outputIndex: outputIndex, contentIndex: contentIndex, itemID: itemID,
                                        summaryIndex: summaryIndex, item: item, part: part, delta: delta,
                                        text: text, logprobs: logprobs, arguments: arguments, input: input)
        if let splicing { return .json(value, event: type, splicing: splicing) }
        return .json(value, event: type)
    }
}
