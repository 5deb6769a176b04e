import ChildProcesses
import Logging
import ProxyCore

/// Per-request glue: attaches to one CLI process, feeds its stdout through `LineSplitter` →
/// `StreamJSONEvent` → `TurnReducer` → the endpoint's `ReplyTranslator`, and carries out the
/// state machine's actions against the reply sink and the process. Depends on protocols only
/// (`ResponseSink`, `TimerFactory`, and the process's `ChildIO`), so tests drive it with fakes.
/// `onRelease` is called exactly once, from the state machine's `release`: the one place a
/// request ends.
package final class CompletionSession: CLIProcessListener, ScheduledRequest {
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

        package init(requestTimeout: Double, idleTimeout: Double = 300, keepAliveInterval: Double = 15,
                     maxReplyBytes: Int = .max, linger: Double = 3.0) {
            self.requestTimeout = requestTimeout
            self.idleTimeout = idleTimeout
            self.keepAliveInterval = keepAliveInterval
            self.maxReplyBytes = maxReplyBytes
            self.linger = linger
        }
    }

    package let id: String
    private let sink: any ResponseSink
    private var translator: any ReplyTranslator
    private var machine: SessionStateMachine
    private var reducer: TurnReducer
    private var splitter = LineSplitter()
    private var pendingFrames: [SSEFrame] = []
    /// Large payloads being written a slice per loop turn; the end of the stream and the release
    /// wait for it.
    private var outbox: ReplyOutbox!
    private var endAfterOutbox = false
    private var releaseAfterOutbox = false
    package private(set) var process: CLIProcess?
    private let timers: any TimerFactory
    private let logger: Logger
    private let limits: Limits
    private var deadline: (any LoopTimer)?
    private var idleTimer: (any LoopTimer)?
    private var keepAliveTimer: (any LoopTimer)?
    private var lingerTimer: (any LoopTimer)?
    /// Bytes of text and thinking produced so far, against `maxReplyBytes`.
    private var replyBytes = 0
    /// True when something went to the client since the last keep-alive tick.
    private var sentSinceTick = false
    private let onRelease: (CompletionSession) -> Void
    private var responseHeaders: [(String, String)]
    package private(set) var model: String?
    package private(set) var spawnFailed = false
    /// The code of the error the client was given, for the access log.
    package private(set) var errorCode: String?
    package private(set) var isReleased = false
    /// This request's input for the CLI (one stream-json user line); nil when resuming after tool
    /// results, which go over the tool bridge instead.
    private let input: [UInt8]?
    /// True when the CLI may be kept for the conversation's next request: its stdin stays open.
    package var keepsProcess = false
    /// Set when the turn completed and the CLI was detached alive, for the owner to park.
    package private(set) var keptProcess: CLIProcess?
    /// The turn as the client got it (kept for every request that may park its CLI).
    package private(set) var transcript = TurnTranscript()
    /// The CLI's cumulative cost after this turn, for the next request on the same process.
    package var cumulativeCost: Double? { reducer.cumulativeCost }
    /// How a request came by its CLI: started for it, or taken ready-made (warm, or kept from
    /// the conversation's previous request), which has no spawn phase.
    package enum Launched {
        case spawned(CLIProcess)
        case readyMade(CLIProcess)
    }

    /// Gives the request a CLI process when its place is ready.
    private let launch: () -> Result<Launched, TurnFailure>
    /// Where this request's time went; `elapsed` is the injected clock (seconds since it was read).
    package private(set) var timeline = RequestTimeline()
    private let elapsed: () -> Double

    package init(id: String, sink: any ResponseSink, translator: any ReplyTranslator, isStreaming: Bool,
                 reducer: TurnReducer = TurnReducer(), headers: [(String, String)], limits: Limits,
                 timers: any TimerFactory, logger: Logger, input: [UInt8]?,
                 elapsed: @escaping () -> Double = { 0 },
                 launch: @escaping () -> Result<Launched, TurnFailure>,
                 onRelease: @escaping (CompletionSession) -> Void) {
        self.id = id
        self.input = input
        self.launch = launch
        self.elapsed = elapsed
        self.reducer = reducer
        self.sink = sink
        self.translator = translator
        self.machine = SessionStateMachine(isStreaming: isStreaming, childStarted: false)
        self.responseHeaders = headers
        self.limits = limits
        self.timers = timers
        self.logger = logger
        self.onRelease = onRelease
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

    /// Its place is ready: get a process and start.
    package func begin() {
        timeline.mark(.admitted, at: elapsed())
        switch launch() {
        case .success(.spawned(let process)):
            timeline.mark(.launched, at: elapsed())
            start(process, input: input)
        case .success(.readyMade(let process)):
            start(process, input: input)
        case .failure(let failure):
            fail(failure)
        }
    }

    /// Attaches to `process` and gives it this request's input: one stream-json user line, after
    /// which its stdin is closed (one turn per process, for now).
    package func start(_ process: CLIProcess, input: [UInt8]?) {
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
            self.process?.resumeOutput()
            self.outbox.drained()
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
        if !sentSinceTick { sink.send(translator.keepAliveFrames()) }
        sentSinceTick = false
        scheduleKeepAlive()
    }

    // MARK: Inputs (CLIProcessListener)

    package func cliProcess(output bytes: [UInt8]) {
        // After the reply nothing more is said to the client: the bytes are read only to reach EOF.
        guard !machine.isReplyFinished else { return }
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
        logger.info("client left; stopping the CLI", metadata: ["request_id": "\(id)"])
        outbox.discard()
        perform(machine.clientLeft())
        if releaseAfterOutbox { release() }
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
        if !machine.isStreaming || keepsProcess { transcript.record(event) }
        if case .began(let model) = event { self.model = model }
        switch event {
        case .failed(let failure):
            perform(machine.turnFailed(failure))
        case .completed(let completion):
            if let cost = completion.costUSD { responseHeaders.append(("x-claude-cost-usd", "\(cost)")) }
            if machine.isStreaming { pendingFrames += translator.frames(for: event) }
            if keepsProcess, !completion.stopsChild, [.stop, .toolCalls].contains(completion.finishReason),
               process?.isUsable == true {
                perform(machine.turnCompletedKeepingChild())
            } else {
                perform(machine.turnCompleted(stopsChild: completion.stopsChild))
            }
        case .text(let piece), .reasoning(let piece), .toolArguments(_, let piece):
            timeline.token(at: elapsed())
            replyBytes += piece.utf8.count
            if replyBytes > limits.maxReplyBytes {
                return perform(machine.turnFailed(.replyTooLarge(limit: limits.maxReplyBytes)))
            }
            guard machine.isStreaming else { return }
            pendingFrames += translator.frames(for: event)
            if !pendingFrames.isEmpty { perform(machine.framesReady()) }
        case .began, .toolCall:
            if case .toolCall = event { timeline.token(at: elapsed()) }
            guard machine.isStreaming else { return }
            pendingFrames += translator.frames(for: event)
            if !pendingFrames.isEmpty { perform(machine.framesReady()) }
        }
    }

    /// Hands the pending frames to the connection in batches of about 64 KiB, so a large final
    /// event is not copied once more into one buffer with all the others. True when behind.
    private func sendPendingFrames() -> Bool {
        if !outbox.isEmpty || pendingFrames.contains(where: { $0.spliced != nil }) {
            let payloads = pendingFrames.map(\.sliced)
            pendingFrames.removeAll()
            outbox.append(payloads)
            return false
        }
        var behind = false
        var batch: [UInt8] = []
        for frame in pendingFrames {
            batch += frame.bytes
            if batch.count >= 64 * 1024 {
                behind = sink.send(batch) || behind
                batch.removeAll(keepingCapacity: true)
            }
        }
        pendingFrames.removeAll()
        if !batch.isEmpty { behind = sink.send(batch) || behind }
        return behind
    }

    /// Everything queued has gone: a deferred end of stream and release follow.
    private func outboxEmptied() {
        if endAfterOutbox {
            endAfterOutbox = false
            sink.endStream()
        }
        if releaseAfterOutbox { release() }
    }

    /// The CLI's stderr is never sent to clients; when the CLI failed, operators see its tail.
    private func logStderrIfFailed() {
        guard let process, process.exitStatus != .exited(0), !process.stderrTail.isEmpty else { return }
        let text = String(decoding: process.stderrTail, as: UTF8.self)
            .split(whereSeparator: \.isNewline).suffix(5).joined(separator: " | ")
        logger.notice("CLI stderr", metadata: ["request_id": "\(id)", "stderr": "\(text.prefix(600))"])
    }

    // MARK: Actions

    private func perform(_ actions: [SessionStateMachine.Action]) {
        for action in actions {
            switch action {
            case .startStream:
                scheduleKeepAlive()
                sink.startStream(status: 200, headers: responseHeaders + [
                    ("Content-Type", "text/event-stream; charset=utf-8"),
                    ("Cache-Control", "no-cache"),
                    ("X-Accel-Buffering", "no"),
                ])
            case .sendFrames:
                sentSinceTick = true
                if sendPendingFrames() { process?.pauseOutput() }
            case .endStream:
                // Where the time went, as an SSE comment every client skips.
                timeline.mark(.finished, at: elapsed())
                let comment = Array(": server-timing \(timeline.serverTiming)\n\n".utf8)
                if outbox.isEmpty {
                    sink.send(comment)
                    sink.endStream()
                } else {
                    outbox.append([SplicedText(prefix: comment, text: "", suffix: [])])
                    endAfterOutbox = true
                }
            case .respondWithBody:
                let responseHeaders = finishedHeaders()
                if let spliced = translator.splicedBody(for: transcript) {
                    // A large body goes chunked, a slice at a time, instead of encoded at once.
                    sink.startStream(status: 200, headers: responseHeaders + [("Content-Type", "application/json")])
                    endAfterOutbox = true
                    outbox.append([spliced])
                } else {
                    sink.respond(status: 200, headers: responseHeaders + [("Content-Type", "application/json")],
                                 body: translator.body(for: transcript))
                }
            case .respondWithError(let failure):
                let responseHeaders = finishedHeaders()
                let reply = translator.errorReply(for: failure)
                errorCode = reply.code
                sink.respond(status: reply.status, headers: responseHeaders + reply.headers, body: reply.body)
            case .sendStreamError(let failure):
                errorCode = translator.errorReply(for: failure).code
                sink.send(translator.frames(for: failure).flatMap(\.bytes))
            case .reportUnfinishedTurn:
                let events = reducer.endOfOutput(exitStatus: process?.exitStatus)
                if events.isEmpty { perform(machine.turnFailed(.exitedWithoutResult(process?.exitStatus))) }
                events.forEach(turn)
            case .terminateChild:
                process?.terminate()
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
                keptProcess = process
            case .release:
                release()
            }
        }
    }

    /// A whole reply's headers: the request's own, and where its time went, now that it is over.
    private func finishedHeaders() -> [(String, String)] {
        timeline.mark(.finished, at: elapsed())
        return responseHeaders + [("Server-Timing", timeline.serverTiming)]
    }

    private func lingerExpired() {
        perform(machine.lingerExpired())
    }

    private func release() {
        // What is still being written goes first (the client's own departure empties it).
        if !outbox.isEmpty {
            releaseAfterOutbox = true
            return
        }
        releaseAfterOutbox = false
        guard !isReleased else { return }
        isReleased = true
        outbox.close()
        logStderrIfFailed()
        for timer in [deadline, idleTimer, keepAliveTimer, lingerTimer] { timer?.close() }
        deadline = nil
        idleTimer = nil
        keepAliveTimer = nil
        lingerTimer = nil
        process?.detach()
        sink.onClientGone = nil
        sink.onDrained = nil
        onRelease(self)
    }
}
