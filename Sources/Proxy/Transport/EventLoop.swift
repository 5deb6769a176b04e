import CEvent

/// The one libevent `event_base` everything runs on.
final class EventLoop {
    let base: OpaquePointer

    init() {
        guard let base = event_base_new() else { fatalError("event_base_new failed") }
        self.base = base
    }

    deinit { event_base_free(base) }

    /// Runs until `stop()` (or until nothing is left to wait for).
    func run() { event_base_dispatch(base) }

    func stop() { event_base_loopbreak(base) }
}

/// A signal delivered as an ordinary loop event (libevent's `evsignal_new`), so no Swift code
/// ever runs inside a POSIX signal handler.
final class SignalWatcher {
    private var event: OpaquePointer?
    private let action: () -> Void

    init(loop: EventLoop, signal: Int32, action: @escaping () -> Void) {
        self.action = action
        event = event_new(loop.base, signal, Int16(EV_SIGNAL | EV_PERSIST), CCallbacks.signal,
                          CCallbacks.pointer(to: self))
        event_add(event, nil)
    }

    deinit { close() }

    func close() {
        if let event { event_free(event) }
        event = nil
    }

    func didReceive() { action() }
}

/// A one-shot timer on the loop (`evtimer_new`). Re-scheduling replaces the pending deadline.
final class EventTimer {
    private var event: OpaquePointer?
    private let action: () -> Void

    init(loop: EventLoop, action: @escaping () -> Void) {
        self.action = action
        event = event_new(loop.base, -1, 0, CCallbacks.timer, CCallbacks.pointer(to: self))
    }

    deinit { close() }

    func schedule(after seconds: Double) {
        var delay = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        event_add(event, &delay)
    }

    func cancel() {
        if let event { event_del(event) }
    }

    func close() {
        if let event { event_free(event) }
        event = nil
    }

    func didFire() { action() }
}
