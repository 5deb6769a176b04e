/// What a client said, reduced to what the CLI can take: system text and alternating turns.
/// Both endpoints' requests become one of these; `Prompt` renders it for the CLI.
package struct Conversation: Equatable, Sendable {
    package enum Role: String, Sendable { case user, assistant }

    /// A piece of a message: text, or (in user messages) an inline image.
    package enum Block: Equatable, Sendable {
        case text(String)
        case image(ImageInput)
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
    package var turns: [Turn] = []

    package init(system: [String] = [], turns: [Turn] = []) {
        self.system = system
        self.turns = turns
    }
}
