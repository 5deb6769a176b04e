import SystemCalls
import EventTransport
import Glibc
import ProxyCore

/// A started CLI as the operating system has it: the process (its own group), its stdin as a
/// `PipeWriter`, its stdout and stderr as `PipeReader`s on the loop, and its exit from the reaper.
package final class PipedChild: ChildIO {
    package let pid: Int32
    package weak var events: (any ChildIOEvents)?
    private var stdin: PipeWriter?
    private var stdout: PipeReader?
    private var stderr: PipeReader?
    private let reaper: ChildReaper

    /// Starts `invocation`; the child waits on stdin until something is written.
    package init(invocation: CLIInvocation, loop: EventLoop, reaper: ChildReaper) throws(SystemError) {
        let child = try ChildProcess.spawn(invocation)
        pid = child.pid
        self.reaper = reaper
        stdin = PipeWriter(loop: loop, fd: child.stdin)
        stdout = PipeReader(loop: loop, fd: child.stdout, onData: { [weak self] bytes in
            self?.events?.childIO(output: bytes)
        }, onEnd: { [weak self] in
            self?.events?.childIOOutputEnded()
        })
        stderr = PipeReader(loop: loop, fd: child.stderr, onData: { [weak self] bytes in
            self?.events?.childIO(stderr: bytes)
        }, onEnd: {})
        reaper.watch(pid) { [weak self] status in self?.events?.childIO(exited: status) }
    }

    deinit { close() }

    package func write(_ bytes: [UInt8]) { stdin?.write(bytes) }
    package func closeInput() { stdin?.closeWhenDrained() }
    package func pauseOutput() { stdout?.pause() }
    package func resumeOutput() { stdout?.resume() }

    package func closeOutput() {
        stdout?.close()
        stdout = nil
    }

    package func signalGroup(_ signal: Int32) { sendSignal(signal, to: -pid) }

    package func close() {
        stdin?.close()
        stdout?.close()
        stderr?.close()
        stdin = nil
        stdout = nil
        stderr = nil
    }
}
