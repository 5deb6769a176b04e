import Logging

/// Per-request glue: runs one CLI, feeds its stdout through `LineSplitter` → `StreamJSONEvent`
/// → `TurnReducer` → the endpoint's `ReplyTranslator`, and carries out the state machine's
/// actions against the exchange and the child. Owns nothing global; `onRelease` hands it back.
final class CompletionSession {
    struct Context {
        var loop: EventLoop
        var reaper: ChildReaper
        var logger: Logger
        var requestTimeout: Double
        /// Seconds without CLI output before the CLI is stopped (504).
        var idleTimeout: Double = 300
        /// Seconds of stream silence before a keep-alive is sent.
        var keepAliveInterval: Double = 15
        /// Bytes of answer (text and thinking) beyond which the request fails instead of growing.
        var maxReplyBytes = Int.max
        /// Seconds from a finished reply to stopping a CLI that is still running, and again to
        /// closing a stdout that something outside the CLI's group still holds.
        var linger = 3.0
    }

    let id: String
    private let exchange: any ResponseSink
    private var translator: any ReplyTranslator
    fileprivate var machine: SessionStateMachine
    private var reducer: TurnReducer
    private var splitter = LineSplitter()
    private var transcript = TurnTranscript()
    private var pendingFrames: [SSEFrame] = []
    private var run: CLIRun?
    private var deadline: EventTimer?
    private var idleTimer: EventTimer?
    private var keepAliveTimer: EventTimer?
    private var lingerTimer: EventTimer?
    /// Bytes of text and thinking produced so far, against `maxReplyBytes`.
    private var replyBytes = 0
    /// True when something went to the client since the last keep-alive tick.
    private var sentSinceTick = false
    private let context: Context
    private let onRelease: (CompletionSession) -> Void
    private var responseHeaders: [(String, String)]
    private(set) var model: String?
    private(set) var spawnFailed = false
    /// The code of the error the client was given, for the access log.
    private(set) var errorCode: String?

    init(id: String, exchange: any ResponseSink, translator: any ReplyTranslator, isStreaming: Bool,
         reducer: TurnReducer = TurnReducer(), headers: [(String, String)], context: Context,
         onRelease: @escaping (CompletionSession) -> Void) {
        self.id = id
        self.reducer = reducer
        self.exchange = exchange
        self.translator = translator
        self.machine = SessionStateMachine(isStreaming: isStreaming, childStarted: false)
        self.responseHeaders = headers
        self.context = context
        self.onRelease = onRelease
    }

    var childPID: Int32? { run?.child.pid }
    var exitStatus: ExitStatus? { run?.exitStatus }

    /// Waits for a free place: a stream gets its headers and keep-alives now; a whole request is
    /// watched for its client leaving. `cancel` or `start` follows.
    func waitInQueue() {
        listenToExchange()
        perform(machine.openStreamEarly())
        exchange.watchForClientClose()
    }

    func start(_ invocation: CLIInvocation) {
        listenToExchange()
        machine.spawned()
        do {
            run = try CLIRun(
                invocation: invocation, loop: context.loop, reaper: context.reaper,
                onStdout: { [weak self] bytes in self?.didRead(bytes) },
                onStdoutEnd: { [weak self] in self?.didReachEndOfOutput() },
                onExit: { [weak self] status in self?.childExited(status) })
        } catch {
            context.logger.error("cannot start the CLI", metadata: ["request_id": "\(id)", "error": "\(error)"])
            spawnFailed = true
            perform(machine.spawnFailed(TurnFailure.spawnFailed(
                executable: invocation.executable, errno: error.errno).openAIError))
            return
        }
        context.logger.debug("CLI started", metadata: ["request_id": "\(id)", "pid": "\(run?.child.pid ?? 0)"])
        exchange.watchForClientClose()
        deadline = EventTimer(loop: context.loop) { [weak self] in self?.deadlineExpired() }
        deadline?.schedule(after: context.requestTimeout)
        idleTimer = EventTimer(loop: context.loop) { [weak self] in self?.idleExpired() }
        idleTimer?.schedule(after: context.idleTimeout)
    }

    private func listenToExchange() {
        exchange.onClientGone = { [weak self] in self?.clientLeft() }
        exchange.onDrained = { [weak self] in self?.run?.resumeOutput() }
    }

    private func scheduleKeepAlive() {
        if keepAliveTimer == nil {
            keepAliveTimer = EventTimer(loop: context.loop) { [weak self] in self?.keepAliveDue() }
        }
        keepAliveTimer?.schedule(after: context.keepAliveInterval)
    }

    private func keepAliveDue() {
        guard machine.isReplyStreaming else { return }
        if !sentSinceTick { exchange.send(translator.keepAliveFrames()) }
        sentSinceTick = false
        scheduleKeepAlive()
    }

    private func lingerExpired() {
        perform(machine.lingerExpired())
    }

    private func idleExpired() {
        turn(.failed(.idle(seconds: context.idleTimeout)))
    }

    // MARK: Inputs

    private func didRead(_ bytes: [UInt8]) {
        // After the reply nothing more is said to the client: the bytes are read only to reach EOF.
        guard !machine.isReplyFinished else { return }
        idleTimer?.schedule(after: context.idleTimeout)
        handle(splitter.pieces(from: bytes))
    }

    private func didReachEndOfOutput() {
        handle(splitter.finish())
        perform(machine.stdoutClosed())
    }

    private func childExited(_ status: ExitStatus) {
        context.logger.debug("CLI exited", metadata: ["request_id": "\(id)", "status": "\(status)"])
        perform(machine.childExited())
    }

    private func clientLeft() {
        context.logger.info("client left; stopping the CLI", metadata: ["request_id": "\(id)"])
        perform(machine.clientLeft())
    }

