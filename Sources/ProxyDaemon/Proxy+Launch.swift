import ChildProcesses
import EventTransport
import Glibc
import Logging
import OpenAIFront
import ProxyCore

/// How a request gets its CLI: resumed (its conversation is parked in a running CLI), warm (one
/// of its shape was started ahead), or cold (started now). Correctness first: a request resumes
/// only a conversation it continues exactly; anything else goes cold with the whole history.
extension Proxy {
    /// Holds the CLI a session ended up with, for its release.
    private final class Attached {
        var handle: CLIHandle?
    }

    func launch(_ job: any CompletionPlan, on exchange: HTTPExchange, requestID: String, apiKey: String) throws(TurnFailure) {
        let place = try scheduler.reserve()
        // A conversation may continue in its CLI when it is an agent's (tools) or already has
        // turns; not under a schema (its enforcement turn ends the run its own way). A kept CLI
        // runs without the near-zero budget that stops the CLI's continuation after a max_tokens
        // stop (it would stop a tool round trip too): such a stop may cost one more upstream call
        // before the CLI is stopped, and that CLI is not kept.
        let keeps = parked.isEnabled && job.options.jsonSchema == nil
            && (!job.bridgedTools.isEmpty || job.conversation.turns.count > 1)
        var options = job.options
        if keeps { options.stopsAfterFirstCall = false }
        let clientSystem = (job.conversation.system + [job.tools?.instructions].compactMap { $0 }).joined(separator: "\n\n")
        let key = ConversationIdentity.Key(apiKey: apiKey, shape: SpawnShape(
            model: job.model, options: options, system: clientSystem, tools: job.bridgedTools, keepsConversation: keeps))
        let shape = SpawnShape(model: job.model, options: options, system: job.prompt.system, tools: job.bridgedTools,
                               keepsConversation: keeps)
        var continuity = TurnReducer.Continuity(toolCallsEndTurn: keeps && !job.bridgedTools.isEmpty,
                                                loginExpired: subscriptionLoginExpired())
        var input: [UInt8]? = job.prompt.stdinLine
        let attached = Attached()
        if keeps, let (entry, continuation) = parked.take(job.conversation, key: key) {
            attached.handle = entry.handle
            entry.handle.start = .resumed
            continuity.costBaseline = entry.cost
            switch continuation {
            case .nextTurn(let turn):
                input = Prompt(Conversation(turns: [turn])).stdinLine
                metrics.recordResume(kind: "next_turn")
            case .toolResults(let results):
                input = nil
                continuity.resumedAfterTools = true
                entry.handle.bridge?.answer(results)
                metrics.recordResume(kind: "tool_result")
            }
        }
        let baseline = continuity.costBaseline
        let limits = CompletionSession.Limits(
            requestTimeout: configuration.requestTimeout, idleTimeout: configuration.idleTimeout,
            keepAliveInterval: configuration.keepAliveInterval, maxReplyBytes: configuration.maxReplyBytes)
        let session = CompletionSession(
            id: job.id, sink: exchange, translator: job.translator, isStreaming: job.isStreaming,
            reducer: job.reducer(continuity: continuity), headers: [("X-Request-Id", requestID)], limits: limits,
            timers: timers, logger: logger, input: input,
            elapsed: { [receivedAt = exchange.receivedAt] in receivedAt.duration(to: .now).inSeconds },
            launch: { [unowned self] in
                if let ready = attached.handle { return .success(.readyMade(ready.process)) }
                if let warm = self.warmPool.take(shape, now: self.clock()) {
                    warm.start = .warm
                    attached.handle = warm
                    return .success(.readyMade(warm.process))
                }
                var started = self.spawnHandle(shape, requestID: job.id)
                // Short of processes or descriptors: kept and warm CLIs serve no running request,
                // so they make room first.
                if case .failure(.spawnFailed(_, let code)) = started, TurnFailure.isResourceShortage(code),
                   self.parked.evictOldest() || self.warmPool.evictOne() {
                    started = self.spawnHandle(shape, requestID: job.id)
                }
                return started.map { handle in
                    attached.handle = handle
                    return .spawned(handle.process)
                }
            }
        ) { [unowned self] session in
            self.logAccess(exchange, requestID: requestID, session: session, start: attached.handle?.start)
            if session.keptProcess != nil, let handle = attached.handle {
                let calls = session.transcript.completion?.finishReason == .toolCalls ? session.transcript.toolCalls : []
                let identity = ConversationIdentity(key: key, conversation: job.conversation)
                    .appending(reply: session.transcript.text, calls: calls)
                self.parked.park(handle, identity: identity, pending: Set(calls.map(\.id)),
                                 cost: session.cumulativeCost ?? baseline)
            }
            self.finished(ticket: place.ticket)
            self.refillWarmPool()
        }
        session.keepsProcess = keeps
        if !place.startsNow {
            logger.info("request queued", metadata: ["request_id": "\(job.id)", "waiting": "\(scheduler.waiting + 1)"])
        }
        scheduler.schedule(session, ticket: place.ticket, startsNow: place.startsNow)
    }

