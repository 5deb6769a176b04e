import Testing
@testable import ProxyCore
@testable import OpenAIFront
@testable import EventTransport
@testable import ChildProcesses
@testable import ProxyDaemon

struct SessionStateMachineTests {
    let failure = TurnFailure.structuredOutputMissing

    @Test func streamingHeadersGoOutWithTheFirstFrames() {
        var machine = SessionStateMachine(isStreaming: true)
        #expect(machine.framesReady() == [.startStream, .sendFrames])
        #expect(machine.framesReady() == [.sendFrames])
        #expect(machine.turnCompleted(stopsChild: false) == [.sendFrames, .endStream, .drainOutput, .startLinger])
    }

    @Test func finishedOnlyAfterEOFAndExitInEitherOrder() {
        var a = SessionStateMachine(isStreaming: false)
        #expect(a.turnCompleted(stopsChild: false) == [.respondWithBody, .drainOutput, .startLinger])
        #expect(a.stdoutClosed() == [])
        #expect(a.childExited() == [.release])

        var b = SessionStateMachine(isStreaming: false)
        #expect(b.turnCompleted(stopsChild: false) == [.respondWithBody, .drainOutput, .startLinger])
        #expect(b.childExited() == [])
        #expect(b.stdoutClosed() == [.release])
        #expect(b.stdoutClosed() == [])
    }

    @Test func errorsBeforeHeadersAreRealStatuses() {
        var machine = SessionStateMachine(isStreaming: true)
        #expect(machine.turnFailed(failure) == [.respondWithError(failure), .drainOutput, .startLinger, .terminateChild])
    }

