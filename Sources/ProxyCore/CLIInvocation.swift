/// How the proxy runs the CLI for one request: the isolated profile (docs/cli.md).
/// Pure: argv, environment and stdin are computed here and executed by `ChildProcess`.
package struct CLIInvocation: Equatable, Sendable {
    package var executable: String
    package var arguments: [String]
    package var environment: [String: String]
    package var workingDirectory: String

    package init(executable: String, arguments: [String], environment: [String: String], workingDirectory: String) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
    }
}

/// What one request asks of the CLI beyond its prompt and model.
package struct CLIOptions: Hashable, Sendable {
    /// The output-token limit (`CLAUDE_CODE_MAX_OUTPUT_TOKENS`).
    package var maxOutputTokens: Int?
    /// `--effort`: low, medium, high, xhigh or max.
    package var effort: String?
    /// `--json-schema`: the answer must be a JSON value of this schema.
    package var jsonSchema: String?
    /// Stops the CLI after its first upstream call. After a `max_tokens` stop the CLI starts a
    /// continuation call within a millisecond (a built-in count, no switch), too fast for SIGTERM;
    /// a budget of almost nothing (`--max-budget-usd`) is checked before every further call and
    /// ends the run instead. The run then reports `error_max_budget_usd` with zero usage, which
    /// `TurnReducer` reads as a normal end with the stream's own token counts.
    package var stopsAfterFirstCall = false
    /// The request asked to see the model's reasoning: the CLI asks the API for summarized
    /// thinking (`--thinking-display summarized`). By default a `-p` CLI asks for "updates", and
    /// current models then return empty thinking text (limits/README.md §2).
    package var showsThinking = false

    package static let almostNothingUSD = "0.000000001"

    /// OpenAI's reasoning efforts mapped to the CLI's: `none`/`minimal`/`low` → low, and so on up to max.
    package static func effort(fromOpenAI value: String) -> String? {
        switch value {
        case "none", "minimal", "low": "low"
        case "medium": "medium"
        case "high": "high"
        case "xhigh": "xhigh"
        case "max": "max"
        default: nil
        }
    }

    package init(maxOutputTokens: Int? = nil, effort: String? = nil, jsonSchema: String? = nil, stopsAfterFirstCall: Bool = false) {
        self.maxOutputTokens = maxOutputTokens
        self.effort = effort
        self.jsonSchema = jsonSchema
        self.stopsAfterFirstCall = stopsAfterFirstCall
    }
}

/// A session file the CLI resumes (`SessionHistory`).
package struct CLIResume: Equatable, Sendable {
    package var sessionID: String
    /// The history ends in tool results: the CLI asks the model at once, with nothing on stdin.
    package var continuesByItself: Bool

    package init(sessionID: String, continuesByItself: Bool) {
        self.sessionID = sessionID
        self.continuesByItself = continuesByItself
    }
}

