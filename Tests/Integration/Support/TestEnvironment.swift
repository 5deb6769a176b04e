import Foundation
import Glibc
import Testing
import HTTPStreamClient

/// Paths and shared services of the integration suite.
enum TestEnvironment {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../..").standardized
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures").standardized

    /// The built proxy: beside the test bundle, or PROXY_BINARY.
    static var proxyBinary: String {
        if let path = ProcessInfo.processInfo.environment["PROXY_BINARY"] { return path }
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for directory in [beside, beside.deletingLastPathComponent()] {
            let candidate = directory.appendingPathComponent("claude-code-proxy").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return packageRoot.appendingPathComponent(".build/debug/claude-code-proxy").path
    }

    /// The real Claude Code CLI fetched by scripts/fetch-cli.sh (or CLAUDE_CLI_FOR_TESTS).
    static var realCLI: String {
        ProcessInfo.processInfo.environment["CLAUDE_CLI_FOR_TESTS"]
            ?? packageRoot.appendingPathComponent(".cache/claude-cli/0.2.188/claude").path
    }

    static var fakeCLI: String { fixtures.appendingPathComponent("fake_claude.py").path }

    static let mock = MockUpstream()
}

/// The mock Anthropic Messages API (Support/mock_anthropic.py), one per test process.
/// It exits when its stdin closes, that is when this process ends.
final class MockUpstream: @unchecked Sendable {
    let port: Int
    private let process = Process()
    private let stdin = Pipe()

    init() {
        let stdout = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", TestEnvironment.packageRoot
            .appendingPathComponent("Tests/Integration/Support/mock_anthropic.py").path]
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { fatalError("cannot start the mock upstream: \(error)") }
        let line = stdout.fileHandleForReading.readLine() ?? ""
        guard let port = Int(line.split(separator: " ").last ?? "") else { fatalError("mock said: \(line)") }
        self.port = port
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Bodies the mock received for requests tagged `[[id:TAG]]`.
    func requests(tag: String) -> [[String: Any]] {
        let response = CurlClient.request("GET", "\(baseURL)/_requests?id=\(tag)")
        return ((try? JSONSerialization.jsonObject(with: Data(response.body))) as? [[String: Any]]) ?? []
    }

    /// The credential each upstream request tagged `[[id:TAG]]` carried: kind (`oauth`, `api_key`,
    /// `bearer`, `none`) and token.
    func credentials(tag: String) -> [(kind: String, token: String)] {
        let response = CurlClient.request("GET", "\(baseURL)/_credentials?id=\(tag)")
        let list = ((try? JSONSerialization.jsonObject(with: Data(response.body))) as? [[String: String]]) ?? []
        return list.map { ($0["kind"] ?? "", $0["token"] ?? "") }
    }

    /// Opens a gate; true when the stream was still waiting at it.
    func release(gate: String) -> Bool {
        CurlClient.request("POST", "\(baseURL)/_gate/\(gate)", body: []).status == 200
    }
}

/// A stand-in for Anthropic's OAuth token endpoint (Support/token_endpoint.py), reached as the
/// CLIs' HTTPS proxy on loopback with a CA of its own; one per test that needs it.
final class TokenEndpoint: @unchecked Sendable {
    let port: Int
    /// The CA the CLI must trust (NODE_EXTRA_CA_CERTS).
    let certificateAuthority: String
    private let process = Process()
    private let stdin = Pipe()

    /// - Parameter mode: `ok`, `reject_reused` (a refresh token can be spent once) or `reject_all`.
    init(mode: String) throws {
        let stdout = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", TestEnvironment.packageRoot
            .appendingPathComponent("Tests/Integration/Support/token_endpoint.py").path, mode]
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        let words = (stdout.fileHandleForReading.readLine() ?? "").split(separator: " ")
        guard words.count >= 2, let port = Int(words[words.count - 2]) else { throw CocoaError(.fileReadCorruptFile) }
        self.port = port
        certificateAuthority = String(words[words.count - 1])
    }

    deinit {
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    /// The environment that sends a CLI's HTTPS here and trusts the CA.
    var environment: [String: String] {
        ["HTTPS_PROXY": "http://127.0.0.1:\(port)", "NODE_EXTRA_CA_CERTS": certificateAuthority]
    }

    /// What came through: host, method, path, status, and for refreshes the refresh token and what was issued.
    var requests: [[String: Any]] {
        let response = CurlClient.request("GET", "http://127.0.0.1:\(port)/_requests")
        return ((try? JSONSerialization.jsonObject(with: Data(response.body))) as? [[String: Any]]) ?? []
    }

    var refreshes: [[String: Any]] { requests.filter { $0["path"] as? String == "/v1/oauth/token" } }
}

extension FileHandle {
    func readLine() -> String? {
        var bytes: [UInt8] = []
        while true {
            let byte = readData(ofLength: 1)
            guard let first = byte.first else { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
            if first == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(first)
        }
    }
}

/// Processes as /proc shows them.
enum ProcessTable {
    struct Entry: Equatable {
        var pid: Int32
        var ppid: Int32
        var pgid: Int32
        var state: Character
    }

    static func entries() -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { name -> Entry? in
            guard let pid = Int32(name),
                  let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            guard fields.count > 3, let state = fields[0].first, let ppid = Int32(fields[1]),
                  let pgid = Int32(fields[2]) else { return nil }
            return Entry(pid: pid, ppid: ppid, pgid: pgid, state: state)
        }
    }

    static func children(of parent: Int32) -> [Entry] {
        entries().filter { $0.ppid == parent }
    }

    /// Every live process in these process groups.
    static func members(ofGroups groups: Set<Int32>) -> [Entry] {
        entries().filter { groups.contains($0.pgid) }
    }

    /// Polls `condition` up to `seconds` (a bound against hanging, not a measurement).
    static func waitUntil(seconds: Double = 20, _ condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }
}

extension TestEnvironment {
    /// The suite runs against the real CLI; without it those tests are skipped, not failed.
    static let realCLIPresent = FileManager.default.isExecutableFile(atPath: realCLI)
}

extension Trait where Self == ConditionTrait {
    /// For tests that run the real Claude Code CLI. In CI (which always has it) a missing CLI is
    /// a failure, never a skip that would count as passed.
    static var needsRealCLI: Self {
        .enabled(if: TestEnvironment.realCLIPresent || ProcessInfo.processInfo.environment["CI"] != nil,
                 "the pinned Claude Code CLI is not installed: scripts/fetch-cli.sh fetches it (scripts/test.sh does)")
    }
}

extension TestEnvironment {
    /// The self-contained release binary scripts/build-release.sh makes (scripts/test.sh builds it
    /// and sets RELEASE_BINARY).
    static var releaseBinary: String? {
        ProcessInfo.processInfo.environment["RELEASE_BINARY"].flatMap {
            FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil
        }
    }
}

extension Trait where Self == ConditionTrait {
    static var needsReleaseBinary: Self {
        .enabled(if: TestEnvironment.releaseBinary != nil,
                 "no release binary: scripts/test.sh builds one with scripts/build-release.sh and sets RELEASE_BINARY")
    }
}
