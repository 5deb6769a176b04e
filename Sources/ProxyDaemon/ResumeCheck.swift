import SystemCalls
import ChildProcesses
import FakeUpstream
import FoundationEssentials
import Glibc
import ProxyCore

/// `doctor`'s check of the one internal format the proxy writes for the CLI: a session file with
/// two earlier turns, resumed by the installed CLI against a loopback stand-in for Anthropic (the
/// test mode's responder), must reach the upstream as those turns plus the new one, in order,
/// with nothing on stderr. No login and no network are used. A CLI that fails it still works
/// through the proxy with `--flatten-history`.
enum ResumeCheck {
    static let earlier = [Conversation.Turn(role: .user, texts: ["Say OK."]),
                          Conversation.Turn(role: .assistant, texts: ["OK."])]
    static let newTurn = Conversation.Turn(role: .user, texts: ["Once more."])

    static func run(_ path: String, environment: [String: String], model: String) -> DoctorReport.Line {
        let fix = "start the proxy with --flatten-history (earlier turns then go as a transcript) and report the CLI version"
        do {
            let outcome = try attempt(path, environment: environment, model: model)
            switch outcome {
            case .passed:
                return .pass("native history: the CLI resumed a proxy-written session (2 earlier turns reached the upstream)")
            case .failed(let why):
                return .fail("native history: \(why)", fix: fix)
            }
        } catch {
            return .fail("native history: the check could not run (\(error))", fix: "check TMPDIR and the CLI path")
        }
    }

    enum Outcome: Equatable { case passed, failed(String) }

