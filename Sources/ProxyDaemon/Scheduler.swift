import ProxyCore

/// A request as the scheduler sees it.
package protocol ScheduledRequest: AnyObject {
    /// Its place is ready: start its CLI now.
    func begin()
    /// It must wait for a place.
    func waitInQueue()
    /// The proxy ends it (queue timeout, shutdown).
    func cancel(_ failure: TurnFailure)
    /// The proxy exits with it unfinished: it lets go of what it holds.
    func abandon()
}

/// Who runs now and who waits: admission (at most `maxRunning`, then a bounded FIFO), each
/// waiting request's queue timer, the registry of live requests, and the drain at shutdown.
/// Requests give their place back through `release`, exactly once.
package final class Scheduler {
    package typealias Ticket = Int

    private var admission: Admission<Ticket>
    private var requests: [Ticket: any ScheduledRequest] = [:]
    private var queueTimers: [Ticket: any LoopTimer] = [:]
    private var lastTicket = 0
    private let queueTimeout: Double
    private let timers: any TimerFactory
    private var drainTimer: (any LoopTimer)?
    private var finalTimer: (any LoopTimer)?
    private var onIdle: (() -> Void)?
    package private(set) var isDraining = false

    package init(maxRunning: Int, maxWaiting: Int, queueTimeout: Double, timers: any TimerFactory) {
        admission = Admission(maxRunning: maxRunning, maxWaiting: maxWaiting)
        self.queueTimeout = queueTimeout
        self.timers = timers
    }

    package var running: Int { admission.running }
    package var waiting: Int { admission.waiting.count }

    /// A place for a new request, asked before anything is prepared for it: a ticket that starts
    /// now or waits, or `queueFull` when the queue is full too.
    package func reserve() throws(TurnFailure) -> (ticket: Ticket, startsNow: Bool) {
        guard !isDraining else { throw .shuttingDown }
        lastTicket += 1
        switch admission.request(lastTicket) {
        case .start: return (lastTicket, true)
        case .wait: return (lastTicket, false)
        case .reject: throw .queueFull(waited: false)
        }
    }

    /// Runs `request` on its ticket: now, or when a place frees (or it times out in the queue).
    package func schedule(_ request: any ScheduledRequest, ticket: Ticket, startsNow: Bool) {
        requests[ticket] = request
        guard !startsNow else { return request.begin() }
        let timer = timers.timer { [weak request] in request?.cancel(.queueFull(waited: true)) }
        timer.schedule(after: queueTimeout)
        queueTimers[ticket] = timer
        request.waitInQueue()
    }

    /// The request on `ticket` is finished (or gave up waiting): its place goes to the next
    /// waiting request, if any.
    package func release(_ ticket: Ticket) {
        requests[ticket] = nil
        if admission.withdraw(ticket) {
            queueTimers.removeValue(forKey: ticket)?.close()
        } else if let next = admission.finish() {
            queueTimers.removeValue(forKey: next)?.close()
            requests[next]?.begin()
        }
        if isDraining && requests.isEmpty { finishDrain() }
    }

    /// Takes no new requests; waiting ones get `shuttingDown`; running ones may finish within
    /// `timeout`, after which they are cancelled and, `grace` later at the latest, `onIdle` runs.
    package func drain(timeout: Double, grace: Double, onIdle: @escaping () -> Void) {
        guard !isDraining else { return }
        isDraining = true
        self.onIdle = onIdle
        for ticket in admission.waiting { requests[ticket]?.cancel(.shuttingDown) }
        guard !requests.isEmpty else { return finishDrain() }
        drainTimer = timers.timer { [weak self] in self?.drainExpired(grace: grace) }
        drainTimer?.schedule(after: timeout)
    }

    /// At exit: every request still registered lets go of what it holds.
    package func abandonAll() {
        let left = Array(requests.values)
        requests = [:]
        for request in left { request.abandon() }
    }

    private func drainExpired(grace: Double) {
        for request in Array(requests.values) { request.cancel(.shuttingDown) }
        guard !requests.isEmpty else { return }
        finalTimer = timers.timer { [weak self] in self?.finishDrain() }
        finalTimer?.schedule(after: grace)
    }

    private func finishDrain() {
        drainTimer?.close()
        finalTimer?.close()
        drainTimer = nil
        finalTimer = nil
        let done = onIdle
        onIdle = nil
        done?()
    }
}
