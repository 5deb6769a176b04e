/// How many CLIs may run at once, and who waits for the next free place (a bounded FIFO).
/// Pure: the proxy asks it and carries out the answer.
package struct Admission<Ticket: Hashable & Sendable>: Sendable {
    package enum Decision: Equatable, Sendable {
        case start
        case wait
        case reject
    }

    package let maxRunning: Int
    package let maxWaiting: Int
    package private(set) var running = 0
    package private(set) var waiting: [Ticket] = []

    package init(maxRunning: Int, maxWaiting: Int) {
        self.maxRunning = max(1, maxRunning)
        self.maxWaiting = max(0, maxWaiting)
    }

    package mutating func request(_ ticket: Ticket) -> Decision {
        if running < maxRunning && waiting.isEmpty {
            running += 1
            return .start
        }
        guard waiting.count < maxWaiting else { return .reject }
        waiting.append(ticket)
        return .wait
    }

    /// A running request finished: the ticket that may start now, if any.
    package mutating func finish() -> Ticket? {
        running = max(0, running - 1)
        guard running < maxRunning, !waiting.isEmpty else { return nil }
        running += 1
        return waiting.removeFirst()
    }

    /// A waiting request gave up (client left, queue timeout). True if it was waiting.
    @discardableResult
    package mutating func withdraw(_ ticket: Ticket) -> Bool {
        guard let index = waiting.firstIndex(of: ticket) else { return false }
        waiting.remove(at: index)
        return true
    }
}
