import SystemCalls
import ProxyCore
import Synchronization

/// Log lines gathered while the event loop handles one turn's events and written to stderr with
/// one write(2) when the turn's callbacks have all run (the loop flushes between turns), instead
/// of one write per line: a busy `/health` logs a line per request. Lines are written at once while
/// no loop drives the buffer (start-up, exit, tests), when a turn has gathered 64 KiB, and at every
/// `flush`. A proxy killed by a signal may lose the lines of its last turn only.
package final class LogBuffer: Sendable {
    package static let shared = LogBuffer()

    private struct State {
        let pending = TextBuffer(capacity: 8 * 1024)
        /// A loop flushes after each of its turns: lines wait for it.
        var isDriven = false
    }

    private let state = Mutex(State())
    private static let limit = 64 * 1024

    package func append(_ line: String) {
        var line = line
        line.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    /// Whole lines as bytes: the access line, rendered by the proxy into a buffer of its own
    /// outside the lock (given to the lock's closure as a value, the line was copied, each of its
    /// strings retained and released once more per request).
    package func append(_ bytes: UnsafeRawBufferPointer) {
        let borrowed = BorrowedBytes(bytes: bytes)
        state.withLock { state in
            state.pending.append(borrowed.bytes)
            if !state.isDriven || state.pending.count >= Self.limit { Self.writeOut(state.pending) }
        }
    }

    /// Writes what is pending: the loop's work after each turn (`EventLoop.run(afterEachTurn:)`).
    package func flush() {
        state.withLock { Self.writeOut($0.pending) }
    }

    /// Whether a loop flushes after each turn, so that lines may wait for it; when it stops,
    /// what is pending is written and lines go out at once again.
    package func drive(_ driven: Bool) {
        state.withLock { $0.isDriven = driven }
        if !driven { flush() }
    }

    /// Under the lock: the lines stay in order whichever thread logs.
    private static func writeOut(_ pending: TextBuffer) {
        guard pending.count > 0 else { return }
        pending.withBytes { try? Descriptor.writeAll(2, $0, what: "write to standard error") }
        pending.clear()
    }
}

/// The caller's bytes, read under the lock during the call and not kept past it.
private struct BorrowedBytes: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
}