/// The proxy-wide part of every invocation.
package struct CLIProfile: Equatable, Sendable {
    package var executable: String
    package var home: String
    package var tmpdir: String
    package var workingDirectory: String
    /// Variables copied from the proxy's environment (credentials, base URL, PATH, proxies).
    package var inherited: [String: String]
    /// The person's Claude Code login directory (`CLILogin.directory`), or nil (test mode): every
    /// CLI reads, locks and refreshes the login there, never a copy (docs/cli.md, "Logins").
    package var loginDirectory: String?
    package var streamIdleTimeoutMs: Int
    package var apiTimeoutMs: Int

    /// The only variables a child may inherit. The proxy's own key is never among them.
    package static let inheritable: Set<String> = [
        "PATH", "LANG", "LC_ALL", "TZ",
        "ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN", "ANTHROPIC_BASE_URL",
        "ANTHROPIC_CUSTOM_HEADERS", "ANTHROPIC_DEFAULT_OPUS_MODEL", "ANTHROPIC_DEFAULT_SONNET_MODEL",
        "ANTHROPIC_DEFAULT_HAIKU_MODEL", "CLAUDE_CODE_USE_BEDROCK", "CLAUDE_CODE_USE_VERTEX",
        "AWS_REGION", "AWS_PROFILE", "CLOUD_ML_REGION", "ANTHROPIC_VERTEX_PROJECT_ID",
        "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy",
        "SSL_CERT_FILE", "SSL_CERT_DIR", "NODE_EXTRA_CA_CERTS",
    ]

    package static func inherited(from environment: [String: String]) -> [String: String] {
        environment.filter { inheritable.contains($0.key) }
    }

    /// The environment every CLI of this proxy gets: the inherited variables, its own HOME and
    /// TMPDIR, the person's login directory, and the switches that keep it quiet, fail fast, keep
    /// every customisation off and stay off HTTP proxies for loopback.
    package var environment: [String: String] {
        var environment = inherited
        environment["HOME"] = home
        environment["TMPDIR"] = tmpdir
        environment["PATH"] = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        // The credentials file, its refresh lock and its write lock live here (CLI 2.1.331 reads
        // and locks relative to this directory, not to HOME): one login shared with the person's
        // own `claude`, refreshed once for all (docs/cli.md, "Logins").
        if let loginDirectory { environment["CLAUDE_SECURESTORAGE_CONFIG_DIR"] = loginDirectory }
        // What `--bare` skipped, asked for one by one: it cannot be used, it never reads a
        // subscription login (docs/cli.md, "The isolated profile").
        environment["CLAUDE_CODE_DISABLE_AUTO_MEMORY"] = "1"
        environment["CLAUDE_CODE_DISABLE_CLAUDE_MDS"] = "1"
        environment["DISABLE_AUTOUPDATER"] = "1"
        environment["DISABLE_TELEMETRY"] = "1"
        environment["DISABLE_ERROR_REPORTING"] = "1"
        environment["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1"
        environment["CLAUDE_CODE_ATTRIBUTION_HEADER"] = "0"
        environment["CLAUDE_CODE_MAX_RETRIES"] = "0"
        environment["CLAUDE_CODE_DISABLE_NONSTREAMING_FALLBACK"] = "1"
        environment["CLAUDE_BYTE_STREAM_IDLE_TIMEOUT_MS"] = String(streamIdleTimeoutMs)
        environment["API_TIMEOUT_MS"] = String(apiTimeoutMs)
        // The tool bridge is on loopback: never through an HTTP proxy the user may have set.
        for name in ["NO_PROXY", "no_proxy"] {
            environment[name] = ([environment[name]].compactMap { $0 } + ["127.0.0.1", "localhost", "::1"])
                .joined(separator: ",")
        }
        return environment
    }

    /// `claude --version`, run once at start with the same environment.
    package var versionInvocation: CLIInvocation {
        CLIInvocation(executable: executable, arguments: ["--version"], environment: environment,
                      workingDirectory: workingDirectory)
    }

    /// Everything fixed when the process starts; the request's input is written later (`Prompt.stdinLine`).
    /// - Parameter mcpConfigFile: a 0600 file naming the proxy's MCP endpoint for this request's tools
    ///   (a file, so neither the tools nor the endpoint's token are in argv).
    /// - Parameters:
    ///   - allowedTools: tools the CLI may call without asking (the client's, over the bridge):
    ///     it then waits for their results instead of denying the call.
    ///   - maxTurns: model turns per user line; more than one lets a tool round trip continue.
    ///   - toolCallTimeoutMs: how long the CLI waits on a tool call (`MCP_TOOL_TIMEOUT`).
    ///   - tmpdir: this CLI's own TMPDIR (removed when it ends: a non-bare CLI leaves a probe
    ///     directory there on every start).
    package func invocation(model: String, systemPromptFile: String, mcpConfigFile: String? = nil,
                            options: CLIOptions = CLIOptions(), allowedTools: [String] = [], maxTurns: Int = 1,
                            toolCallTimeoutMs: Int? = nil, tmpdir: String? = nil,
                            resume: CLIResume? = nil) -> CLIInvocation {
        var environment = environment
        if let tmpdir { environment["TMPDIR"] = tmpdir }
        if let maxOutputTokens = options.maxOutputTokens {
            environment["CLAUDE_CODE_MAX_OUTPUT_TOKENS"] = String(maxOutputTokens)
        }
        var arguments = [
            "-p",
            "--input-format", "stream-json",
            "--output-format", "stream-json",
            "--verbose",
            "--include-partial-messages",
            // Not --bare (it never reads a subscription login), nor --safe-mode (it drops the
            // --mcp-config tool bridge too): the private HOME and working directory hold no
            // CLAUDE.md, skills, plugins, agents or commands, `--setting-sources ""` loads no
            // settings (hooks, permissions, env), and the environment turns off the rest.
            "--tools", "",
            "--setting-sources", "",
            "--strict-mcp-config",
            "--no-session-persistence",
            "--disable-slash-commands",
            "--max-turns", String(maxTurns),
            "--settings", #"{"includeCoAuthoredBy":false}"#,
            "--system-prompt-file", systemPromptFile,
            "--model", model,
        ]
        if let mcpConfigFile { arguments += ["--mcp-config", mcpConfigFile] }
        if !allowedTools.isEmpty { arguments += ["--allowedTools", allowedTools.joined(separator: ",")] }
        if let toolCallTimeoutMs { environment["MCP_TOOL_TIMEOUT"] = String(toolCallTimeoutMs) }
        if let effort = options.effort { arguments += ["--effort", effort] }
        if let schema = options.jsonSchema { arguments += ["--json-schema", schema] }
        if options.stopsAfterFirstCall { arguments += ["--max-budget-usd", CLIOptions.almostNothingUSD] }
        if options.showsThinking { arguments += ["--thinking-display", "summarized"] }
        if let resume {
            // Read with --no-session-persistence: the file is loaded and nothing is written.
            arguments += ["--resume", resume.sessionID]
            // A history ending in tool results is an interrupted turn the CLI carries on by
            // itself; without this it answers nothing, or loses the results (history/ §2.6).
            if resume.continuesByItself { environment["CLAUDE_CODE_RESUME_INTERRUPTED_TURN"] = "1" }
        }
        return CLIInvocation(executable: executable, arguments: arguments, environment: environment,
                             workingDirectory: workingDirectory)
    }

    package init(executable: String, home: String, tmpdir: String, workingDirectory: String, inherited: [String: String],
                 loginDirectory: String? = nil, streamIdleTimeoutMs: Int, apiTimeoutMs: Int) {
        self.executable = executable
        self.home = home
        self.tmpdir = tmpdir
        self.workingDirectory = workingDirectory
        self.inherited = inherited
        self.loginDirectory = loginDirectory
        self.streamIdleTimeoutMs = streamIdleTimeoutMs
        self.apiTimeoutMs = apiTimeoutMs
    }
}
