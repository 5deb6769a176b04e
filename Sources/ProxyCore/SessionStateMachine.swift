/// The life of one request, without I/O: inputs in, actions out (Hummingbird's shape).
///
/// A request is finished only when the reply is done (sent and drained from the outbox, or the
/// client left), the child's stdout reached EOF, *and* the child was reaped — the last two in
/// either order (tmux job.c). Headers go out lazily: until the first frame, any failure is still
/// a real HTTP status.
///
/// Once the reply is done, nothing waits on the client any more: stdout is read again even if
/// backpressure had paused it (its bytes are dropped), and a linger timer bounds the rest. When
/// it fires, a CLI still running is stopped; a CLI already reaped whose stdout is still held open
/// (by a process that left its group) has the pipe closed under it. Either way the request ends.
///
/// A request whose conversation may continue in its CLI (`keepsConversation`) ends differently:
/// a completed turn keeps the CLI (`keepChild`) as soon as the reply has drained; a client that
/// leaves mid-answer has the CLI's turn interrupted rather than the CLI stopped, and the CLI is
/// kept once the interrupted turn's `result` arrives, or stopped when none comes in time.
package struct SessionStateMachine: Sendable {
    package enum Reply: Equatable, Sendable { case pending, streaming, finished }

    package enum Action: Equatable, Sendable {
        case startStream
        case sendFrames
        case endStream
        case respondWithBody
        case respondWithError(TurnFailure)
        case sendStreamError(TurnFailure)
        /// The child ended without finishing the turn; the glue reports why through `turnFailed`.
        case reportUnfinishedTurn
        case terminateChild
        /// Ask the CLI to stop its turn and stay (a `control_request` interrupt on stdin).
        case interruptChild
        /// Arm the timer that bounds the wait for an interrupted turn's end.
        case startInterruptTimer
        /// The reply is done: read stdout to EOF whatever backpressure did, dropping the bytes.
        case drainOutput
        /// (Re)arm the linger timer that bounds the time from a finished reply to the release.
        case startLinger
        /// Close the child's stdout without waiting for EOF (something outside the group holds it).
        case abandonOutput
        /// The CLI is kept for the conversation's next request: detach it, do not stop it.
        case keepChild
        /// Ask `releaseIfDrained` once the actions before it are done: the last frames they queue
        /// may fill the outbox, and the request must not end before they have gone.
        case releaseIfDrained
        case release
    }

    package let isStreaming: Bool
    /// The conversation may continue in this CLI after the request.
    package let keepsConversation: Bool
    package private(set) var reply = Reply.pending
    package private(set) var childRunning = true
    package private(set) var stdoutOpen = true
    package private(set) var isTerminating = false
    package private(set) var isReleased = false
    /// The CLI was asked to interrupt its turn; its `result` (or the timer) comes next.
    package private(set) var isInterrupting = false
    /// The CLI will be kept: the request ends once the reply has drained, not at the CLI's end.
    package private(set) var keepsChild = false
    /// Bytes for the client are still queued in the outbox.
    package private(set) var outboxBusy = false

    /// - Parameter childStarted: false for a request that waits for a free place first.
    package init(isStreaming: Bool, childStarted: Bool = true, keepsConversation: Bool = false) {
        self.isStreaming = isStreaming
        self.keepsConversation = keepsConversation
        childRunning = childStarted
        stdoutOpen = childStarted
    }

    /// The child was started (after waiting in the queue).
    package mutating func spawned() {
        childRunning = true
        stdoutOpen = true
    }

    /// A streaming request that must wait gets its headers now, so the client's idle timer
    /// sees keep-alives instead of silence; later failures go inside the stream.
    package mutating func openStreamEarly() -> [Action] {
        guard isStreaming, reply == .pending else { return [] }
        reply = .streaming
        return [.startStream]
    }

    package var isReplyStreaming: Bool { reply == .streaming }
    package var isReplyFinished: Bool { reply == .finished }

    /// The child could not be started: nothing runs, nothing will be read.
    package mutating func spawnFailed(_ error: TurnFailure) -> [Action] {
        childRunning = false
        stdoutOpen = false
        return turnFailed(error)
    }

    /// A streaming translator produced frames for the client.
    package mutating func framesReady() -> [Action] {
        guard isStreaming else { return [] }
        switch reply {
        case .pending:
            reply = .streaming
            return [.startStream, .sendFrames]
        case .streaming:
            return [.sendFrames]
        case .finished:
            return []
        }
    }

    /// The turn is complete. The CLI is kept for the conversation's next request when the
    /// conversation may continue, the turn ended where a conversation can go on (`continuable`:
    /// a stop or tool calls, with the CLI still fit for another turn) and nothing asks to stop
    /// it; the request then ends once its reply has drained, not at the CLI's end.
    package mutating func turnCompleted(stopsChild: Bool, continuable: Bool = false) -> [Action] {
        guard var actions = completedReply() else { return [] }
        if keepsConversation && continuable && !stopsChild {
            reply = .finished
            keepsChild = true
            return actions + [.keepChild, .releaseIfDrained]
        }
        actions += finishReply()
        if stopsChild { actions += terminate() }
        return actions + releaseIfDone()
    }

    /// What sends a completed reply, or nil when the reply already ended.
    private func completedReply() -> [Action]? {
        switch (reply, isStreaming) {
        case (.finished, _): nil
        case (.pending, true): [.startStream, .sendFrames, .endStream]
        case (.streaming, _): [.sendFrames, .endStream]
        case (.pending, false): [.respondWithBody]
        }
    }

    package mutating func turnFailed(_ error: TurnFailure) -> [Action] {
        var actions: [Action]
        switch reply {
        case .finished: return []
        case .pending: actions = [.respondWithError(error)]
        case .streaming: actions = [.sendStreamError(error), .endStream]
        }
        return actions + finishReply() + terminate() + releaseIfDone()
    }

    /// The client left. A conversation worth keeping whose CLI can be interrupted
    /// (`interruptible`: still fit for a turn, and what was answered so far can be continued)
    /// keeps its CLI: the turn is interrupted. Anything else stops the CLI.
    package mutating func clientLeft(interruptible: Bool = false) -> [Action] {
        guard reply != .finished else { return [] }
        // The outbox was discarded with the client.
        outboxBusy = false
        if keepsConversation && interruptible && childRunning && stdoutOpen && !isTerminating {
            reply = .finished
            isInterrupting = true
            return [.drainOutput, .interruptChild, .startInterruptTimer]
        }
        return finishReply() + terminate() + releaseIfDone()
    }

    /// The interrupted turn ended (its `result` arrived): the CLI is kept.
    package mutating func interruptedTurnEnded() -> [Action] {
        guard isInterrupting, !isReleased else { return [] }
        isInterrupting = false
        keepsChild = true
        return [.keepChild] + releaseIfDone()
    }

    /// No `result` came in time after the interrupt: the CLI is stopped as for any departure.
    package mutating func interruptTimedOut() -> [Action] {
        guard isInterrupting, !isReleased else { return [] }
        isInterrupting = false
        return [.startLinger] + terminate() + releaseIfDone()
    }

    /// The linger timer fired: the reply has been done for a while and the request is not.
    package mutating func lingerExpired() -> [Action] {
        guard reply == .finished, !isReleased, !isInterrupting else { return [] }
        if childRunning { return terminate() + [.startLinger] }
        guard stdoutOpen else { return [] }
        stdoutOpen = false
        return [.abandonOutput] + releaseIfDone()
    }

    package mutating func stdoutClosed() -> [Action] {
        stdoutOpen = false
        return endsInterrupt() + releaseIfDone()
    }

    package mutating func childExited() -> [Action] {
        childRunning = false
        return endsInterrupt() + releaseIfDone()
    }

    /// A CLI that ends while interrupted is not kept: the request ends as for any departure.
    private mutating func endsInterrupt() -> [Action] {
        guard isInterrupting else { return [] }
        isInterrupting = false
        return childRunning || stdoutOpen ? [.startLinger] : []
    }

    /// Bytes were queued for the client and are not all handed to the connection yet.
    package mutating func outboxFilled() {
        guard !isReleased else { return }
        outboxBusy = true
    }

    /// The actions before `.releaseIfDrained` were performed: the request ends now unless they
    /// left the outbox full (then it ends when the outbox empties).
    package mutating func releaseIfDrained() -> [Action] {
        releaseIfDone()
    }

    /// Everything queued has been handed to the connection.
    package mutating func outboxEmptied() -> [Action] {
        guard outboxBusy else { return [] }
        outboxBusy = false
        return releaseIfDone()
    }

    private mutating func finishReply() -> [Action] {
        reply = .finished
        return stdoutOpen || childRunning ? [.drainOutput, .startLinger] : []
    }

    private mutating func terminate() -> [Action] {
        guard childRunning, !isTerminating else { return [] }
        isTerminating = true
        return [.terminateChild]
    }

    private mutating func releaseIfDone() -> [Action] {
        guard !isReleased, !outboxBusy, !isInterrupting else { return [] }
        if keepsChild {
            isReleased = true
            return [.release]
        }
        guard !stdoutOpen, !childRunning else { return [] }
        guard reply == .finished else { return [.reportUnfinishedTurn] }
        isReleased = true
        return [.release]
    }
}
