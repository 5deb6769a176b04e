import Glibc
import Logging
import Testing
@testable import ChildProcesses
@testable import OpenAIFront
@testable import ProxyCore
@testable import ProxyDaemon

/// The request glue driven without sockets, processes or a loop: a fake sink, a fake child and
/// a fake clock.
@Suite struct CompletionSessionTests {
    final class Harness: CompletionSessionOwner {
        let sink = FakeSink()
        let clock = FakeTimers()
        let io = FakeChildIO()
        let process: CLIProcess
        var session: CompletionSession!
        var released = 0
        var launches = 0

        init(streaming: Bool, limits: CompletionSession.Limits = .init(requestTimeout: 600),
             translator custom: (any ReplyTranslator)? = nil, keeps: Bool = false) {
            process = CLIProcess(io: io, timers: clock)
            let translator = custom ?? ChatTranslator(id: "chatcmpl-1", created: 0, model: "sonnet", includeUsage: false)
            session = CompletionSession(
                id: "chatcmpl-1", sink: sink, translator: translator, isStreaming: streaming, keepsConversation: keeps,
                headers: [("X-Request-Id", "r1")], limits: limits, timers: clock,
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            session.owner = self
        }

        func sessionReleased(_ session: CompletionSession) { released += 1 }
        var reported: [RateLimitInfo] = []
        func session(_ session: CompletionSession, reported usage: RateLimitInfo) { reported.append(usage) }
        func session(_ session: CompletionSession, runs model: String) {}
        var usageHeaders: [(String, String)] = []

        /// Its place is ready: the owner gives it the CLI.
        func begin() {
            session.admitted()
            launches += 1
            session.start(process, input: Array(#"{"type":"user"}"#.utf8), reducer: TurnReducer(), spawned: true)
        }

        func answer(_ pieces: [String]) { CLILines.answer(pieces).forEach(io.print) }
        func exitNormally() {
            io.exit(0)
            io.endOutput()
        }
    }

    @Test func aStreamSendsEachDeltaAndEndsAfterEOFAndExit() {
        let h = Harness(streaming: true)
        h.begin()
        #expect(h.io.writtenLines == [#"{"type":"user"}"#], "the request's input is written on attach")
        #expect(h.io.inputClosed)
        h.io.print(CLILines.initialized)
        h.io.print(CLILines.start)
        #expect(h.sink.isStreaming, "headers go with the first frame")
        h.io.print(CLILines.delta("Hel"))
        #expect(h.sink.text.contains(#""content":"Hel""#))
        h.io.print(CLILines.delta("lo"))
        h.io.print(CLILines.result("Hello"))
        #expect(h.sink.ended)
        #expect(h.sink.text.contains("data: [DONE]\n\n: server-timing "), "the timing comment goes after the last event")
        #expect(h.sink.text.hasSuffix("\n\n"))
        #expect(h.released == 0, "not before EOF and exit")
        h.io.endOutput()
        #expect(h.released == 0)
        h.io.exit(0)
        #expect(h.released == 1)
        #expect(h.clock.armed == 0, "every timer closed at release")
    }

    @Test func aWholeReplyIsOneBody() {
        let h = Harness(streaming: false)
        h.begin()
        h.answer(["Hello", " there"])
        #expect(h.sink.status == 200)
        #expect(String(decoding: h.sink.body, as: UTF8.self).contains(#""content":"Hello there""#))
        h.exitNormally()
        #expect(h.released == 1)
    }

    @Test func theChildMayExitBeforeOrAfterEOF() {
        for exitFirst in [true, false] {
            let h = Harness(streaming: false)
            h.begin()
            h.answer(["x"])
            if exitFirst { h.io.exit(0) } else { h.io.endOutput() }
            #expect(h.released == 0)
            if exitFirst { h.io.endOutput() } else { h.io.exit(0) }
            #expect(h.released == 1)
        }
    }

    @Test func aClientGoneBeforeTheFirstByteStopsTheCLI() {
        let h = Harness(streaming: false)
        h.begin()
        h.io.print(CLILines.initialized)
        h.sink.leave()
        #expect(h.io.signals == [SIGTERM])
        h.exitNormally()
        #expect(h.released == 1)
        #expect(h.sink.status == nil, "nothing is sent to a client that left")
    }

    @Test func aClientGoneMidStreamStopsTheCLIOnce() {
        let h = Harness(streaming: true)
        h.begin()
        h.io.print(CLILines.initialized)
        h.io.print(CLILines.start)
        h.io.print(CLILines.delta("partial"))
        h.sink.leave()
        h.sink.leave()
        #expect(h.io.signals == [SIGTERM])
        h.io.print(CLILines.delta("more"))
        #expect(!h.sink.text.contains("more"), "nothing after the client left")
        h.exitNormally()
        #expect(h.released == 1)
    }

    /// A chat UI's Stop on a conversation worth keeping: the CLI's turn is interrupted (a
    /// control request on stdin), not the CLI; its interrupted `result` ends the request and the
    /// CLI is kept for the next turn.
    @Test func aClientThatStopsAKeptConversationInterruptsItsCLI() {
        let h = Harness(streaming: true, keeps: true)
        h.begin()
        #expect(!h.io.inputClosed, "a kept conversation's stdin stays open")
        h.io.print(CLILines.initialized)
        h.io.print(CLILines.start)
        h.io.print(CLILines.delta("partial"))
        h.sink.leave()
        #expect(h.io.signals.isEmpty, "not stopped")
        #expect(h.io.writtenLines.last?.contains(#""subtype":"interrupt""#) == true, "\(h.io.writtenLines)")
        #expect(h.released == 0, "until the interrupted turn ends")
        h.io.print(#"{"type":"control_response","response":{"subtype":"success","request_id":"ccp-interrupt-1"}}"#)
        h.io.print(#"{"type":"result","subtype":"error_during_execution","is_error":true,"total_cost_usd":0.25,"usage":{}}"#)
        #expect(h.released == 1)
        #expect(h.session.keepsCLI)
        #expect(h.session.cumulativeCost == 0.25)
        #expect(h.session.transcript.text == "partial", "what the client received, for the next turn's identity")
        #expect(h.clock.armed == 0)
    }

    @Test func anInterruptThatGetsNoResultInTimeStopsTheCLI() {
        let h = Harness(streaming: true, limits: .init(requestTimeout: 600, interruptGrace: 2), keeps: true)
        h.begin()
        h.io.print(CLILines.initialized)
        h.io.print(CLILines.start)
        h.io.print(CLILines.delta("partial"))
        h.sink.leave()
        h.clock.advance(by: 1.9)
        #expect(h.io.signals.isEmpty)
        h.clock.advance(by: 0.2)
        #expect(h.io.signals == [SIGTERM])
        h.exitNormally()
        #expect(h.released == 1 && !h.session.keepsCLI)
    }

    @Test func aClientThatLeavesBeforeAnyTextStopsEvenAKeptConversation() {
        let h = Harness(streaming: true, keeps: true)
        h.begin()
        h.io.print(CLILines.initialized)
        h.sink.leave()
        #expect(h.io.signals == [SIGTERM], "nothing to continue from")
    }

    @Test func aCLIThatDiesWithoutAResultIsAnError() {
        let h = Harness(streaming: false)
        h.begin()
        h.io.print(CLILines.initialized)
        h.io.events?.childIO(exited: .signaled(SIGKILL))
        h.io.endOutput()
        #expect(h.sink.status == 502)
        #expect(h.session.errorCode == "cli_failed")
        #expect(h.released == 1)
    }

    @Test func theIdleTimerAndTheDeadline() {
        let idle = Harness(streaming: false, limits: .init(requestTimeout: 100, idleTimeout: 5))
        idle.begin()
        idle.clock.advance(by: 4)
        idle.io.print(CLILines.initialized)  // output resets the idle timer
        idle.clock.advance(by: 4)
        #expect(idle.sink.status == nil)
        idle.clock.advance(by: 1.5)
        #expect(idle.sink.status == 504)
        #expect(idle.io.signals == [SIGTERM])
        idle.clock.advance(by: CLIProcess.terminationGrace)
        #expect(idle.io.signals == [SIGTERM, SIGKILL], "SIGKILL after the grace")
        idle.exitNormally()
        #expect(idle.released == 1)

        let deadline = Harness(streaming: true, limits: .init(requestTimeout: 10, idleTimeout: 300))
        deadline.begin()
        deadline.io.print(CLILines.initialized)
        deadline.io.print(CLILines.start)
        for _ in 0..<12 {
            deadline.clock.advance(by: 1)
            deadline.io.print(CLILines.delta("x"))
        }
        #expect(deadline.sink.text.contains(#""code":"timeout""#), "the deadline's error goes inside the stream")
        #expect(deadline.sink.ended)
    }

    @Test func backpressurePausesTheCLIAndADrainResumesIt() {
        let h = Harness(streaming: true)
        h.begin()
        h.io.print(CLILines.initialized)
        h.sink.behind = true
        h.io.print(CLILines.start)
        #expect(h.io.paused)
        h.sink.behind = false
        h.sink.onDrained?()
        #expect(!h.io.paused)
    }

    /// The lock-up this glue once had: the reply ends while the CLI is paused, and nothing ever
    /// resumed it, so EOF was never read.
    @Test func aReplyThatEndsWhilePausedStillReadsToEOF() {
        let h = Harness(streaming: true)
        h.begin()
        h.io.print(CLILines.initialized)
        h.io.print(CLILines.start)
        h.sink.behind = true
        h.io.print(CLILines.delta("big"))
        #expect(h.io.paused)
        h.io.print(CLILines.result("big"))
        #expect(!h.io.paused, "the finished reply resumed stdout")
        h.exitNormally()
        #expect(h.released == 1)
    }

    @Test func aCLIThatOutlivesItsReplyIsStoppedAndAHeldStdoutAbandoned() {
        let h = Harness(streaming: false, limits: .init(requestTimeout: 600, linger: 3))
        h.begin()
        h.answer(["x"])
        h.clock.advance(by: 3)
        #expect(h.io.signals == [SIGTERM])
        h.io.exit(0)  // reaped, but something outside the group holds stdout
        #expect(h.released == 0)
        h.clock.advance(by: 3)
        #expect(h.io.outputClosed)
        #expect(h.released == 1)
    }

    @Test func aQueuedRequestCancelledBeforeItsPlaceNeverStartsACLI() {
        let h = Harness(streaming: true)
        h.session.waitInQueue()
        #expect(h.sink.isStreaming, "a waiting stream gets its headers at once")
        h.session.cancel(.queueFull(waited: true))
        #expect(h.sink.text.contains("queue_timeout"))
        #expect(h.launches == 0)
        #expect(h.released == 1)
    }

    @Test func aSpawnFailureIsAnErrorAndAReleaseAtOnce() {
        let h = Harness(streaming: false)
        h.session.fail(.spawnFailed(executable: "claude", errno: EMFILE))
        #expect(h.sink.status == 503)
        #expect(h.session.errorCode == "overloaded")
        #expect(h.released == 1)
    }
}

/// A large answer is encoded a slice per loop turn, and its bytes are exactly what encoding it
/// whole gives.
struct SplicedTextTests {
    @Test func slicesAreTheEncoderOutputWhateverTheText() {
        let text = String(repeating: "plain \"quoted\" back\\slash\ttab\nline é 😀 \u{1}", count: 9000)
        #expect(text.utf8.count > SplicedText.threshold)
        let whole = WireJSON.encode(["text": text])
        let spliced = SplicedText.encode(["text": SplicedText.marker], text: text)
        #expect(spliced?.bytes == whole)
        var offset = 0
        var slices = 0
        while let slice = spliced?.slice(from: &offset) {
            slices += 1
            #expect(slice.count <= SplicedText.sliceBytes * 6)
        }
        #expect(slices == (text.utf8.count + SplicedText.sliceBytes - 1) / SplicedText.sliceBytes)
    }

    @Test func theLastMarkerIsTheTextsPlace() {
        let value = ["a_instructions": SplicedText.marker, "z_text": SplicedText.marker]
        let spliced = SplicedText.encode(value, text: "T")
        let text = String(decoding: spliced?.bytes ?? [], as: UTF8.self)
        #expect(text.contains("\"z_text\":\"T\""))
    }
}

extension CompletionSessionTests {
    @Test func aLargeStreamedAnswerGoesOutASliceAtATimeThenEnds() throws {
        let h = Harness(streaming: true, translator: ResponsesTranslator(
            id: "resp_1", itemID: "msg_1", createdAt: 0, model: "m", instructions: nil, maxOutputTokens: nil))
        h.begin()
        let big = String(repeating: "x", count: 2 * SplicedText.threshold)
        h.answer([big])
        h.exitNormally()
        #expect(!h.sink.ended, "not all at once: the session yields between slices")
        #expect(h.released == 0, "the release waits for the outbox")
        for _ in 0..<400 where !h.sink.ended { h.clock.advance(by: 0) }
        #expect(h.sink.ended && h.released == 1)
        let completed = h.sink.text.components(separatedBy: "\n").last { $0.hasPrefix("data: ") && $0.contains("response.completed") }
        let object = jsonObject(Array((completed ?? "").dropFirst(6).utf8))
        let output = ((object["response"] as? [String: Any])?["output"] as? [[String: Any]])?.first
        let said = ((output?["content"] as? [[String: Any]])?.first?["text"] as? String) ?? ""
        #expect(said.count == big.count && said == big)
    }

    @Test func aLargeWholeReplyIsWrittenInSlicesToo() throws {
        let h = Harness(streaming: false)
        h.begin()
        let big = String(repeating: "y", count: 2 * SplicedText.threshold)
        h.answer([big])
        #expect(h.sink.isStreaming && !h.sink.ended, "chunked, not encoded at once")
        for _ in 0..<400 where !h.sink.ended { h.clock.advance(by: 0) }
        #expect(h.sink.ended)
        let body = jsonObject(h.sink.streamed)
        let content = (((body["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["content"] as? String) ?? ""
        #expect(content.count == big.count && content == big)
        h.exitNormally()
        #expect(h.released == 1)
    }
}
