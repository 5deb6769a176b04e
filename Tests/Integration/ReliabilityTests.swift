import Foundation
import Glibc
import Testing
import HTTPStreamClient

extension Integration {
    /// A finished request always gives its place back; the daemon survives descriptor
    /// exhaustion, SIGKILL and stray signals. Each test here failed on the proxy before these fixes.
    @Suite struct Reliability {
        private let flood = #"{"stream":true,"messages":[{"role":"user","content":"[[fake:flood]]"}]}"#

        /// Everything a finished request held is given back: its place, its CLI, its prompt file,
        /// and its access-log line is written.
        private func expectReleased(_ proxy: ProxyProcess, path: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(ProcessTable.waitUntil { proxy.metric("ccp_requests_in_flight") == 0 },
                    "the request never gave its place back", sourceLocation: sourceLocation)
            #expect(ProcessTable.waitUntil { proxy.children.isEmpty }, "a CLI was left", sourceLocation: sourceLocation)
            let prompts = proxy.runtimeDirectories.map { "\($0)/prompts" }
            #expect(ProcessTable.waitUntil {
                prompts.allSatisfy { (try? FileManager.default.contentsOfDirectory(atPath: $0))?.isEmpty ?? true }
            }, "a prompt file was left", sourceLocation: sourceLocation)
            #expect(proxy.log.contains("msg=request") && proxy.log.contains("path=\(path)"),
                    "no access-log line", sourceLocation: sourceLocation)
        }

        /// The final Responses events repeat the whole text, so a 300 KiB answer puts more than
        /// the 1 MiB high-water mark on the connection at once and pauses the CLI's stdout just
        /// as the reply ends. Through the real CLI.
        /// Kept for its conversation, the CLI stays, and the last events must still all go out
        /// before the request ends (they once were dropped, and the proxy stopped on the unanswered
        /// exchange).
        @Test(.needsRealCLI, arguments: [false, true]) func aLongResponsesStreamGivesItsPlaceBack(kept: Bool) throws {
            let proxy = try ProxyProcess(arguments: ["--max-concurrency", "1", "--queue-timeout", "3"]
                                         + (kept ? [] : ["--max-parked", "0"]))
            defer { proxy.stop() }
            let response = proxy.responses(#"{"model":"sonnet","stream":true,"input":"x [[scenario:big:300]]"}"#)
            #expect(response.status == 200)
            #expect(response.eventNames.last == "response.completed")
            #expect(response.body.count > 4 * 300 * 1024)
            if kept {
                #expect(ProcessTable.waitUntil { proxy.metric("ccp_requests_in_flight") == 0 })
                #expect(proxy.metric("ccp_parked_conversations") == 1)
            } else {
                expectReleased(proxy, path: "/v1/responses")
            }
            #expect(proxy.chat(chatBody("next")).status == 200, "the only place was never given back")
        }

        /// The other ways a paused reply ends: the client stops reading and leaves; the request's
        /// deadline passes while it does not read; the connection timeout cuts it.
        @Test(arguments: [
            ("leaves", [String]()),
            ("deadline", ["--request-timeout", "1"]),
            ("connection timeout", ["--connection-timeout", "1"]),
        ])
        func aPausedReplyThatEndsStillFinishes(how: String, flags: [String]) throws {
            let proxy = try ProxyProcess(cli: TestEnvironment.fakeCLI, arguments: ["--max-concurrency", "1"] + flags)
            defer { proxy.stop() }
            var stalled = false
            let response = CurlClient.json("POST", proxy.baseURL + "/v1/chat/completions", body: flood) { _, _ in
                guard !stalled else { return false }
                stalled = true
                // Stop reading long enough for the proxy to pause the CLI and, where it applies,
                // for its deadline or connection timeout to fire; then leave.
                Thread.sleep(forTimeInterval: 3)
                return false
            }
            #expect(response.curlCode != 0, "\(how): the client was meant to abort")
            expectReleased(proxy, path: "/v1/chat/completions")
            let next = proxy.chat(#"{"messages":[{"role":"user","content":"[[fake:ok]]"}]}"#)
            #expect(next.status == 200, "\(how): \(next.status) \(next.text.prefix(200))")
        }

        /// A grandchild that starts its own session and keeps stdout open: the request still ends
        /// soon after the CLI, and the grandchild (adopted by the proxy) is killed with it.
        @Test func aGrandchildInItsOwnSessionDoesNotHoldThePlace() throws {
            let proxy = try ProxyProcess(cli: TestEnvironment.fakeCLI, arguments: ["--max-concurrency", "1", "--max-parked", "0"])
            defer { proxy.stop() }
            let response = proxy.chat(#"{"messages":[{"role":"user","content":"[[fake:setsid]]"}]}"#)
            #expect(response.status == 200)
            let grandchild = try #require(Int32(response.messageContent ?? ""))
            expectReleased(proxy, path: "/v1/chat/completions")
            #expect(ProcessTable.waitUntil { !FileManager.default.fileExists(atPath: "/proc/\(grandchild)") },
                    "the grandchild outlived its request")
            #expect(proxy.chat(#"{"messages":[{"role":"user","content":"[[fake:ok]]"}]}"#).status == 200)
        }

        /// Out of descriptors: the proxy stops accepting for a back-off instead of spinning on
        /// accept(), logs once per back-off, and serves again once connections go.
        @Test func runningOutOfDescriptorsNeitherSpinsNorFloodsTheLog() throws {
            let proxy = try ProxyProcess(cli: TestEnvironment.fakeCLI, launcher: ["/usr/bin/prlimit", "--nofile=64:64", "--"])
            defer { proxy.stop() }
            #expect(proxy.log.contains("open_files=64"))
            var connections = try (0..<200).map { _ in try RawConnection(port: proxy.port, blocking: false) }
            // Spinning on accept() would log the same warning thousands of times a second; the
            // back-off logs once when accepting pauses and re-checks quietly while the
            // connections stay (counts, not a clock: a slow machine gives fewer lines, never more).
            func pauses() -> Int { proxy.log.components(separatedBy: "not accepting connections").count - 1 }
            #expect(ProcessTable.waitUntil(seconds: 30) { pauses() >= 1 })
            #expect(pauses() <= 2, "\(pauses()) pause lines")
            connections.removeAll()
            #expect(ProcessTable.waitUntil { CurlClient.request("GET", proxy.baseURL + "/health", timeoutSeconds: 2).status == 200 })
            // Draining the backlog fails and pauses again a few times (17 measured); a spin is thousands.
            #expect(pauses() < 100, "\(pauses()) pause lines while out of descriptors")
            #expect(proxy.chat(#"{"messages":[{"role":"user","content":"[[fake:ok]]"}]}"#).status == 200)
        }

        /// `--max-connections`: beyond it, a connection waits in the backlog until one closes.
        @Test func connectionsBeyondTheLimitWaitInTheBacklog() throws {
            let proxy = try ProxyProcess(cli: TestEnvironment.fakeCLI, arguments: ["--max-connections", "2"])
            defer { proxy.stop() }
            var idle = [try RawConnection(port: proxy.port), try RawConnection(port: proxy.port)]
            Thread.sleep(forTimeInterval: 0.3)
            let third = try RawConnection(port: proxy.port, blocking: false)
            third.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(third.read(seconds: 1).isEmpty, "a third connection was served while two were open")
            idle.removeFirst()
            let answer = third.read(seconds: 20) { $0.contains("\r\n\r\n") }
            #expect(RawConnection.status(of: answer) == 200, "not served after a place freed: \(answer.prefix(80))")
            _ = idle
        }

        /// SIGKILL of the proxy takes its CLIs with it, and the next proxy removes the directory
        /// the dead one left.
        @Test(.needsRealCLI) func sigkillOfTheProxyLeavesNoCLIAndTheNextStartCleansUp() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let gates = (0..<3).map { "kill\($0)x\(UInt32.random(in: 0...UInt32.max))" }
            let done = DispatchGroup()
            for gate in gates {
                done.enter()
                Thread.detachNewThread {
                    _ = proxy.chat(chatBody("x", scenario: "gate:\(gate)", stream: true))
                    done.leave()
                }
            }
            #expect(ProcessTable.waitUntil { proxy.children.count == 3 })
            let groups = Set(proxy.children.map(\.pid))
            let leftDirectory = try #require(proxy.runtimeDirectories.first)
            kill(proxy.pid, SIGKILL)
            #expect(ProcessTable.waitUntil(seconds: 3) { ProcessTable.members(ofGroups: groups).isEmpty },
                    "CLIs outlived the proxy: \(ProcessTable.members(ofGroups: groups))")
            #expect(done.wait(timeout: .now() + 20) == .success)
            for gate in gates { _ = TestEnvironment.mock.release(gate: gate) }
            #expect(FileManager.default.fileExists(atPath: leftDirectory))
            let next = try ProxyProcess(cli: TestEnvironment.fakeCLI, environment: ["TMPDIR": proxy.tmpdir])
            #expect(!FileManager.default.fileExists(atPath: leftDirectory), "the dead proxy's directory is still there")
            #expect(next.log.contains("removed the directory of a proxy that died"))
            next.stop()
        }

        /// SIGUSR1 logs the state; SIGUSR2, SIGALRM and SIGHUP change nothing; a running stream
        /// is not cut. SIGQUIT then drains like SIGTERM, without a crash report.
        @Test(.needsRealCLI) func straySignalsDoNotKillTheDaemon() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let gate = "signals\(UInt32.random(in: 0...UInt32.max))"
            var signalled = false
            let response = proxy.chat(chatBody("x", scenario: "gate:\(gate)", stream: true)) { _, soFar in
                if !signalled, String(decoding: soFar, as: UTF8.self).contains("Hello") {
                    signalled = true
                    for signal in [SIGUSR1, SIGUSR2, SIGALRM, SIGHUP] { kill(proxy.pid, signal) }
                    #expect(ProcessTable.waitUntil { proxy.log.contains("msg=state") })
                    #expect(TestEnvironment.mock.release(gate: gate))
                }
                return true
            }
            #expect(signalled)
            #expect(response.status == 200)
            #expect(response.dataLines.last == "[DONE]")
            #expect(CurlClient.request("GET", proxy.baseURL + "/health").status == 200)
            kill(proxy.pid, SIGQUIT)
            #expect(proxy.waitForExit() == 0)
            #expect(proxy.log.contains("SIGQUIT: draining"))
            #expect(!proxy.log.contains("Crash") && !proxy.log.contains("Backtrace"))
        }

        /// RFC 9112: conflicting Content-Length values are refused; an absolute-form target is
        /// served like its path.
        @Test func conflictingLengthsAndAbsoluteForm() throws {
            let proxy = try ProxyProcess(cli: TestEnvironment.fakeCLI)
            defer { proxy.stop() }
            let conflicting = try RawConnection(port: proxy.port)
            conflicting.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(ProxyProcess.key)\r\n"
                             + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}x")
            let refused = conflicting.read(seconds: 10) { $0.contains("\r\n\r\n") }
            #expect(RawConnection.status(of: refused) == 400, "\(refused.prefix(120))")
            #expect(refused.lowercased().contains("connection: close"))

            let absolute = try RawConnection(port: proxy.port)
            absolute.send("GET http://127.0.0.1:\(proxy.port)/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let served = absolute.read(seconds: 10) { $0.contains("\"ok\"") }
            #expect(RawConnection.status(of: served) == 200, "\(served.prefix(120))")
        }

        /// Control bytes a client puts in its request path are escaped in the access log.
        @Test func requestPathsCannotForgeLogLines() throws {
            let proxy = try ProxyProcess(cli: TestEnvironment.fakeCLI)
            defer { proxy.stop() }
            let connection = try RawConnection(port: proxy.port)
            connection.send("GET /x\u{1b}[2Jforged HTTP/1.1\r\nHost: x\r\n\r\n")
            let answer = connection.read(seconds: 10) { $0.contains("\r\n\r\n") }
            #expect(RawConnection.status(of: answer) == 404)
            #expect(ProcessTable.waitUntil { proxy.log.contains("forged") })
            #expect(proxy.log.contains("\\u001b[2Jforged"))
            #expect(!proxy.log.contains("\u{1b}"))
        }

        /// A client that shuts down its sending side after the request is taken to have left
        /// (TCP cannot tell that from a close without writing): its CLI is stopped. Documented.
        @Test func aHalfCloseIsTakenAsLeaving() throws {
            let proxy = try ProxyProcess(cli: TestEnvironment.fakeCLI)
            defer { proxy.stop() }
            let body = #"{"stream":true,"messages":[{"role":"user","content":"[[fake:hang]]"}]}"#
            let connection = try RawConnection(port: proxy.port)
            connection.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(ProxyProcess.key)\r\n"
                            + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            #expect(ProcessTable.waitUntil { !proxy.children.isEmpty })
            connection.shutdownWrite()
            #expect(ProcessTable.waitUntil { proxy.children.isEmpty }, "the CLI of a half-closed request kept running")
            #expect(ProcessTable.waitUntil { proxy.metric("ccp_requests_in_flight") == 0 })
        }

        /// `--allow-origin`: preflight and headers for exactly the listed origins; none without it.
        @Test func corsForExactlyTheAllowedOrigins() throws {
            let proxy = try ProxyProcess(cli: TestEnvironment.fakeCLI, arguments: ["--allow-origin", "http://localhost:3000"])
            defer { proxy.stop() }
            let preflightHeaders = ["Origin: http://localhost:3000", "Access-Control-Request-Method: POST",
                                    "Access-Control-Request-Headers: authorization, content-type"]
            let allowed = CurlClient.request("OPTIONS", proxy.baseURL + "/v1/chat/completions", headers: preflightHeaders)
            #expect(allowed.status == 204)
            #expect(allowed.header("access-control-allow-origin") == "http://localhost:3000")
            #expect(allowed.header("access-control-allow-headers") == "authorization, content-type")
            #expect(allowed.header("access-control-allow-methods")?.contains("POST") == true)

            let other = CurlClient.request("OPTIONS", proxy.baseURL + "/v1/chat/completions",
                                           headers: ["Origin: http://evil.test", "Access-Control-Request-Method: POST"])
            #expect(other.status == 403)
            #expect(other.header("access-control-allow-origin") == nil)

            let chat = proxy.chat(#"{"messages":[{"role":"user","content":"[[fake:ok]]"}]}"#,
                                  extraHeaders: ["Origin: http://localhost:3000"])
            #expect(chat.status == 200)
            #expect(chat.header("access-control-allow-origin") == "http://localhost:3000")
            #expect(chat.header("vary") == "Origin")
            let unauthorized = proxy.chat("{}", key: "wrong", extraHeaders: ["Origin: http://localhost:3000"])
            #expect(unauthorized.status == 401)
            #expect(unauthorized.header("access-control-allow-origin") == "http://localhost:3000",
                    "a browser must be able to read the error")
            let evil = proxy.chat(#"{"messages":[{"role":"user","content":"[[fake:ok]]"}]}"#,
                                  extraHeaders: ["Origin: http://evil.test"])
            #expect(evil.header("access-control-allow-origin") == nil)
        }

        @Test func noCORSWithoutTheFlag() throws {
            let proxy = try ProxyProcess(cli: TestEnvironment.fakeCLI)
            defer { proxy.stop() }
            let preflight = CurlClient.request("OPTIONS", proxy.baseURL + "/v1/chat/completions",
                                               headers: ["Origin: http://localhost:3000", "Access-Control-Request-Method: POST"])
            #expect(preflight.status == 403)
            #expect(preflight.header("access-control-allow-origin") == nil)
        }
    }
}
