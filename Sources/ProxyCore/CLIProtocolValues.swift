/// The CLI's protocol strings, decoded once into enums (each with `unknown` for what a newer CLI
/// may add), so that nothing downstream compares strings (docs/cli.md, "Output").

/// Why the upstream ended a message (`stop_reason`).
package enum StopReason: Equatable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    case endTurn, maxTokens, stopSequence, toolUse, refusal, pauseTurn
    case unknown(String)

    package init(_ text: String) {
        switch text {
        case "end_turn": self = .endTurn
        case "max_tokens": self = .maxTokens
        case "stop_sequence": self = .stopSequence
        case "tool_use": self = .toolUse
        case "refusal": self = .refusal
        case "pause_turn": self = .pauseTurn
        default: self = .unknown(text)
        }
    }

    package init(stringLiteral value: String) { self.init(value) }

    package var description: String {
        switch self {
        case .endTurn: "end_turn"
        case .maxTokens: "max_tokens"
        case .stopSequence: "stop_sequence"
        case .toolUse: "tool_use"
        case .refusal: "refusal"
        case .pauseTurn: "pause_turn"
        case .unknown(let text): text
        }
    }
}

/// How a CLI run ended (`result.subtype`). It says "success" even for API errors: success is
/// decided by `is_error`, never by this.
package enum ResultSubtype: Equatable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    case success
    case errorMaxTurns
    case errorMaxBudgetUSD
    case errorDuringExecution
    case errorMaxStructuredOutputRetries
    case unknown(String)

    package init(_ text: String) {
        switch text {
        case "success": self = .success
        case "error_max_turns": self = .errorMaxTurns
        case "error_max_budget_usd": self = .errorMaxBudgetUSD
        case "error_during_execution": self = .errorDuringExecution
        case "error_max_structured_output_retries": self = .errorMaxStructuredOutputRetries
        default: self = .unknown(text)
        }
    }

    package init(stringLiteral value: String) { self.init(value) }

    /// One of the limits the CLI stops at (turns, budget, structured-output retries).
    package var isLimit: Bool {
        switch self {
        case .errorMaxTurns, .errorMaxBudgetUSD, .errorMaxStructuredOutputRetries: true
        case .unknown(let text): text.hasPrefix("error_max")
        default: false
        }
    }

    package var description: String {
        switch self {
        case .success: "success"
        case .errorMaxTurns: "error_max_turns"
        case .errorMaxBudgetUSD: "error_max_budget_usd"
        case .errorDuringExecution: "error_during_execution"
        case .errorMaxStructuredOutputRetries: "error_max_structured_output_retries"
        case .unknown(let text): text
        }
    }
}

/// Why the CLI's turn loop ended (`result.terminal_reason`).
package enum TerminalReason: Equatable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    case completed, apiError, imageError, promptTooLong, maxTurns, abortedStreaming, abortedTools
    case unknown(String)

    package init(_ text: String) {
        switch text {
        case "completed": self = .completed
        case "api_error": self = .apiError
        case "image_error": self = .imageError
        case "prompt_too_long": self = .promptTooLong
        case "max_turns": self = .maxTurns
        case "aborted_streaming": self = .abortedStreaming
        case "aborted_tools": self = .abortedTools
        default: self = .unknown(text)
        }
    }

    package init(stringLiteral value: String) { self.init(value) }

    package var description: String {
        switch self {
        case .completed: "completed"
        case .apiError: "api_error"
        case .imageError: "image_error"
        case .promptTooLong: "prompt_too_long"
        case .maxTurns: "max_turns"
        case .abortedStreaming: "aborted_streaming"
        case .abortedTools: "aborted_tools"
        case .unknown(let text): text
        }
    }
}
