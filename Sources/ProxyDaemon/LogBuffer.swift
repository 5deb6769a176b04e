import SystemCalls
import Synchronization

/// Log lines gathered while the event loop handles one turn's events and written to stderr with
/// one write(2) when the turn's work is done (a zero-delay timer runs after the callbacks already
/// active), instead of one write per line: a busy `/health` logs a line per request. Lines are
/// written at once while no loop drives the buffer (start-up, exit, tests), when a turn has
/// gathered 64 KiB, and at every `flush` (the proxy's exit). A proxy killed by a signal may lose
/// the lines of its last turn only.
package final class LogBuffer: Sendable {
    package static let shared = LogBuffer()

    private struct State {
        var pending: [UInt8] = []
        var isScheduled = false
        /// Arms the loop's flush for the end of the current turn; nil while no loop drives this.
        var schedule: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())
    private static let limit = 64 * 1024

    package func append(_ line: String) {
        append(bytes: line.utf8)
    }

    /// The bytes are copied into the pending buffer once, whatever holds them.
    package func append(bytes line: some Collection<UInt8> & Sendable) {
        let (write, schedule) = state.withLock { state -> ([UInt8]?, (@Sendable () -> Void)?) in
            state.pending += line
            guard let schedule = state.schedule, state.pending.count < Self.limit else {
                defer { state.pending = [] }
                return (state.pending, nil)
            }
            guard !state.isScheduled else { return (nil, nil) }
            state.isScheduled = true
            return (nil, schedule)
        }
        if let write { try? Descriptor.writeAll(2, write, what: "write to standard error") }
        schedule?()
    }

    /// Writes what is pending.
    package func flush() {
        let write = state.withLock { state -> [UInt8] in
            state.isScheduled = false
            defer { state.pending = [] }
            return state.pending
        }
        if !write.isEmpty { try? Descriptor.writeAll(2, write, what: "write to standard error") }
    }

    /// From now on lines wait for `schedule`'s flush (nil: they are written at once again,
    /// after what is pending).
    package func drive(with schedule: (@Sendable () -> Void)?) {
        state.withLock { $0.schedule = schedule }
        if schedule == nil { flush() }
    }
}

/// A loop object handed to a `@Sendable` closure that only ever runs on the loop's thread: the
/// daemon logs from that thread alone, so its log flush may arm the loop's timer.
struct LoopThreadOnly<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
