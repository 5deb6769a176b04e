import EventTransport
import ProxyCore

extension EventTimer: LoopTimer {}

/// Timers on the daemon's event loop.
package struct LoopTimers: TimerFactory {
    package let loop: EventLoop

    package init(loop: EventLoop) {
        self.loop = loop
    }

    package func timer(_ action: @escaping () -> Void) -> any LoopTimer {
        EventTimer(loop: loop, action: action)
    }
}
