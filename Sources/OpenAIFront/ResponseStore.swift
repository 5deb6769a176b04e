import ProxyCore

/// Stored Responses, for `previous_response_id`. A response is stored unless the request said
/// `store: false` (OpenAI's default is to store), as the input items its client would otherwise
/// send next time: the request's whole input (the earlier responses' included) and the reply's
/// own items. A request naming a stored response becomes that whole input plus its own, so
/// everything after it is the path a full request takes: the kept CLI recognises the
/// conversation, a lost CLI resumes it from a session file. Any stored response can be continued,
/// more than once (a branch), and only with the API key that made it; `instructions` and `tools`
/// are the request's own, as at OpenAI. Pure: the daemon owns one, begins a turn for each storing
/// request and ends it exactly once.
package struct ResponseStore {
    package struct Held: Sendable {
        var apiKey: String
        var items: [ResponsesInputItem]
    }

    /// A response being made, to be stored with its reply.
    package struct Turn: Sendable {
        fileprivate var held: Held
        fileprivate var bytes: Int
        /// How the reply's calls go back as items: the request's custom and namespaced tools.
        fileprivate var freeFormTools: Set<String> = []
        fileprivate var namespacedTools: [String: ToolSpec.Namespaced] = [:]

        /// The request's tools, once its plan has read them.
        package mutating func use(_ tools: ToolUse?) {
            freeFormTools = tools?.freeFormNames ?? []
            namespacedTools = tools?.namespaced ?? [:]
        }
    }

    private var responses: BoundedStore<Held>

    package init(maxResponses: Int = 1024, maxBytes: Int = 64 << 20) {
        responses = BoundedStore(maxCount: maxResponses, maxBytes: maxBytes)
    }

    package var count: Int { responses.count }

    /// The request as the completion path takes it (`previous_response_id` made whole), and the
    /// turn that stores its response; nil when it is not stored.
    package mutating func begin(_ request: ResponsesRequest, apiKey: String, bodyBytes: Int)
        throws(OpenAIError) -> (request: ResponsesRequest, turn: Turn?) {
        var whole = request
        var items: [ResponsesInputItem]
        switch request.input {
        case .text(let text): items = [ResponsesInputItem(type: "message", role: "user", content: .text(text))]
        case .items(let given): items = given
        }
        var bytes = bodyBytes
        if let previous = request.previousResponseID {
            guard let held = responses[previous], held.apiKey == apiKey else {
                throw .invalidRequest("Previous response with id '\(previous)' not found (this proxy keeps responses in "
                                      + "memory until it restarts).", param: "previous_response_id",
                                      code: "previous_response_not_found")
            }
            items = held.items + items
            whole.input = .items(items)
            whole.previousResponseID = nil
            bytes += responses.size(of: previous)
        }
        guard request.store != false else { return (whole, nil) }
        return (whole, Turn(held: Held(apiKey: apiKey, items: items), bytes: bytes))
    }

    /// The response is made: stored under its id with the reply's items. (A response that
    /// failed is not stored, as at OpenAI a failed one cannot be continued.)
    package mutating func end(_ turn: Turn, reply: (id: String, transcript: TurnTranscript)) {
        var held = turn.held
        let items = Self.items(of: reply.transcript, freeFormTools: turn.freeFormTools,
                               namespacedTools: turn.namespacedTools)
        held.items += items
        let replyBytes = reply.transcript.text.utf8.count + reply.transcript.reasoning.utf8.count
            + reply.transcript.toolCalls.reduce(0) { $0 + $1.arguments.utf8.count }
        responses.insert(held, id: reply.id, bytes: turn.bytes + replyBytes)
    }

    /// A reply as the input items its client would send back: the reasoning (when signed), the
    /// message, and the calls, each as the reply's output item of the same kind.
    static func items(of transcript: TurnTranscript, freeFormTools: Set<String>,
                      namespacedTools: [String: ToolSpec.Namespaced]) -> [ResponsesInputItem] {
        var items: [ResponsesInputItem] = []
        if !transcript.reasoningSignature.isEmpty {
            items.append(ResponsesInputItem(
                type: "reasoning", summary: [.object(["type": .string("summary_text"), "text": .string(transcript.reasoning)])],
                encryptedContent: transcript.reasoningSignature))
        }
        if !transcript.text.isEmpty {
            items.append(ResponsesInputItem(type: "message", role: "assistant",
                                            content: .parts([ContentPart(type: "output_text", text: transcript.text)])))
        }
        guard transcript.completion?.finishReason == .toolCalls else { return items }
        for call in transcript.toolCalls {
            let namespaced = namespacedTools[call.name]
            var item = ResponsesInputItem(type: "function_call", callID: call.id, name: namespaced?.name ?? call.name,
                                          arguments: call.arguments, namespace: namespaced?.namespace)
            if freeFormTools.contains(call.name) {
                item.type = "custom_tool_call"
                item.arguments = nil
                item.input = ToolSpec.freeFormInput(fromArguments: call.arguments)
            }
            items.append(item)
        }
        return items
    }
}
