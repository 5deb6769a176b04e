import Testing
@testable import ProxyCore
@testable import OpenAIFront
@testable import EventTransport
@testable import ChildProcesses
@testable import ProxyDaemon

struct FailureMapTests {
    private func error(_ name: String) throws -> OpenAIError {
        guard case .failed(let failure)? = try Fixture.turn(name).last else { throw CancellationError() }
        return failure.openAIError
    }

    @Test func notLoggedInOr401Is503WithWhatToDo() throws {
        for name in ["04_err401_recommended", "06q_no_credentials"] {
            let error = try error(name)
            #expect(error.status == 503)
            #expect(error.code == "cli_not_authenticated")
            #expect(error.message.contains("log in"))
            #expect(error.headers.contains { $0 == ("x-should-retry", "false") })
        }
    }

    @Test func rateLimitIs429WithRetryAfter() throws {
        let error = try error("04_err429_recommended")
        #expect(error.status == 429)
        #expect(error.type == "rate_limit_error")
        #expect(error.headers.contains { $0.0 == "Retry-After" })
        #expect(!error.headers.contains { $0.0 == "x-should-retry" })
    }

    @Test func overloadedIs503() throws {
        let error = try error("04_err529_retries0")
        #expect(error.status == 503)
        #expect(error.code == "overloaded")
    }

    @Test func upstream400IsADeterministic400() throws {
        let error = try error("04_err400_recommended")
        #expect(error.status == 400)
        #expect(!error.isRetryable)
    }

    @Test func promptTooLongIsContextLengthExceeded() throws {
        let error = try error("04_prompt_too_long")
        #expect(error.status == 400)
        #expect(error.code == "context_length_exceeded")
    }

    @Test func aStalledStreamIs504() throws {
        #expect(try error("04_stall_byteidle10s_nofallback_r0").status == 504)
    }

    @Test func aLostConnectionIs502() throws {
        #expect(try error("04_cut_nofallback_r0").status == 502)
    }

    /// Every text pattern is backed by a recorded transcript that classifies as the pattern says.
    @Test(arguments: FailurePatterns.rows.map(\.fixture))
    func eachFailurePatternHasItsTranscript(fixture: String) throws {
        let row = try #require(FailurePatterns.rows.first { $0.fixture == fixture })
        guard case .failed(.upstream(let upstream))? = try Fixture.turn(fixture).last else {
            Issue.record("\(fixture) does not end in an upstream failure")
            return
        }
        #expect(upstream.message.contains(row.text))
        #expect(upstream.cause == row.cause)
    }

    @Test func aCutStreamFromAnOlderCLIIsALostConnection() throws {
        #expect(try error("04_cut_cli2_1_284").code == "upstream_connection_error")
    }

    @Test func proxySideFailures() {
        #expect(TurnFailure.exitedWithoutResult(.signaled(9)).openAIError.status == 502)
        #expect(TurnFailure.spawnFailed(executable: "claude", errno: 2).openAIError.status == 503)
        #expect(TurnFailure.spawnFailed(executable: "claude", errno: 2).openAIError.message.contains("--claude"))
        #expect(TurnFailure.deadlineExceeded(seconds: 3).openAIError.status == 504)
        #expect(TurnFailure.toolsEnabled(["Bash"]).openAIError.status == 500)
    }
}
