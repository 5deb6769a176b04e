import SystemCalls
import ArgumentParser
import FoundationEssentials
import Glibc
import Logging
import ProxyCore
import OpenAIFront
import EventTransport
import ChildProcesses

package struct ProxyCommand: ParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the OpenAI HTTP API by running the Claude Code CLI (claude --print) for each request (the default).",
        discussion: """
            Every option can also be set by environment variable: PROXY_API_KEY, PROXY_API_KEY_FILE, \
            PORT, HOST, CLAUDE_MODEL, CLAUDE_BIN, LOG_LEVEL. Flags win over the environment.
            """)

    package static let version = "0.2.0"

    @Option(help: "The key clients must send as `Authorization: Bearer <key>` (prefer --api-key-file). [PROXY_API_KEY]")
    package var apiKey: String?

    @Option(help: "A file with one accepted key per line. [PROXY_API_KEY_FILE]")
    package var apiKeyFile: String?

    @Option(help: "The port to listen on; 0 picks a free one. (default: 8080) [PORT]")
    package var port: Int?

    @Option(help: "The address to bind. (default: 127.0.0.1) [HOST]")
    package var host: String?

    @Option(help: "The model for requests that name none the CLI knows. (default: sonnet) [CLAUDE_MODEL]")
    package var model: String?

    @Option(help: "The Claude Code CLI to run. (default: claude, from PATH) [CLAUDE_BIN]")
    package var claude: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical. (default: info) [LOG_LEVEL]")
    package var logLevel: String?

    @Option(help: "logfmt or json: one line per event on stderr. (default: logfmt) [LOG_FORMAT]")
    package var logFormat: String?

    @Option(help: "The largest request body accepted, in bytes. (default: 1048576)")
    package var maxBodyBytes: Int?

    @Option(help: "Seconds a request may take before the CLI is stopped and 504 returned. (default: 600)")
    package var requestTimeout: Double?

    @Option(help: "Seconds of upstream silence after which the CLI gives up (at least 10). (default: 60)")
    package var upstreamIdleTimeout: Double?

    @Option(help: "Live CLIs at most; more requests wait in a queue. (default: 2 x cores)")
    package var maxConcurrency: Int?

    @Option(help: "Requests that may wait for a free place; beyond that, 429. (default: 64)")
    package var queueSize: Int?

    @Option(help: "Seconds a request may wait in the queue before it gets 429. (default: 60)")
    package var queueTimeout: Double?

    @Option(help: "Seconds without CLI output before the CLI is stopped and 504 returned. (default: 300)")
    package var idleTimeout: Double?

    @Option(name: .customLong("keepalive-interval"),
            help: "Seconds of stream silence before a keep-alive is sent. (default: 15)")
    package var keepAliveInterval: Double?

    @Option(help: "Seconds running requests may take to finish after SIGTERM. (default: 30)")
    package var drainTimeout: Double?

    @Option(help: "Seconds an idle keep-alive or slow client (headers, body) may take before it is cut. (default: 60)")
    package var connectionTimeout: Int?

    @Option(help: "Bytes of answer one request may produce before it fails with reply_too_large. (default: 67108864)")
    package var maxReplyBytes: Int?

    @Option(help: "Open client connections at most; more wait in the kernel's backlog. (default: from the descriptor limit)")
    package var maxConnections: Int?

    @Option(name: .customLong("allow-origin"),
            help: "A browser origin allowed by CORS, e.g. http://localhost:3000 (repeatable; * for any). (default: none)")
    package var allowOrigins: [String] = []

    @Option(help: "Warm CLIs kept at most, started ahead for recent request shapes; 0 turns the pool off. (default: 0)")
    package var warmPool: Int?

    @Option(help: "Seconds a conversation kept in its CLI (or a pending tool call) waits for its next request. (default: 300)")
    package var parkTimeout: Double?

    @Option(help: "Conversations kept in their CLIs at most; the least recently used goes first; 0: none. (default: 4)")
    package var maxParked: Int?

    @Option(help: "Percent of the subscription's 5-hour and 7-day windows no request through the proxy may spend; a key-file line `KEY reserve=PERCENT` sets one key's. (default: none)")
    package var reserveQuota: Int?

    @Flag(help: "Send earlier turns of a conversation no CLI holds as one quoted transcript, as before native history (for a CLI whose session format `doctor` finds changed).")
    package var flattenHistory = false

    @Flag(help: "Test mode: answer from a built-in, scripted Anthropic API instead of Anthropic. [CLAUDE_PROXY_FAKE_UPSTREAM=1]")
    package var fakeUpstream = false

    @Option(help: "The test mode's script: JSON Lines of match → reply, tool calls, errors (implies --fake-upstream).")
    package var fakeScript: String?

    @Flag(help: "Allow --fake-upstream on an address other machines can reach.")
    package var allowFakeOnNetwork = false

    package init() {}

    package func run() throws {
        let flags = Configuration.Flags(
            apiKey: apiKey, apiKeyFile: apiKeyFile, port: port, host: host, model: model, claude: claude,
            logLevel: logLevel, maxBodyBytes: maxBodyBytes, requestTimeout: requestTimeout,
            upstreamIdleTimeout: upstreamIdleTimeout, maxConcurrency: maxConcurrency, queueSize: queueSize,
            queueTimeout: queueTimeout, idleTimeout: idleTimeout, keepAliveInterval: keepAliveInterval,
            drainTimeout: drainTimeout, connectionTimeout: connectionTimeout, logFormat: logFormat,
            maxReplyBytes: maxReplyBytes, maxConnections: maxConnections, allowOrigins: allowOrigins,
            fakeUpstream: fakeUpstream, fakeScript: fakeScript, allowFakeOnNetwork: allowFakeOnNetwork,
            warmPool: warmPool, parkTimeout: parkTimeout, maxParked: maxParked, reserveQuota: reserveQuota,
            flattenHistory: flattenHistory)
        let configuration: Configuration
        do {
            configuration = try Configuration(flags: flags, environment: ProcessInfo.processInfo.environment) {
                try String(contentsOfFile: $0, encoding: .utf8)
            }
        } catch {
            StandardError.write("claude-code-proxy: \(error)\n")
            throw ExitCode(2)
        }
        let level = configuration.logLevel
        let format = configuration.logFormat
        LoggingSystem.bootstrap { _ in LineLogHandler(format: format, logLevel: level) }
        let proxy: Proxy
        do {
            proxy = try Proxy(configuration: configuration, environment: ProcessInfo.processInfo.environment)
        } catch {
            StandardError.write("claude-code-proxy: \(error)\n")
            throw ExitCode(1)
        }
        proxy.run()
    }
}
