import Testing
@testable import ChildProcesses
@testable import ProxyCore

/// Short commands run to their end (the version check, doctor's live request), with real processes.
@Suite struct CommandRunTests {
    static func invocation(_ script: String) -> CLIInvocation {
        CLIInvocation(executable: "/bin/sh", arguments: ["-c", script], environment: ["PATH": "/usr/bin:/bin"],
                      workingDirectory: "/")
    }

    @Test func outputLinesAndTheExitStatus() throws {
        var lines: [String] = []
        let run = try CommandRun.run(Self.invocation("echo one; echo two >&2; echo three; exit 3"), timeout: 20) { line, _ in
            lines.append(String(decoding: line, as: UTF8.self))
            return true
        }
        #expect(lines == ["one", "three"])
        #expect(String(decoding: run.stderr, as: UTF8.self) == "two\n")
        #expect(run.status == .exited(3))
        #expect(!run.timedOut)
    }

    @Test func inputIsWrittenAndClosed() throws {
        let run = try CommandRun.run(Self.invocation("cat"), input: Array("hello\n".utf8), timeout: 20)
        #expect(String(decoding: run.output, as: UTF8.self) == "hello\n")
        #expect(run.status == .exited(0))
    }

    @Test func aChildThatClosesItsOutputButRunsOnIsKilledAtTheDeadline() throws {
        let run = try CommandRun.run(Self.invocation("exec >&- 2>&-; sleep 30"), timeout: 0.3)
        #expect(run.timedOut)
        #expect(run.status == .signaled(9))
    }

    @Test func aSilentChildIsKilledAtTheDeadline() throws {
        let run = try CommandRun.run(Self.invocation("sleep 30"), timeout: 0.3)
        #expect(run.timedOut)
        #expect(run.status == .signaled(9))
    }
}
