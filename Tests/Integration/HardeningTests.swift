import Foundation
import Glibc
import Testing

extension Integration {
    /// Malformed or hostile HTTP is answered or closed, never a crash.
    @Suite struct Hardening {
        @Test func malformedRequestsAreRefusedAndTheProxyServesOn() throws {
            let proxy = try ProxyProcess(cli: TestEnvironment.fakeCLI)
            defer { proxy.stop() }
            for garbage in ["\u{01}\u{02}garbage\r\n\r\n", "GET\r\n\r\n", "POST /v1/chat/completions HTTP/9.9\r\n\r\n",
                            "GET / HTTP/1.1\r\nBroken header line\r\n\r\n",
                            "POST /v1/chat/completions HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
                            "POST /v1/chat/completions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"] {
                let connection = try RawConnection(port: proxy.port)
                connection.send(garbage)
                let answer = connection.readAll()
                #expect(answer.isEmpty || answer.hasPrefix("HTTP/1.1 4"), "\(garbage.debugDescription) → \(answer.prefix(80))")
            }
            let huge = try RawConnection(port: proxy.port)
            huge.send("GET /health HTTP/1.1\r\nX-Big: \(String(repeating: "a", count: 100_000))\r\n\r\n")
            let answer = huge.readAll()
            #expect(answer.isEmpty || answer.hasPrefix("HTTP/1.1 4"), "\(answer.prefix(80))")
            let line = try RawConnection(port: proxy.port)
            line.send("GET /\(String(repeating: "a", count: 100_000)) HTTP/1.1\r\n\r\n")
            let lineAnswer = line.readAll()
            #expect(lineAnswer.isEmpty || lineAnswer.hasPrefix("HTTP/1.1 4"))
            #expect(proxy.get("/health", key: nil).status == 200, "the proxy stopped serving")
        }

        @Test func aSlowClientIsCutAtTheConnectionTimeout() throws {
            let proxy = try ProxyProcess(cli: TestEnvironment.fakeCLI, arguments: ["--connection-timeout", "1"])
            defer { proxy.stop() }
            let slow = try RawConnection(port: proxy.port)
            slow.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n")  // and never the rest
            let answer = slow.readAll()  // returns when the proxy closes (bounded by 20 s)
            #expect(!answer.hasPrefix("HTTP/1.1 2"))
            let closed = recv(slow.fd, nil, 0, Int32(MSG_DONTWAIT))
            #expect(closed == 0 || errno != EAGAIN, "the slow connection is still open")
            #expect(proxy.get("/health", key: nil).status == 200)
        }
    }
}
