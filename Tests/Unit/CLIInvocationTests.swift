import Testing
@testable import ProxyCore
@testable import OpenAIFront
@testable import EventTransport
@testable import ChildProcesses
@testable import ProxyDaemon

struct CLIInvocationTests {
    private let prompt = Prompt(Conversation(system: [String(repeating: "s", count: 200_000)],
                                             turns: [.init(role: .user, texts: [String(repeating: "u", count: 300_000)])]))
    private let invocation = CLIProfile.fixture.invocation(
        model: "opus", systemPromptFile: "/run/p/1.txt", options: CLIOptions(maxOutputTokens: 100, effort: "high"))

    private func hasPair(_ flag: String, _ value: String) -> Bool {
        zip(invocation.arguments, invocation.arguments.dropFirst()).contains { $0 == flag && $1 == value }
    }

    @Test func usesTheIsolatedProfile() {
        let args = invocation.arguments
        for flag in ["-p", "--verbose", "--include-partial-messages", "--strict-mcp-config",
                     "--no-session-persistence", "--disable-slash-commands"] {
            #expect(args.contains(flag))
        }
        // --bare never reads a subscription login; --safe-mode drops the tool bridge (docs/cli.md).
        #expect(!args.contains("--bare") && !args.contains("--safe-mode"))
        #expect(hasPair("--tools", ""))
        #expect(hasPair("--setting-sources", ""))
        #expect(hasPair("--max-turns", "1"))
        #expect(hasPair("--input-format", "stream-json"))
        #expect(hasPair("--system-prompt-file", "/run/p/1.txt"))
        #expect(hasPair("--model", "opus"))
        #expect(invocation.workingDirectory == "/run/w")
    }

    /// The start-up `claude --version` runs with the same environment as every request's CLI.
    @Test func theVersionCheckUsesTheProfilesEnvironment() {
        let version = CLIProfile.fixture.versionInvocation
        #expect(version.arguments == ["--version"])
        #expect(version.environment == invocation.environment.filter { $0.key != "CLAUDE_CODE_MAX_OUTPUT_TOKENS" })
        #expect(version.environment["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] == "1")
        #expect(version.workingDirectory == invocation.workingDirectory)
    }

    @Test func nothingPayloadSizedGoesInArgv() {
        #expect(invocation.arguments.allSatisfy { $0.utf8.count < 256 })
        // The prompt is the request's input, written to stdin once a request attaches.
        #expect(prompt.stdinLine.count > 300_000)
        #expect(!prompt.stdinLine.contains(UInt8(ascii: "\n")), "one line per turn")
    }

    @Test func theEnvironmentIsAnAllowlistWithoutTheProxyKey() {
        let env = invocation.environment
        #expect(env["PROXY_API_KEY"] == nil)
        #expect(env["AWS_SECRET_ACCESS_KEY"] == nil)
        #expect(!env.values.contains("secret"))
        #expect(env["HOME"] == "/run/h")
        #expect(env["TMPDIR"] == "/run/t")
        #expect(env["ANTHROPIC_API_KEY"] == "sk")
        #expect(env["CLAUDE_CODE_MAX_RETRIES"] == "0")
        #expect(env["CLAUDE_CODE_DISABLE_NONSTREAMING_FALLBACK"] == "1")
        #expect(env["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] == "1")
        #expect(env["CLAUDE_CODE_MAX_OUTPUT_TOKENS"] == "100")
        #expect(env["CLAUDE_BYTE_STREAM_IDLE_TIMEOUT_MS"] == "60000")
        #expect(env["CLAUDE_CONFIG_DIR"] == nil, "the person's config directory never reaches a CLI")
    }

    /// Every CLI reads, locks and refreshes the person's own login directory, never a copy; what
    /// --bare skipped is asked for one by one.
    @Test func theLoginIsThePersonsAndTheRestIsOff() {
        let env = invocation.environment
        #expect(env["CLAUDE_SECURESTORAGE_CONFIG_DIR"] == "/root/.claude")
        for name in ["CLAUDE_CODE_DISABLE_AUTO_MEMORY", "CLAUDE_CODE_DISABLE_CLAUDE_MDS", "DISABLE_AUTOUPDATER",
                     "DISABLE_TELEMETRY", "DISABLE_ERROR_REPORTING", "CLAUDE_CODE_ATTRIBUTION_HEADER"] {
            #expect(env[name] != nil, "\(name)")
        }
        var testMode = CLIProfile.fixture
        testMode.loginDirectory = nil
        #expect(testMode.environment["CLAUDE_SECURESTORAGE_CONFIG_DIR"] == nil)
        let own = CLIProfile.fixture.invocation(model: "m", systemPromptFile: "/p", tmpdir: "/run/t/cli_1")
        #expect(own.environment["TMPDIR"] == "/run/t/cli_1")
        #expect(!own.arguments.contains("--thinking-display"))
        var reasoning = CLIOptions()
        reasoning.showsThinking = true
        let shown = CLIProfile.fixture.invocation(model: "m", systemPromptFile: "/p", options: reasoning)
        #expect(zip(shown.arguments, shown.arguments.dropFirst()).contains { $0 == "--thinking-display" && $1 == "summarized" })
    }
}
