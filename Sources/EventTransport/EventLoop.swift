import CEvent

/// The one libevent `event_base` everything runs on.
package final class EventLoop {
    package let base: OpaquePointer

    package init() {
        guard let base = event_base_new() else { fatalError("event_base_new failed") }
        self.base = base
    }

    deinit { event_base_free(base) }

    /// Runs until `stop()` (or until nothing is left to wait for).
    package func run() { event_base_dispatch(base) }

    /// Runs as `run()` does, one turn at a time (`EVLOOP_ONCE`: wait, then run every callback
    /// made active), calling `afterEachTurn` between turns: work gathered by a turn's callbacks
    /// (the log's lines) is done once per turn, with no event of its own to make active.
    package func run(afterEachTurn: () -> Void) {
        while true {
            let result = event_base_loop(base, EVLOOP_ONCE)
            afterEachTurn()
            // 1: nothing left to wait for; -1: the backend failed; a break: `stop()` (the only
            // way this loop is ended: nothing calls event_base_loopexit).
            if result != 0 || event_base_got_break(base) != 0 { return }
        }
    }

    package func stop() { event_base_loopbreak(base) }
}

/// A signal delivered as an ordinary loop event (libevent's `evsignal_new`), so no Swift code
/// ever runs inside a POSIX signal handler.
package final class SignalWatcher {
    private var event: OpaquePointer?
    private let action: () -> Void

    package init(loop: EventLoop, signal: Int32, action: @escaping () -> Void) {
        self.action = action
        event = event_new(loop.base, signal, Int16(EV_SIGNAL | EV_PERSIST), CCallbacks.signal,
                          CCallbacks.pointer(to: self))
        event_add(event, nil)
    }

    deinit { close() }

    package func close() {
        if let event { event_free(event) }
        event = nil
    }

    package func didReceive() { action() }
}

/// A one-shot timer on the loop (`evtimer_new`). Re-scheduling replaces the pending deadline.
package final class EventTimer {
    private var event: OpaquePointer?
    private let action: () -> Void

    package init(loop: EventLoop, action: @escaping () -> Void) {
        self.action = action
        event = event_new(loop.base, -1, 0, CCallbacks.timer, CCallbacks.pointer(to: self))
    }

    deinit { close() }

    package func schedule(after seconds: Double) {
        var delay = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        event_add(event, &delay)
    }

    package func cancel() {
        if let event { event_del(event) }
    }

    package func close() {
        if let event { event_free(event) }
        event = nil
    }

    package func didFire() { action() }
}
