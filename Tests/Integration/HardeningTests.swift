import Foundation
import Glibc
import Testing

/// A raw TCP client, for what libcurl will not send.
final class RawConnection {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ text: String) { send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Everything until the server closes (or the 20 s receive bound passes).
    func readAll() -> String {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            out += buffer[0..<count]
        }
        return String(decoding: out, as: UTF8.self)
    }
}

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
