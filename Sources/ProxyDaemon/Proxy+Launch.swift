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
    func launch(_ job: any CompletionPlan, on exchange: HTTPExchange, requestID: String, apiKey: String) throws(TurnFailure) {
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
        let oneShot = job.tools?.forcesOneFunction == true && job.conversation.turns.count == 1
        let keeps = pool.parked.isEnabled && job.options.jsonSchema == nil && !oneShot
            && (!job.bridgedTools.isEmpty || job.conversation.turns.count > 1)
        var options = job.options
        if keeps { options.stopsAfterFirstCall = false }
        let clientSystem = (job.conversation.system + [job.tools?.instructions].compactMap { $0 }).joined(separator: "\n\n")
        let key = ConversationIdentity.Key(apiKey: apiKey, shape: SpawnShape(
            model: job.model, options: options, system: clientSystem, tools: job.bridgedTools, keepsConversation: keeps))
        let shape = SpawnShape(model: job.model, options: options, system: job.prompt.system, tools: job.bridgedTools,
                               keepsConversation: keeps)
        let limits = CompletionSession.Limits(
            requestTimeout: configuration.requestTimeout, idleTimeout: configuration.idleTimeout,
            keepAliveInterval: configuration.keepAliveInterval, maxReplyBytes: configuration.maxReplyBytes)
        let session = CompletionSession(
            id: job.id, sink: exchange, translator: job.translator, isStreaming: job.isStreaming, keepsConversation: keeps,
            headers: [("X-Request-Id", requestID)], limits: limits, timers: timers, logger: logger,
            elapsed: { [receivedAt = exchange.receivedAt] in receivedAt.duration(to: .now).inSeconds })
        let run = RequestRun(
            session: session,
            wish: CLIWish(shape: shape, key: key, conversation: job.conversation, keeps: keeps,
                          input: job.prompt.stdinLine, requestID: job.id),
            plan: job, ticket: place.ticket, loginExpired: subscriptionLogin?.isExpired() ?? false,
            host: self)
        runs[ObjectIdentifier(run)] = (exchange, requestID)
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
        recordRefusal(of: run.session)
        if let (exchange, requestID) = runs.removeValue(forKey: ObjectIdentifier(run)) {
            logAccess(exchange, requestID: requestID, session: run.session, start: run.start)
        }
        finished(ticket: run.ticket)
        pool.refillWarmPool()
    }

    /// Seconds on a monotonic clock.
    static func clock() -> Double {
        (ContinuousClock.now - ContinuousClock.Instant.zeroReference).inSeconds
    }
}

extension ContinuousClock.Instant {
    fileprivate static let zeroReference = ContinuousClock.now
}
