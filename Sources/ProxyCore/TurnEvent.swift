/// What happened in one CLI turn, independent of the OpenAI endpoint that renders it.
package enum TurnEvent: Equatable, Sendable {
    /// The upstream accepted the request and the answer begins; carries the model the CLI used.
    case began(model: String)
    case text(String)
    /// The model's thinking, as the CLI streams it (never part of the answer's text).
    case reasoning(String)
    /// The thinking block's signature (Anthropic's; it comes after the block's text).
    case reasoningSignature(String)
    /// The model began a call of one of the client's tools (`index` counts calls from 0).
    case toolCall(index: Int, id: String, name: String)
    /// A fragment of that call's JSON arguments, as the model writes them.
    case toolArguments(index: Int, fragment: String)
    case completed(TurnCompletion)
    case failed(TurnFailure)
}

/// Why a turn ended well: each front end names it in its own words.
package enum FinishReason: Equatable, Sendable {
    case stop
    case length
    case contentFilter
    /// The turn ended with calls of the client's tools.
    case toolCalls
}

/// What a client is told when the model declined to answer.
package let refusalMessage = "The model declined to answer this request."

package struct TurnCompletion: Equatable, Sendable {
    package var finishReason: FinishReason
    package var usage: TokenUsage
    package var costUSD: Double?
    /// True when the proxy ends the turn before the CLI does (a `max_tokens` or `refusal` stop,
    /// after which the CLI would start continuation calls on its own, docs/cli.md, "Continuations").
    package var stopsChild: Bool
    /// The stop sequence that ended the answer, when one did.
    package var stopSequence: String? = nil

    package init(finishReason: FinishReason, usage: TokenUsage, costUSD: Double? = nil, stopsChild: Bool,
                 stopSequence: String? = nil) {
        self.finishReason = finishReason
        self.usage = usage
        self.costUSD = costUSD
        self.stopsChild = stopsChild
        self.stopSequence = stopSequence
    }
}

/// Why a turn produced no (complete) answer.
package enum TurnFailure: Error, Equatable, Sendable {
    /// The CLI reported an error result (docs/cli.md, "Failures").
    case upstream(UpstreamError)
    /// The CLI restarted the upstream stream after text had been sent (docs/cli.md, "Failures").
    case restartedAfterOutput
    /// The CLI reported tools or MCP servers, which the isolated profile must never have.
    case toolsEnabled([String])
    /// The CLI ended without a `result` line.
    case exitedWithoutResult(ExitStatus?)
    /// The CLI could not be started.
    case spawnFailed(executable: String, errno: Int32)
    /// A JSON schema was asked for and the model did not fill it.
    case structuredOutputMissing
    /// The CLI printed nothing for this long.
    case idle(seconds: Double)
    /// The proxy's own deadline expired.
    case deadlineExceeded(seconds: Double)
    /// The answer grew beyond `--max-reply-bytes`.
    case replyTooLarge(limit: Int)
    /// The proxy could not prepare what the CLI needs (a file in its private directory).
    case preparationFailed
    /// The CLI did not get exactly the client's tools from the proxy's MCP endpoint.
    case toolBridgeFailed(expected: [String], got: [String])
    /// No place became free in time (`waited`), or the queue was full on arrival.
    case queueFull(waited: Bool)
    /// The proxy is draining and takes no new work.
    case shuttingDown
    /// A usage window that covers the request is used up, or the key's reserve reached: answered
    /// by the proxy without starting a CLI.
    case usageBlocked(UsageLedger.Block)
}

package struct UpstreamError: Equatable, Sendable {
    package var status: Int?
    package var type: String?
    /// The synthetic assistant's `error` (`rate_limit`, `authentication_failed`, …).
    package var kind: String?
    /// The synthetic assistant's `api_error` (`connection_failed`, `stream_idle_timeout`, …).
    package var transport: String?
    package var terminalReason: TerminalReason?
    package var message: String
    /// The subscription login had expired before anything was answered (`Continuity.loginExpired`).
    package var loginExpired: Bool
    /// A refusal for a used-up usage window: which, and when it resets.
    package var rateLimit: RateLimitInfo?

    package init(status: Int? = nil, type: String? = nil, kind: String? = nil, transport: String? = nil,
                 terminalReason: TerminalReason? = nil, message: String, loginExpired: Bool = false,
                 rateLimit: RateLimitInfo? = nil) {
        self.status = status
        self.type = type
        self.kind = kind
        self.transport = transport
        self.terminalReason = terminalReason
        self.message = message
        self.loginExpired = loginExpired
        self.rateLimit = rateLimit
    }
}
