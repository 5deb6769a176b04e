import Foundation
import Glibc
import Testing
import HTTPStreamClient

extension Integration {
    /// Bounded concurrency with an honest queue, deadlines, keep-alives, graceful drain.
    @Suite struct Daemon {
        private func hangInBackground(_ proxy: ProxyProcess, _ results: Results) -> DispatchSemaphore {
            let done = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                results.add(proxy.chat(#"{"messages":[{"role":"user","content":"[[fake:hang]]"}]}"#))
                done.signal()
            }
            return done
        }

        /// Start-up's code pages are handed back before the loop runs (they come back from the
        /// binary when used), and the proxy serves as before: a completion after the release.
        @Test(.needsRealCLI) func theStartUpCodeIsReleasedAndTheProxyServes() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            #expect(ProcessTable.waitUntil { proxy.log.contains("start-up code released") })
            let released = proxy.log.split(separator: "\n").first { $0.contains("start-up code released") }
                .flatMap { $0.split(separator: " ").first { $0.hasPrefix("bytes=") } }
                .flatMap { Int($0.dropFirst("bytes=".count)) }
            #expect((released ?? 0) > 1 << 20, "\(proxy.log.prefix(1500))")
            let reply = proxy.chat(chatBody("hi"))
            #expect(reply.status == 200, "\(reply.text.prefix(300))")
        }

        @Test func beyondTheQueueIs429WithRetryAfter() throws {
            let proxy = try ProxyProcess(cli: TestEnvironment.fakeCLI,
                                         arguments: ["--max-concurrency", "1", "--queue-size", "0", "--drain-timeout", "1"])
            defer { proxy.stop() }
            let results = Results()
            _ = hangInBackground(proxy, results)
            #expect(ProcessTable.waitUntil { !proxy.children.isEmpty })
            let rejected = proxy.chat(#"{"messages":[{"role":"user","content":"x"}]}"#)
            #expect(rejected.status == 429)
            #expect(rejected.error?["code"] as? String == "queue_full")
            #expect(Int(rejected.header("retry-after") ?? "") != nil)
            #expect(proxy.children.count == 1)
        }

        @Test(.needsRealCLI) func aQueuedStreamIsKeptAliveThenServed() throws {
            let proxy = try ProxyProcess(arguments: ["--max-concurrency", "1", "--keepalive-interval", "0.3"])
            defer { proxy.stop() }
            let gate = "q\(UInt32.random(in: 0...UInt32.max))"
            let first = Results()
            let firstDone = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                first.add(proxy.chat(chatBody("first", scenario: "gate:\(gate)")))
                firstDone.signal()
            }
            #expect(ProcessTable.waitUntil { !proxy.children.isEmpty })
            var releasedWhileQueued: Bool?
            let second = proxy.chat(chatBody("second", stream: true)) { _, soFar in
                let text = String(decoding: soFar, as: UTF8.self)
                if releasedWhileQueued == nil, text.hasPrefix(": keep-alive") {
                    releasedWhileQueued = TestEnvironment.mock.release(gate: gate)
                }
                return true
            }
            #expect(releasedWhileQueued == true, "no keep-alive reached the queued stream before the first request ended")
            #expect(second.status == 200)
            #expect(second.dataLines.last == "[DONE]")
            let content = second.streamedContent
            #expect(content == "Hello from mock.")
            #expect(firstDone.wait(timeout: .now() + 30) == .success)
            #expect(first.all.first?.status == 200)
        }

