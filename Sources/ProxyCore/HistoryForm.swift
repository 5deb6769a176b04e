/// How a request's earlier turns reached the upstream: counted in `/metrics` and written in the
/// access log (`history=`), so every flattened conversation is visible with its reason.
package enum HistoryForm: Equatable, Sendable {
    /// One user message: there was nothing earlier.
    case single
    /// Continued in the CLI that holds the conversation.
    case kept
    /// Resumed by a new CLI from a session file the proxy wrote (`SessionHistory`).
    case native
    /// Rendered into one user message as a transcript (`Prompt.transcript`), and why.
    case flattened(SessionHistory.Fallback)

    /// The access log's value: `single`, `kept`, `native` or `flattened`.
    package var label: String {
        switch self {
        case .single: "single"
        case .kept: "kept"
        case .native: "native"
        case .flattened: "flattened"
        }
    }

    package var reason: String? {
        if case .flattened(let fallback) = self { fallback.rawValue } else { nil }
    }
}
