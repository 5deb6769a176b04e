import Testing
@testable import ProxyCore
@testable import ProxyDaemon

@Suite struct SchedulerTests {
    final class Request: ScheduledRequest {
        var began = 0
        var waited = 0
        var cancelled: [TurnFailure] = []
        func begin() { began += 1 }
        func waitInQueue() { waited += 1 }
        func cancel(_ failure: TurnFailure) { cancelled.append(failure) }
        func abandon() {}
    }

    private func place(_ scheduler: Scheduler, _ request: Request) throws -> Scheduler.Ticket {
        let place = try scheduler.reserve()
        scheduler.schedule(request, ticket: place.ticket, startsNow: place.startsNow)
        return place.ticket
    }

    @Test func runsAtMostTheLimitAndHandsPlacesOnInOrder() throws {
        let scheduler = Scheduler(maxRunning: 1, maxWaiting: 2, queueTimeout: 60, timers: FakeTimers())
        let a = Request(), b = Request(), c = Request()
        let ta = try place(scheduler, a)
        let tb = try place(scheduler, b)
        _ = try place(scheduler, c)
        #expect(a.began == 1 && b.waited == 1 && c.waited == 1)
        #expect(throws: TurnFailure.queueFull(waited: false)) { try scheduler.reserve() }
        scheduler.release(ta)
        #expect(b.began == 1 && c.began == 0)
        scheduler.release(tb)
        #expect(c.began == 1)
        #expect(scheduler.running == 1 && scheduler.waiting == 0)
    }

    @Test func aWaitingRequestTimesOutAndItsWithdrawalFreesNothing() throws {
        let clock = FakeTimers()
        let scheduler = Scheduler(maxRunning: 1, maxWaiting: 4, queueTimeout: 5, timers: clock)
        let running = Request(), waiting = Request()
        _ = try place(scheduler, running)
        let tw = try place(scheduler, waiting)
        clock.advance(by: 5)
        #expect(waiting.cancelled == [.queueFull(waited: true)])
        scheduler.release(tw)  // the cancelled request gives its ticket back
        #expect(scheduler.running == 1 && scheduler.waiting == 0)
    }

    @Test func drainCancelsTheQueueThenTheRunningAfterTheTimeout() throws {
        let clock = FakeTimers()
        let scheduler = Scheduler(maxRunning: 1, maxWaiting: 4, queueTimeout: 60, timers: clock)
        let running = Request(), waiting = Request()
        let tr = try place(scheduler, running)
        let tw = try place(scheduler, waiting)
        var idle = false
        scheduler.drain(timeout: 30, grace: 3) { idle = true }
        #expect(waiting.cancelled == [.shuttingDown])
        #expect(throws: TurnFailure.shuttingDown) { try scheduler.reserve() }
        scheduler.release(tw)
        clock.advance(by: 29)
        #expect(running.cancelled.isEmpty && !idle)
        clock.advance(by: 1)
        #expect(running.cancelled == [.shuttingDown])
        scheduler.release(tr)
        #expect(idle)
    }

    @Test func anIdleDrainEndsAtOnce() {
        let scheduler = Scheduler(maxRunning: 1, maxWaiting: 1, queueTimeout: 60, timers: FakeTimers())
        var idle = false
        scheduler.drain(timeout: 30, grace: 3) { idle = true }
        #expect(idle)
    }
}
