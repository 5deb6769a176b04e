import Testing
@testable import ProxyCore
@testable import ProxyDaemon

/// The pure parts of `doctor`, the start-up check and `install`.
@Suite struct DoctorTests {
    @Test func theCLIVersionIsReadFromWhatItPrints() {
        #expect(CLIVersion(output: "2.1.331 (Claude Code)\n")?.parts == [2, 1, 331])
        #expect(CLIVersion(output: "claude version 2.0.9")?.parts == [2, 0, 9])
        #expect(CLIVersion(output: "Claude Code") == nil)
        #expect(CLIVersion(output: "") == nil)
        #expect(CLIVersion(parts: [2, 1, 331]) < CLIVersion(parts: [2, 1, 332]))
        #expect(CLIVersion(parts: [2, 1]) < CLIVersion(parts: [2, 1, 1]))
        #expect(CLIVersion(parts: [2, 10, 0]) > CLIVersion(parts: [2, 9, 99]))
        #expect(CLIVersion.pinned.isTested)
        #expect(!CLIVersion(parts: [1, 0, 0]).isTested)
        #expect(!CLIVersion(parts: [3, 0, 0]).isTested)
        #expect(CLIVersion(parts: [2, 1, 331]).description == "2.1.331")
    }

    @Test func credentialsAreFoundWithoutBeingRead() {
        let none = CLICredentials.find(environment: ["HOME": "/home/a"]) { _ in false }
        #expect(none.isEmpty)
        let file = CLICredentials.find(environment: ["HOME": "/home/a"]) { $0 == "/home/a/.claude/.credentials.json" }
        #expect(file == [.credentialsFile("/home/a/.claude/.credentials.json")])
        let both = CLICredentials.find(environment: ["HOME": "/h", "CLAUDE_CODE_OAUTH_TOKEN": "t", "ANTHROPIC_API_KEY": ""]) { _ in
            false
        }
        #expect(both == [.environment("CLAUDE_CODE_OAUTH_TOKEN")], "an empty variable is no login")
        #expect(CLICredentials.advice.contains("--fake-upstream"))
    }

    @Test func theReportSaysWhatToDo() {
        var report = DoctorReport()
        report.add(.pass("CLI: /bin/claude, version 2.1.331"))
        #expect(!report.failed)
        report.add(.warn("CLI version outside", fix: "report it"))
        #expect(!report.failed, "a warning is not a failure")
        report.add(.fail("credentials: none found", fix: "log in"))
        #expect(report.failed)
        #expect(report.text == "✓ CLI: /bin/claude, version 2.1.331\n! CLI version outside\n    → report it\n"
                + "✗ credentials: none found\n    → log in\n")
    }

    @Test func aTakenPortIsReported() {
        #expect(DoctorCommand.checkPort(host: "127.0.0.1", port: 0) == .pass("port: 127.0.0.1:0 is free"))
        if case .fail = DoctorCommand.checkPort(host: "no.such.host.invalid", port: 1) {} else {
            Issue.record("an unresolvable host is a failure")
        }
    }

    @Test func installPutsEachFileInItsPlace() {
        let plan = InstallPlan(home: "/home/a", port: 9000)
        #expect(plan.binary == "/home/a/.local/bin/claude-code-proxy")
        #expect(plan.unit == "/home/a/.config/systemd/user/claude-code-proxy.service")
        #expect(plan.keyFile == "/home/a/.config/claude-code-proxy/api-key")
        let lines = plan.unitText.split(separator: "\n").map(String.init)
        #expect(lines.contains("ExecStart=/home/a/.local/bin/claude-code-proxy"))
        #expect(lines.contains("Environment=PROXY_API_KEY_FILE=/home/a/.config/claude-code-proxy/api-key"))
        #expect(lines.contains("Environment=PORT=9000"))
        #expect(lines.contains("WantedBy=default.target"))
        let key = InstallPlan.randomKey()
        #expect(key.count == 48 && key.allSatisfy(\.isHexDigit))
        #expect(key != InstallPlan.randomKey())
    }
}