    @Test func errorsAfterHeadersStayInTheStream() {
        var machine = SessionStateMachine(isStreaming: true)
        _ = machine.framesReady()
        #expect(machine.turnFailed(failure) == [.sendStreamError(failure), .endStream, .drainOutput, .startLinger,
                                               .terminateChild])
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
        #expect(machine.clientLeft() == [.drainOutput, .startLinger, .terminateChild])
        #expect(machine.framesReady() == [])
        #expect(machine.turnFailed(failure) == [])
        #expect(machine.stdoutClosed() == [])
        #expect(machine.childExited() == [.release])
    }

    @Test func aMaxTokensStopEndsTheReplyAndTheChild() {
        var machine = SessionStateMachine(isStreaming: true)
        #expect(machine.turnCompleted(stopsChild: true) == [.startStream, .sendFrames, .endStream, .drainOutput,
                                                            .startLinger, .terminateChild])
    }

    @Test func aSpawnFailureIsReleasedAtOnce() {
        var machine = SessionStateMachine(isStreaming: true)
        #expect(machine.spawnFailed(failure) == [.respondWithError(failure), .release])
    }

    // Whatever ends the reply, stdout is read again (backpressure may have paused it) and the
    // linger timer bounds the rest: these are the paths that once never finished.

    @Test func aReplyThatEndsWhileOutputIsPausedStillDrainsIt() {
        for end in [0, 1, 2] {
            var machine = SessionStateMachine(isStreaming: true)
            _ = machine.framesReady()
            let actions = switch end {
            case 0: machine.turnCompleted(stopsChild: false)
            case 1: machine.turnFailed(failure)
            default: machine.clientLeft()
            }
            #expect(actions.contains(.drainOutput) && actions.contains(.startLinger), "end \(end): \(actions)")
            #expect(machine.isReplyFinished)
            #expect(machine.clientLeft() == [], "a second end changes nothing")
        }
    }

    @Test func aCLIThatOutlivesItsReplyIsStoppedThenItsOutputAbandoned() {
        var machine = SessionStateMachine(isStreaming: false)
        _ = machine.turnCompleted(stopsChild: false)
        // First expiry: the CLI is still running; it is stopped and the timer armed again.
        #expect(machine.lingerExpired() == [.terminateChild, .startLinger])
        #expect(machine.lingerExpired() == [.startLinger], "terminated once only")
        // The CLI is reaped, but something that left its group holds stdout open.
        #expect(machine.childExited() == [])
        #expect(machine.lingerExpired() == [.abandonOutput, .release])
        #expect(machine.lingerExpired() == [])
        #expect(machine.stdoutClosed() == [])
    }

    @Test func lingerBeforeTheReplyEndsDoesNothing() {
        var machine = SessionStateMachine(isStreaming: true)
        _ = machine.framesReady()
        #expect(machine.lingerExpired() == [])
    }

    @Test func aReleasedRequestNeedsNoLinger() {
        var machine = SessionStateMachine(isStreaming: false)
        _ = machine.turnCompleted(stopsChild: false)
        _ = machine.childExited()
        #expect(machine.stdoutClosed() == [.release])
        #expect(machine.lingerExpired() == [])
    }

    // A conversation that may continue in its CLI: the machine decides to keep it.

    @Test func aCompletedTurnKeepsTheCLIOnceTheReplyHasDrained() {
        var machine = SessionStateMachine(isStreaming: true, keepsConversation: true)
        _ = machine.framesReady()
        machine.outboxFilled()
        #expect(machine.turnCompleted(stopsChild: false, continuable: true)
                == [.sendFrames, .endStream, .keepChild, .releaseIfDrained])
        #expect(machine.keepsChild)
        #expect(machine.releaseIfDrained() == [])
        #expect(machine.outboxEmptied() == [.release], "released once the outbox has emptied, not at the CLI's end")
        var whole = SessionStateMachine(isStreaming: false, keepsConversation: true)
        #expect(whole.turnCompleted(stopsChild: false, continuable: true) == [.respondWithBody, .keepChild, .releaseIfDrained])
        #expect(whole.releaseIfDrained() == [.release])
    }

    /// The last frames of a kept conversation's answer are what fills the outbox (a long
    /// Responses stream repeats its whole text at the end): the request waits for them to go.
    @Test func theFinalFramesOfAKeptTurnAreSentBeforeTheRequestEnds() {
        var machine = SessionStateMachine(isStreaming: true, keepsConversation: true)
        _ = machine.framesReady()
        let actions = machine.turnCompleted(stopsChild: false, continuable: true)
        #expect(!actions.contains(.release))
        machine.outboxFilled()  // performing .sendFrames
        #expect(machine.releaseIfDrained() == [])
        #expect(machine.outboxEmptied() == [.release])
    }

    @Test func onlyAContinuableTurnOfAKeptConversationKeepsItsCLI() {
        var stop = SessionStateMachine(isStreaming: false, keepsConversation: true)
        #expect(!stop.turnCompleted(stopsChild: true, continuable: true).contains(.keepChild))
        var length = SessionStateMachine(isStreaming: false, keepsConversation: true)
        #expect(!length.turnCompleted(stopsChild: false, continuable: false).contains(.keepChild))
        var plain = SessionStateMachine(isStreaming: false)
        #expect(!plain.turnCompleted(stopsChild: false, continuable: true).contains(.keepChild))
    }

    @Test func aClientThatLeavesAKeptConversationInterruptsTheTurnAndKeepsTheCLI() {
        var machine = SessionStateMachine(isStreaming: true, keepsConversation: true)
        _ = machine.framesReady()
        #expect(machine.clientLeft(interruptible: true) == [.drainOutput, .interruptChild, .startInterruptTimer])
        #expect(machine.lingerExpired() == [], "no linger while the interrupted turn ends")
        #expect(machine.interruptedTurnEnded() == [.keepChild, .release])
        #expect(machine.interruptTimedOut() == [])
    }

    @Test func anInterruptWithoutAResultInTimeStopsTheCLI() {
        var machine = SessionStateMachine(isStreaming: true, keepsConversation: true)
        _ = machine.framesReady()
        _ = machine.clientLeft(interruptible: true)
        #expect(machine.interruptTimedOut() == [.startLinger, .terminateChild])
        #expect(machine.interruptedTurnEnded() == [])
        #expect(machine.childExited() == [])
        #expect(machine.stdoutClosed() == [.release])
        #expect(!machine.keepsChild)
    }

    @Test func aCLIThatDiesWhileInterruptedIsNotKept() {
        var machine = SessionStateMachine(isStreaming: true, keepsConversation: true)
        _ = machine.framesReady()
        _ = machine.clientLeft(interruptible: true)
        #expect(machine.childExited() == [.startLinger])
        #expect(machine.stdoutClosed() == [.release])
        #expect(!machine.keepsChild)
    }

    @Test func otherDeparturesStillStopTheCLI() {
        var notKept = SessionStateMachine(isStreaming: true)
        _ = notKept.framesReady()
        #expect(notKept.clientLeft(interruptible: true) == [.drainOutput, .startLinger, .terminateChild])
        var notInterruptible = SessionStateMachine(isStreaming: true, keepsConversation: true)
        _ = notInterruptible.framesReady()
        #expect(notInterruptible.clientLeft(interruptible: false) == [.drainOutput, .startLinger, .terminateChild])
    }
}
