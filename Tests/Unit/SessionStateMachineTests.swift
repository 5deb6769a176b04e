import Testing
@testable import Proxy

struct SessionStateMachineTests {
    let failure = OpenAIError(status: 502, type: "server_error", message: "x")

    @Test func streamingHeadersGoOutWithTheFirstFrames() {
        var machine = SessionStateMachine(isStreaming: true)
        #expect(machine.framesReady() == [.startStream, .sendFrames])
        #expect(machine.framesReady() == [.sendFrames])
        #expect(machine.turnCompleted(stopsChild: false) == [.sendFrames, .endStream])
    }

    @Test func finishedOnlyAfterEOFAndExitInEitherOrder() {
        var a = SessionStateMachine(isStreaming: false)
        #expect(a.turnCompleted(stopsChild: false) == [.respondWithBody])
        #expect(a.stdoutClosed() == [])
        #expect(a.childExited() == [.release])

        var b = SessionStateMachine(isStreaming: false)
        #expect(b.turnCompleted(stopsChild: false) == [.respondWithBody])
        #expect(b.childExited() == [])
        #expect(b.stdoutClosed() == [.release])
        #expect(b.stdoutClosed() == [])
    }

    @Test func errorsBeforeHeadersAreRealStatuses() {
        var machine = SessionStateMachine(isStreaming: true)
        #expect(machine.turnFailed(failure) == [.respondWithError(failure), .terminateChild])
    }

    @Test func errorsAfterHeadersStayInTheStream() {
        var machine = SessionStateMachine(isStreaming: true)
        _ = machine.framesReady()
        #expect(machine.turnFailed(failure) == [.sendStreamError(failure), .endStream, .terminateChild])
        #expect(machine.turnFailed(failure) == [])
    }

    @Test func aChildThatEndsWithoutFinishingIsReported() {
        var machine = SessionStateMachine(isStreaming: false)
        #expect(machine.childExited() == [])
        #expect(machine.stdoutClosed() == [.reportUnfinishedTurn])
        #expect(machine.turnFailed(failure) == [.respondWithError(failure), .release])
    }

    @Test func theClientLeavingStopsTheChildOnce() {
        var machine = SessionStateMachine(isStreaming: true)
        _ = machine.framesReady()
        #expect(machine.clientLeft() == [.terminateChild])
        #expect(machine.framesReady() == [])
        #expect(machine.turnFailed(failure) == [])
        #expect(machine.stdoutClosed() == [])
        #expect(machine.childExited() == [.release])
    }

    @Test func aMaxTokensStopEndsTheReplyAndTheChild() {
        var machine = SessionStateMachine(isStreaming: true)
        #expect(machine.turnCompleted(stopsChild: true) == [.startStream, .sendFrames, .endStream, .terminateChild])
    }

    @Test func aSpawnFailureIsReleasedAtOnce() {
        var machine = SessionStateMachine(isStreaming: true)
        #expect(machine.spawnFailed(failure) == [.respondWithError(failure), .release])
    }
}
