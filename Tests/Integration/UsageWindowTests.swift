import Foundation
import Glibc
import HTTPStreamClient
import Testing

extension Integration {
    /// The subscription's usage windows through the real CLI as a subscriber, the mock sending
    /// Anthropic's unified rate-limit headers: seen on every reply and at /v1/usage, a used-up
    /// window refused once upstream and then answered by the proxy itself, a key's reserve kept.
    @Suite struct UsageWindows {
        private func tag(_ name: String) -> String { "\(name)\(UInt32.random(in: 0...UInt32.max))" }

        private func messages(_ proxy: ProxyProcess, _ text: String, key: String = ProxyProcess.key) -> CurlResponse {
            let body = #"{"model":"claude-sonnet-4-5","max_tokens":100,"messages":[{"role":"user","content":"\#(text)"}]}"#
            return CurlClient.request("POST", proxy.baseURL + "/v1/messages",
                                      headers: ["Content-Type: application/json", "x-api-key: \(key)",
                                                "anthropic-version: 2023-06-01"], body: Array(body.utf8))
        }

        @Test(.needsRealCLI) func aWarningPassesAndTheStateIsSeenEverywhere() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let before = proxy.get("/v1/usage")
            #expect(before.status == 200)
            #expect(before.text.contains(#""five_hour":{"resets_at":null"#), "null until the first report: \(before.text)")
            let warned = proxy.chat(chatBody("hi [[limits:warn]]"))
            #expect(warned.status == 200, "a warning never fails a request")
            #expect(warned.header("anthropic-ratelimit-unified-status") == "allowed_warning")
            #expect(warned.header("anthropic-ratelimit-unified-5h-utilization") == "0.85")
            #expect(warned.header("anthropic-ratelimit-unified-5h-surpassed-threshold") == "0.75")
            // The state outlives the request, on every endpoint, whole and streamed.
            let later = messages(proxy, "hi")
            #expect(later.status == 200)
            #expect(later.header("anthropic-ratelimit-unified-5h-utilization") == "0.85")
            let streamed = proxy.responses(#"{"model":"sonnet","stream":true,"input":"hi [[limits:allowed]]"}"#)
            #expect(streamed.header("anthropic-ratelimit-unified-5h-utilization") == "0.85", "the headers left before the answer")
            #expect(streamed.text.contains(": ratelimit status=allowed"), "the fresh state trails the stream")
            #expect(streamed.text.contains("5h-utilization=0.12"))
            let usage = proxy.get("/v1/usage").json
            let five = (usage["windows"] as? [String: Any])?["five_hour"] as? [String: Any] ?? [:]
            #expect(five["utilization"] as? Double == 0.12)
            #expect((five["resets_in_seconds"] as? Int).map { $0 > 3000 && $0 <= 3600 } == true, "\(five)")
            #expect(usage["login"] as? String == "subscription")
            #expect(proxy.metric(#"ccp_usage_utilization{window="five_hour"}"#) == 0.12)
            #expect(proxy.metric(#"ccp_usage_status{window="five_hour",status="allowed"}"#) == 1)
            #expect(proxy.get("/v1/usage", key: "wrong").status == 401, "the usage needs the key")
        }

        @Test(.needsRealCLI) func aUsedUpWindowIsA429UntilItsReset() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let refusedTag = tag("refused")
            let refused = proxy.chat(chatBody("hi [[limits:rejected]]", tag: refusedTag))
            #expect(refused.status == 429, "\(refused.text)")
            let error = refused.json["error"] as? [String: Any] ?? [:]
            #expect(error["code"] as? String == "usage_limit_reached")
            #expect((error["message"] as? String)?.contains("5-hour") == true)
            let wait = Int(refused.header("retry-after") ?? "") ?? 0
            #expect(wait > 3500 && wait <= 3600, "Retry-After counts to the reset: \(wait)")
            #expect(refused.header("x-should-retry") == "false")
            #expect(TestEnvironment.mock.requests(tag: refusedTag).count == 1, "refused once upstream, never retried")
            // While the window is used up, the proxy answers at once: no CLI, no upstream call.
            let nextTag = tag("blocked")
            let blocked = proxy.chat(chatBody("hi", tag: nextTag))
            #expect(blocked.status == 429)
            #expect(blocked.header("anthropic-ratelimit-unified-status") == "rejected")
            #expect(TestEnvironment.mock.requests(tag: nextTag).isEmpty)
            let anthropic = messages(proxy, "hi")
            #expect(anthropic.status == 429)
            #expect(anthropic.text.contains(#""error_code":"usage_limit_reached""#))
            #expect(anthropic.text.contains("rate_limit_error"))
            #expect(ProcessTable.waitUntil { proxy.metric(#"ccp_usage_refusals_total{window="five_hour"}"#) == 1 })
            #expect(proxy.metric(#"ccp_usage_blocked_total{window="five_hour"}"#) == 2)
            #expect(ProcessTable.waitUntil { proxy.log.contains("usage_window=five_hour") })
            #expect(proxy.get("/health").status == 200)
        }

        @Test(.needsRealCLI) func theNextRequestAfterTheResetGoesThrough() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            #expect(proxy.chat(chatBody("hi [[limits:rejected_soon]]")).status == 429)
            #expect(proxy.chat(chatBody("hi")).status == 429, "the window resets in 3 s")
            let reset = try #require(Int(proxy.get("/v1/usage").json["windows"].flatMap {
                (($0 as? [String: Any])?["five_hour"] as? [String: Any])?["resets_at"] as? Int
            }.map(String.init) ?? ""))
            // Waits for the reset itself (a gate on the wall clock the window names), then goes on.
            while Int(Date().timeIntervalSince1970) <= reset { usleep(100_000) }
            let after = proxy.chat(chatBody("hi [[limits:allowed]]"))
            #expect(after.status == 200, "\(after.text)")
        }

        /// A background job's key stops at half of a window, an interactive tool's key goes on.
        @Test(.needsRealCLI) func aKeysReserveIsKeptForThePerson() throws {
            let directory = NSTemporaryDirectory() + "ccp-keys-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let keys = directory + "/keys"
            FileManager.default.createFile(atPath: keys, contents: Data("nightly-job reserve=50\neditor reserve=10\n".utf8))
            let proxy = try ProxyProcess(arguments: ["--api-key-file", keys])
            defer { proxy.stop() }
            let job = proxy.chat(chatBody("hi [[limits:high]]"), key: "nightly-job")
            #expect(job.status == 200, "nothing was known before this answer")
            let stoppedTag = tag("reserved")
            let stopped = proxy.chat(chatBody("again", tag: stoppedTag), key: "nightly-job")
            #expect(stopped.status == 429)
            #expect((stopped.json["error"] as? [String: Any])?["code"] as? String == "quota_reserved")
            let wait = Int(stopped.header("retry-after") ?? "") ?? 0
            #expect(wait > 3500 && wait <= 3600)
            #expect(TestEnvironment.mock.requests(tag: stoppedTag).isEmpty, "it never reached the CLI")
            #expect(proxy.chat(chatBody("hi"), key: "editor").status == 200, "83 % is under the editor's 90 %")
            #expect(proxy.get("/v1/usage", key: "nightly-job").json["reserve_percent"] as? Int == 50)
            #expect(proxy.get("/health").status == 200)
        }
    }
}
