/// What a client said, reduced to what the CLI can take: system text and alternating turns.
/// Both endpoints' requests become one of these; `Prompt` renders it for the CLI.
package struct Conversation: Equatable, Sendable {
    package enum Role: String, Sendable {
        case user, assistant
        /// Results of the assistant's tool calls, sent back by the client.
        case tool
    }

    /// A call the assistant made in an earlier turn.
    package struct ToolCall: Equatable, Sendable {
        package var id: String
        package var name: String
        /// The arguments as the model wrote them (a JSON object's text).
        package var arguments: String

        package init(id: String, name: String, arguments: String) {
            self.id = id
            self.name = name
            self.arguments = arguments
        }

        /// The arguments as a `tool_use` input: the JSON object the model wrote (no text at all is
        /// `{}`), nil when they are not an object.
        package var input: JSONValue? {
            if arguments.allSatisfy(\.isWhitespace) { return .object([:]) }
            guard let value = try? WireJSON.decode(JSONValue.self, from: Array(arguments.utf8)), case .object = value else {
                return nil
            }
            return value
        }
    }

    /// What a call returned, paired with its call by id.
    package struct ToolResult: Equatable, Sendable {
        package var callID: String
        package var content: String

        package init(callID: String, content: String) {
            self.callID = callID
            self.content = content
        }
    }

    /// A piece of a message: text, or (in user messages) an inline image.
    package enum Block: Equatable, Sendable {
        case text(String)
        case image(ImageInput)
        case toolCall(ToolCall)
        case toolResult(ToolResult)
        /// The model's reasoning in an earlier assistant turn, with the signature the upstream
        /// checks when it is sent back (empty when the client had none). A redacted block's
        /// opaque data is its `text`.
        case thinking(text: String, signature: String, redacted: Bool)
    }

    package struct Turn: Equatable, Sendable {
        package var role: Role
        /// Parts in order; kept apart so a single user turn reaches the CLI as separate blocks.
        package var blocks: [Block]

        package init(role: Role, blocks: [Block]) {
            self.role = role
            self.blocks = blocks
        }

        package init(role: Role, texts: [String]) {
            self.init(role: role, blocks: texts.map(Block.text))
        }

        package var texts: [String] { blocks.compactMap { if case .text(let text) = $0 { text } else { nil } } }
    }

    package var system: [String] = []
    /// True when an earlier turn holds tool calls or results.
    package var hasToolHistory: Bool {
        turns.contains { $0.blocks.contains { if case .toolCall = $0 { true } else if case .toolResult = $0 { true } else { false } } }
    }
    package var turns: [Turn] = []

    package init(system: [String] = [], turns: [Turn] = []) {
        self.system = system
        self.turns = turns
    }
}
