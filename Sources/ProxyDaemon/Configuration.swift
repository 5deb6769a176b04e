import Glibc
import Logging
import ProxyCore
import OpenAIFront
import EventTransport
import ChildProcesses

/// Everything the proxy is told at start, resolved from flags first, then environment
/// variables (the Rust proxy's names), then defaults. Pure: tests build it from dictionaries.
package struct Configuration: Equatable, Sendable {
    package var apiKeys: [String]
    /// Percent of the subscription's 5-hour and 7-day windows kept in reserve, by key: once a
    /// window is used beyond 100 − this, the key's new requests get 429 `quota_reserved`.
    package var reserves: [String: Int] = [:]
    /// The reserve of keys the key file gives none (`--reserve-quota`).
    package var reserveQuota: Int?
    package var host = "127.0.0.1"
    package var port = 8080
    package var model = "sonnet"
    package var claude = "claude"
    package var logLevel = Logger.Level.info
    package var logFormat = LineLogHandler.Format.logfmt
    package var maxBodyBytes = 1 << 20
    /// Wall-clock limit of one request, in seconds.
    package var requestTimeout = 600.0
    /// The CLI's own limit on a silent upstream stream (CLAUDE_BYTE_STREAM_IDLE_TIMEOUT_MS), seconds.
    package var upstreamIdleTimeout = 60.0
    /// evhttp's read/write timeout for idle and slow connections, seconds.
    package var connectionTimeout = 60
    /// Live CLIs at most (each costs ~0.3 CPU-s to start and ~190 MB).
    package var maxConcurrency = 2 * Configuration.cores
    /// Requests that may wait for a free place; beyond that, 429.
    package var queueSize = 64
    /// Seconds a request may wait for a place before it gets 429.
    package var queueTimeout = 60.0
    /// Seconds without any CLI output before the CLI is stopped (504).
    package var idleTimeout = 300.0
    /// Seconds of silence on a stream before a keep-alive is sent.
    package var keepAliveInterval = 15.0
    /// Seconds running requests may take to finish after SIGTERM before their CLIs are stopped.
    package var drainTimeout = 30.0
    /// Bytes of answer (text and thinking) one request may produce; far above any real answer
    /// (128 k output tokens are about 0.5 MB), low enough that a runaway CLI cannot exhaust memory.
    package var maxReplyBytes = 64 << 20
    /// Open client connections at most; nil derives it from the descriptor limit at start.
    package var maxConnections: Int?
    /// Browser origins allowed by CORS (`*` for any); none by default.
    package var allowOrigins: [String] = []
    /// Warm CLIs kept at most, started ahead for the request shapes seen recently (0: off).
    package var warmPool = 0
    /// Seconds a conversation kept in its CLI waits for its next request.
    package var parkTimeout = 300.0
    /// Conversations kept in their CLIs at most (0: none).
    package var maxParked = 4
    /// Earlier turns go as a transcript even where a session file could carry them.
    package var flattenHistory = false
    /// Test mode: every CLI talks to the proxy's own scripted upstream, never to Anthropic.
    package var fakeUpstream = false
    package var fakeScript: String?

    package static var cores: Int { max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    /// The reserve of a key: its own from the key file, else `--reserve-quota`.
    package func reserve(forKey key: String) -> Int? {
        reserves[key] ?? reserveQuota
    }

    /// Flag values as parsed; nil when not given.
    package struct Flags: Equatable, Sendable {
        package var apiKey: String?
        package var apiKeyFile: String?
        package var port: Int?
        package var host: String?
        package var model: String?
        package var claude: String?
        package var logLevel: String?
        package var maxBodyBytes: Int?
        package var requestTimeout: Double?
        package var upstreamIdleTimeout: Double?
        package var maxConcurrency: Int?
        package var queueSize: Int?
        package var queueTimeout: Double?
        package var idleTimeout: Double?
        package var keepAliveInterval: Double?
        package var drainTimeout: Double?
        package var connectionTimeout: Int?
        package var logFormat: String?
        package var maxReplyBytes: Int?
        package var maxConnections: Int?
        package var allowOrigins: [String] = []
        package var fakeUpstream = false
        package var fakeScript: String?
        package var allowFakeOnNetwork = false
        package var warmPool: Int?
        package var parkTimeout: Double?
        package var maxParked: Int?
        package var reserveQuota: Int?
        package var flattenHistory = false
    }

    package init(apiKeys: [String]) {
        self.apiKeys = apiKeys
    }

    /// - Parameter readFile: returns a file's contents (injected so tests need no files).
    package init(flags: Flags, environment: [String: String],
         readFile: (String) throws -> String) throws(ConfigurationError) {
        var keys: [String] = []
        var reserves: [String: Int] = [:]
        if let key = flags.apiKey ?? environment["PROXY_API_KEY"], !key.isEmpty { keys.append(key) }
        if let file = flags.apiKeyFile ?? environment["PROXY_API_KEY_FILE"], !file.isEmpty {
            let text: String
            do { text = try readFile(file) } catch { throw .unreadableKeyFile(file, "\(error)") }
            // One key a line, optionally followed by `reserve=PERCENT` (its own --reserve-quota).
            let lines = text.split(whereSeparator: \.isNewline)
                .map { $0.trimmingASCIISpaces() }
                .filter { !$0.isEmpty && !$0.hasPrefix("#") }
            if lines.isEmpty { throw .emptyKeyFile(file) }
            for line in lines {
                let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
                guard let key = words.first else { continue }
                keys.append(key)
                for option in words.dropFirst() {
                    guard option.hasPrefix("reserve="), let percent = Int(option.dropFirst("reserve=".count)),
                          (0...100).contains(percent) else {
                        throw .invalid("\(file): a key's option (reserve=PERCENT, 0 to 100)", option)
                    }
                    reserves[key] = percent
                }
            }
        }
        guard !keys.isEmpty else { throw .missingAPIKey }
        self.init(apiKeys: keys)
        self.reserves = reserves
        if let reserve = flags.reserveQuota {
            guard (0...100).contains(reserve) else { throw .invalid("--reserve-quota (0 to 100)", String(reserve)) }
            reserveQuota = reserve
        }

        host = flags.host ?? environment["HOST"] ?? host
        let portValue: Int?
        if let port = flags.port { portValue = port } else { portValue = try Self.integer(environment["PORT"], name: "PORT") }
        if let value = portValue {
            guard (0...65535).contains(value) else { throw .invalid("port", String(value)) }
            port = value
        }
        model = flags.model ?? environment["CLAUDE_MODEL"] ?? model
        claude = flags.claude ?? environment["CLAUDE_BIN"] ?? claude
        if let level = flags.logLevel ?? environment["LOG_LEVEL"] {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else { throw .invalid("log level", level) }
            logLevel = parsed
        }
        if let format = flags.logFormat ?? environment["LOG_FORMAT"] {
            guard let parsed = LineLogHandler.Format(rawValue: format.lowercased()) else { throw .invalid("log format", format) }
            logFormat = parsed
        }
        // Numeric flags: (flag, value given, field, smallest accepted value).
        let integers: [(String, Int?, WritableKeyPath<Configuration, Int>, Int)] = [
            ("--max-body-bytes", flags.maxBodyBytes, \.maxBodyBytes, 1),
            ("--max-concurrency", flags.maxConcurrency, \.maxConcurrency, 1),
            ("--queue-size", flags.queueSize, \.queueSize, 0),
            ("--connection-timeout", flags.connectionTimeout, \.connectionTimeout, 1),
            ("--max-reply-bytes", flags.maxReplyBytes, \.maxReplyBytes, 1024),
            ("--warm-pool", flags.warmPool, \.warmPool, 0),
            ("--max-parked", flags.maxParked, \.maxParked, 0),
        ]
        try apply(integers, unit: "")
        if let limit = flags.maxConnections {
            guard limit >= 1 else { throw .invalid("--max-connections (at least 1)", String(limit)) }
            maxConnections = limit
        }
        for origin in flags.allowOrigins {
            guard origin == "*" || Self.isOrigin(origin) else { throw .invalid("--allow-origin", origin) }
        }
        allowOrigins = flags.allowOrigins
        fakeUpstream = flags.fakeUpstream || flags.fakeScript != nil
            || ["1", "true", "yes"].contains(environment["CLAUDE_PROXY_FAKE_UPSTREAM"]?.lowercased() ?? "")
        fakeScript = flags.fakeScript
        flattenHistory = flags.flattenHistory
        if fakeUpstream && !Self.isLoopback(host) && !flags.allowFakeOnNetwork {
            throw .fakeOnNetwork(host)
        }
        let seconds: [(String, Double?, WritableKeyPath<Configuration, Double>, Double)] = [
            ("--request-timeout", flags.requestTimeout, \.requestTimeout, 0.001),
            ("--queue-timeout", flags.queueTimeout, \.queueTimeout, 0.001),
            ("--idle-timeout", flags.idleTimeout, \.idleTimeout, 0.001),
            ("--keepalive-interval", flags.keepAliveInterval, \.keepAliveInterval, 0.001),
            ("--drain-timeout", flags.drainTimeout, \.drainTimeout, 0.001),
            ("--park-timeout", flags.parkTimeout, \.parkTimeout, 0.001),
            ("--upstream-idle-timeout", flags.upstreamIdleTimeout, \.upstreamIdleTimeout, 10),
        ]
        try apply(seconds, unit: " s")
    }

    package static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// `scheme://host[:port]` with nothing after it, as browsers send in `Origin`.
    package static func isOrigin(_ text: String) -> Bool {
        guard let range = text.firstRange(of: "://"), !text[..<range.lowerBound].isEmpty else { return false }
        let authority = text[range.upperBound...]
        return !authority.isEmpty && !authority.contains("/") && authority.allSatisfy { $0.isASCII && !$0.isWhitespace }
    }

    /// Open connections allowed when no `--max-connections` is given: the descriptor limit less
    /// room for the CLIs' pipes (three each), prompt files and the proxy's own descriptors.
    package static func derivedMaxConnections(descriptorLimit: Int, maxConcurrency: Int) -> Int {
        guard descriptorLimit > 0 else { return 65536 }
        return min(65536, max(8, descriptorLimit - 64 - 8 * maxConcurrency))
    }

    /// Sets each given value after checking it against its minimum.
    private mutating func apply<Value: Comparable & CustomStringConvertible>(
        _ flags: [(String, Value?, WritableKeyPath<Configuration, Value>, Value)], unit: String
    ) throws(ConfigurationError) {
        for (name, value, field, minimum) in flags {
            guard let value else { continue }
            guard value >= minimum else { throw .invalid("\(name) (at least \(minimum)\(unit))", value.description) }
            self[keyPath: field] = value
        }
    }

    private static func integer(_ text: String?, name: String) throws(ConfigurationError) -> Int? {
        guard let text else { return nil }
        guard let value = Int(text) else { throw .invalid(name, text) }
        return value
    }
}

package enum ConfigurationError: Error, Equatable, CustomStringConvertible {
    case missingAPIKey
    case unreadableKeyFile(String, String)
    case emptyKeyFile(String)
    case invalid(String, String)
    case fakeOnNetwork(String)

    package var description: String {
        switch self {
        case .missingAPIKey:
            "no API key: set PROXY_API_KEY (or PROXY_API_KEY_FILE, or pass --api-key-file FILE)"
        case .unreadableKeyFile(let path, let reason):
            "cannot read the API key file \(path): \(reason)"
        case .emptyKeyFile(let path):
            "the API key file \(path) holds no key"
        case .invalid(let name, let value):
            "invalid \(name): \(value)"
        case .fakeOnNetwork(let host):
            "--fake-upstream answers every request with scripted text; it refuses to listen on \(host), which other "
                + "machines can reach. Use a loopback --host, or add --allow-fake-on-network."
        }
    }
}
