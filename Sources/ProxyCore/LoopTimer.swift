/// A one-shot timer: the event loop's in the daemon, a fake clock's in tests, so the request
/// glue and the process object are tested without a loop. Re-scheduling replaces the deadline.
package protocol LoopTimer: AnyObject {
    func schedule(after seconds: Double)
    func cancel()
    /// Frees the timer; it never fires again.
    func close()
}

/// Makes timers that run `action` on the loop when they fire.
package protocol TimerFactory {
    func timer(_ action: @escaping () -> Void) -> any LoopTimer
}
