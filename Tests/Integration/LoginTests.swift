import Foundation
import Glibc
import HTTPStreamClient
import Testing

/// Results written from concurrent requests.
private final class Statuses: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int: Int] = [:]
    func set(_ index: Int, _ status: Int) { lock.lock(); values[index] = status; lock.unlock() }
    var all: [Int] { lock.lock(); defer { lock.unlock() }; return values.keys.sorted().map { values[$0]! } }
}

extension Integration {
    /// Every Claude login works through the real CLI: the subscription login `claude` writes (the
    /// suite's default), `CLAUDE_CODE_OAUTH_TOKEN`, `ANTHROPIC_API_KEY`, `ANTHROPIC_AUTH_TOKEN`; the
    /// person's own configuration never reaches a CLI; the login is left as it was found; an
    /// expired or refused login is explained at once.
    @Suite struct Login {
        static let weather = #"{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}"#

        private func tag(_ name: String) -> String { "\(name)\(UInt32.random(in: 0...UInt32.max))" }

        private func messages(_ proxy: ProxyProcess, _ text: String, stream: Bool = false) -> CurlResponse {
            let body = #"{"model":"claude-sonnet-4-5","max_tokens":200,"stream":\#(stream),"#
                + #""messages":[{"role":"user","content":"\#(text)"}]}"#
            return CurlClient.request("POST", proxy.baseURL + "/v1/messages",
                                      headers: ["Content-Type: application/json", "x-api-key: \(ProxyProcess.key)",
                                                "anthropic-version: 2023-06-01"], body: Array(body.utf8))
        }

        /// Chat, a tool call (streamed) and Messages, each as the upstream saw it: the credential of
        /// the login, and the start-up line naming that login's kind (never the secret).
        @Test(.needsRealCLI, arguments: [
            ("subscription", "oauth", "sk-ant-oat01-FILE-LOGIN"),
            ("oauth_token", "oauth", "sk-ant-oat01-SETUP-TOKEN"),
            ("api_key", "api_key", "sk-ant-api03-KEY"),
            ("auth_token", "bearer", "bearer-AUTH-TOKEN"),
        ])
        func everyLoginAnswersOnEveryEndpoint(login: String, kind: String, token: String) throws {
            let chosen: ProxyProcess.Login = switch login {
            case "subscription": .subscription(token: token)
            case "oauth_token": .oauthToken(token)
            case "api_key": .apiKey(token)
            default: .authToken(token)
            }
            let proxy = try ProxyProcess(login: chosen)
            defer { proxy.stop() }
            #expect(proxy.log.contains("login=\(login)"), "\(proxy.log)")
            #expect(!proxy.log.contains(token), "the secret is never logged")
            let chat = tag("login-chat")
            let first = proxy.chat(chatBody("hi", tag: chat))
            #expect(first.messageContent == "Hello from mock.")
            let tools = tag("login-tools")
            let called = proxy.chat(chatBody("weather?", scenario: "tool_call", tag: tools, stream: true,
                                             extra: #","tools":[\#(Self.weather)]"#))
            #expect(called.status == 200)
            // What every reply carries, whole or streamed, whichever login: an id of its own (the
            // client sent none), a Date, and an access line under that id.
            let id = try #require(first.header("x-request-id"))
            #expect(id.hasPrefix("req_") && id.utf8.count == 36 && called.header("x-request-id")?.hasPrefix("req_") == true
                    && called.header("x-request-id") != id)
            #expect(first.header("date")?.hasSuffix(" GMT") == true && called.header("date")?.hasSuffix(" GMT") == true)
            #expect(ProcessTable.waitUntil {
                proxy.log.split(separator: "\n").contains { $0.contains("msg=request") && $0.contains("request_id=\(id) ")
                    && $0.contains("path=/v1/chat/completions") && $0.contains("status=200") }
            }, "\(proxy.log.suffix(2000))")
            #expect(called.text.contains(#""finish_reason":"tool_calls""#), "\(called.text.prefix(400))")
            let anthropic = tag("login-messages")
            let answer = messages(proxy, "hi [[id:\(anthropic)]]")
            #expect((answer.json["content"] as? [[String: Any]])?.first?["text"] as? String == "Hello from mock.")
            for tag in [chat, tools, anthropic] {
                let seen = TestEnvironment.mock.credentials(tag: tag)
                #expect(!seen.isEmpty, "no upstream request for \(tag)")
                #expect(seen.allSatisfy { $0.kind == kind && $0.token == token }, "\(login) \(tag): \(seen)")
            }
        }

