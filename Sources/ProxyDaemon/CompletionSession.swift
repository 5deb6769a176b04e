import ChildProcesses
import Logging
import ProxyCore

/// Who hears that a session ended (exactly once, from the state machine's `release`), and what
/// its CLI said of the subscription's usage windows; and who knows their latest state.
package protocol CompletionSessionOwner: AnyObject {
    func sessionReleased(_ session: CompletionSession)
    func session(_ session: CompletionSession, reported usage: RateLimitInfo)
    /// The turn began on this model (the CLI's own name for the one it was asked for).
    func session(_ session: CompletionSession, runs model: String)
    /// The latest known state of the usage windows, as response headers.
    var usageHeaders: [(String, String)] { get }
    /// The reply has gone to the sink whole (the CLI may still be finishing); `answered` holds it.
    func sessionAnswered(_ session: CompletionSession)
}

extension CompletionSessionOwner {
    package func sessionAnswered(_ session: CompletionSession) {}
}

/// Per-request glue: attaches to one CLI process, feeds its stdout through `LineSplitter` →
/// `StreamJSONEvent` → `TurnReducer` → the endpoint's `ReplyTranslator`, and carries out the
/// state machine's actions against the reply sink and the process. Every byte to the client goes
/// through the outbox. Depends on protocols only (`ResponseSink`, `TimerFactory`, and the
/// process's `ChildIO`), so tests drive it with fakes. It never obtains or disposes of a CLI:
/// its owner gives it one (`start`) and decides what becomes of it after `release`, from what
/// the state machine decided (`keepsCLI`).
package final class CompletionSession: CLIProcessListener {
    package struct Limits: Sendable {
        package var requestTimeout: Double
        /// Seconds without CLI output before the CLI is stopped (504).
        package var idleTimeout: Double = 300
        /// Seconds of stream silence before a keep-alive is sent.
        package var keepAliveInterval: Double = 15
        /// Bytes of answer (text and thinking) beyond which the request fails instead of growing.
        package var maxReplyBytes = Int.max
        /// Seconds from a finished reply to stopping a CLI that is still running, and again to
        /// closing a stdout that something outside the CLI's group still holds.
        package var linger = 3.0
        /// Seconds an interrupted CLI has to end its turn before it is stopped (it takes 40–150 ms).
        package var interruptGrace = 2.0

        package init(requestTimeout: Double, idleTimeout: Double = 300, keepAliveInterval: Double = 15,
                     maxReplyBytes: Int = .max, linger: Double = 3.0, interruptGrace: Double = 2.0) {
            self.requestTimeout = requestTimeout
            self.idleTimeout = idleTimeout
            self.keepAliveInterval = keepAliveInterval
            self.maxReplyBytes = maxReplyBytes
            self.linger = linger
            self.interruptGrace = interruptGrace
        }
    }

    package let id: String
    private let sink: any ResponseSink
    private var translator: any ReplyTranslator
    private var machine: SessionStateMachine
    private var reducer: TurnReducer
    private var splitter = LineSplitter()
    private var pendingFrames: [SSEFrame] = []
    /// Every byte to the client, in order; the end of a stream waits for it, and the state
    /// machine's release waits for it to empty.
    private let outbox: ReplyOutbox
    private var endAfterOutbox = false
    package private(set) var process: CLIProcess?
    private let timers: any TimerFactory
    private let logger: Logger
    private let limits: Limits
    private var deadline: (any LoopTimer)?
    private var idleTimer: (any LoopTimer)?
    private var keepAliveTimer: (any LoopTimer)?
    private var lingerTimer: (any LoopTimer)?
    private var interruptTimer: (any LoopTimer)?
    /// Bytes of text and thinking produced so far, against `maxReplyBytes`.
    private var replyBytes = 0
    /// True when something went to the client since the last keep-alive tick.
    private var sentSinceTick = false
    package weak var owner: (any CompletionSessionOwner)?
    private var responseHeaders: [(String, String)]
    package private(set) var model: String?
    package private(set) var spawnFailed = false
    /// The code of the error the client was given, for the access log.
    package private(set) var errorCode: String?
    /// The failure the client was given, if any.
    package private(set) var failure: TurnFailure?
    package private(set) var isReleased = false
    /// True when the CLI may be kept for the conversation's next request: its stdin stays open.
    package var keepsProcess: Bool { machine.keepsConversation }
    /// The state machine decided the CLI is kept for the conversation's next request.
    package var keepsCLI: Bool { machine.keepsChild }
    /// The turn as the client got it (kept for every request that may park its CLI).
    package private(set) var transcript = TurnTranscript()
    /// The whole reply when the client got all of it and it was held (not cut, not too long).
    package var answered: TurnTranscript? {
        failure == nil && transcript.completion != nil && !tooLongToKeep ? transcript : nil
    }
    /// A streamed answer longer than this keeps no CLI: the proxy would hold all of it to
    /// recognise the conversation's next turn (a plain stream keeps nothing it sent).
    private static let keptStreamLimit = 1 << 20
    private var tooLongToKeep = false
    /// The CLI's cumulative cost after this turn, for the next request on the same process.
    package var cumulativeCost: Double? { interruptedCost ?? reducer.cumulativeCost }
    /// The cumulative cost an interrupted turn's `result` reported.
    private var interruptedCost: Double?
    /// Where this request's time went; `elapsed` is the injected clock (seconds since it was read).
    package private(set) var timeline = RequestTimeline()
    private let elapsed: () -> Double

    /// A client that leaves mid-answer has the CLI's turn interrupted and the CLI kept, rather
    /// than stopped: for a conversation already under way (earlier turns, or tools). A first
    /// message abandoned mid-answer is seldom continued; its CLI goes.
    private let keepsAfterDeparture: Bool
    /// The whole reply is held after the request (a Messages thread holds it), streamed or not.
    private let holdsReply: Bool

    /// - Parameters:
    ///   - keepsConversation: the conversation may continue in this CLI after the request.
    ///   - keepsAfterDeparture: it may continue even when the client leaves mid-answer.
    ///   - holdsReply: the reply is wanted whole afterwards (`answered`), streamed or not.
    package init(id: String, sink: any ResponseSink, translator: any ReplyTranslator, isStreaming: Bool,
                 keepsConversation: Bool = false, keepsAfterDeparture: Bool? = nil, holdsReply: Bool = false,
                 headers: [(String, String)], limits: Limits, timers: any TimerFactory, logger: Logger,
                 elapsed: @escaping () -> Double = { 0 }) {
        self.id = id
        self.keepsAfterDeparture = keepsAfterDeparture ?? keepsConversation
        self.holdsReply = holdsReply
        self.elapsed = elapsed
        self.reducer = TurnReducer()
        self.sink = sink
        self.translator = translator
        self.machine = SessionStateMachine(isStreaming: isStreaming, childStarted: false,
                                           keepsConversation: keepsConversation)
        self.responseHeaders = headers
        self.limits = limits
        self.timers = timers
        self.logger = logger
        outbox = ReplyOutbox(sink: sink, timers: timers)
        outbox.onEmpty = { [weak self] in self?.outboxEmptied() }
    }

    package var childPID: Int32? { process?.pid }
    package var exitStatus: ExitStatus? { process?.exitStatus }

    /// Waits for a free place: a stream gets its headers and keep-alives now; a whole request is
    /// watched for its client leaving. `cancel`, `fail` or `start` follows.
    package func waitInQueue() {
        listenToSink()
        perform(machine.openStreamEarly())
        sink.watchForClientClose()
    }

    /// Its place is ready; its owner is getting it a CLI now.
    package func admitted() {
        timeline.mark(.admitted, at: elapsed())
    }

    /// Attaches to `process` and gives it this request's input: one stream-json user line (nil
    /// when resuming after tool results, which went over the bridge), after which its stdin is
    /// closed unless the conversation may continue in it.
    /// - Parameters:
    ///   - reducer: the turn's reducer, for how this CLI came to the request.
    ///   - spawned: started for this request (a warm or kept CLI has no spawn phase).
    package func start(_ process: CLIProcess, input: [UInt8]?, reducer: TurnReducer, spawned: Bool) {
        if spawned { timeline.mark(.launched, at: elapsed()) }
        self.reducer = reducer
        listenToSink()
        machine.spawned()
        self.process = process
        process.attach(self)
        guard !isReleased else { return }
        if let input { process.send(input) }
        if !keepsProcess { process.closeInput() }
        logger.debug("CLI attached", metadata: ["request_id": "\(id)", "pid": "\(process.pid)"])
        sink.watchForClientClose()
        deadline = timers.timer { [weak self] in self?.turn(.failed(.deadlineExceeded(seconds: self?.limits.requestTimeout ?? 0))) }
        deadline?.schedule(after: limits.requestTimeout)
        idleTimer = timers.timer { [weak self] in self?.turn(.failed(.idle(seconds: self?.limits.idleTimeout ?? 0))) }
        idleTimer?.schedule(after: limits.idleTimeout)
    }

    /// No process could be started for this request.
    package func fail(_ failure: TurnFailure) {
        listenToSink()
        if case .spawnFailed = failure { spawnFailed = true }
        perform(machine.spawnFailed(failure))
    }

    /// Ends the request from the proxy's side (shutdown, queue timeout): the client gets
    /// `failure`, the CLI (if any) is stopped.
    package func cancel(_ failure: TurnFailure) {
        perform(machine.turnFailed(failure))
    }

    private func listenToSink() {
        sink.onClientGone = { [weak self] in self?.clientLeft() }
        sink.onDrained = { [weak self] in
            guard let self else { return }
            self.outbox.drained()
            if !self.outbox.isBehind { self.process?.resumeOutput() }
        }
    }

    private func scheduleKeepAlive() {
        if keepAliveTimer == nil {
            keepAliveTimer = timers.timer { [weak self] in self?.keepAliveDue() }
        }
        keepAliveTimer?.schedule(after: limits.keepAliveInterval)
    }

    private func keepAliveDue() {
        guard machine.isReplyStreaming else { return }
        if !sentSinceTick { enqueue(translator.keepAliveFrames()) }
        sentSinceTick = false
        scheduleKeepAlive()
    }

    // MARK: Inputs (CLIProcessListener)

    package func cliProcess(output bytes: [UInt8]) {
        // After the reply nothing more is said to the client: the bytes are read only to reach
        // EOF, or, after an interrupt, to see the interrupted turn end.
        guard !machine.isReplyFinished else {
            if machine.isInterrupting { watchInterruptedTurn(splitter.pieces(from: bytes)) }
            return
        }
        idleTimer?.schedule(after: limits.idleTimeout)
        handle(splitter.pieces(from: bytes))
    }

    package func cliProcessOutputEnded() {
        handle(splitter.finish())
        perform(machine.stdoutClosed())
    }

    package func cliProcessExited(_ status: ExitStatus) {
        logger.debug("CLI exited", metadata: ["request_id": "\(id)", "status": "\(status)"])
        perform(machine.childExited())
    }

    private func clientLeft() {
        outbox.discard()
        endAfterOutbox = false
        // A conversation worth keeping keeps its CLI if what was answered can be continued: text
        // so far and no tool call begun (docs/cli.md, "Interrupt").
        let interruptible = keepsAfterDeparture && process?.isUsable == true && !transcript.text.isEmpty
            && transcript.toolCalls.isEmpty
        let actions = machine.clientLeft(interruptible: interruptible)
        logger.info(actions.contains(.interruptChild) ? "client left; interrupting the CLI's turn to keep it"
                        : "client left; stopping the CLI", metadata: ["request_id": "\(id)"])
        perform(actions)
    }

    /// After an interrupt: the interrupted turn's `result` ends it, and the CLI is kept.
    private func watchInterruptedTurn(_ pieces: [LineSplitter.Piece]) {
        for case .line(let line) in pieces where !line.isEmpty {
            guard case .result(let result)? = try? StreamJSONEvent(line: line) else { continue }
            interruptedCost = result.totalCostUSD
            logger.debug("interrupted turn ended", metadata: ["request_id": "\(id)", "subtype": "\(result.subtype)"])
            perform(machine.interruptedTurnEnded())
            return
        }
    }

    private func handle(_ pieces: [LineSplitter.Piece]) {
        for piece in pieces {
            switch piece {
            case .line(let line):
                guard !line.isEmpty else { continue }
                do {
                    let event = try StreamJSONEvent(line: line)
                    switch event {
                    case .initialized: timeline.mark(.initialized, at: elapsed())
                    case .stream(_, .messageStart): timeline.mark(.upstreamStarted, at: elapsed())
                    case .rateLimit(let info): owner?.session(self, reported: info)
                    default: break
                    }
                    for event in reducer.events(for: event) { turn(event) }
                } catch {
                    logger.warning("skipped a CLI line that is not stream-json",
                                   metadata: ["request_id": "\(id)", "bytes": "\(line.count)"])
                }
            case .overlong(let count):
                logger.warning("skipped an over-long CLI line", metadata: ["request_id": "\(id)", "bytes": "\(count)"])
            }
        }
    }

    private func turn(_ event: TurnEvent) {
        // Only a whole reply needs the whole text, and a conversation that may continue; a plain
        // stream must not keep what it already sent.
        if (keepsProcess || holdsReply) && machine.isStreaming && !tooLongToKeep && replyBytes > Self.keptStreamLimit {
            // Past this, holding the answer to recognise the next turn costs more than a new CLI.
            tooLongToKeep = true
            transcript = TurnTranscript()
        }
        if !machine.isStreaming || ((keepsProcess || holdsReply) && !tooLongToKeep) { transcript.record(event) }
        if case .began(let model) = event {
            self.model = model
            owner?.session(self, runs: model)
        }
        switch event {
        case .failed(let failure):
            perform(machine.turnFailed(failure))
        case .completed(let completion):
            if let cost = completion.costUSD { responseHeaders.append(("x-claude-cost-usd", "\(cost)")) }
            if machine.isStreaming { pendingFrames += translator.frames(for: event) }
            // A conversation can go on after a stop or tool calls, in a CLI fit for another turn;
            // the state machine decides whether it is kept.
            let continuable = [.stop, .toolCalls].contains(completion.finishReason) && process?.isUsable == true
                && !tooLongToKeep
            perform(machine.turnCompleted(stopsChild: completion.stopsChild, continuable: continuable))
        case .text(let piece), .reasoning(let piece), .toolArguments(_, let piece):
            timeline.token(at: elapsed())
            replyBytes += piece.utf8.count
            if replyBytes > limits.maxReplyBytes {
                return perform(machine.turnFailed(.replyTooLarge(limit: limits.maxReplyBytes)))
            }
            guard machine.isStreaming else { return }
            pendingFrames += translator.frames(for: event)
            if !pendingFrames.isEmpty { perform(machine.framesReady()) }
        case .began, .toolCall, .reasoningSignature:
            if case .toolCall = event { timeline.token(at: elapsed()) }
            guard machine.isStreaming else { return }
            pendingFrames += translator.frames(for: event)
            if !pendingFrames.isEmpty { perform(machine.framesReady()) }
        }
    }

    /// Hands the pending frames to the outbox, small ones joined into pieces of about 64 KiB (so
    /// a large final event is not copied once more into one buffer with all the others), large
    /// spliced ones as they are.
    private func sendPendingFrames() {
        var batch: [UInt8] = []
        var payloads: [SplicedText] = []
        func flush() {
            guard !batch.isEmpty else { return }
            payloads.append(SplicedText(prefix: batch, text: "", suffix: []))
            batch = []
        }
        for frame in pendingFrames {
            if frame.spliced != nil {
                flush()
                payloads.append(frame.sliced)
            } else {
                batch += frame.bytes
                if batch.count >= 64 * 1024 { flush() }
            }
        }
        flush()
        pendingFrames.removeAll()
        enqueue(payloads)
    }

    private func enqueue(_ bytes: [UInt8]) {
        enqueue([SplicedText(prefix: bytes, text: "", suffix: [])])
    }

    /// The one way bytes go to the client once a stream has begun.
    private func enqueue(_ payloads: [SplicedText]) {
        // The outbox hands nothing empty to the connection.
        guard !payloads.isEmpty else { return }
        sentSinceTick = true
        outbox.append(payloads)
        if !outbox.isEmpty { machine.outboxFilled() }
        if outbox.isBehind { process?.pauseOutput() }
    }

    /// Everything queued has gone: a deferred end of stream, and a release waiting for it.
    private func outboxEmptied() {
        if endAfterOutbox {
            endAfterOutbox = false
            sink.endStream()
        }
        perform(machine.outboxEmptied())
    }

    /// The CLI's stderr is never sent to clients; when the CLI failed, operators see its tail.
    /// A CLI that answered says nothing there unless something went quietly wrong (a resumed
    /// session file it repaired, history/ §2.3): that is logged too, at debug.
    private func logStderr() {
        guard let process, !process.stderrTail.isEmpty else { return }
        let text = String(decoding: process.stderrTail, as: UTF8.self)
            .split(whereSeparator: \.isNewline).suffix(5).joined(separator: " | ")
        let metadata: Logger.Metadata = ["request_id": "\(id)", "stderr": "\(text.prefix(600))"]
        if failure != nil || process.exitStatus.map({ $0 != .exited(0) }) ?? false {
            logger.notice("CLI stderr", metadata: metadata)
        } else {
            logger.debug("CLI stderr", metadata: metadata)
        }
    }

    // MARK: Actions

    private func perform(_ actions: [SessionStateMachine.Action]) {
        for action in actions {
            switch action {
            case .startStream:
                scheduleKeepAlive()
                sink.startStream(status: 200, headers: responseHeaders + usageHeaders + [
                    ("Content-Type", "text/event-stream; charset=utf-8"),
                    ("Cache-Control", "no-cache"),
                    ("X-Accel-Buffering", "no"),
                ])
            case .sendFrames:
                sendPendingFrames()
            case .endStream:
                // Where the time went, and the usage windows as they are now (they may have changed
                // since the headers left), as SSE comments every client skips; the stream ends once
                // everything before it has gone.
                timeline.mark(.finished, at: elapsed())
                let usage = usageHeaders.map { "\($0.0.dropFirst("anthropic-ratelimit-unified-".count))=\($0.1)" }
                var trailer = usage.isEmpty ? "" : ": ratelimit \(usage.joined(separator: " "))\n\n"
                // Server timing stays the last line: clients and tools read it there.
                trailer += ": server-timing \(timeline.serverTiming)\n\n"
                enqueue(Array(trailer.utf8))
                if outbox.isEmpty {
                    sink.endStream()
                } else {
                    endAfterOutbox = true
                }
                if failure == nil { owner?.sessionAnswered(self) }
            case .respondWithBody:
                let responseHeaders = finishedHeaders()
                if let spliced = translator.splicedBody(for: transcript) {
                    // A large body goes chunked, a slice at a time, instead of encoded at once.
                    sink.startStream(status: 200, headers: responseHeaders + [("Content-Type", "application/json")])
                    enqueue([spliced])
                    if outbox.isEmpty { sink.endStream() } else { endAfterOutbox = true }
                } else {
                    sink.respond(status: 200, headers: responseHeaders + [("Content-Type", "application/json")],
                                 body: translator.body(for: transcript))
                }
                owner?.sessionAnswered(self)
            case .respondWithError(let failure):
                let responseHeaders = finishedHeaders()
                let reply = translator.errorReply(for: failure)
                errorCode = reply.code
                self.failure = failure
                sink.respond(status: reply.status, headers: responseHeaders + reply.headers, body: reply.body)
            case .sendStreamError(let failure):
                errorCode = translator.errorReply(for: failure).code
                self.failure = failure
                pendingFrames.removeAll()
                enqueue(translator.frames(for: failure).flatMap(\.bytes))
            case .reportUnfinishedTurn:
                let events = reducer.endOfOutput(exitStatus: process?.exitStatus)
                if events.isEmpty { perform(machine.turnFailed(.exitedWithoutResult(process?.exitStatus))) }
                events.forEach(turn)
            case .terminateChild:
                process?.terminate()
            case .interruptChild:
                process?.interrupt()
            case .startInterruptTimer:
                if interruptTimer == nil {
                    interruptTimer = timers.timer { [weak self] in self?.interruptExpired() }
                }
                interruptTimer?.schedule(after: limits.interruptGrace)
            case .drainOutput:
                pendingFrames.removeAll()  // the outbox, if any, still goes out
                process?.resumeOutput()
            case .startLinger:
                if lingerTimer == nil {
                    lingerTimer = timers.timer { [weak self] in self?.lingerExpired() }
                }
                lingerTimer?.schedule(after: limits.linger)
            case .abandonOutput:
                logger.notice("stdout still held after the CLI exited; closing it", metadata: ["request_id": "\(id)"])
                process?.abandonOutput()
            case .keepChild:
                logger.debug("CLI kept for the conversation", metadata: ["request_id": "\(id)"])
            case .releaseIfDrained:
                perform(machine.releaseIfDrained())
            case .release:
                release()
            }
        }
    }

    /// A whole reply's headers: the request's own, where its time went now that it is over, and
    /// the usage windows as they are now.
    private func finishedHeaders() -> [(String, String)] {
        timeline.mark(.finished, at: elapsed())
        return responseHeaders + usageHeaders + [("Server-Timing", timeline.serverTiming)]
    }

    private var usageHeaders: [(String, String)] { owner?.usageHeaders ?? [] }

    private func lingerExpired() {
        perform(machine.lingerExpired())
    }

    private func interruptExpired() {
        logger.notice("the interrupted CLI did not end its turn in time; stopping it", metadata: ["request_id": "\(id)"])
        perform(machine.interruptTimedOut())
    }

    /// The state machine's release: the one place a request ends (the outbox has emptied).
    private func release() {
        guard !isReleased else { return }
        isReleased = true
        outbox.close()
        logStderr()
        for timer in [deadline, idleTimer, keepAliveTimer, lingerTimer, interruptTimer] { timer?.close() }
        deadline = nil
        idleTimer = nil
        keepAliveTimer = nil
        lingerTimer = nil
        interruptTimer = nil
        process?.detach()
        sink.onClientGone = nil
        sink.onDrained = nil
        owner?.sessionReleased(self)
    }
}
