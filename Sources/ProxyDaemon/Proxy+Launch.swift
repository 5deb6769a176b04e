import SystemCalls
import AnthropicFront
import ChildProcesses
import EventTransport
import Glibc
import Logging
import OpenAIFront
import ProxyCore

/// How a request is admitted and run: its place from the scheduler now; its CLI from the pool
/// when the place is ready (resumed when its conversation is kept in a running CLI, warm when one
/// of its shape was started ahead, else cold). Correctness first: a request resumes only a
/// conversation it continues exactly; anything else goes cold with the whole history.
extension Proxy {
    /// - Parameter holdsReply: the whole reply is wanted when the request ends (`threads`).
    func launch(_ job: CompletionPlan, on exchange: HTTPExchange, apiKey: String,
                holdsReply: Bool = false) throws(TurnFailure) {
        // A used-up window (or the key's reserve) is answered now: no place, no CLI.
        try checkUsage(model: job.model, apiKey: apiKey)
        let place = try scheduler.reserve()
        // A conversation may continue in its CLI when it is an agent's (tools) or already has
        // turns; not under a schema (its enforcement turn ends the run its own way). A kept CLI
        // runs without the near-zero budget that stops the CLI's continuation after a max_tokens
        // stop (it would stop a tool round trip too): such a stop may cost one more upstream call
        // before the CLI is stopped, and that CLI is not kept.
        // A request that forces one function and carries no conversation yet is a one-shot
        // extraction whose client never sends the result back: it keeps nothing.
        // Any other conversation is kept, a plain chat's first turn too: its second turn then
        // costs no new CLI (README, "Which requests keep a CLI").
        let oneShot = job.tools?.forcesOneFunction == true && job.conversation.turns.count == 1
        let keeps = pool.parked.isEnabled && job.options.jsonSchema == nil && !oneShot
        var options = job.options
        if keeps { options.stopsAfterFirstCall = false }
        let clientSystem = (job.conversation.system + [job.tools?.instructions].compactMap { $0 }).joined(separator: "\n\n")
        let key = ConversationIdentity.Key(apiKey: apiKey, shape: SpawnShape(
            model: job.model, options: options, system: clientSystem, tools: job.bridgedTools, keepsConversation: keeps))
        // Earlier turns go upstream natively from a session file a new CLI resumes; where the
        // file cannot say them exactly, as today's transcript, counted with its reason.
        let history = sessionHistory(for: job)
        let native: SessionHistory?
        let form: HistoryForm
        let input: [UInt8]?
        let system: String
        switch history {
        case .success(let planned)?:
            // The file holds the earlier turns (if any); stdin only the new one, if any.
            (native, form) = (planned.resumes ? planned : nil, planned.resumes ? .native : .single)
            input = planned.newTurn.map { Prompt(Conversation(turns: [$0])).stdinLine }
            system = clientSystem
        case .failure(let fallback)?:
            (native, form) = (nil, .flattened(fallback))
            (input, system) = (job.prompt.stdinLine, job.prompt.system)
        case nil:
            (native, form) = (nil, .single)
            (input, system) = (job.prompt.stdinLine, job.prompt.system)
        }
        let shape = SpawnShape(model: job.model, options: options, system: system, tools: job.bridgedTools,
                               keepsConversation: keeps)
        let limits = CompletionSession.Limits(
            requestTimeout: configuration.requestTimeout, idleTimeout: configuration.idleTimeout,
            keepAliveInterval: configuration.keepAliveInterval, maxReplyBytes: configuration.maxReplyBytes)
        let session = CompletionSession(
            id: job.id, sink: exchange, translator: job.translator, isStreaming: job.isStreaming, keepsConversation: keeps,
            keepsAfterDeparture: keeps && (job.conversation.turns.count > 1 || !job.bridgedTools.isEmpty), holdsReply: holdsReply,
            headers: [], limits: limits, timers: timers, logger: logger,
            elapsed: { [receivedAt = exchange.receivedAt] in MonotonicClock.seconds(from: receivedAt) })
        let run = RequestRun(
            session: session,
            wish: CLIWish(shape: shape, key: key, conversation: job.conversation, keeps: keeps,
                          input: input, history: native, historyForm: form, requestID: job.id),
            plan: job, ticket: place.ticket, loginExpired: subscriptionLogin?.isExpired() ?? false,
            host: self)
        runs[ObjectIdentifier(run)] = exchange
        if !place.startsNow {
            logger.info("request queued", metadata: ["request_id": "\(job.id)", "waiting": "\(scheduler.waiting + 1)"])
        }
        scheduler.schedule(run, ticket: place.ticket, startsNow: place.startsNow)
    }

