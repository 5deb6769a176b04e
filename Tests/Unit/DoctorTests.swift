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

    @Test func loginsAreFoundWithoutBeingReadInTheCLIsOrder() {
        let none = CLILogin.find(environment: ["HOME": "/home/a"]) { _ in false }
        #expect(none.isEmpty)
        let file = CLILogin.find(environment: ["HOME": "/home/a"]) { $0 == "/home/a/.claude/.credentials.json" }
        #expect(file == [.credentialsFile(path: "/home/a/.claude/.credentials.json")])
        let both = CLILogin.find(environment: ["HOME": "/h", "CLAUDE_CODE_OAUTH_TOKEN": "t", "ANTHROPIC_API_KEY": ""]) { _ in
            false
        }
        #expect(both == [.oauthToken], "an empty variable is no login")
        let all = CLILogin.find(environment: ["HOME": "/h", "CLAUDE_CODE_OAUTH_TOKEN": "t", "ANTHROPIC_API_KEY": "k",
                                              "ANTHROPIC_AUTH_TOKEN": "b"]) { _ in true }
        #expect(all == [.apiKey, .authToken, .oauthToken, .credentialsFile(path: "/h/.claude/.credentials.json")])
        #expect(CLILogin.advice.contains("--fake-upstream"))
        #expect(CLILogin.directory(environment: ["HOME": "/h", "CLAUDE_CONFIG_DIR": "/c"]) == "/c")
        #expect(CLILogin.directory(environment: ["HOME": "/h", "CLAUDE_CONFIG_DIR": "/c",
                                                 "CLAUDE_SECURESTORAGE_CONFIG_DIR": "/s"]) == "/s")
        #expect(CLILogin.directory(environment: [:]) == nil)
    }

    /// The file's expiry, scopes and plan are read; a token never is, nor printed.
    @Test func theCredentialsFileIsSummarisedWithoutItsTokens() throws {
        let bytes = Array(#"{"claudeAiOauth":{"accessToken":"sk-ant-oat01-SECRET","refreshToken":"sk-ant-ort01-SECRET","#.utf8)
            + Array(#""expiresAt":1800000000000,"scopes":["user:inference","user:profile"],"subscriptionType":"max"}}"#.utf8)
        let file = try #require(CredentialsFile(bytes: bytes))
        #expect(file == CredentialsFile(expiresAt: .seconds(1_800_000_000), scopes: ["user:inference", "user:profile"],
                                        subscriptionType: "max", hasAccessToken: true))
        #expect(!"\(file)".contains("SECRET"))
        #expect(file.state(now: .seconds(1_799_996_400)) == .valid(expiresIn: .seconds(3600)))
        #expect(file.state(now: .seconds(1_800_000_060)) == .expired(since: .seconds(60)))
        // After a refused refresh the CLI clears the tokens and the expiry (login/ t6).
        let cleared = Array(#"{"claudeAiOauth":{"accessToken":"","refreshToken":"","expiresAt":0,"scopes":[],"subscriptionType":"max"}}"#.utf8)
        #expect(CredentialsFile(bytes: cleared)?.state(now: .seconds(1)) == .loggedOut)
        #expect(CredentialsFile(bytes: Array("{}".utf8)) == nil)
        #expect(CredentialsFile(bytes: Array("not json".utf8)) == nil)
    }

    @Test func doctorSaysWhichLoginAndWhatToDo() {
        let path = "/h/.claude/.credentials.json"
        let file = CredentialsFile(expiresAt: .seconds(10_000), scopes: ["user:inference"], subscriptionType: "pro",
                                   hasAccessToken: true)
        let valid = DoctorCommand.checkLogin([.credentialsFile(path: path)], file: file, now: .seconds(10_000 - 7200))
        #expect(valid == [.pass("login: subscription login (\(path)) (not printed)"),
                          .pass("login: pro subscription, access token expires in 2 h, scopes user:inference")])
        let expired = DoctorCommand.checkLogin([.credentialsFile(path: path)], file: file, now: .seconds(10_000 + 600))
        guard case .warn(let text, let fix)? = expired.last else { Issue.record("\(expired)"); return }
        #expect(text.contains("expired 10 min ago"))
        #expect(fix.contains("run `claude` once"))
        var cleared = file
        cleared.hasAccessToken = false
        guard case .fail(_, let fixCleared)? = DoctorCommand.checkLogin([.credentialsFile(path: path)], file: cleared,
                                                                         now: .seconds(1)).last else { Issue.record(); return }
        #expect(fixCleared.contains("/login"))
        let key = DoctorCommand.checkLogin([.apiKey, .credentialsFile(path: path)], file: file, now: .seconds(1))
        #expect(key == [.pass("login: API key (ANTHROPIC_API_KEY) (not printed); also found, not used: subscription login (\(path))")])
        guard case .fail(_, let advice)? = DoctorCommand.checkLogin([], file: nil, now: .seconds(1)).first else { Issue.record(); return }
        #expect(advice.contains("setup-token"))
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

    /// The history check reads the upstream request as its turns: the CLI's per-turn system
    /// message and its reminders are not turns.
    @Test func theHistoryCheckReadsTheUpstreamTurns() {
        let body = #"{"messages":[{"role":"user","content":[{"type":"text","text":"Say OK."}]},"#
            + #"{"role":"system","content":[],"output_config":{"effort":"medium"}},"#
            + #"{"role":"assistant","content":[{"type":"text","text":"OK."}]},"#
            + #"{"role":"user","content":[{"type":"text","text":"<system-reminder>x</system-reminder>"},{"type":"text","text":"Once more.","cache_control":{"type":"ephemeral"}}]}]}"#
        #expect(ResumeCheck.upstreamTurns(Array(body.utf8)) == ["user: Say OK.", "assistant: OK.", "user: Once more."])
        #expect(ResumeCheck.upstreamTurns(Array(#"{"messages":[{"role":"user","content":"all in one"}]}"#.utf8))
                == ["user: all in one"])
    }
}
