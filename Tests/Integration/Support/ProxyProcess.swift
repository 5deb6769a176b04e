import Foundation
import Glibc
import HTTPStreamClient

/// The built `claude-code-proxy` running as a child of the test, on a free port.
final class ProxyProcess: @unchecked Sendable {
    let port: Int
    let pid: Int32
    let tmpdir: String
    private let process = Process()
    private let stderrPipe = Pipe()
    private let lock = NSLock()
    private var stderrText = ""

    static let key = "test-key"

    /// The Claude login the proxy runs with. The suite runs as a subscriber: most people log in
    /// with `claude` and a subscription, not an API key.
    enum Login {
        /// A subscription login file in the proxy's HOME, as `claude` /login writes it, with this
        /// access token (`sk-ant-oat01-…`) expiring at this Unix time.
        case subscription(token: String = "sk-ant-oat01-TEST-\(UUID().uuidString.prefix(8))",
                          expiresAt: Int = Int(Date().timeIntervalSince1970) + 8 * 3600)
        case apiKey(String = "sk-ant-api03-TEST")
        case authToken(String = "bearer-TEST")
        /// `CLAUDE_CODE_OAUTH_TOKEN`, from `claude setup-token`.
        case oauthToken(String = "sk-ant-oat01-SETUP-TOKEN-TEST")
        case none

        /// The credentials file `claude` writes: tokens, expiry in milliseconds, scopes, plan.
        static func credentialsFile(token: String, expiresAt: Int, refreshToken: String = "sk-ant-ort01-TEST") -> String {
            #"{"claudeAiOauth":{"accessToken":"\#(token)","refreshToken":"\#(refreshToken)","expiresAt":\#(expiresAt * 1000),"#
                + #""scopes":["user:inference","user:profile","user:sessions:claude_code"],"subscriptionType":"max"}}"#
        }
    }

    /// - Parameters:
    ///   - cli: the CLI to run (the real one by default).
    ///   - arguments: extra flags.
    ///   - launcher: a command that execs the proxy in place (e.g. `prlimit --nofile=64:64 --`).
    ///   - binary: the proxy to run (the one under test by default).
    ///   - login: the Claude login in the proxy's HOME or environment (a subscription by default).
    init(cli: String = TestEnvironment.realCLI, arguments: [String] = [], environment: [String: String] = [:],
         launcher: [String] = [], binary: String = TestEnvironment.proxyBinary, login: Login = .subscription(),
         workingDirectory: String? = nil) throws {
        tmpdir = NSTemporaryDirectory() + "ccp-test-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: tmpdir + "/.claude", withIntermediateDirectories: true)
        let proxyArguments = ["--port", "0", "--claude", cli, "--log-level", "debug"] + arguments
        if let first = launcher.first {
            process.executableURL = URL(fileURLWithPath: first)
            process.arguments = Array(launcher.dropFirst()) + [binary] + proxyArguments
        } else {
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = proxyArguments
        }
        var env = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "PROXY_API_KEY": Self.key,
            "ANTHROPIC_BASE_URL": TestEnvironment.mock.baseURL,
            "HOME": tmpdir,
            "TMPDIR": tmpdir,
            // Whatever a CLI would send to Anthropic's other hosts (a token refresh) stays on
            // loopback and is refused there.
            "HTTPS_PROXY": "http://127.0.0.1:9",
        ]
        switch login {
        case .subscription(let token, let expiresAt):
            let path = tmpdir + "/.claude/.credentials.json"
            FileManager.default.createFile(atPath: path, contents: Data(Login.credentialsFile(token: token, expiresAt: expiresAt).utf8),
                                           attributes: [.posixPermissions: 0o600])
        case .apiKey(let key): env["ANTHROPIC_API_KEY"] = key
        case .authToken(let token): env["ANTHROPIC_AUTH_TOKEN"] = token
        case .oauthToken(let token): env["CLAUDE_CODE_OAUTH_TOKEN"] = token
        case .none: break
        }
        env.merge(environment) { $1 }
        process.environment = env
        if let workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory) }
        process.standardError = stderrPipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        pid = process.processIdentifier
        let reader = stderrPipe.fileHandleForReading
        var found: Int?
        var early = ""
        while found == nil, let line = reader.readLine() {
            early += line + "\n"
            if let range = line.range(of: "listening on http://") {
                found = line[range.upperBound...].split(separator: ":").last.flatMap { Int($0) }
            }
        }
        guard let found else {
            throw ProxyStartError(log: early)
        }
        port = found
        stderrText = early
        Thread.detachNewThread { [self] in
            while let line = reader.readLine() { self.append(line) }
        }
    }

    deinit { stop() }

    struct ProxyStartError: Error { var log: String }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    var log: String {
        lock.lock()
        defer { lock.unlock() }
        return stderrText
    }

    private func append(_ line: String) {
        lock.lock()
        stderrText += line + "\n"
        lock.unlock()
    }

    /// The CLI processes the proxy is running now.
    var children: [ProcessTable.Entry] { ProcessTable.children(of: pid) }

    /// Waits for the proxy to exit on its own; returns its status (nil if it did not).
    func waitForExit(seconds: Double = 20) -> Int32? {
        guard ProcessTable.waitUntil(seconds: seconds, { !process.isRunning }) else { return nil }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// SIGTERM, then wait; returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning {
            kill(pid, SIGTERM)
            if !ProcessTable.waitUntil(seconds: 10, { !process.isRunning }) { kill(pid, SIGKILL) }
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: tmpdir)
        return process.terminationStatus
    }

    // MARK: Requests

    func chat(_ body: String, key: String? = ProxyProcess.key, extraHeaders: [String] = [],
              onChunk: ((CurlResponse.Chunk, [UInt8]) -> Bool)? = nil,
              onProgress: (() -> Bool)? = nil) -> CurlResponse {
        CurlClient.json("POST", "\(baseURL)/v1/chat/completions", key: key, body: body, extraHeaders: extraHeaders,
                        onChunk: onChunk, onProgress: onProgress)
    }

    func responses(_ body: String, onChunk: ((CurlResponse.Chunk, [UInt8]) -> Bool)? = nil) -> CurlResponse {
        CurlClient.json("POST", "\(baseURL)/v1/responses", body: body, onChunk: onChunk)
    }

    /// A gauge or counter from /metrics (the first sample of that name).
    func metric(_ name: String) -> Double? {
        let text = String(decoding: get("/metrics").body, as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") || line.hasPrefix(name + "{") {
            return line.split(separator: " ").last.flatMap { Double($0) }
        }
        return nil
    }

    /// The proxy's private directory under its TMPDIR.
    var runtimeDirectories: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: tmpdir)) ?? [])
            .filter { $0.hasPrefix("claude-code-proxy.") }.map { "\(tmpdir)/\($0)" }
    }

    func get(_ path: String, key: String? = ProxyProcess.key) -> CurlResponse {
        CurlClient.json("GET", "\(baseURL)\(path)", key: key)
    }
}

/// A chat body asking the mock for `scenario`, tagged so the test can find its upstream calls.
func chatBody(_ text: String, scenario: String = "text", tag: String = UUID().uuidString.prefix(8).lowercased(),
              stream: Bool = false, extra: String = "") -> String {
    let content = "\(text) [[scenario:\(scenario)]] [[id:\(tag)]]"
    let encoded = String(decoding: try! JSONSerialization.data(withJSONObject: [content], options: [.fragmentsAllowed]), as: UTF8.self)
    let string = String(encoded.dropFirst().dropLast())
    return #"{"model":"sonnet","stream":\#(stream),"messages":[{"role":"user","content":\#(string)}]\#(extra)}"#
}