    private static func attempt(_ path: String, environment: [String: String], model: String) throws -> Outcome {
        let parent = environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(parent)/claude-code-proxy-resume.XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw SystemError(operation: "mkdtemp in \(parent)", errno: errno)
        }
        let root = String(cString: made)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let upstream = try LoopbackUpstream()
        defer { upstream.close() }
        let home = root + "/home", work = root + "/work"
        for directory in [home, work] { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        let history = try SessionHistory.plan(Conversation(turns: earlier + [newTurn]), model: model, toolsBridged: false,
                                              sessionID: SessionHistory.sessionID(fromHex: CompletionPlanIDs.random(prefix: "")))?.get()
        guard let history, let directory = SessionHistory.projectDirectory(configDirectory: home + "/.claude",
                                                                           workingDirectory: work) else {
            return .failed("the working directory's name is too long for the check")
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let file = history.fileBytes(workingDirectory: work, timestamp: UTCTime.nowISO8601(), cliVersion: nil)
        guard FileManager.default.createFile(atPath: "\(directory)/\(history.sessionID).jsonl", contents: Data(file)) else {
            throw SystemError(operation: "create the session file", errno: errno)
        }
        // The proxy's own profile, with a made-up key: the person's login is never used here.
        let profile = CLIProfile(
            executable: path, home: home, tmpdir: root, workingDirectory: work,
            inherited: ["PATH": environment["PATH"] ?? "/usr/bin:/bin", "ANTHROPIC_API_KEY": "sk-doctor-resume-check",
                        "ANTHROPIC_BASE_URL": "http://127.0.0.1:\(upstream.port)"],
            streamIdleTimeoutMs: 30_000, apiTimeoutMs: 30_000)
        let prompt = root + "/system.txt"
        guard FileManager.default.createFile(atPath: prompt, contents: Data("Be brief.".utf8)) else {
            throw SystemError(operation: "create the system prompt file", errno: errno)
        }
        let invocation = profile.invocation(model: model, systemPromptFile: prompt,
                                            resume: CLIResume(sessionID: history.sessionID, continuesByItself: false))
        var body: [UInt8]?
        let run = try CommandRun.run(invocation, input: Prompt(Conversation(turns: [newTurn])).stdinLine + [10],
                                     timeout: 60) { line, _ in
            // The CLI says it started, then asks the upstream: answer that one request here.
            if body == nil, (try? StreamJSONEvent(line: line)).map({ if case .initialized = $0 { true } else { false } }) == true {
                body = upstream.serveOne(timeout: 30)
            }
            return true
        }
        if run.timedOut { return .failed("the CLI did not finish within 60 s") }
        guard let body else { return .failed("the CLI never asked the upstream (exit \(run.status.map { "\($0)" } ?? "?"))") }
        let roles = upstreamTurns(body)
        let expected = ["user: Say OK.", "assistant: OK.", "user: Once more."]
        guard roles == expected else {
            return .failed("the upstream got \(roles) instead of \(expected)")
        }
        if !run.stderr.isEmpty {
            return .failed("the CLI wrote to stderr: \(String(decoding: run.stderr.prefix(200), as: UTF8.self))")
        }
        return .passed
    }

    /// Each user and assistant message as `role: text`, the CLI's own reminders (and its
    /// per-turn `system` message) left out.
    static func upstreamTurns(_ body: [UInt8]) -> [String] {
        struct Request: Decodable { var messages: [JSONValue] }
        guard let request = try? WireJSON.decode(Request.self, from: body) else { return ["(unreadable request)"] }
        return request.messages.compactMap { raw in
            guard let message = try? WireJSON.decode(AnthropicMessage.self, from: WireJSON.encode(raw)) else { return nil }
            let texts = message.content.compactMap { block -> String? in
                guard case .text(let text) = block, !text.hasPrefix("<system-reminder>") else { return nil }
                return text
            }
            return "\(message.role.rawValue): \(texts.joined(separator: " "))"
        }
    }
}

/// One loopback listener that answers a single Messages request with the test mode's text reply.
private final class LoopbackUpstream {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = try syscall("socket") { socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        do {
            try withUnsafeMutablePointer(to: &address) { pointer in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                    _ = try syscall("bind 127.0.0.1") { bind(fd, raw, length) }
                    _ = try syscall("listen") { listen(fd, 4) }
                    _ = try syscall("getsockname") { getsockname(fd, raw, &length) }
                }
            }
        } catch {
            Glibc.close(fd)
            throw error
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { Glibc.close(fd) }

    /// Serves connections until the Messages request comes (a CLI may first check the host with
    /// `HEAD /api/hello`, 2.1.284 does), answers it with a streamed text reply and returns its
    /// body; nil when none came in time.
    func serveOne(timeout: Double) -> [UInt8]? {
        for _ in 0..<8 {
            guard let (head, body, client) = nextRequest(timeout: timeout) else { return nil }
            defer { Glibc.close(client) }
            guard head.hasPrefix("POST "), head.split(separator: " ").dropFirst().first?.contains("/v1/messages") == true else {
                try? Descriptor.writeAll(client, Array("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8), what: "answer the host check")
                continue
            }
            var reply = Array("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n".utf8)
            if case .stream(let steps, _) = FakeResponder.plan(body: body, script: FakeScript(), sequence: 1) {
                reply += steps.flatMap(\.bytes)
            }
            try? Descriptor.writeAll(client, reply, what: "answer the Messages request")
            return body
        }
        return nil
    }

    /// The next connection's request: its head (lowercased), its body (by Content-Length) and the socket.
    private func nextRequest(timeout: Double) -> (String, [UInt8], Int32)? {
        var listener = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard (try? syscall("poll") { poll(&listener, 1, Int32(timeout * 1000)) }) == 1,
              let client = try? syscall("accept", { accept(fd, nil, nil) }) else { return nil }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            if let end = received.firstRange(of: Array("\r\n\r\n".utf8)) {
                let head = String(decoding: received[..<end.lowerBound], as: UTF8.self)
                let length = head.lowercased().split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingASCIISpaces()) } ?? 0
                if received.count - end.upperBound >= length {
                    return (head, Array(received[end.upperBound..<(end.upperBound + length)]), client)
                }
            }
            var ready = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
            guard (try? syscall("poll") { poll(&ready, 1, Int32(timeout * 1000)) }) == 1,
                  let count = try? syscall("read", { read(client, &chunk, chunk.count) }), count > 0 else {
                Glibc.close(client)
                return nil
            }
            received += chunk[..<count]
        }
    }
}
