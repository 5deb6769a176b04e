import Glibc

/// One running CLI: its process, its three pipes and its termination. Reports stdout bytes,
/// stdout EOF and the exit status; stderr is drained and kept as a short tail for the log.
final class CLIRun {
    let child: ChildProcess
    private var stdout: PipeReader?
    private var stderr: PipeReader?
    private var stdin: PipeWriter?
    private var killTimer: EventTimer?
    private(set) var exitStatus: ExitStatus?
    private(set) var stderrTail: [UInt8] = []
    private static let stderrTailBytes = 2048
    /// How long a child has between SIGTERM and SIGKILL.
    static let terminationGrace = 2.0

    init(invocation: CLIInvocation, loop: EventLoop, reaper: ChildReaper,
         onStdout: @escaping ([UInt8]) -> Void, onStdoutEnd: @escaping () -> Void,
         onExit: @escaping (ExitStatus) -> Void) throws(SystemError) {
        child = try ChildProcess.spawn(invocation)
        stdin = PipeWriter(loop: loop, fd: child.stdin, bytes: invocation.stdin)
        stdout = PipeReader(loop: loop, fd: child.stdout, onData: onStdout, onEnd: onStdoutEnd)
        stderr = PipeReader(loop: loop, fd: child.stderr, onData: { [weak self] bytes in
            self?.keepStderr(bytes)
        }, onEnd: {})
        killTimer = EventTimer(loop: loop) { [weak self] in self?.child.signalGroup(SIGKILL) }
        reaper.watch(child.pid) { [weak self] status in
            guard let self else { return }
            self.exitStatus = status
            // Whatever the leader left behind in its group goes with it.
            self.child.signalGroup(SIGKILL)
            self.killTimer?.cancel()
            onExit(status)
        }
    }

    deinit { close() }

    func pauseOutput() { stdout?.pause() }
    func resumeOutput() { stdout?.resume() }

    /// Closes stdout without waiting for EOF; its end callback does not run.
    func abandonOutput() {
        stdout?.close()
        stdout = nil
    }

    /// SIGTERM to the process group now, SIGKILL after the grace period.
    func terminate() {
        guard exitStatus == nil else { return }
        child.signalGroup(SIGTERM)
        killTimer?.schedule(after: Self.terminationGrace)
    }

    /// Frees every libevent object; call once stdout ended and the child was reaped.
    func close() {
        stdin?.close()
        stdout?.close()
        stderr?.close()
        killTimer?.close()
        stdin = nil
        stdout = nil
        stderr = nil
        killTimer = nil
    }

    private func keepStderr(_ bytes: [UInt8]) {
        stderrTail.append(contentsOf: bytes)
        if stderrTail.count > Self.stderrTailBytes {
            stderrTail.removeFirst(stderrTail.count - Self.stderrTailBytes)
        }
    }
}
