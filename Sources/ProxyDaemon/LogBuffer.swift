import SystemCalls
import ProxyCore
import Synchronization

/// Log lines gathered while the event loop handles one turn's events and written to stderr with
/// one write(2) when the turn's work is done (an event made active runs in the same turn, after
/// the callbacks already active), instead of one write per line: a busy `/health` logs a line per
/// request. Lines are written at once while no loop drives the buffer (start-up, exit, tests), when
/// a turn has gathered 64 KiB, and at every `flush` (the proxy's exit). A proxy killed by a signal
/// may lose the lines of its last turn only.
package final class LogBuffer: Sendable {
    package static let shared = LogBuffer()

    private struct State {
        let pending = TextBuffer(capacity: 8 * 1024)
        var isScheduled = false
        /// Arms the loop's flush for the end of the current turn; nil while no loop drives this.
        var schedule: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())
    private static let limit = 64 * 1024

    package func append(_ line: String) {
        write(line)
    }

    /// Appends what `lines` writes to the pending bytes, in place: the access line is rendered
    /// straight into them (generic, so that its writer is called directly).
    package func write(_ lines: some LogLines) {
        state.withLock { state in
            lines.write(into: state.pending)
            if state.schedule == nil || state.pending.count >= Self.limit {
                Self.writeOut(state.pending)
            } else if !state.isScheduled {
                state.isScheduled = true
                state.schedule?()
            }
        }
    }

    /// Writes what is pending.
    package func flush() {
        state.withLock { state in
            state.isScheduled = false
            Self.writeOut(state.pending)
        }
    }

    /// From now on lines wait for `schedule`'s flush (nil: they are written at once again,
    /// after what is pending).
    package func drive(with schedule: (@Sendable () -> Void)?) {
        state.withLock { $0.schedule = schedule }
        if schedule == nil { flush() }
    }

    /// Under the lock: the lines stay in order whichever thread logs.
    private static func writeOut(_ pending: TextBuffer) {
        guard pending.count > 0 else { return }
        pending.withBytes { try? Descriptor.writeAll(2, $0, what: "write to standard error") }
        pending.clear()
    }
}

/// Whole log lines, written as bytes.
package protocol LogLines: Sendable {
    func write(into out: TextBuffer)
}

extension String: LogLines {
    package func write(into out: TextBuffer) { out.append(self) }
}

/// A loop object handed to a `@Sendable` closure that only ever runs on the loop's thread: the
/// daemon logs from that thread alone, so its log flush may arm the loop's timer.
struct LoopThreadOnly<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