        @Test func aRequestThatWaitsTooLongIs429() throws {
            let proxy = try ProxyProcess(cli: TestEnvironment.fakeCLI,
                                         arguments: ["--max-concurrency", "1", "--queue-timeout", "1", "--drain-timeout", "1"])
            defer { proxy.stop() }
            _ = hangInBackground(proxy, Results())
            #expect(ProcessTable.waitUntil { !proxy.children.isEmpty })
            let timedOut = proxy.chat(#"{"messages":[{"role":"user","content":"x"}]}"#)
            #expect(timedOut.status == 429)
            #expect(timedOut.error?["code"] as? String == "queue_timeout")
        }

        @Test func aSilentCLIMeetsTheIdleDeadline() throws {
            let proxy = try ProxyProcess(cli: TestEnvironment.fakeCLI, arguments: ["--idle-timeout", "1"])
            defer { proxy.stop() }
            let response = proxy.chat(#"{"messages":[{"role":"user","content":"[[fake:hang]]"}]}"#)
            #expect(response.status == 504)
            #expect(response.error?["code"] as? String == "timeout")
            #expect(ProcessTable.waitUntil { proxy.children.isEmpty })
        }

        @Test(.needsRealCLI) func sigtermLetsARunningStreamFinish() throws {
            let proxy = try ProxyProcess()
            let gate = "d\(UInt32.random(in: 0...UInt32.max))"
            var signalled = false
            let response = proxy.chat(chatBody("x", scenario: "gate:\(gate)", stream: true)) { _, soFar in
                if !signalled, String(decoding: soFar, as: UTF8.self).contains("Hello") {
                    signalled = true
                    kill(proxy.pid, SIGTERM)
                    // New connections are refused while the running stream drains.
                    #expect(ProcessTable.waitUntil { CurlClient.request("GET", proxy.baseURL + "/health").curlCode != 0 })
                    #expect(TestEnvironment.mock.release(gate: gate))
                }
                return true
            }
            #expect(signalled)
            #expect(response.status == 200)
            #expect(response.dataLines.last == "[DONE]")
            #expect(response.text.contains(" mock."))
            #expect(proxy.stop() == 0)
        }

        /// A reader slower than the CLI: the proxy stops reading the CLI's stdout past its
        /// high-water mark instead of buffering the whole answer (40 MB here).
        @Test func aSlowReaderKeepsTheProxysMemoryBounded() throws {
            let proxy = try ProxyProcess(cli: TestEnvironment.fakeCLI)
            defer { proxy.stop() }
            let baseline = residentKB(proxy.pid)
            var peak = baseline
            var chunks = 0
            let response = CurlClient.json(
                "POST", proxy.baseURL + "/v1/chat/completions", key: ProxyProcess.key,
                body: #"{"stream":true,"messages":[{"role":"user","content":"[[fake:flood]]"}]}"#,
                maxBytesPerSecond: 8 << 20
            ) { _, _ in
                chunks += 1
                if chunks % 64 == 0 { peak = max(peak, residentKB(proxy.pid)) }
                return true
            }
            #expect(response.status == 200)
            #expect(response.body.count > 40_000_000)
            #expect(response.dataLines.last == "[DONE]")
            // Buffering the answer would cost 40 MB or more; the high-water mark is 1 MiB.
            #expect(peak - baseline < 24 * 1024, "RSS grew by \(peak - baseline) kB")
        }
    }
}

/// VmRSS of a process, in kB.
func residentKB(_ pid: Int32) -> Int {
    let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
}

extension Integration {
    @Suite struct Observability {
        @Test(.needsRealCLI) func metricsCountRequestsAndChildren() throws {
            // Keeping nothing, so every CLI ends with its request.
            let proxy = try ProxyProcess(arguments: ["--max-parked", "0"])
            defer { proxy.stop() }
            #expect(proxy.chat(chatBody("x")).status == 200)
            #expect(proxy.chat(chatBody("x", scenario: "err429")).status == 429)
            #expect(proxy.get("/metrics", key: nil).status == 401)
            #expect(ProcessTable.waitUntil { proxy.children.isEmpty })
            let metrics = proxy.get("/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.header("content-type")?.hasPrefix("text/plain") == true)
            let lines = Set(metrics.text.split(separator: "\n").map(String.init))
            #expect(lines.contains(#"ccp_requests_total{endpoint="/chat/completions",status="200"} 1"#))
            #expect(lines.contains(#"ccp_requests_total{endpoint="/chat/completions",status="429"} 1"#))
            #expect(lines.contains("ccp_children 0"))
            #expect(lines.contains("ccp_requests_in_flight 0"))
            let cpu = lines.first { $0.hasPrefix("ccp_child_cpu_seconds_total ") }
            #expect(Double(cpu?.split(separator: " ").last ?? "") ?? 0 > 0, "the CLIs' CPU time was not counted")
            // The access log: one line per request, with timings and every refusal's error code, never the key.
            #expect(proxy.log.contains("ttfb_ms="))
            let access = proxy.log.split(separator: "\n").filter { $0.contains("msg=request ") }
            #expect(access.contains { $0.contains("status=429") && $0.contains("error=rate_limit_exceeded") }, "\(access)")
            #expect(access.contains { $0.contains("status=401") && $0.contains("error=") }, "\(access)")
            #expect(access.filter { $0.contains("status=200") }.allSatisfy { !$0.contains("error=") })
            #expect(!proxy.log.contains(ProxyProcess.key))
        }
    }
}