        /// A person's CLAUDE.md (in HOME, in ~/.claude and in the directory the proxy runs in), a
        /// skill, a custom agent and command, and settings whose hooks would leave marker files and
        /// whose permissions allow Bash: none of it reaches the upstream or runs, and ~/.claude is
        /// exactly as it was (the credentials file included) afterwards.
        @Test(.needsRealCLI) func thePersonsConfigurationNeverReachesACLI() throws {
            let person = NSTemporaryDirectory() + "ccp-person-\(UUID().uuidString.prefix(8))"
            let claude = person + "/.claude"
            let project = person + "/project"
            defer { try? FileManager.default.removeItem(atPath: person) }
            for directory in [claude + "/skills/planted-skill", claude + "/agents", claude + "/commands", project + "/.claude"] {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            func plant(_ path: String, _ text: String) {
                FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
            }
            plant(person + "/CLAUDE.md", "PLANTED_HOME_CLAUDE_MD")
            plant(claude + "/CLAUDE.md", "PLANTED_USER_CLAUDE_MD")
            plant(project + "/CLAUDE.md", "PLANTED_PROJECT_CLAUDE_MD")
            plant(project + "/AGENTS.md", "PLANTED_AGENTS_MD")
            plant(claude + "/skills/planted-skill/SKILL.md",
                  "---\nname: planted-skill\ndescription: PLANTED_SKILL_DESCRIPTION\n---\nPLANTED_SKILL_BODY\n")
            plant(claude + "/agents/planted-agent.md", "---\nname: planted-agent\ndescription: PLANTED_AGENT\n---\nPLANTED_AGENT_BODY\n")
            plant(claude + "/commands/planted-command.md", "PLANTED_COMMAND")
            let hook = { (event: String) in
                #"[{"hooks":[{"type":"command","command":"touch \#(person)/MARKER_\#(event)"}]}]"#
            }
            let events = ["SessionStart", "UserPromptSubmit", "PreToolUse", "Stop", "SessionEnd"]
            let settings = #"{"permissions":{"allow":["Bash","Read"]},"env":{"PLANTED_ENV":"1"},"hooks":{"#
                + events.map { #""\#($0)":\#(hook($0))"# }.joined(separator: ",") + "}}"
            plant(claude + "/settings.json", settings)
            plant(project + "/.claude/settings.json", settings)
            let token = "sk-ant-oat01-PERSON-LOGIN"
            let expiry = Int(Date().timeIntervalSince1970) + 8 * 3600
            plant(claude + "/.credentials.json", ProxyProcess.Login.credentialsFile(token: token, expiresAt: expiry))
            chmod(claude + "/.credentials.json", 0o600)
            let before = Self.snapshot(claude)

            let proxy = try ProxyProcess(environment: ["HOME": person], login: .none, workingDirectory: project)
            defer { proxy.stop() }
            let tags = (0..<3).map { tag("planted\($0)") }
            let chat = proxy.chat(chatBody("read @CLAUDE.md then /planted-command", scenario: "echo", tag: tags[0]))
            #expect(chat.status == 200, "\(chat.text.prefix(300))")
            let tools = proxy.chat(chatBody("weather?", scenario: "tool_call", tag: tags[1], stream: true,
                                            extra: #","tools":[\#(Self.weather)]"#))
            #expect(tools.text.contains(#""finish_reason":"tool_calls""#), "\(tools.text.prefix(300))")
            #expect(messages(proxy, "hi [[id:\(tags[2])]]").status == 200)
            let upstream = tags.flatMap { TestEnvironment.mock.requests(tag: $0) }
            #expect(upstream.count == 3)
            for body in upstream {
                let text = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
                #expect(!text.contains("PLANTED"), "the person's configuration reached the upstream: \(text.prefix(2000))")
                let tools = (body["tools"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
                // The CLI's own placeholder for deferred tools is sent whatever the flags (docs/cli.md).
                #expect(tools.allSatisfy { $0.hasPrefix("mcp__client__") || $0 == "DeferredToolPlaceholder" }, "\(tools)")
            }
            #expect(tags.allSatisfy { TestEnvironment.mock.credentials(tag: $0).allSatisfy { $0.token == token } })
            proxy.stop()
            let markers = ((try? FileManager.default.contentsOfDirectory(atPath: person)) ?? []).filter { $0.hasPrefix("MARKER") }
            #expect(markers.isEmpty, "hooks ran: \(markers)")
            #expect(Self.snapshot(claude) == before, "~/.claude changed")
        }

        /// An expired subscription login that cannot be refreshed, and a login the upstream refuses:
        /// a clear error naming the fix, on both fronts, within seconds; the login file untouched.
        @Test(.needsRealCLI) func anExpiredOrRefusedLoginIsExplained() throws {
            let expired = try ProxyProcess(login: .subscription(token: "sk-ant-oat01-EXPIRED-x",
                                                                expiresAt: Int(Date().timeIntervalSince1970) - 3600))
            defer { expired.stop() }
            #expect(expired.log.contains("has expired"), "the start-up line warns")
            let file = expired.tmpdir + "/.claude/.credentials.json"
            let before = FileManager.default.contents(atPath: file)
            let started = Date()
            let tag = tag("expired")
            let chat = expired.chat(chatBody("hi", tag: tag))
            #expect(Date().timeIntervalSince(started) < 30, "never a hang")
            #expect(chat.status == 503, "\(chat.text)")
            let error = chat.json["error"] as? [String: Any] ?? [:]
            #expect(error["code"] as? String == "cli_login_expired", "\(chat.text)")
            #expect((error["message"] as? String)?.contains("Run `claude` once") == true, "\(chat.text)")
            let anthropic = messages(expired, "hi")
            #expect(anthropic.status == 500)
            #expect(((anthropic.json["error"] as? [String: Any])?["message"] as? String)?.contains("Run `claude` once") == true)
            #expect(FileManager.default.contents(atPath: file) == before, "the proxy never writes the login")

            let refused = try ProxyProcess(login: .subscription(token: "sk-ant-oat01-REVOKED-y"))
            defer { refused.stop() }
            let refusedTag = self.tag("revoked")
            let answer = refused.chat(chatBody("hi", tag: refusedTag, stream: true))
            #expect(answer.status == 503, "\(answer.text)")
            #expect(answer.text.contains("cli_not_authenticated"))
            #expect(answer.text.contains("/login"))
            // The CLI tries the refused token once more after failing to refresh it; the proxy adds none.
            #expect((1...2).contains(TestEnvironment.mock.credentials(tag: refusedTag).count))
        }

        /// An expired subscription login, four CLIs starting at once, and a token endpoint that
        /// refuses a refresh token spent twice (as Anthropic's rotating ones are): the CLIs share the
        /// person's login directory and its refresh lock, so exactly one refresh happens, the
        /// person's own credentials file gets the new tokens in place, every request carries the
        /// new access token, and the person's own `claude` uses it afterwards without refreshing.
        @Test(.needsRealCLI) func oneRefreshForEveryCLIAndThePerson() throws {
            let endpoint = try TokenEndpoint(mode: "reject_reused")
            let person = NSTemporaryDirectory() + "ccp-refresh-\(UUID().uuidString.prefix(8))"
            defer { try? FileManager.default.removeItem(atPath: person) }
            try FileManager.default.createDirectory(atPath: person + "/.claude", withIntermediateDirectories: true)
            let file = person + "/.claude/.credentials.json"
            // The mock refuses an access token with EXPIRED in it: a CLI that used it would fail.
            FileManager.default.createFile(atPath: file, contents: Data(ProxyProcess.Login.credentialsFile(
                token: "sk-ant-oat01-EXPIRED-OLD", expiresAt: Int(Date().timeIntervalSince1970) - 3600,
                refreshToken: "sk-ant-ort01-OLD").utf8), attributes: [.posixPermissions: 0o600])
            var inode = stat()
            lstat(file, &inode)
            let proxy = try ProxyProcess(arguments: ["--max-concurrency", "4"],
                                         environment: endpoint.environment.merging(["HOME": person]) { $1 }, login: .none)
            defer { proxy.stop() }
            let tags = (0..<4).map { tag("refresh\($0)") }
            let statuses = Statuses()
            DispatchQueue.concurrentPerform(iterations: tags.count) { index in
                statuses.set(index, proxy.chat(chatBody("hi", tag: tags[index])).status)
            }
            #expect(statuses.all == [200, 200, 200, 200], "\(proxy.log.suffix(2000))")
            let refreshes = endpoint.refreshes
            #expect(refreshes.count == 1, "\(refreshes)")
            let issued = try #require(refreshes.first?["issued"] as? String)
            #expect(refreshes.first?["refresh_token"] as? String == "sk-ant-ort01-OLD")
            for tag in tags {
                #expect(TestEnvironment.mock.credentials(tag: tag).map(\.token) == [issued], "\(tag)")
            }
            // The person's file holds the new pair: a regular file, rewritten by the CLI (never by the proxy).
            let text = String(decoding: FileManager.default.contents(atPath: file) ?? Data(), as: UTF8.self)
            #expect(text.contains(issued), "\(text)")
            var after = stat()
            #expect(lstat(file, &after) == 0 && (after.st_mode & S_IFMT) == S_IFREG)
            proxy.stop()
            // The person's own `claude`, as they run it (their HOME): the new token, no second refresh.
            let own = tag("person")
            let line = #"{"type":"user","message":{"role":"user","content":"hi [[id:\#(own)]]"}}"#
            let (status, _) = try Command.run(TestEnvironment.realCLI, [
                "-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose", "--tools", "",
                "--no-session-persistence", "--max-turns", "1"], environment: endpoint.environment.merging([
                    "HOME": person, "PATH": "/usr/bin:/bin", "ANTHROPIC_BASE_URL": TestEnvironment.mock.baseURL,
                    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1", "NO_PROXY": "127.0.0.1"]) { $1 }, stdin: line + "\n")
            #expect(status == 0)
            #expect(TestEnvironment.mock.credentials(tag: own).map(\.token) == [issued])
            #expect(endpoint.refreshes.count == 1)
        }

        /// Every file under `directory`: its inode, mode and bytes.
        static func snapshot(_ directory: String) -> [String: String] {
            var found: [String: String] = [:]
            let files = FileManager.default.enumerator(atPath: directory)
            while let name = files?.nextObject() as? String {
                let path = directory + "/" + name
                var info = stat()
                guard lstat(path, &info) == 0 else { continue }
                let bytes = FileManager.default.contents(atPath: path).map { "\($0.hashValue)" } ?? "-"
                found[name] = "\(info.st_ino) \(info.st_mode) \(info.st_size) \(bytes)"
            }
            return found
        }
    }
}