    private func deadlineExpired() {
        turn(.failed(.deadlineExceeded(seconds: context.requestTimeout)))
    }

    private func handle(_ pieces: [LineSplitter.Piece]) {
        for piece in pieces {
            switch piece {
            case .line(let line):
                guard !line.isEmpty else { continue }
                do {
                    for event in reducer.events(for: try StreamJSONEvent(line: line)) { turn(event) }
                } catch {
                    context.logger.warning("skipped a CLI line that is not stream-json",
                                           metadata: ["request_id": "\(id)", "bytes": "\(line.count)"])
                }
            case .overlong(let count):
                context.logger.warning("skipped an over-long CLI line",
                                       metadata: ["request_id": "\(id)", "bytes": "\(count)"])
            }
        }
    }

    private func turn(_ event: TurnEvent) {
        // Only a whole reply needs the whole text; a stream must not keep what it already sent.
        if !machine.isStreaming { transcript.record(event) }
        if case .began(let model) = event { self.model = model }
        switch event {
        case .failed(let failure):
            perform(machine.turnFailed(failure.openAIError))
        case .completed(let completion):
            if let cost = completion.costUSD { responseHeaders.append(("x-claude-cost-usd", "\(cost)")) }
            if machine.isStreaming { pendingFrames += translator.frames(for: event) }
            perform(machine.turnCompleted(stopsChild: completion.stopsChild))
        case .text(let piece), .reasoning(let piece):
            replyBytes += piece.utf8.count
            if replyBytes > context.maxReplyBytes {
                return perform(machine.turnFailed(TurnFailure.replyTooLarge(limit: context.maxReplyBytes).openAIError))
            }
            guard machine.isStreaming else { return }
            pendingFrames += translator.frames(for: event)
            if !pendingFrames.isEmpty { perform(machine.framesReady()) }
        case .began:
            guard machine.isStreaming else { return }
            pendingFrames += translator.frames(for: event)
            if !pendingFrames.isEmpty { perform(machine.framesReady()) }
        }
    }

    /// Hands the pending frames to the connection in batches of about 64 KiB, so a large final
    /// event is not copied once more into one buffer with all the others. True when behind.
    private func sendPendingFrames() -> Bool {
        var behind = false
        var batch: [UInt8] = []
        for frame in pendingFrames {
            batch += frame.bytes
            if batch.count >= 64 * 1024 {
                behind = exchange.send(batch) || behind
                batch.removeAll(keepingCapacity: true)
            }
        }
        pendingFrames.removeAll()
        if !batch.isEmpty { behind = exchange.send(batch) || behind }
        return behind
    }

    /// The CLI's stderr is never sent to clients; when the CLI failed, operators see its tail.
    private func logStderrIfFailed() {
        guard let run, run.exitStatus != .exited(0), !run.stderrTail.isEmpty else { return }
        let text = String(decoding: run.stderrTail, as: UTF8.self)
            .split(whereSeparator: \.isNewline).suffix(5).joined(separator: " | ")
        context.logger.notice("CLI stderr", metadata: ["request_id": "\(id)", "stderr": "\(text.prefix(600))"])
    }

    // MARK: Actions

    fileprivate func perform(_ actions: [SessionStateMachine.Action]) {
        for action in actions {
            switch action {
            case .startStream:
                scheduleKeepAlive()
                exchange.startStream(status: 200, headers: responseHeaders + [
                    ("Content-Type", "text/event-stream; charset=utf-8"),
                    ("Cache-Control", "no-cache"),
                    ("X-Accel-Buffering", "no"),
                ])
            case .sendFrames:
                sentSinceTick = true
                if sendPendingFrames() { run?.pauseOutput() }
            case .endStream:
                exchange.endStream()
            case .respondWithBody:
                exchange.respond(status: 200, headers: responseHeaders + [("Content-Type", "application/json")],
                                 body: translator.body(for: transcript))
            case .respondWithError(let error):
                errorCode = error.code ?? error.type
                exchange.respond(status: error.status,
                                 headers: responseHeaders + error.headers + [("Content-Type", "application/json")],
                                 body: error.body)
            case .sendStreamError(let error):
                errorCode = error.code ?? error.type
                exchange.send(translator.frames(for: error).flatMap(\.bytes))
            case .reportUnfinishedTurn:
                let events = reducer.endOfOutput(exitStatus: run?.exitStatus)
                if events.isEmpty {
                    perform(machine.turnFailed(TurnFailure.exitedWithoutResult(run?.exitStatus).openAIError))
                }
                events.forEach(turn)
            case .terminateChild:
                run?.terminate()
            case .drainOutput:
                pendingFrames.removeAll()
                run?.resumeOutput()
            case .startLinger:
                if lingerTimer == nil {
                    lingerTimer = EventTimer(loop: context.loop) { [weak self] in self?.lingerExpired() }
                }
                lingerTimer?.schedule(after: context.linger)
            case .abandonOutput:
                context.logger.notice("stdout still held after the CLI exited; closing it",
                                      metadata: ["request_id": "\(id)"])
                run?.abandonOutput()
            case .release:
                logStderrIfFailed()
                for timer in [deadline, idleTimer, keepAliveTimer, lingerTimer] { timer?.close() }
                deadline = nil
                idleTimer = nil
                keepAliveTimer = nil
                lingerTimer = nil
                run?.close()
                exchange.onClientGone = nil
                exchange.onDrained = nil
                onRelease(self)
            }
        }
    }
}

extension CompletionSession {
    /// Ends the request from the proxy's side (shutdown, queue timeout): the client gets `error`,
    /// the CLI (if any) is stopped.
    func cancel(_ error: OpenAIError) {
        perform(machine.turnFailed(error))
    }
}
