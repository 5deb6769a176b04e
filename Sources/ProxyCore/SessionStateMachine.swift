/// The life of one request, without I/O: inputs in, actions out (Hummingbird's shape).
///
/// A request is finished only when the reply is done (sent, or the client left), the child's
/// stdout reached EOF, *and* the child was reaped — the last two in either order (tmux job.c).
/// Headers go out lazily: until the first frame, any failure is still a real HTTP status.
///
/// Once the reply is done, nothing waits on the client any more: stdout is read again even if
/// backpressure had paused it (its bytes are dropped), and a linger timer bounds the rest. When
/// it fires, a CLI still running is stopped; a CLI already reaped whose stdout is still held open
/// (by a process that left its group) has the pipe closed under it. Either way the request ends.
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
        /// The reply is done: read stdout to EOF whatever backpressure did, dropping the bytes.
        case drainOutput
        /// (Re)arm the linger timer that bounds the time from a finished reply to the release.
        case startLinger
        /// Close the child's stdout without waiting for EOF (something outside the group holds it).
        case abandonOutput
        /// The CLI is kept for the conversation's next request: detach it, do not stop it.
        case keepChild
        case release
    }

    package let isStreaming: Bool
    package private(set) var reply = Reply.pending
    package private(set) var childRunning = true
    package private(set) var stdoutOpen = true
    package private(set) var isTerminating = false
    package private(set) var isReleased = false

    /// - Parameter childStarted: false for a request that waits for a free place first.
    package init(isStreaming: Bool, childStarted: Bool = true) {
        self.isStreaming = isStreaming
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

    package mutating func turnCompleted(stopsChild: Bool) -> [Action] {
        guard var actions = completedReply() else { return [] }
        actions += finishReply()
        if stopsChild { actions += terminate() }
        return actions + releaseIfDone()
    }

    /// The turn is complete and the CLI is kept for the conversation's next request (it waits on
    /// stdin, or on the client's tool results): the request ends now, not at the CLI's end.
    package mutating func turnCompletedKeepingChild() -> [Action] {
        guard let actions = completedReply() else { return [] }
        reply = .finished
        isReleased = true
        return actions + [.keepChild, .release]
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

    package mutating func clientLeft() -> [Action] {
        guard reply != .finished else { return [] }
        return finishReply() + terminate() + releaseIfDone()
    }

    /// The linger timer fired: the reply has been done for a while and the request is not.
    package mutating func lingerExpired() -> [Action] {
        guard reply == .finished, !isReleased else { return [] }
        if childRunning { return terminate() + [.startLinger] }
        guard stdoutOpen else { return [] }
        stdoutOpen = false
        return [.abandonOutput] + releaseIfDone()
    }

    package mutating func stdoutClosed() -> [Action] {
        stdoutOpen = false
        return releaseIfDone()
    }

    package mutating func childExited() -> [Action] {
        childRunning = false
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
        guard !stdoutOpen, !childRunning, !isReleased else { return [] }
        guard reply == .finished else { return [.reportUnfinishedTurn] }
        isReleased = true
        return [.release]
    }
}
