import SystemCalls
import Glibc
import EventTransport
import ProxyCore

/// A short command run to its end outside the event loop: `claude --version` and `doctor`'s
/// live request. Started like every CLI (`ChildProcess.spawn`: own group, signals reset, no
/// inherited descriptors), its output read with `poll(2)`, stopped as a group at the deadline.
package struct CommandRun: Sendable {
    package var status: ExitStatus?
    package var output: [UInt8]
    package var stderr: [UInt8]
    package var timedOut: Bool

    /// Runs `invocation`, writes `input` to its stdin and closes it, and hands each stdout line to
    /// `onLine` with the seconds since the start; `onLine` may answer false to stop the command.
    package static func run(_ invocation: CLIInvocation, input: [UInt8] = [], timeout: Double,
                            onLine: ([UInt8], Double) -> Bool = { _, _ in true }) throws(SystemError) -> CommandRun {
        let started = ContinuousClock.now
        let child = try ChildProcess.spawn(invocation)
        var stdin: Int32 = child.stdin
        var written = 0
        if input.isEmpty {
            close(stdin)
            stdin = -1
        }
        var result = CommandRun(status: nil, output: [], stderr: [], timedOut: false)
        var open: Set<Int32> = [child.stdout, child.stderr]
        var pending: [UInt8] = []
        var stopped = false
        func elapsed() -> Double { started.duration(to: .now).inSeconds }
        while !open.isEmpty {
            let left = timeout - elapsed()
            if left <= 0 {
                result.timedOut = true
                break
            }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if stdin >= 0 { fds.append(pollfd(fd: stdin, events: Int16(POLLOUT), revents: 0)) }
            let wait = Int32(min(left, 1) * 1000) + 1
            guard let ready = try? syscall("poll", { poll(&fds, nfds_t(fds.count), wait) }), ready > 0 else { continue }
            for entry in fds where entry.revents != 0 {
                if entry.fd == stdin {
                    let fd = stdin
                    do throws(SystemError) {
                        written += try syscall("write") { input[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } }
                    } catch where error.errno == EAGAIN {
                        continue
                    } catch {
                        written = input.count  // the child closed its input: nothing more goes in
                    }
                    if written == input.count {
                        close(stdin)
                        stdin = -1
                    }
                    continue
                }
                var buffer = [UInt8](repeating: 0, count: 64 * 1024)
                let count: Int
                do throws(SystemError) {
                    count = try syscall("read") { buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) } }
                } catch where error.errno == EAGAIN {
                    continue
                } catch {
                    count = 0
                }
                if count == 0 {
                    close(entry.fd)
                    open.remove(entry.fd)
                    continue
                }
                let bytes = buffer[..<count]
                if entry.fd == child.stderr {
                    result.stderr += bytes.prefix(max(0, 64 * 1024 - result.stderr.count))
                    continue
                }
                result.output += bytes
                pending += bytes
                while !stopped, let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = Array(pending[..<newline])
                    pending.removeFirst(newline + 1)
                    if !onLine(line, elapsed()) { stopped = true }
                }
            }
            if stopped { break }
        }
        for fd in open { close(fd) }
        if stdin >= 0 { close(stdin) }
        if !open.isEmpty || stopped { child.signalGroup(SIGKILL) }
        // A child that closed its output may still run: it gets until the deadline, then SIGKILL.
        var raw: Int32 = 0
        var reaped = false
        while !reaped {
            let pid = (try? syscall("waitpid") { waitpid(child.pid, &raw, WNOHANG) }) ?? child.pid
            if pid == child.pid {
                reaped = true
            } else if elapsed() >= timeout {
                result.timedOut = true
                child.signalGroup(SIGKILL)
                _ = try? syscall("waitpid") { waitpid(child.pid, &raw, 0) }
                reaped = true
            } else {
                usleep(10_000)
            }
        }
        result.status = ExitStatus(waitStatus: raw)
        return result
    }
}
