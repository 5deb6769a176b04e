import SystemCalls
import ArgumentParser
import ChildProcesses
import FoundationEssentials
import Glibc
import ProxyCore

/// `claude-code-proxy doctor`: what the proxy needs, checked one line each with what to do when
/// something is wrong. Exits 1 when a check failed.
package struct DoctorCommand: ParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the CLI, its login, the runtime directory and the port; --live also makes one request.")

    @Option(help: "The Claude Code CLI to check. (default: claude, from PATH) [CLAUDE_BIN]")
    package var claude: String?

    @Option(help: "The port the proxy would listen on. (default: 8080) [PORT]")
    package var port: Int?

    @Option(help: "The address the proxy would bind. (default: 127.0.0.1) [HOST]")
    package var host: String?

    @Option(help: "The model for --live. (default: haiku)")
    package var model = "haiku"

    @Flag(help: "Also send one minimal request through the CLI and time its first token.")
    package var live = false

    package init() {}

    package func run() throws {
        let environment = ProcessInfo.processInfo.environment
        var report = DoctorReport()
        // The CLI as the user runs it (their HOME and login), with the proxy's switches.
        let profile = CLIProfile(
            executable: claude ?? environment["CLAUDE_BIN"] ?? "claude", home: environment["HOME"] ?? "/",
            tmpdir: environment["TMPDIR"] ?? "/tmp", workingDirectory: "/", inherited: CLIProfile.inherited(from: environment),
            streamIdleTimeoutMs: 60_000, apiTimeoutMs: 120_000)
        let cli = Self.checkCLI(profile)
        report.add(cli.line)
        if let path = cli.path { report.add(ResumeCheck.run(path, environment: environment, model: model)) }
        let sources = CLILogin.find(environment: environment) { access($0, R_OK) == 0 }
        let file = CLILogin.credentialsPath(environment: environment).flatMap(LoginFileState.summary(path:))
        for line in Self.checkLogin(sources, file: file, now: UTCTime.instant()) { report.add(line) }
        report.add(Self.checkRuntimeDirectory(environment: environment))
        let host = host ?? environment["HOST"] ?? "127.0.0.1"
        let port = port ?? environment["PORT"].flatMap(Int.init) ?? 8080
        report.add(Self.checkPort(host: host, port: port))
        if live {
            if let path = cli.path, !sources.isEmpty || environment["ANTHROPIC_BASE_URL"] != nil {
                for line in Self.liveRequest(path, model: model, profile: profile) { report.add(line) }
            } else {
                report.add(.fail("live request: skipped", fix: "fix the lines above first"))
            }
        }
        print(report.text, terminator: "")
        if report.failed { throw ExitCode(1) }
    }

    /// The CLI's path and version (from `claude --version`, at most 20 s), and whether the suite
    /// has run against that version.
    package static func checkCLI(_ profile: CLIProfile) -> (line: DoctorReport.Line, path: String?) {
        switch CLIVersionProbe.run(profile, timeout: 20) {
        case .notFound(let executable):
            return (.fail("CLI: \(executable) not found",
                          fix: "install Claude Code (npm install -g @anthropic-ai/claude-code) or pass --claude PATH"), nil)
        case .failed(let path, let reason):
            return (.fail("CLI: \(path) \(reason)", fix: "run `\(path) --version` by hand"), path)
        case .found(let path, let version) where version.isTested:
            return (.pass("CLI: \(path), version \(version) (tested: \(CLIVersionProbe.testedRange))"), path)
        case .found(let path, let version):
            return (.warn("CLI: \(path), version \(version) is outside the tested range \(CLIVersionProbe.testedRange)",
                          fix: "it may work; report what fails"), path)
        }
    }

    /// Which login the CLIs will use, and for a subscription login its state, from the file's
    /// expiry, scopes and subscription type only (never a token).
    static func checkLogin(_ logins: [CLILogin], file: CredentialsFile?, now: Duration) -> [DoctorReport.Line] {
        guard let login = logins.first else { return [.fail("login: none found", fix: CLILogin.advice)] }
        let others = logins.dropFirst().map(\.description)
        let also = others.isEmpty ? "" : "; also found, not used: \(others.joined(separator: ", "))"
        var lines: [DoctorReport.Line] = [.pass("login: \(login) (not printed)\(also)")]
        guard case .credentialsFile = login, let file else { return lines }
        let plan = file.subscriptionType.map { "\($0) subscription" } ?? "subscription"
        let scopes = file.scopes.isEmpty ? "" : ", scopes \(file.scopes.joined(separator: " "))"
        switch file.state(now: now) {
        case .valid(let expiresIn):
            let when = expiresIn.map { " expires in \(Self.minutes($0))" } ?? ""
            if !file.scopes.isEmpty, !file.scopes.contains("user:inference") {
                lines.append(.fail("login: \(plan)\(scopes) lacks user:inference", fix: CLILogin.refreshAdvice))
            } else {
                lines.append(.pass("login: \(plan), access token\(when)\(scopes)"))
            }
        case .expired(let since):
            lines.append(.warn("login: \(plan), access token expired \(Self.minutes(since)) ago\(scopes)",
                               fix: "each CLI refreshes it when it starts; if requests fail, \(CLILogin.refreshAdvice)"))
        case .loggedOut:
            lines.append(.fail("login: \(plan), no token in the credentials file (logged out, or a refresh was refused)",
                               fix: CLILogin.refreshAdvice))
        }
        return lines
    }

    private static func minutes(_ duration: Duration) -> String {
        UsageRefusal.duration(Int(duration.components.seconds))
    }

    static func checkRuntimeDirectory(environment: [String: String]) -> DoctorReport.Line {
        let parent = environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(parent)/claude-code-proxy-doctor.XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            return .fail("runtime directory: cannot create one in \(parent) (\(String(cString: strerror(errno))))",
                         fix: "set TMPDIR to a writable directory")
        }
        rmdir(made)
        return .pass("runtime directory: \(parent) is writable")
    }

    static func checkPort(host: String, port: Int) -> DoctorReport.Line {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let info = list else {
            return .fail("port: cannot resolve \(host)", fix: "pass --host with an address of this machine")
        }
        defer { freeaddrinfo(list) }
        let fd: Int32
        do throws(SystemError) {
            fd = try syscall("socket") { socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol) }
        } catch {
            return .fail("port: no socket (\(error))", fix: "check ulimit -n")
        }
        defer { close(fd) }
        var one: Int32 = 1
        do throws(SystemError) {
            try syscall("setsockopt") { setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) }
            try syscall("bind \(host):\(port)") { bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) }
        } catch {
            return .fail("port: \(host):\(port) is not free (\(error))", fix: "stop what uses it, or pass --port")
        }
        return .pass("port: \(host):\(port) is free")
    }

    /// One minimal request through the CLI, as the proxy would make it, timed to its first token;
    /// and the subscription's usage windows, when the CLI reports them.
    static func liveRequest(_ path: String, model: String, profile: CLIProfile) -> [DoctorReport.Line] {
        let invocation = CLIInvocation(
            executable: path,
            arguments: ["--print", "--output-format", "stream-json", "--verbose", "--include-partial-messages",
                        "--tools", "", "--strict-mcp-config", "--no-session-persistence", "--max-turns", "1",
                        "--model", model, "Reply with the word OK."],
            environment: profile.environment, workingDirectory: profile.workingDirectory)
        var firstToken: Double?
        var failure: String?
        var ledger = UsageLedger()
        let now = UTCTime.now()
        do {
            let run = try CommandRun.run(invocation, timeout: 120) { line, seconds in
                guard let event = try? StreamJSONEvent(line: line) else { return true }
                switch event {
                case .stream(_, .contentBlockDelta(_, .text)): if firstToken == nil { firstToken = seconds }
                case .result(let result) where result.isError: failure = result.text ?? result.subtype.description
                case .rateLimit(let info): ledger.record(info, at: Double(now))
                default: break
                }
                return true
            }
            let usage = Self.usageLine(ledger, now: now)
            if run.timedOut { failure = failure ?? "no answer within 120 s" }
            if let failure {
                return [.fail("live request: \(failure)", fix: "run `claude` by hand and look at what it says")] + usage
            }
            guard let firstToken, run.status == .exited(0) else {
                let tail = String(decoding: run.stderr.suffix(300), as: UTF8.self)
                return [.fail("live request: the CLI ended (\(run.status.map { "\($0)" } ?? "?")) without an answer \(tail)",
                              fix: "run `claude` by hand and look at what it says")]
            }
            return [.pass("live request: first token after \(Int(firstToken * 1000)) ms (model \(model))")] + usage
        } catch {
            return [.fail("live request: \(error)", fix: "check the CLI path")]
        }
    }

    /// The usage windows as one line: `usage: 5-hour 12 % (resets in 59 min), 7-day 30 % (…)`.
    static func usageLine(_ ledger: UsageLedger, now: Int) -> [DoctorReport.Line] {
        guard let latest = ledger.latest else { return [] }
        let windows = latest.windows.sorted { $0.key < $1.key }.map { name, window -> String in
            let used = window.utilization.map { "\(Int(($0 * 100).rounded())) %" } ?? "?"
            let reset = window.resetsAt.map { ", resets in \(UsageRefusal.duration(max(0, $0 - now)))" } ?? ""
            return "\(RateLimitInfo.displayName(window: name)) \(used) (\(window.status?.text ?? "?")\(reset))"
        }
        let text = "usage: \(latest.status.text)" + (windows.isEmpty ? "" : "; " + windows.joined(separator: ", "))
        switch latest.status {
        case .rejected: return [.fail(text, fix: "wait for the window's reset; GET /v1/usage on the proxy shows it")]
        case .allowedWarning: return [.warn(text, fix: "most of a window is used; see --reserve-quota to keep a share")]
        default: return [.pass(text)]
        }
    }
}
