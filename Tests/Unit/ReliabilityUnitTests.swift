import Foundation
import Glibc
import Testing
@testable import ProxyCore
@testable import OpenAIFront
@testable import EventTransport
@testable import ChildProcesses
@testable import ProxyDaemon

struct RequestTargetTests {
    @Test(arguments: [
        ("/v1/models?x=1", "/v1/models"), ("/health#top", "/health"),
        ("http://127.0.0.1:8080/health", "/health"), ("HTTP://localhost/v1/models?y", "/v1/models"),
        ("https://example.test", "/"), ("", "/"), ("/a/http://b", "/a/http://b"),
    ])
    func pathOfOriginAndAbsoluteForms(target: String, path: String) {
        #expect(RequestTarget.path(of: target) == path)
    }

    @Test func conflictingContentLengthsAreDetected() {
        #expect(!RequestTarget.hasConflictingLengths([]))
        #expect(!RequestTarget.hasConflictingLengths(["5"]))
        #expect(!RequestTarget.hasConflictingLengths(["5", "5"]), "repeated equal values are one length")
        #expect(!RequestTarget.hasConflictingLengths(["5, 5"]))
        #expect(RequestTarget.hasConflictingLengths(["5", "6"]))
        #expect(RequestTarget.hasConflictingLengths(["5, 6"]))
    }
}

struct CORSPolicyTests {
    @Test func noOriginIsAllowedByDefault() {
        let policy = CORSPolicy(origins: [])
        #expect(!policy.allows("http://localhost:3000"))
        #expect(policy.headers(origin: "http://localhost:3000").isEmpty)
    }

    @Test func exactlyTheListedOriginsAreEchoed() {
        let policy = CORSPolicy(origins: ["http://localhost:3000"])
        #expect(policy.allows("http://localhost:3000"))
        #expect(!policy.allows("http://localhost:3001"))
        #expect(!policy.allows("http://evil.test"))
        let headers = Dictionary(uniqueKeysWithValues: policy.headers(origin: "http://localhost:3000"))
        #expect(headers["Access-Control-Allow-Origin"] == "http://localhost:3000")
        #expect(headers["Vary"] == "Origin")
    }

    @Test func starOnlyWhenAskedFor() {
        let policy = CORSPolicy(origins: ["*"])
        #expect(policy.allows("http://anything.test"))
        let headers = Dictionary(uniqueKeysWithValues: policy.headers(origin: "http://anything.test"))
        #expect(headers["Access-Control-Allow-Origin"] == "*")
    }

    @Test func preflightEchoesPlainHeaderListsOnly() {
        let policy = CORSPolicy(origins: ["http://a.test"])
        let plain = Dictionary(uniqueKeysWithValues: policy.preflightHeaders(
            origin: "http://a.test", methods: ["POST"], requestedHeaders: "authorization, x-stainless-os"))
        #expect(plain["Access-Control-Allow-Headers"] == "authorization, x-stainless-os")
        #expect(plain["Access-Control-Allow-Methods"] == "POST, OPTIONS")
        let odd = Dictionary(uniqueKeysWithValues: policy.preflightHeaders(
            origin: "http://a.test", methods: ["POST"], requestedHeaders: "x\r\nSet-Cookie: a"))
        #expect(odd["Access-Control-Allow-Headers"] == CORSPolicy.defaultAllowedHeaders)
    }
}

struct ConstantTimeLengthTests {
    /// Lengths that differ by a multiple of 256 once compared equal when the difference was
    /// truncated to 8 bits.
    @Test func lengthsDifferingBy256AreNotEqual() {
        let key = [UInt8](repeating: 0, count: 256)
        #expect(!Auth.constantTimeEqual([], key + [1]))
        #expect(!Auth.constantTimeEqual([UInt8](repeating: 0, count: 512), key))
    }
}

struct LogEscapingTests {
    @Test func controlCharactersNeverReachTheLogRaw() {
        let path = "/x\u{1b}[31mred\r\nlevel=error msg=forged\u{7f}\u{9b}"
        for format in LineLogHandler.Format.allCases {
            let line = LineLogHandler.line(format: format, timestamp: UTCTime.iso8601(0), level: .info,
                                           message: "request", fields: [("path", path)])
            #expect(!line.unicodeScalars.contains { $0.value < 0x20 || (0x7f...0x9f).contains($0.value) },
                    "\(format): \(line)")
            #expect(line.contains("\\u001b"), "\(format): \(line)")
        }
    }
}

struct DescriptorLimitTests {
    @Test func connectionsLeaveRoomForTheCLIsPipes() {
        #expect(Configuration.derivedMaxConnections(descriptorLimit: 1024, maxConcurrency: 4) == 928)
        #expect(Configuration.derivedMaxConnections(descriptorLimit: 64, maxConcurrency: 4) == 8)
        #expect(Configuration.derivedMaxConnections(descriptorLimit: 1 << 20, maxConcurrency: 4) == 65536)
    }

    @Test func resourceShortagesAreRetryable503s() {
        for code in [EMFILE, ENFILE, EAGAIN, ENOMEM] {
            let error = TurnFailure.spawnFailed(executable: "claude", errno: code).openAIError
            #expect(error.status == 503 && error.code == "overloaded" && error.isRetryable && error.retryAfter != nil)
        }
        let missing = TurnFailure.spawnFailed(executable: "claude", errno: ENOENT).openAIError
        #expect(missing.code == "cli_unavailable" && !missing.isRetryable)
    }
}

struct RuntimeDirectoryTests {
    @Test func theDirectoryOfADeadProxyIsRemovedAndALiveOneKept() throws {
        let parent = NSTemporaryDirectory() + "ccp-unit-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let live = try RuntimeDirectory.create(environment: ["TMPDIR": parent])
        // A dead proxy's directory: its lock file exists, and nobody holds the lock.
        let dead = parent + "/\(RuntimeDirectory.prefix)dead01"
        try FileManager.default.createDirectory(atPath: dead + "/prompts", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: dead + "/lock", contents: nil)
        let other = parent + "/unrelated"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        let removed = RuntimeDirectory.removeStale(in: parent, except: "")
        #expect(removed == [dead])
        #expect(FileManager.default.fileExists(atPath: live.root), "the lock of a live proxy is held")
        #expect(FileManager.default.fileExists(atPath: other))
    }
}
