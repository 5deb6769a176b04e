/// Folds the CLI's stream-json events into `TurnEvent`s. One per request; pure.
///
/// Rules (docs/cli.md):
/// - text is taken from `text_delta` stream events as they come;
/// - an `assistant` text block whose message streamed no deltas is sent whole (a non-streamed reply);
/// - a second `message_start` or an `api_retry` after text was sent fails the turn: the CLI would
///   re-stream from the start, and the client must never receive text twice;
/// - `stop_reason: max_tokens` / `refusal` end the turn at once (the CLI would continue on its own);
/// - `result` decides success by `is_error`, never by `subtype`;
/// - text passes through the `stop` sequences; a match ends the turn there and stops the CLI;
/// - under a JSON schema the answer is the `StructuredOutput` value alone: prose is dropped, and
///   no value is a failure, never free text. A stream gets the value's JSON as the model writes it
///   (the tool input's `input_json_delta`s), which must then decode to the value the CLI validated;
///   a whole reply gets the CLI's own text of the value.
package struct TurnReducer: Sendable {
    private var stops: StopSequenceMatcher
    private let isStructured: Bool
    /// Under a schema, stream the value's JSON as it is written rather than whole at the end.
    private let streamsStructured: Bool
    /// The `StructuredOutput` call's content block, and its JSON sent so far.
    private var structuredBlock: Int?
    private var structuredJSON = ""
    /// The one tool the CLI may report: `--json-schema` adds it.
    package static let structuredOutputTool = "StructuredOutput"
    package private(set) var isFinished = false
    private var model: String?
    private var hasBegun = false
    private var hasSentText = false
    private var streamedMessageIDs: Set<String> = []
    private var currentMessageID: String?
    private var streamUsage = TokenUsage()
    private var synthetic: AssistantMessage?
    private let parallelToolCalls: Bool
    /// Calls dropped because the client asked for one at most.
    private var droppedToolCalls = false
    /// The last `rate_limit_event` of this turn that said a window is used up.
    private var rejectedRateLimit: RateLimitInfo?
    /// The client's tools as the CLI names them (`mcp__client__<name>`), bridged by the proxy.
    private let bridgedTools: Set<String>
    /// Open calls of the client's tools: content block index → call index.
    private var toolBlocks: [Int: Int] = [:]
    private var toolCallCount = 0
    /// The upstream message ended properly: a `message_delta` with a stop reason. (On a cut stream
    /// the CLI makes up a `message_delta` with a null stop reason and a `message_stop`.)
    private var sawMessageEnd = false

    /// How a turn on a CLI that is kept between requests is read.
    package struct Continuity: Equatable, Sendable {
        /// The CLI may call the client's tools and waits for their results: the turn ends for the
        /// client when the model's message ends with tool calls, not at the run's `result`.
        package var toolCallsEndTurn = false
        /// Attached after answering held tool calls: what the CLI printed before its next
        /// upstream message belongs to the previous request.
        package var resumedAfterTools = false
        /// The CLI's cost figure is cumulative over the process: this much was already reported.
        package var costBaseline = 0.0
        /// The subscription login's access token had expired when the request began: a refused
        /// login or a failed connection before any answer is then the CLI's refresh failing.
        package var loginExpired = false

        package init(toolCallsEndTurn: Bool = false, resumedAfterTools: Bool = false, costBaseline: Double = 0,
                     loginExpired: Bool = false) {
            self.toolCallsEndTurn = toolCallsEndTurn
            self.resumedAfterTools = resumedAfterTools
            self.costBaseline = costBaseline
            self.loginExpired = loginExpired
        }
    }

    private let continuity: Continuity
    private var waitingForMessage: Bool
    /// The cumulative cost the CLI reported last (for the next request on the same process).
    package private(set) var cumulativeCost: Double?

    /// - Parameter parallelToolCalls: false when the client asked for one call at most
    ///   (`parallel_tool_calls: false`, `disable_parallel_tool_use`): further calls are dropped, and
    ///   a CLI that made them is not kept (it would wait on calls the client never saw).
    package init(stopSequences: [String] = [], isStructured: Bool = false, streamsStructured: Bool = false,
                 bridgedTools: [String] = [], parallelToolCalls: Bool = true, continuity: Continuity = Continuity()) {
        self.parallelToolCalls = parallelToolCalls
        self.streamsStructured = isStructured && streamsStructured
        stops = StopSequenceMatcher(sequences: stopSequences)
        self.isStructured = isStructured
        self.bridgedTools = Set(bridgedTools.map(ToolBridge.bridged))
        self.continuity = continuity
        waitingForMessage = continuity.resumedAfterTools
    }

    package mutating func events(for event: StreamJSONEvent) -> [TurnEvent] {
        guard !isFinished else { return [] }
        if waitingForMessage {
            guard case .stream(_, .messageStart) = event else { return [] }
            waitingForMessage = false
        }
        switch event {
        case .initialized(let report):
            let tools = report.tools
            self.model = report.model ?? self.model
            // Exactly the bridged tools (and the schema's tool) from exactly the proxy's server, and
            // nothing of anyone's configuration (skills, commands, plugins, agents); fail closed.
            let servers = bridgedTools.isEmpty ? [] : [ToolBridge.serverName]
            let enabled = tools.filter { !(isStructured && $0 == Self.structuredOutputTool) && !bridgedTools.contains($0) }
                + report.mcpServers.filter { !servers.contains($0) }.map { "mcp:\($0)" }
                + report.customizations
            if !enabled.isEmpty { return finish(.failed(.toolsEnabled(enabled))) }
            let missing = bridgedTools.subtracting(tools)
            if !missing.isEmpty {
                return finish(.failed(.toolBridgeFailed(expected: bridgedTools.sorted(),
                                                        got: tools.filter(bridgedTools.contains).sorted())))
            }
            return []

        case .apiRetry:
            return hasSentText ? finish(.failed(.restartedAfterOutput)) : []

        case .stream(let messageID, let streamEvent):
            return events(for: streamEvent, messageID: messageID)

        case .assistant(let message):
            if message.isSynthetic {
                synthetic = message
                return []
            }
            guard let id = message.id, !streamedMessageIDs.contains(id), !message.texts.isEmpty else { return [] }
            if hasSentText && id != currentMessageID { return finish(.failed(.restartedAfterOutput)) }
            streamedMessageIDs.insert(id)
            hasSentText = !isStructured
            return begin(model: message.model) + text(message.texts.joined())

        case .result(let result):
            return events(for: result)

        case .rateLimit(let info):
            // CLI 2.1.284 names no window in its refusal: the event just before it does. A rejection
            // that names no window is Anthropic limiting requests, not a used-up window (rl09).
            if info.status == .rejected, info.representativeWindow != nil { rejectedRateLimit = info }
            return []

        case .other:
            return []
        }
    }

    /// Stdout ended: a turn that has not finished by now never will.
    package mutating func endOfOutput(exitStatus: ExitStatus?) -> [TurnEvent] {
        guard !isFinished else { return [] }
        return finish(.failed(.exitedWithoutResult(exitStatus)))
    }

    private mutating func events(for event: AnthropicStreamFrame, messageID: String?) -> [TurnEvent] {
        switch event {
        case .messageStart(let message):
            if hasSentText { return finish(.failed(.restartedAfterOutput)) }
            currentMessageID = message.id.isEmpty ? messageID : message.id
            streamUsage = TokenUsage(message.usage)
            return begin(model: message.model.isEmpty ? nil : message.model)
        case .contentBlockDelta(_, .text(let text)):
            guard !text.isEmpty else { return [] }
            if let id = currentMessageID ?? messageID { streamedMessageIDs.insert(id) }
            hasSentText = !isStructured
            return begin(model: nil) + self.text(text)
        case .messageDelta(let stopReason, _, let usage):
            streamUsage.outputTokens = usage.outputTokens
            if stopReason != nil { sawMessageEnd = true }
            if continuity.toolCallsEndTurn && stopReason == .toolUse && toolCallCount > 0 {
                // The CLI now calls the tools over the bridge and waits: this request is done.
                return begin(model: nil) + finish(.completed(TurnCompletion(
                    finishReason: .toolCalls, usage: streamUsage, costUSD: nil, stopsChild: droppedToolCalls)))
            }
            // The CLI would continue after these on its own: the proxy ends the turn (and the CLI) here.
            let reason = Self.finishReason(stopReason)
            guard reason != .stop else { return [] }
            return begin(model: nil) + finish(.completed(TurnCompletion(
                finishReason: reason, usage: streamUsage, costUSD: nil, stopsChild: true)))
        case .contentBlockStart(let index, .toolUse(_, Self.structuredOutputTool, _)) where streamsStructured:
            // A second value (the CLI asks again when the first failed its schema) cannot be
            // streamed over the first one.
            guard structuredBlock == nil, structuredJSON.isEmpty else { return finish(.failed(.restartedAfterOutput)) }
            if let id = currentMessageID ?? messageID { streamedMessageIDs.insert(id) }
            structuredBlock = index
            return begin(model: nil)
        case .contentBlockDelta(let index, .inputJSON(let json)) where index == structuredBlock:
            guard !json.isEmpty else { return [] }
            // From here a restarted stream would repeat what the client has.
            hasSentText = true
            structuredJSON += json
            return [.text(json)]
        case .contentBlockStop(let index) where index == structuredBlock:
            structuredBlock = nil
            return []
        case .contentBlockStart(let index, .toolUse(let id, let name, _)):
            guard bridgedTools.contains(name), let clientName = ToolBridge.clientName(name) else { return [] }
            guard parallelToolCalls || toolCallCount == 0 else {
                droppedToolCalls = true
                return []
            }
            if let id = currentMessageID ?? messageID { streamedMessageIDs.insert(id) }
            // A call is output too: a restarted stream would repeat it.
            hasSentText = true
            let call = toolCallCount
            toolCallCount += 1
            toolBlocks[index] = call
            return begin(model: nil) + [.toolCall(index: call, id: id, name: clientName)]
        case .contentBlockDelta(let index, .inputJSON(let json)):
            guard let call = toolBlocks[index], !json.isEmpty else { return [] }
            return [.toolArguments(index: call, fragment: json)]
        case .contentBlockDelta(_, .thinking(let text)):
            guard !text.isEmpty, !hasSentText else { return [] }
            return begin(model: nil) + [.reasoning(text)]
        case .contentBlockDelta(_, .signature(let signature)):
            guard !signature.isEmpty, !hasSentText else { return [] }
            return begin(model: nil) + [.reasoningSignature(signature)]
        case .contentBlockStart, .contentBlockDelta(_, .unknown), .contentBlockStop, .messageStop, .unknown:
            return []
        }
    }

    /// The upstream's `stop_reason` in the proxy's terms: the one place it is mapped.
    package static func finishReason(_ stopReason: StopReason?) -> FinishReason {
        switch stopReason {
        case .maxTokens?: .length
        case .refusal?: .contentFilter
        default: .stop
        }
    }

    private mutating func events(for result: ResultEvent) -> [TurnEvent] {
        var result = result
        if let cost = result.totalCostUSD {
            cumulativeCost = cost
            result.totalCostUSD = max(0, cost - continuity.costBaseline)
        }
        // After tool results the run's usage covers the calls before them too: report this
        // request's own upstream call, as the stream counted it.
        if continuity.resumedAfterTools { result.usage = streamUsage }
        // The proxy's near-zero budget ended the run after its one call (CLIOptions.stopsAfterFirstCall):
        // a normal end, whose usage (zero in this result) comes from the stream.
        if result.subtype == .errorMaxBudgetUSD {
            // Unless the stream was cut first: then the budget stopped the CLI's retry, not a finished answer.
            guard sawMessageEnd else {
                return finish(.failed(.upstream(UpstreamError(
                    kind: synthetic?.error, transport: synthetic?.apiError ?? "connection_failed",
                    message: "The upstream stream ended before the answer was complete."))))
            }
            let reason = result.stopReason == .toolUse && toolCallCount > 0 ? .toolCalls : Self.finishReason(result.stopReason)
            return begin(model: nil) + finish(.completed(TurnCompletion(
                finishReason: reason, usage: streamUsage, costUSD: nil, stopsChild: false)))
        }
        // Under --max-turns 1 a tool call from the model ends the run this way; the text so far is the answer.
        let endedOnToolUse = result.subtype == .errorMaxTurns && result.stopReason == .toolUse
        // The model called the client's tools: that is the answer, with or without a schema.
        if endedOnToolUse && toolCallCount > 0 {
            return begin(model: nil) + finish(.completed(TurnCompletion(
                finishReason: .toolCalls, usage: result.usage, costUSD: result.totalCostUSD, stopsChild: droppedToolCalls)))
        }
        // Without a value the CLI either succeeds with `structured_output: null` or (under
        // --max-turns 1) ends its enforcement turn with `error_max_turns`.
        if isStructured && (!result.isError || result.subtype.isLimit) {
            guard let value = result.structuredOutput else { return finish(.failed(.structuredOutputMissing)) }
            if streamsStructured && !structuredJSON.isEmpty {
                // What the client has must be the value the CLI validated, or the turn fails.
                guard (try? WireJSON.decode(JSONValue.self, from: Array(structuredJSON.utf8))) == value else {
                    return finish(.failed(.restartedAfterOutput))
                }
                return begin(model: nil) + finish(.completed(TurnCompletion(
                    finishReason: .stop, usage: result.usage, costUSD: result.totalCostUSD, stopsChild: false)))
            }
            // `result` is the value's JSON text as the model wrote it; re-encode only if it is not.
            let json = result.text.flatMap { text in
                (try? WireJSON.decode(JSONValue.self, from: Array(text.utf8))) == value ? text : nil
            } ?? String(decoding: WireJSON.encode(value), as: UTF8.self)
            return begin(model: nil) + [.text(json)] + finish(.completed(TurnCompletion(
                finishReason: .stop, usage: result.usage, costUSD: result.totalCostUSD, stopsChild: false)))
        }
        if !result.isError || endedOnToolUse {
            return begin(model: nil) + finish(.completed(TurnCompletion(
                finishReason: .stop, usage: result.usage, costUSD: result.totalCostUSD, stopsChild: false)))
        }
        if Self.finishReason(result.stopReason) == .contentFilter {
            return begin(model: nil) + finish(.completed(TurnCompletion(
                finishReason: .contentFilter, usage: result.usage, costUSD: result.totalCostUSD, stopsChild: false)))
        }
        return finish(.failed(.upstream(UpstreamError(
            status: result.apiErrorStatus, type: result.apiErrorType, kind: synthetic?.error,
            transport: synthetic?.apiError, terminalReason: result.terminalReason,
            message: result.text ?? synthetic?.texts.joined() ?? "The Claude Code CLI reported an error.",
            loginExpired: continuity.loginExpired && !hasBegun, rateLimit: synthetic?.rateLimit ?? rejectedRateLimit))))
    }

    private mutating func begin(model messageModel: String?) -> [TurnEvent] {
        guard !hasBegun else { return [] }
        hasBegun = true
        model = model ?? messageModel
        return [.began(model: model ?? "claude")]
    }

    private mutating func finish(_ event: TurnEvent) -> [TurnEvent] {
        isFinished = true
        guard case .completed = event else { return [event] }
        let held = stops.flush()
        return (held.isEmpty ? [] : [.text(held)]) + [event]
    }

    /// Text after the stop sequences: what may go out now, and the end of the turn on a match.
    private mutating func text(_ text: String) -> [TurnEvent] {
        guard !isStructured else { return [] }
        let out = stops.feed(text)
        var events: [TurnEvent] = out.isEmpty ? [] : [.text(out)]
        if stops.isStopped {
            events += finish(.completed(TurnCompletion(finishReason: .stop, usage: streamUsage, costUSD: nil,
                                                       stopsChild: true, stopSequence: stops.matched)))
        }
        return events
    }
}
