import Testing
@testable import EventTransport

/// The loop's turns, as the log's flush sees them.
struct EventLoopTests {
    private final class Turns {
        var fired = 0
        var seenBetweenTurns: [Int] = []
        var timer: EventTimer?
    }

    /// Work done after each turn sees every callback of that turn, and only of that turn: three
    /// timers, each armed by the one before, run in three turns.
    @Test func afterEachTurnRunsBetweenTurns() {
        let loop = EventLoop()
        let turns = Turns()
        let timer = EventTimer(loop: loop) {
            turns.fired += 1
            if turns.fired < 3 { turns.timer?.schedule(after: 0) } else { loop.stop() }
        }
        turns.timer = timer
        timer.schedule(after: 0)
        loop.run { turns.seenBetweenTurns.append(turns.fired) }
        #expect(turns.fired == 3)
        #expect(turns.seenBetweenTurns == [1, 2, 3])
        timer.close()
    }

    /// epoll batches each turn's changes (two epoll_ctl calls a keep-alive request, not four).
    @Test func theLoopBatchesEpollChanges() {
        #expect(EventLoop().method == "epoll (with changelist)")
    }

    /// A loop with nothing to wait for returns after one pass.
    @Test func anEmptyLoopReturns() {
        let loop = EventLoop()
        var passes = 0
        loop.run { passes += 1 }
        #expect(passes == 1)
    }
}
