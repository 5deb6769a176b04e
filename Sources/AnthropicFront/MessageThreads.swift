import ProxyCore

/// `thread` on a Messages request (the `message-threads` beta the anthropic SDK's tool runner
/// sends on every turn), decoded once.
package enum MessagesThread: Decodable, Equatable, Sendable {
    /// Hold this conversation under the reply's id.
    case create
    /// Send only the new turn; the rest is the thread's up to the reply named.
    case `continue`(previousMessageID: String)
    case unknown(String)

    private enum Key: String, CodingKey {
        case type
        case previousMessageID = "previous_message_id"
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "create": self = .create
        case "continue": self = .continue(previousMessageID: try container.decode(String.self, forKey: .previousMessageID))
        default: self = .unknown(type)
        }
    }
}

/// The conversations held for Messages threads. The proxy holds a thread as the request its
/// client would otherwise send: system, tools and every message, the replies included. A
/// `continue` becomes that whole request, so everything after it is the path a full request
/// takes: the kept CLI recognises the conversation, and a lost CLI resumes it from a session file.
///
/// Each reply can be continued once (`thread_already_continued` after), one continue at a time
/// (`thread_continue_in_flight`), and only with the API key that created it; anything else, an
/// evicted thread or one from before a restart, is `thread_not_found`, on which the SDK sends the
/// whole conversation again. Pure: the daemon owns one, begins a turn per threaded request and
/// ends each turn it began exactly once.
package struct MessageThreads {
    /// One thread up to its newest reply.
    package struct Held: Sendable {
        var apiKey: String
        var system: MessagesContent?
        var tools: [JSONValue]?
        var messages: [MessagesMessage]
        /// About what it takes in memory: the request bodies and the replies' text.
        var bytes: Int
        /// The ids of the replies already continued, forgotten with the thread.
        var pastIDs: [String]
    }

    /// A turn begun on a thread, to be ended with its reply or without one.
    package struct Turn: Sendable {
        fileprivate var thread: Held
        /// The reply continued, and the thread as it was, given back if the turn fails.
        fileprivate var previous: (id: String, held: Held)?
    }

    private enum Entry {
        case latest(Held)
        case inFlight(Held)

        var held: Held { switch self { case .latest(let held), .inFlight(let held): held } }
        var isInFlight: Bool { if case .inFlight = self { true } else { false } }
    }

    private var threads: BoundedStore<Entry>
    /// Replies already continued, forgotten with their thread.
    private var continued: Set<String> = []

    package init(maxThreads: Int = 256, maxBytes: Int = 64 << 20) {
        threads = BoundedStore(maxCount: maxThreads, maxBytes: maxBytes)
    }

    /// How many threads are held (in flight included).
    package var count: Int { threads.count }

    /// The request as the completion path takes it (a `continue` made whole, `thread` removed),
    /// and the turn to end when its reply is known; nil when the request has no thread.
    package mutating func begin(_ request: MessagesRequest, apiKey: String, bodyBytes: Int)
        throws(AnthropicError) -> (request: MessagesRequest, turn: Turn?) {
        var whole = request
        whole.thread = nil
        switch request.thread {
        case nil:
            return (whole, nil)
        case .unknown(let type)?:
            throw .invalidRequest("thread.type: Input should be 'create' or 'continue', not '\(type)'")
        case .create?:
            let held = Held(apiKey: apiKey, system: request.system, tools: request.tools, messages: request.messages,
                            bytes: bodyBytes, pastIDs: [])
            return (whole, Turn(thread: held, previous: nil))
        case .continue(let id)?:
            // The thread holds these; the SDK leaves them out of a continue.
            if request.system != nil { throw Self.fieldOfTheThread("system") }
            if request.tools != nil { throw Self.fieldOfTheThread("tools") }
            let held: Held
            switch threads[id] {
            case .latest(let found)? where found.apiKey == apiKey: held = found
            case .inFlight(let found)? where found.apiKey == apiKey:
                throw AnthropicError(status: 409, type: "invalid_request_error",
                                     message: "thread: another request is still continuing from \(id).",
                                     isRetryable: false, code: "thread_continue_in_flight")
            case nil where continued.contains(id):
                throw AnthropicError(status: 409, type: "invalid_request_error",
                                     message: "thread: \(id) has already been continued; continue from the thread's newest reply.",
                                     isRetryable: false, code: "thread_already_continued")
            default:
                throw AnthropicError(status: 404, message: "thread: no thread holds \(id) (it may have ended with a "
                                     + "restart of the proxy); send the whole conversation with a new thread.",
                                     isRetryable: false, code: "thread_not_found")
            }
            threads.update(id) { $0 = .inFlight(held) }
            whole.system = held.system
            whole.tools = held.tools
            whole.messages = held.messages + request.messages
            let next = Held(apiKey: apiKey, system: held.system, tools: held.tools, messages: whole.messages,
                            bytes: held.bytes + bodyBytes, pastIDs: held.pastIDs + [id])
            return (whole, Turn(thread: next, previous: (id, held)))
        }
    }

    /// The turn is over: with its reply (`id` and content), the thread is held under that id and
    /// the reply it continued is spent; without one (an error, a client that left, a refusal), the
    /// thread is as it was before the turn.
    package mutating func end(_ turn: Turn, reply: (id: String, content: [AnthropicContentBlock])?) {
        guard let reply else {
            if let previous = turn.previous { threads.update(previous.id) { $0 = .latest(previous.held) } }
            return
        }
        if let previous = turn.previous {
            // Its past ids go on with the thread, now with this one.
            threads.remove(previous.id)
            continued.insert(previous.id)
        }
        var held = turn.thread
        let message = MessagesMessage(assistant: reply.content)
        held.messages.append(message)
        held.bytes += message.textBytes
        // A thread with a turn in flight is left for its turn.
        let evicted = threads.insert(.latest(held), id: reply.id, bytes: held.bytes, keeps: \.isInFlight)
        for gone in evicted { continued.subtract(gone.held.pastIDs) }
    }

    private static func fieldOfTheThread(_ field: String) -> AnthropicError {
        .invalidRequest("\(field): a thread's \(field) is set when it is created; leave it out of a continue.")
    }
}

extension MessagesMessage {
    /// A reply as its client will send it back: thinking, text and tool calls.
    init(assistant content: [AnthropicContentBlock]) {
        let blocks: [MessagesBlock] = content.compactMap { block in
            switch block {
            case .text(let text): MessagesBlock(type: "text", text: text)
            case .thinking(let text, let signature): MessagesBlock(type: "thinking", thinking: text, signature: signature)
            case .redactedThinking(let data): MessagesBlock(type: "redacted_thinking", data: data)
            case .toolUse(let id, let name, let input): MessagesBlock(type: "tool_use", id: id, name: name, input: input)
            case .image, .toolResult, .unknown: nil
            }
        }
        self.init(role: "assistant", content: .blocks(blocks))
    }

    /// The size of its text, for the threads' memory bound.
    var textBytes: Int {
        guard case .blocks(let blocks)? = content else { return 0 }
        return blocks.reduce(0) { sum, block in
            sum + (block.text?.utf8.count ?? 0) + (block.thinking?.utf8.count ?? 0) + (block.signature?.utf8.count ?? 0)
                + (block.input.map { WireJSON.encode($0).count } ?? 0)
        }
    }
}
