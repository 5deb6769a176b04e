import ProxyCore

extension FinishReason {
    /// Chat Completions' `finish_reason`.
    package var chatValue: String {
        switch self {
        case .stop: "stop"
        case .length: "length"
        case .contentFilter: "content_filter"
        case .toolCalls: "tool_calls"
        }
    }
}
