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

    /// Runs the action in this turn of the loop, after the callbacks already active: without a
    /// zero-delay deadline, which would cost the loop another turn (and another epoll_wait).
    package func activate() {
        if let event { event_active(event, EV_TIMEOUT, 1) }
    }

    package func close() {
        if let event { event_free(event) }
        event = nil
    }

    package func didFire() { action() }
}
