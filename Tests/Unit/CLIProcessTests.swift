import Glibc
import Testing
@testable import ChildProcesses
@testable import ProxyCore

/// A CLI process is its own object: it can wait before a request, serve one, be detached and
/// serve another, with output going to whoever is attached now.
@Suite struct CLIProcessTests {
    final class Listener: CLIProcessListener {
        var output: [UInt8] = []
        var ended = false
        var exit: ProxyCore.ExitStatus?
        var text: String { String(decoding: output, as: UTF8.self) }
        func cliProcess(output bytes: [UInt8]) { output += bytes }
        func cliProcessOutputEnded() { ended = true }
        func cliProcessExited(_ status: ProxyCore.ExitStatus) { exit = status }
    }

    @Test func spawnedKeptAttachedDetachedAndAttachedAgain() {
        let io = FakeChildIO()
        let process = CLIProcess(io: io, timers: FakeTimers())
        // Started before any request: what it prints now is held for the first one.
        io.print(CLILines.initialized)
        #expect(process.isUsable && !process.isAttached)

        let first = Listener()
        process.attach(first)
        #expect(first.text.contains(#""subtype":"init""#), "held output reaches the first listener")
        process.send(Array("turn one".utf8))
        #expect(io.writtenLines == ["turn one"])
        io.print(CLILines.result("one"))
        #expect(first.text.contains(#""result":"one""#))
        process.detach()

        // Between requests: held, not lost, not given to the old listener.
        io.print("between")
        #expect(!first.text.contains("between"))

        let second = Listener()
        process.attach(second)
        #expect(second.text == "between\n")
        process.send(Array("turn two".utf8))
        #expect(io.writtenLines == ["turn one", "turn two"], "stdin stayed open across requests")
        io.print(CLILines.result("two"))
        #expect(second.text.contains(#""result":"two""#))
        #expect(!first.text.contains("two"))

        // Ended by its owner: input closed, group stopped, freed once reaped (an owner that
        // ended it does not wait for a stdout something else may hold).
        var gone = false
        process.onGone = { _ in gone = true }
        process.end()
        #expect(io.inputClosed && io.signals == [SIGTERM])
        #expect(!process.isAttached && !gone)
        io.exit(0)
        #expect(gone && io.closed && io.outputClosed)
        #expect(second.exit == nil, "a detached request hears nothing of the end")
    }

    @Test func anEndThatHappenedWhileDetachedReachesTheNextListener() {
        let io = FakeChildIO()
        let process = CLIProcess(io: io, timers: FakeTimers())
        io.exit(1)
        io.endOutput()
        #expect(!process.isUsable)
        let late = Listener()
        process.attach(late)
        #expect(late.ended && late.exit == ProxyCore.ExitStatus.exited(1))
    }

    @Test func tooMuchOutputWhileDetachedMakesItUnfitForARequest() {
        let io = FakeChildIO()
        let process = CLIProcess(io: io, timers: FakeTimers())
        io.print(String(repeating: "x", count: CLIProcess.heldOutputLimit + 1))
        #expect(!process.isUsable)
        #expect(io.paused)
    }

    @Test func terminationEscalatesToSIGKILLAfterTheGrace() {
        let io = FakeChildIO()
        let clock = FakeTimers()
        let process = CLIProcess(io: io, timers: clock)
        process.terminate()
        process.terminate()
        #expect(io.signals == [SIGTERM])
        clock.advance(by: CLIProcess.terminationGrace)
        #expect(io.signals == [SIGTERM, SIGKILL])
    }

    @Test func anOwnerEndingAReapedProcessDoesNotWaitForAHeldStdout() {
        let io = FakeChildIO()
        let process = CLIProcess(io: io, timers: FakeTimers())
        var gone = false
        process.onGone = { _ in gone = true }
        io.exit(0)
        process.end()
        #expect(io.outputClosed && gone)
    }
}
