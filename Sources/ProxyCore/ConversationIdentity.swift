/// When a request continues a conversation that a running CLI already holds. Pure.
///
/// A conversation is identified by everything that would change the answer: the API key that
/// made it, the spawn shape (model, effort, system prompt, tools, output limit, schema) and every
/// turn as the proxy sent it back. Turns are compared in a canonical form, so cosmetic
/// differences do not matter: `content: null` and `""`, a string or text parts, JSON key order
/// and spacing in tool arguments. Anything else, or any doubt, is a different conversation.
package struct ConversationIdentity: Hashable, Sendable {
    /// What must be equal before turns are compared at all.
    package struct Key: Hashable, Sendable {
        package var apiKey: String
        package var shape: SpawnShape

        package init(apiKey: String, shape: SpawnShape) {
            self.apiKey = apiKey
            self.shape = shape
        }
    }

    /// One turn in canonical form.
    package struct Turn: Hashable, Sendable {
        package enum Block: Hashable, Sendable {
            case text(String)
            case image(mediaType: String, base64: String)
            case toolCall(id: String, name: String, arguments: String)
            case toolResult(callID: String, content: String)
        }
        package var role: Conversation.Role
        package var blocks: [Block]
    }

    package var key: Key
    package var turns: [Turn]

    package init(key: Key, turns: [Turn]) {
        self.key = key
        self.turns = turns
    }

    package init(key: Key, conversation: Conversation) {
        self.init(key: key, turns: conversation.turns.compactMap(Self.canonical))
    }

    /// How a request relates to a parked conversation with `pending` tool calls.
    package enum Continuation: Equatable, Sendable {
        /// The request's new user turn, to be written as the next user line.
        case nextTurn(Conversation.Turn)
        /// Results for exactly the pending calls, by call id.
        case toolResults([String: String])
    }

    /// The continuation when `request` is exactly this conversation plus one new user turn (none
    /// pending), or plus the results of exactly the pending calls; nil otherwise.
    package func continuation(by request: Conversation, key requestKey: Key, pending: Set<String>) -> Continuation? {
        guard requestKey == key else { return nil }
        let requestTurns = request.turns.compactMap(Self.canonical)
        guard requestTurns.count == turns.count + 1, Array(requestTurns.prefix(turns.count)) == turns,
              let last = request.turns.last else { return nil }
        switch last.role {
        case .user where pending.isEmpty:
            return .nextTurn(last)
        case .tool where !pending.isEmpty:
            var results: [String: String] = [:]
            for block in last.blocks {
                guard case .toolResult(let result) = block, results[result.callID] == nil else { return nil }
                results[result.callID] = result.content
            }
            return Set(results.keys) == pending ? .toolResults(results) : nil
        default:
            return nil
        }
    }

    /// This conversation with the reply the proxy gave: text and calls as one assistant turn.
    package func appending(reply text: String, calls: [Conversation.ToolCall]) -> ConversationIdentity {
        var blocks: [Conversation.Block] = text.isEmpty ? [] : [.text(text)]
        blocks += calls.map(Conversation.Block.toolCall)
        var next = self
        if let turn = Self.canonical(Conversation.Turn(role: .assistant, blocks: blocks)) { next.turns.append(turn) }
        return next
    }

    /// The canonical form: text blocks joined (empty text dropped), arguments re-encoded as sorted
    /// JSON. An assistant turn with nothing in it is dropped, as clients drop empty messages.
    package static func canonical(_ turn: Conversation.Turn) -> Turn? {
        var blocks: [Turn.Block] = []
        var text: [String] = []
        func flushText() {
            let joined = text.joined(separator: "\n")
            if !joined.isEmpty { blocks.append(.text(joined)) }
            text = []
        }
        for block in turn.blocks {
            switch block {
            case .text(let piece):
                text.append(piece)
            case .image(let image):
                flushText()
                blocks.append(.image(mediaType: image.mediaType, base64: image.base64))
            case .toolCall(let call):
                flushText()
                blocks.append(.toolCall(id: call.id, name: call.name, arguments: canonicalJSON(call.arguments)))
            case .toolResult(let result):
                flushText()
                blocks.append(.toolResult(callID: result.callID, content: result.content))
            case .thinking:
                // Not part of what the proxy sent back as text and calls: a client may or may
                // not return it, and the kept CLI holds it either way.
                break
            }
        }
        flushText()
        if blocks.isEmpty && turn.role == .assistant { return nil }
        return Turn(role: turn.role, blocks: blocks)
    }

    private static func canonicalJSON(_ text: String) -> String {
        guard let value = try? WireJSON.decode(JSONValue.self, from: Array(text.utf8)) else { return text }
        return String(decoding: WireJSON.encode(value), as: UTF8.self)
    }
}

/// Everything fixed when a CLI starts (argv, environment, system prompt): two requests of the
/// same shape can use the same started CLI.
package struct SpawnShape: Hashable, Sendable {
    package var model: String
    package var options: CLIOptions
    /// The system prompt as the client gave it, with its tool instructions.
    package var system: String
    package var tools: [ToolSpec]
    /// Whether the CLI may call the client's tools (and wait for their results).
    package var keepsConversation: Bool

    package init(model: String, options: CLIOptions, system: String, tools: [ToolSpec], keepsConversation: Bool) {
        self.model = model
        self.options = options
        self.system = system
        self.tools = tools
        self.keepsConversation = keepsConversation
    }
}
