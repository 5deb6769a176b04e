import Foundation
import Testing

extension Integration {
    /// `claude-code-proxy doctor` against the real CLI: what it finds, and a live request through
    /// the mock upstream.
    @Suite struct Doctor {
        static func doctor(_ arguments: [String], cli: String = TestEnvironment.realCLI,
                           environment: [String: String]) throws -> (Int32, String) {
            try Command.run(TestEnvironment.proxyBinary, ["doctor", "--claude", cli, "--port", "0"] + arguments,
                            environment: ["PATH": "/usr/bin:/bin"].merging(environment) { $1 })
        }

        @Test(.needsRealCLI) func aLoginAndALiveRequest() throws {
            let home = NSTemporaryDirectory() + "ccp-doctor-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: home + "/.claude", withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: home) }
            // A credentials file is found (and never read: it holds nothing valid here).
            FileManager.default.createFile(atPath: home + "/.claude/.credentials.json", contents: Data("{}".utf8))
            let (status, text) = try Self.doctor(["--live"], environment: [
                "HOME": home, "ANTHROPIC_BASE_URL": TestEnvironment.mock.baseURL, "ANTHROPIC_API_KEY": "sk-mock"])
            #expect(status == 0, "\(text)")
            #expect(text.contains("✓ login: API key (ANTHROPIC_API_KEY) (not printed); also found, not used: "
                                  + "subscription login (\(home)/.claude/.credentials.json)"), "\(text)")
            #expect(!text.contains("sk-mock"), "a key is never printed")
            #expect(text.contains("✓ live request: first token after "), "\(text)")
            #expect(text.contains("✓ native history: the CLI resumed a proxy-written session"), "\(text)")
        }

        /// The session-file check fails for a CLI that does not resume what the proxy wrote (the
        /// fake CLI answers without asking any upstream), naming the way round it.
        @Test func aCLIThatDoesNotResumeFailsTheHistoryCheck() throws {
            let (status, text) = try Self.doctor([], cli: TestEnvironment.fakeCLI, environment: ["HOME": "/nonexistent"])
            #expect(status == 1)
            #expect(text.contains("✗ native history:"), "\(text)")
            #expect(text.contains("--flatten-history"), "\(text)")
        }

        /// A subscriber's doctor: the plan, scopes and expiry from the file (never a token), an
        /// expired token said so with what to do, and a live request through the subscription login.
        @Test(.needsRealCLI) func aSubscriptionLogin() throws {
            let home = NSTemporaryDirectory() + "ccp-doctor-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: home + "/.claude", withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: home) }
            let path = home + "/.claude/.credentials.json"
            let now = Int(Date().timeIntervalSince1970)
            FileManager.default.createFile(atPath: path, contents: Data(ProxyProcess.Login.credentialsFile(
                token: "sk-ant-oat01-DOCTOR-SECRET", expiresAt: now + 2 * 3600 - 30).utf8))
            let environment = ["HOME": home, "ANTHROPIC_BASE_URL": TestEnvironment.mock.baseURL,
                               "HTTPS_PROXY": "http://127.0.0.1:9"]
            let (status, text) = try Self.doctor(["--live"], environment: environment)
            #expect(status == 0, "\(text)")
            #expect(text.contains("✓ login: subscription login (\(path)) (not printed)"), "\(text)")
            #expect(text.contains("✓ login: max subscription, access token expires in 2 h"), "\(text)")
            #expect(text.contains("✓ live request: first token after "), "\(text)")
            #expect(!text.contains("DOCTOR-SECRET") && !text.contains("sk-ant-ort01"), "a token is never printed")
            FileManager.default.createFile(atPath: path, contents: Data(ProxyProcess.Login.credentialsFile(
                token: "sk-ant-oat01-DOCTOR-SECRET", expiresAt: now - 7200 + 30).utf8))
            let (_, expired) = try Self.doctor([], environment: environment)
            #expect(expired.contains("! login: max subscription, access token expired 2 h ago"), "\(expired)")
            #expect(expired.contains("run `claude` once"), "\(expired)")
        }

        @Test func aMissingCLIAndATakenPortAreFailures() throws {
            let (status, text) = try Self.doctor([], cli: "/nonexistent/claude", environment: ["HOME": "/nonexistent"])
            #expect(status == 1)
            #expect(text.contains("✗ CLI: /nonexistent/claude not found"), "\(text)")
            #expect(text.contains("✗ login: none found"), "\(text)")
        }
    }
}
