import Glibc
import ProxyCore

/// Who hears a CLI's output while attached to it: one request at a time.
package protocol CLIProcessListener: AnyObject {
    func cliProcess(output bytes: [UInt8])
    func cliProcessOutputEnded()
    func cliProcessExited(_ status: ExitStatus)
}

/// One Claude Code CLI, independent of any request: started from a spawn-time invocation, it
/// can wait before a request attaches, take that request's input (one stream-json user line per
/// turn), and be detached from a finished request and kept or ended. Output, the end of output
/// and the exit reach whoever is attached now; what arrives while nobody is attached is held
/// (up to `heldOutputLimit`) and handed to the next listener, so nothing is lost between owners.
///
/// `end()` is the one place a process ends (the way tmux's `job_free` is the only teardown of a
/// job): it stops the process group if still running, and frees pipes and timers once the
/// child is reaped and its stdout closed.
package final class CLIProcess: ChildIOEvents {
    package let pid: Int32
    private let io: any ChildIO
    private weak var listener: (any CLIProcessListener)?
    private var killTimer: (any LoopTimer)?
    package private(set) var exitStatus: ExitStatus?
    package private(set) var outputEnded = false
    package private(set) var isTerminating = false
    package private(set) var inputClosed = false
    /// Its owner ended it: once it exits, a stdout still held open is not waited for.
    private var isEnding = false
    package private(set) var stderrTail: [UInt8] = []
    /// Output that arrived while nobody was attached.
    private var heldOutput: [UInt8] = []
    private var heldOverflow = false
    private var interrupts = 0
    /// Called once the process is gone for good (reaped, stdout closed, everything freed).
    package var onGone: ((CLIProcess) -> Void)?

    private static let stderrTailBytes = 2048
    package static let heldOutputLimit = 1 << 20
    /// How long a child has between SIGTERM and SIGKILL.
    package static let terminationGrace = 2.0

    package init(io: any ChildIO, timers: any TimerFactory) {
        self.io = io
        pid = io.pid
        killTimer = timers.timer { [weak self] in self?.io.signalGroup(SIGKILL) }
        io.events = self
    }

    package var isRunning: Bool { exitStatus == nil }
    package var isAttached: Bool { listener != nil }
    /// True while it can take another turn: running, stdin open, stdout open, not being stopped.
    package var isUsable: Bool { isRunning && !outputEnded && !inputClosed && !isTerminating && !heldOverflow }
    package var isGone: Bool { exitStatus != nil && outputEnded }

    // MARK: Owners

    /// Attaches a request: held output, and an end that already happened, are delivered now.
    package func attach(_ listener: any CLIProcessListener) {
        self.listener = listener
        if !heldOutput.isEmpty {
            let held = heldOutput
            heldOutput = []
            listener.cliProcess(output: held)
        }
        if outputEnded { listener.cliProcessOutputEnded() }
        if let exitStatus { listener.cliProcessExited(exitStatus) }
    }

    /// The request is done with this process; it may be kept for another or ended.
    package func detach() {
        listener = nil
    }

    /// One turn's input: a stream-json user line (the newline is added here).
    package func send(_ line: [UInt8]) {
        guard !inputClosed else { return }
        io.write(line + [UInt8(ascii: "\n")])
    }

    /// Asks the CLI to stop its current turn and stay for the next (docs/cli.md, "Interrupt"):
    /// its `result` follows within a fraction of a second. Needs stdin open.
    package func interrupt() {
        guard !inputClosed, isRunning else { return }
        interrupts += 1
        send(Array(#"{"type":"control_request","request_id":"ccp-interrupt-\#(interrupts)","request":{"subtype":"interrupt"}}"#.utf8))
    }

    /// No more turns: the CLI ends after the current one.
    package func closeInput() {
        guard !inputClosed else { return }
        inputClosed = true
        io.closeInput()
    }

    package func pauseOutput() { io.pauseOutput() }
    package func resumeOutput() { io.resumeOutput() }

    /// Stops reading stdout without waiting for EOF (something outside the group holds it).
    package func abandonOutput() {
        guard !outputEnded else { return }
        io.closeOutput()
        outputEnded = true
        finishIfGone()
    }

    /// SIGTERM to the process group now, SIGKILL after the grace period.
    package func terminate() {
        guard exitStatus == nil, !isTerminating else { return }
        isTerminating = true
        io.signalGroup(SIGTERM)
        killTimer?.schedule(after: Self.terminationGrace)
    }

    /// Ends the process whoever holds it: detached, input closed, stopped; freed once reaped.
    package func end() {
        isEnding = true
        detach()
        closeInput()
        terminate()
        if exitStatus != nil && !outputEnded { abandonOutput() }
        finishIfGone()
    }

    // MARK: ChildIOEvents

    package func childIO(output bytes: [UInt8]) {
        if let listener { return listener.cliProcess(output: bytes) }
        guard heldOutput.count + bytes.count <= Self.heldOutputLimit else {
            // Nobody will read this much; the process is no longer fit to hand to a request.
            heldOverflow = true
            io.pauseOutput()
            return
        }
        heldOutput += bytes
    }

    package func childIOOutputEnded() {
        outputEnded = true
        listener?.cliProcessOutputEnded()
        finishIfGone()
    }

    package func childIO(stderr bytes: [UInt8]) {
        stderrTail.append(contentsOf: bytes)
        if stderrTail.count > Self.stderrTailBytes {
            stderrTail.removeFirst(stderrTail.count - Self.stderrTailBytes)
        }
    }

    package func childIO(exited status: ExitStatus) {
        exitStatus = status
        // Whatever the leader left behind in its group goes with it.
        io.signalGroup(SIGKILL)
        killTimer?.cancel()
        listener?.cliProcessExited(status)
        if isEnding && !outputEnded { abandonOutput() }
        finishIfGone()
    }

    private func finishIfGone() {
        guard isGone, killTimer != nil else { return }
        killTimer?.close()
        killTimer = nil
        io.close()
        let gone = onGone
        onGone = nil
        gone?(self)
    }
}
