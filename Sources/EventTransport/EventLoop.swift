import CEvent

/// The one libevent `event_base` everything runs on.
package final class EventLoop {
    package let base: OpaquePointer

    package init() {
        // epoll's changes made in a turn go to the kernel together when the turn waits, so a
        // request's read and write toggles cost two epoll_ctl calls instead of four (/health
        // served 1.09x the bare evhttp floor with it, 0.88x without it, one run under wrk).
        // libevent warns against it where a descriptor it watches was duplicated: a closed one
        // would stay in the epoll set through its copy. None is here: the proxy never dup()s,
        // and a child gets its copies only while `ccp_spawn` holds the loop, until the child has
        // closed every descriptor but its three (close_from, before exec).
        guard let config = event_config_new() else { fatalError("event_config_new failed") }
        defer { event_config_free(config) }
        if event_config_set_flag(config, Int32(EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST.rawValue)) != 0 {
            fatalError("event_config_set_flag failed")
        }
        guard let base = event_base_new_with_config(config) else { fatalError("event_base_new_with_config failed") }
        self.base = base
    }

    /// The kernel interface libevent chose, as it names it (`epoll (with changelist)`).
    package var method: String { String(cString: event_base_get_method(base)) }

    deinit { event_base_free(base) }

    /// Runs until `stop()` (or until nothing is left to wait for), one turn at a time
    /// (`EVLOOP_ONCE`: wait, then run every callback made active), calling `afterEachTurn`
    /// between turns: work gathered by a turn's callbacks (the log's lines) is done once per
    /// turn, with no event of its own to make active.
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
