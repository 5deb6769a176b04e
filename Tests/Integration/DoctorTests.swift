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
            #expect(text.contains("✓ credentials: credentials file \(home)/.claude/.credentials.json, ANTHROPIC_API_KEY (not read)"),
                    "\(text)")
            #expect(!text.contains("sk-mock"), "a key is never printed")
            #expect(text.contains("✓ live request: first token after "), "\(text)")
        }

        @Test func aMissingCLIAndATakenPortAreFailures() throws {
            let (status, text) = try Self.doctor([], cli: "/nonexistent/claude", environment: ["HOME": "/nonexistent"])
            #expect(status == 1)
            #expect(text.contains("✗ CLI: /nonexistent/claude not found"), "\(text)")
            #expect(text.contains("✗ credentials: none found"), "\(text)")
        }
    }
}