    /// A request is over: its access line, then its place goes to the next and the warm pool
    /// refills. Adopted strays (a process that left its CLI's group and outlived it) go with it.
    func requestEnded(_ run: RequestRun) {
        switch run.lease?.continuation {
        case .nextTurn?: metrics.recordResume(kind: "next_turn")
        case .toolResults?: metrics.recordResume(kind: "tool_result")
        case .fresh?, nil: break
        }
        if let form = run.historyForm { metrics.recordHistory(form) }
        recordRefusal(of: run.session)
        // A threaded request that was never answered leaves its thread as it was; a response
        // never answered is not stored.
        if let turn = threadTurns.removeValue(forKey: run.wish.requestID) { threads.end(turn, reply: nil) }
        responseTurns[run.wish.requestID] = nil
        if let exchange = runs.removeValue(forKey: ObjectIdentifier(run)) {
            logAccess(exchange, session: run.session, start: run.start, history: run.historyForm)
        }
        finished(ticket: run.ticket)
        pool.refillWarmPool()
    }

    /// A threaded request's reply is held as soon as its client has it, so that the next turn,
    /// which may come before the CLI has finished, finds it. A refusal is not continued: the SDK
    /// starts a new thread after one.
    func requestAnswered(_ run: RequestRun) {
        if let turn = responseTurns.removeValue(forKey: run.wish.requestID), let transcript = run.session.answered {
            responseStore.end(turn, reply: (run.wish.requestID, transcript))
        }
        guard let turn = threadTurns.removeValue(forKey: run.wish.requestID) else { return }
        let reply = run.session.answered.flatMap { $0.completion?.finishReason == .contentFilter ? nil : $0 }
        threads.end(turn, reply: reply.map { (run.wish.requestID, MessagesTranslator.content(for: $0)) })
    }

    /// The request's earlier turns as a session file, nil for a single user message, or why
    /// they cannot be one.
    private func sessionHistory(for job: CompletionPlan) -> Result<SessionHistory, SessionHistory.Fallback>? {
        let planned = SessionHistory.plan(
            job.conversation, model: resolvedModels[job.model] ?? job.model, toolsBridged: !job.bridgedTools.isEmpty,
            sessionID: SessionHistory.sessionID(fromHex: CompletionPlanIDs.random(prefix: "")))
        guard case .success(let history)? = planned, history.resumes else { return planned }
        if configuration.flattenHistory { return .failure(.turnedOff) }
        if !pool.canResume { return .failure(.longWorkingDirectory) }
        return planned
    }

    func cliRuns(_ model: String, asked: String) {
        guard resolvedModels[asked] != model else { return }
        if resolvedModels.count < 64 || resolvedModels[asked] != nil { resolvedModels[asked] = model }
        logger.debug("model resolved", metadata: ["asked": "\(asked)", "model": "\(model)"])
    }

    /// Seconds on a monotonic clock.
    static func clock() -> Double {
        (ContinuousClock.now - ContinuousClock.Instant.zeroReference).inSeconds
    }
}

extension ContinuousClock.Instant {
    fileprivate static let zeroReference = ContinuousClock.now
}
