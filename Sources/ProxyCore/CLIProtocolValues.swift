/// The CLI's protocol strings, decoded once into enums (each with `unknown` for what a newer CLI
/// may add), so that nothing downstream compares strings (docs/cli.md, "Output").

/// A protocol string decoded into an enum once: its known spellings in one table, anything else
/// kept as `unknown`.
package protocol OpenStringEnum: Equatable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// Every known value with its spelling on the wire.
    static var spellings: [(String, Self)] { get }
    static func unknown(_ text: String) -> Self
    /// The text of an `unknown` value (nil for a known one).
    var unknownText: String? { get }
}

extension OpenStringEnum {
    package init(_ text: String) {
        self = Self.spellings.first { $0.0 == text }?.1 ?? .unknown(text)
    }

    package init(stringLiteral value: String) { self.init(value) }

    /// The value as the wire spells it.
    package var description: String {
        unknownText ?? Self.spellings.first { $0.1 == self }?.0 ?? ""
    }
}

/// Why the upstream ended a message (`stop_reason`).
package enum StopReason: OpenStringEnum {
    case endTurn, maxTokens, stopSequence, toolUse, refusal, pauseTurn
    case unknown(String)

    package static let spellings: [(String, StopReason)] = [
        ("end_turn", .endTurn), ("max_tokens", .maxTokens), ("stop_sequence", .stopSequence), ("tool_use", .toolUse),
        ("refusal", .refusal), ("pause_turn", .pauseTurn),
    ]

    package var unknownText: String? { if case .unknown(let text) = self { text } else { nil } }
}

/// How a CLI run ended (`result.subtype`). It says "success" even for API errors: success is
/// decided by `is_error`, never by this.
package enum ResultSubtype: OpenStringEnum {
    case success, errorMaxTurns, errorMaxBudgetUSD, errorDuringExecution, errorMaxStructuredOutputRetries
    case unknown(String)

    package static let spellings: [(String, ResultSubtype)] = [
        ("success", .success), ("error_max_turns", .errorMaxTurns), ("error_max_budget_usd", .errorMaxBudgetUSD),
        ("error_during_execution", .errorDuringExecution),
        ("error_max_structured_output_retries", .errorMaxStructuredOutputRetries),
    ]

    package var unknownText: String? { if case .unknown(let text) = self { text } else { nil } }

    /// One of the limits the CLI stops at (turns, budget, structured-output retries).
    package var isLimit: Bool {
        switch self {
        case .errorMaxTurns, .errorMaxBudgetUSD, .errorMaxStructuredOutputRetries: true
        case .unknown(let text): text.hasPrefix("error_max")
        default: false
        }
    }
}

/// Why the CLI's turn loop ended (`result.terminal_reason`).
package enum TerminalReason: OpenStringEnum {
    case completed, apiError, imageError, promptTooLong, maxTurns, abortedStreaming, abortedTools
    case unknown(String)

    package static let spellings: [(String, TerminalReason)] = [
        ("completed", .completed), ("api_error", .apiError), ("image_error", .imageError),
        ("prompt_too_long", .promptTooLong), ("max_turns", .maxTurns), ("aborted_streaming", .abortedStreaming),
        ("aborted_tools", .abortedTools),
    ]

    package var unknownText: String? { if case .unknown(let text) = self { text } else { nil } }
}