    /// Starts a CLI of `shape`: its system prompt file, its TMPDIR, its tool bridge (when it has
    /// tools), the process; all freed in `dispose` once the process is gone.
    func spawnHandle(_ shape: SpawnShape, requestID: String) -> Result<CLIHandle, TurnFailure> {
        let id = CompletionPlanIDs.random(prefix: "cli_")
        var created: [String] = []
        // Whatever was made before a failure goes with it.
        func fail(_ failure: TurnFailure, _ message: String, _ error: any Error) -> Result<CLIHandle, TurnFailure> {
            for path in created { runtime.removeTree(path) }
            logger.error("\(message)", metadata: ["request_id": "\(requestID)", "error": "\(error)"])
            return .failure(failure)
        }
        let promptPath: String
        let temporary: String
        do {
            promptPath = try runtime.writePrompt(id: id, text: shape.system)
            created.append(promptPath)
            temporary = try runtime.makeCLITemporary(id: id)
            created.append(temporary)
        } catch {
            return fail(.preparationFailed, "cannot write the system prompt file or make the CLI's TMPDIR", error)
        }
        var bridge: ToolBridgeEndpoint?
        if !shape.tools.isEmpty {
            let token = CompletionPlanIDs.random(prefix: "") + CompletionPlanIDs.random(prefix: "")
            do {
                let path = try runtime.writeMCPConfig(id: id, url: "\(toolBridgeBaseURL)/mcp/\(token)")
                created.append(path)
                bridge = ToolBridgeEndpoint(token: token, tools: shape.tools, configPath: path)
            } catch {
                return fail(.preparationFailed, "cannot write the MCP configuration file", error)
            }
        }
        // A CLI kept for its conversation may call the client's tools and wait for their results
        // (longer than a parked conversation may wait), over as many turns as the loop takes.
        let allowsTools = shape.keepsConversation && bridge != nil
        let invocation = profile.invocation(
            model: shape.model, systemPromptFile: promptPath, mcpConfigFile: bridge?.configPath, options: shape.options,
            allowedTools: allowsTools ? shape.tools.map { ToolBridge.bridged($0.name) } : [],
            maxTurns: allowsTools ? 1000 : 1,
            toolCallTimeoutMs: allowsTools ? Int((configuration.parkTimeout + 120) * 1000) : nil,
            tmpdir: temporary)
        let child: PipedChild
        do throws(SystemError) {
            child = try PipedChild(invocation: invocation, loop: loop, reaper: reaper)
        } catch {
            return fail(.spawnFailed(executable: invocation.executable, errno: error.errno), "cannot start the CLI", error)
        }
        let handle = CLIHandle(process: CLIProcess(io: child, timers: timers), shape: shape, promptPath: promptPath,
                               temporaryDirectory: temporary, bridge: bridge)
        if let bridge { toolEndpoints[bridge.token] = bridge }
        // The registry owns every handle until its process is gone, whoever holds it meanwhile.
        handles[ObjectIdentifier(handle)] = handle
        handle.process.onGone = { [unowned self, weak handle] _ in if let handle { self.dispose(handle) } }
        return .success(handle)
    }

    /// Ends a CLI that no request holds (parked, warm, or left over).
    func end(_ handle: CLIHandle) {
        handle.bridge?.close()
        handle.process.end()
    }

    /// The one place a CLI's files and bridge are freed: its process is gone.
    private func dispose(_ handle: CLIHandle) {
        handles[ObjectIdentifier(handle)] = nil
        runtime.removePrompt(at: handle.promptPath)
        runtime.removeTree(handle.temporaryDirectory)
        if let bridge = handle.bridge {
            bridge.close()
            // The bridge of a CLI that is gone answers 404 from now on.
            toolEndpoints[bridge.token] = nil
            runtime.removePrompt(at: bridge.configPath)
        }
        parked.forget(handle)
    }

    /// Starts warm CLIs for the shapes that want one, one at a time, off the request's path and
    /// only while there is a free place (a warm start must not take CPU from running requests).
    func refillWarmPool() {
        guard warmPool.isEnabled, !isStopping, !refillPending else { return }
        refillPending = true
        refillTimer.schedule(after: 0.05)
    }

    func refillWarmPoolNow() {
        refillPending = false
        guard !isStopping, scheduler.running < configuration.maxConcurrency,
              let shape = warmPool.wanted(now: clock()).first else { return }
        if case .success(let handle) = spawnHandle(shape, requestID: "warm") {
            warmPool.add(handle)
            refillWarmPool()
        }
    }

    /// True when the CLIs log in with the subscription's credentials file and its access token
    /// has expired (or was cleared): a failure before the answer is then the refresh failing,
    /// and the client is told how to renew the login. The file is read, never written.
    func subscriptionLoginExpired() -> Bool {
        guard let path = subscriptionCredentialsPath else { return false }
        switch LoginFileState.read(path: path) {
        case .expired?, .loggedOut?: return true
        case .valid?, nil: return false
        }
    }

    /// Seconds on a monotonic clock.
    func clock() -> Double {
        (ContinuousClock.now - ContinuousClock.Instant.zeroReference).inSeconds
    }
}

extension ContinuousClock.Instant {
    fileprivate static let zeroReference = ContinuousClock.now
}
