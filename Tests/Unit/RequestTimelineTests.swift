import Logging
import Testing
@testable import SystemCalls
@testable import ChildProcesses
@testable import OpenAIFront
@testable import ProxyCore
@testable import ProxyDaemon

/// Where a request's time went: the pure timeline, and the session marking it from recorded CLI
/// lines against a fake clock.
@Suite struct RequestTimelineTests {
    @Test func phasesRunFromOneMarkToTheNext() {
        var timeline = RequestTimeline()
        timeline.mark(.admitted, at: 0.010)
        timeline.mark(.launched, at: 0.012)
        timeline.mark(.initialized, at: 0.240)
        timeline.mark(.upstreamStarted, at: 0.290)
        timeline.token(at: 0.300)
        timeline.token(at: 0.320)
        timeline.token(at: 0.350)
        timeline.mark(.finished, at: 0.400)
        #expect(timeline.duration(.queue) == 0.010)
        #expect(abs(timeline.duration(.spawn)! - 0.002) < 1e-9)
        #expect(abs(timeline.duration(.cli)! - 0.228) < 1e-9)
        #expect(abs(timeline.duration(.upstream)! - 0.050) < 1e-9)
        #expect(timeline.duration(.firstToken) == 0.300, "from the request, not from the mark before")
        #expect(timeline.duration(.total) == 0.400)
        #expect(timeline.tokens == 3)
        #expect(timeline.tokenGaps.count == 2)
        #expect(abs(timeline.tokenGaps.sum - 0.050) < 1e-9)
        #expect(timeline.serverTiming
                == "queue;dur=10.0, spawn;dur=2.0, cli;dur=228.0, upstream;dur=50.0, first_token;dur=300.0, total;dur=400.0")
    }

    @Test func aMissingMarkLeavesItsPhaseOutAndTheNextRunsFromTheOneBefore() {
        // A warm CLI: taken ready-made, no system/init in this turn.
        var timeline = RequestTimeline()
        timeline.mark(.admitted, at: 0.001)
        timeline.mark(.upstreamStarted, at: 0.051)
        timeline.mark(.finished, at: 0.070)
        #expect(timeline.duration(.spawn) == nil)
        #expect(timeline.duration(.cli) == nil)
        #expect(abs(timeline.duration(.upstream)! - 0.050) < 1e-9)
        #expect(timeline.serverTiming == "queue;dur=1.0, upstream;dur=50.0, total;dur=70.0")
    }

    @Test func aMarkIsTakenOnce() {
        var timeline = RequestTimeline()
        timeline.mark(.upstreamStarted, at: 0.1)
        timeline.mark(.upstreamStarted, at: 0.5)  // a second message_start after a tool round
        #expect(timeline.marks[.upstreamStarted] == 0.1)
    }

    /// Request timings are monotonic nanoseconds: never negative, and in seconds.
    @Test func monotonicSecondsAreDifferencesOfNanoseconds() {
        #expect(MonotonicClock.seconds(from: 1_000_000_000, to: 3_500_000_000) == 2.5)
        #expect(MonotonicClock.seconds(from: 3_500_000_000, to: 1_000_000_000) == 0)
        let start = MonotonicClock.now()
        #expect(start > 0 && MonotonicClock.now() >= start && MonotonicClock.seconds(from: start) >= 0)
    }

    @Test func millisecondsRoundToOneDecimal() {
        #expect(RequestTimeline.milliseconds(0.00123) == "1.2")
        #expect(RequestTimeline.milliseconds(0.00126) == "1.3")
        #expect(RequestTimeline.milliseconds(0) == "0.0")
        #expect(RequestTimeline.milliseconds(12.5) == "12500.0")
    }

    @Test func theHistogramsBucketsAreFiveMillisecondsApartBelowOneHundred() {
        let fine = LatencyHistogram.buckets.prefix { $0 <= 0.1 }
        #expect(fine.count == 20)
        #expect(zip(fine.dropFirst(), fine).allSatisfy { abs($0 - $1 - 0.005) < 1e-12 })
        var histogram = LatencyHistogram()
        histogram.observe(0.012)
        histogram.observe(0.013)
        histogram.observe(0.019)
        let index = { (bound: Double) in LatencyHistogram.buckets.firstIndex(of: bound)! }
        #expect(histogram.counts[index(0.01)] == 0)
        #expect(histogram.counts[index(0.015)] == 2, "12 and 13 ms apart from 19 ms")
        #expect(histogram.counts[index(0.02)] == 3)
        #expect(histogram.counts.last == 3)
    }

    @Test func metricsCarryThePhasesByEndpointAndStartKind() {
        var timeline = RequestTimeline()
        timeline.mark(.admitted, at: 0.002)
        timeline.mark(.launched, at: 0.004)
        timeline.mark(.initialized, at: 0.200)
        timeline.mark(.upstreamStarted, at: 0.230)
        timeline.token(at: 0.240)
        timeline.token(at: 0.250)
        var metrics = Metrics()
        metrics.recordTimeline(timeline, endpoint: "/chat/completions", start: "cold")
        metrics.recordTimeline(RequestTimeline(), endpoint: "/responses", start: "warm")
        let lines = Set(metrics.exposition(inFlight: 0, queued: 0, liveChildren: 0).split(separator: "\n").map(String.init))
        #expect(lines.contains(#"ccp_queue_wait_seconds_bucket{endpoint="/chat/completions",start="cold",le="0.005"} 1"#))
        #expect(lines.contains(#"ccp_spawn_seconds_count{endpoint="/chat/completions",start="cold"} 1"#))
        #expect(lines.contains(#"ccp_upstream_first_byte_seconds_bucket{endpoint="/chat/completions",start="cold",le="0.03"} 1"#))
        #expect(lines.contains(#"ccp_upstream_first_byte_seconds_bucket{endpoint="/chat/completions",start="cold",le="0.025"} 0"#))
        #expect(lines.contains(#"ccp_time_to_first_token_seconds_bucket{endpoint="/chat/completions",start="cold",le="0.25"} 1"#))
        #expect(lines.contains(#"ccp_inter_token_seconds_count{endpoint="/chat/completions",start="cold"} 1"#))
        #expect(!lines.contains { $0.contains(#"endpoint="/responses""#) }, "a request that never got its place adds nothing")
        #expect(lines.contains("# TYPE ccp_inter_token_seconds histogram"))
        #expect(!lines.contains { $0.contains(#"ccp_spawn_seconds_count{endpoint="/responses""#) })
    }

    final class Harness {
        let sink = FakeSink()
        let clock = FakeTimers()
        let io = FakeChildIO()
        let process: CLIProcess
        let session: CompletionSession
        let readyMade: Bool

        init(streaming: Bool, readyMade: Bool = false) {
            self.readyMade = readyMade
            process = CLIProcess(io: io, timers: clock)
            session = CompletionSession(
                id: "chatcmpl-1", sink: sink,
                translator: ChatTranslator(id: "chatcmpl-1", created: 0, model: "sonnet", includeUsage: false),
                isStreaming: streaming, headers: [], limits: .init(requestTimeout: 600), timers: clock,
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
                elapsed: { [unowned clock] in clock.now })
        }

        /// The recorded CLI's lines, with the time before each.
        func play() {
            clock.advance(by: 0.005)  // waiting for a place
            session.admitted()
            if !readyMade { clock.advance(by: 0.002) }  // fork/exec
            session.start(process, input: Array(#"{"type":"user"}"#.utf8), reducer: TurnReducer(), spawned: !readyMade)
            clock.advance(by: 0.230)
            io.print(CLILines.initialized)
            clock.advance(by: 0.040)
            io.print(CLILines.start)
            clock.advance(by: 0.010)
            io.print(CLILines.delta("Hel"))
            clock.advance(by: 0.020)
            io.print(CLILines.delta("lo"))
            clock.advance(by: 0.003)
            io.print(CLILines.result("Hello"))
        }
    }

    @Test func aWholeReplyCarriesServerTiming() {
        let h = Harness(streaming: false)
        h.play()
        let header = h.sink.headers.first { $0.0 == "Server-Timing" }?.1
        #expect(header == "queue;dur=5.0, spawn;dur=2.0, cli;dur=230.0, upstream;dur=40.0, first_token;dur=287.0, total;dur=310.0")
        #expect(h.session.timeline.tokens == 2)
    }

    @Test func aReadyMadeCLIHasNoSpawnPhase() {
        let h = Harness(streaming: false, readyMade: true)
        h.play()
        let header = h.sink.headers.first { $0.0 == "Server-Timing" }?.1
        #expect(header == "queue;dur=5.0, cli;dur=230.0, upstream;dur=40.0, first_token;dur=285.0, total;dur=308.0")
    }

    @Test func aStreamEndsWithTheTimingAsAComment() {
        let h = Harness(streaming: true)
        h.play()
        #expect(h.sink.headers.first { $0.0 == "Server-Timing" } == nil, "a stream's headers leave before the figures exist")
        #expect(h.sink.text.hasSuffix(
            "data: [DONE]\n\n: server-timing queue;dur=5.0, spawn;dur=2.0, cli;dur=230.0, upstream;dur=40.0, first_token;dur=287.0, total;dur=310.0\n\n"))
        #expect(abs(h.session.timeline.tokenGaps.sum - 0.020) < 1e-9)
    }
}
