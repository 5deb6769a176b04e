import Foundation
import Testing

extension Integration {
    /// `claude-code-proxy bench` and the proxy's own timing: against a server whose timing is
    /// known exactly, against the running proxy (real CLI, mock upstream), and the figures as
    /// clients see them.
    @Suite struct Profiling {
        /// Runs the binary's `bench` subcommand; returns its exit status, its output and its JSON report.
        static func bench(_ arguments: [String]) throws -> (status: Int32, output: String, report: [String: Any]) {
            let json = NSTemporaryDirectory() + "bench-\(UUID().uuidString.prefix(8)).json"
            defer { try? FileManager.default.removeItem(atPath: json) }
            let (status, text) = try Command.run(
                TestEnvironment.proxyBinary, ["bench"] + arguments + ["--json", json, "--quiet"],
                environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
            let data = FileManager.default.contents(atPath: json) ?? Data()
            let report = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
            return (status, text, report)
        }

        static func samples(_ report: [String: Any]) -> [[String: Any]] { report["samples"] as? [[String: Any]] ?? [] }

        static func median(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }

        /// The known-timing server (Support/timed_sse.py): first chunk after `delay` ms, then `chunks - 1`
        /// more `interval` ms apart. It ends when its stdin closes (a signal may be ignored in this
        /// process's children), which `stop` does.
        final class TimedServer {
            let process = Process()
            let stdin = Pipe()
            let port: Int

            init(delay: Int, interval: Int, chunks: Int) throws {
                let stdout = Pipe()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = ["python3", TestEnvironment.packageRoot
                    .appendingPathComponent("Tests/Integration/Support/timed_sse.py").path, "\(delay)", "\(interval)", "\(chunks)"]
                process.standardInput = stdin
                process.standardOutput = stdout
                try process.run()
                let line = stdout.fileHandleForReading.readLine() ?? ""
                port = try #require(Int(line.split(separator: " ").last ?? ""), "\(line)")
            }

            var url: String { "http://127.0.0.1:\(port)/v1" }

            func stop() {
                try? stdin.fileHandleForWriting.close()
                process.waitUntilExit()
            }
        }

        /// A server that sends its first chunk 150 ms after the request and the next ones 20 ms
        /// apart: the profiler reads each token's arrival, never earlier than it was sent, and its
        /// summary is the median of what it read. (Bounds below, not above: how late a loaded
        /// machine delivers is not the profiler's error; bench/ measures that.)
        @Test func theProfilerReadsKnownTimingBack() throws {
            let server = try TimedServer(delay: 150, interval: 20, chunks: 6)
            defer { server.stop() }
            let port = server.port
            let (status, output, report) = try Self.bench(["--url", "http://127.0.0.1:\(port)/v1", "--requests", "20",
                                                           "--concurrency", "2", "--warmup", "1"])
            #expect(status == 0, "\(output)")
            let samples = Self.samples(report)
            #expect(samples.count == 20, "warm-up requests are not counted")
            let ttfts = samples.compactMap { sample -> Double? in
                guard let times = sample["tokenTimes"] as? [Double], let sent = sample["sent"] as? Double else { return nil }
                return times.first.map { $0 - sent }
            }
            let gaps = samples.flatMap { sample -> [Double] in
                let times = sample["tokenTimes"] as? [Double] ?? []
                return zip(times.dropFirst(), times).map { $0 - $1 }
            }
            #expect(ttfts.count == 20 && gaps.count == 100)
            #expect(ttfts.allSatisfy { $0 >= 0.150 }, "a token read before the server sent it: \(ttfts)")
            // The last of the six chunks leaves the server 150 + 5 × 20 ms after the request at the earliest.
            let lasts = samples.compactMap { sample -> Double? in
                guard let times = sample["tokenTimes"] as? [Double], let sent = sample["sent"] as? Double else { return nil }
                return times.last.map { $0 - sent }
            }
            #expect(lasts.count == 20 && lasts.allSatisfy { $0 >= 0.250 }, "\(lasts)")
            // The summary agrees with the raw timings, and the server's count of tokens is used.
            let figures = ((report["levels"] as? [[String: Any]])?.first?["targets"] as? [[String: Any]])?.first ?? [:]
            let ttft = figures["ttft"] as? [String: Any] ?? [:]
            // The summary is the samples' median, to its histogram's resolution (1 %).
            let p50 = ttft["p50"] as? Double ?? 0
            #expect(abs(p50 - Self.median(ttfts)) <= Self.median(ttfts) * 0.01, "p50 \(p50), median \(Self.median(ttfts))")
            #expect((samples.first?["outputTokens"] as? Int) == 6)
            #expect(output.contains("time to first token") && output.contains("inter-token latency"))
        }

        /// A sweep runs each level in turn; a duration stops new requests; a rate starts them on its own clock.
        @Test func sweepsDurationsAndRates() throws {
            let server = try TimedServer(delay: 20, interval: 5, chunks: 3)
            defer { server.stop() }
            let html = NSTemporaryDirectory() + "bench-\(UUID().uuidString.prefix(8)).html"
            defer { try? FileManager.default.removeItem(atPath: html) }
            let sweep = try Self.bench(["--url", server.url, "--sweep", "1,3", "--requests", "4", "--html", html])
            #expect(sweep.status == 0, "\(sweep.output)")
            let levels = (sweep.report["levels"] as? [[String: Any]] ?? []).compactMap { $0["concurrency"] as? Int }
            #expect(levels == [1, 3])
            #expect(Self.samples(sweep.report).filter { $0["concurrency"] as? Int == 3 }.count == 4)
            #expect(try String(contentsOfFile: html, encoding: .utf8).contains("Time to first token against concurrency"))
            #expect(sweep.output.contains("concurrency 1 ·") && sweep.output.contains("concurrency 3 ·"))

            // Every answer takes longer than the duration: the two requests started first are the
            // only ones, since a third could start only when one of them ends, after the duration.
            let slow = try TimedServer(delay: 800, interval: 5, chunks: 2)
            defer { slow.stop() }
            let timed = try Self.bench(["--url", slow.url, "--duration", "0.5", "--concurrency", "2"])
            #expect(timed.status == 0, "\(timed.output)")
            let sent = Self.samples(timed.report).compactMap { $0["sent"] as? Double }
            #expect((1...2).contains(sent.count), "no request starts after the duration: \(sent)")

            // Poisson arrivals at 40/s, at most 8 at once: 12 requests, started in time order, not all at once.
            let rated = try Self.bench(["--url", server.url, "--rate", "40", "--requests", "12", "--concurrency", "8"])
            #expect(rated.status == 0, "\(rated.output)")
            let starts = Self.samples(rated.report).compactMap { $0["sent"] as? Double }
            #expect(starts.count == 12 && starts == starts.sorted())
            // Without the rate the first 8 would start within a few milliseconds of each other; the
            // seeded arrivals put 73 ms between them.
            #expect(starts.count == 12 && starts[7] - starts[0] > 0.03, "arrivals are spread: \(starts)")
            #expect(rated.output.contains("40.00 req/s offered"))
        }

        @Test(.needsRealCLI) func benchAgainstTheProxyShowsItsPhases() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let html = NSTemporaryDirectory() + "bench-\(UUID().uuidString.prefix(8)).html"
            defer { try? FileManager.default.removeItem(atPath: html) }
            let (status, output, report) = try Self.bench([
                "--url", proxy.baseURL + "/v1", "--api-key", ProxyProcess.key, "--requests", "6", "--concurrency", "2",
                "--html", html])
            #expect(status == 0, "\(output)")
            let samples = Self.samples(report)
            #expect(samples.count == 6)
            for sample in samples {
                #expect(sample["status"] as? Int == 200 && sample["error"] == nil, "\(sample)")
                let entries = ((sample["serverTiming"] as? [String: Any])?["entries"] as? [[String: Any]]) ?? []
                let timing = Dictionary(entries.map { ($0["name"] as? String ?? "", $0["milliseconds"] as? Double ?? -1) },
                                        uniquingKeysWith: { a, _ in a })
                #expect(Set(timing.keys).isSuperset(of: ["queue", "spawn", "cli", "upstream", "first_token", "total"]), "\(timing)")
                // The client sees the first token no sooner than the proxy sent it, and the end no
                // sooner than the proxy finished.
                let times = sample["tokenTimes"] as? [Double] ?? []
                let sent = sample["sent"] as? Double ?? 0, ended = sample["ended"] as? Double ?? 0
                #expect((times.first ?? 0) - sent >= (timing["first_token"] ?? .infinity) / 1000 - 0.0001)
                #expect(ended - sent >= (timing["total"] ?? .infinity) / 1000 - 0.0001)
                // The phases are parts of the time to first token.
                let parts = ["queue", "spawn", "cli", "upstream"].compactMap { timing[$0] }.reduce(0, +)
                #expect(parts <= (timing["first_token"] ?? 0) + 0.5)
            }
            #expect(output.contains("server phases (Server-Timing):"))
            let page = try String(contentsOfFile: html, encoding: .utf8)
            #expect(page.contains("<svg") && page.contains("Each request on the run"))
            // The proxy's own histograms saw the same requests.
            #expect(proxy.metric(#"ccp_time_to_first_token_seconds_count{endpoint="/chat/completions",start="cold"}"#) == 6)
            #expect(proxy.metric(#"ccp_spawn_seconds_count{endpoint="/chat/completions",start="cold"}"#) == 6)
            #expect((proxy.metric(#"ccp_inter_token_seconds_count{endpoint="/chat/completions",start="cold"}"#) ?? 0) >= 6)
        }

        @Test(.needsRealCLI) func benchComparesTwoEndpointsInPairsOnResponses() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            // The key from a file, the prompts from JSON Lines (taken in turn).
            let directory = NSTemporaryDirectory() + "bench-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try (ProxyProcess.key + "\n").write(toFile: directory + "/key", atomically: true, encoding: .utf8)
            try #"{"prompt": "one"}\#n"two"\#n{"messages": [{"role": "user", "content": "three"}]}\#n"#
                .write(toFile: directory + "/prompts.jsonl", atomically: true, encoding: .utf8)
            let (status, output, report) = try Self.bench([
                "--url", proxy.baseURL + "/v1", "--compare", proxy.baseURL + "/v1", "--api-key-file", directory + "/key",
                "--prompts", directory + "/prompts.jsonl", "--max-tokens", "64",
                "--endpoint", "responses", "--requests", "4", "--concurrency", "2"])
            #expect(status == 0, "\(output)")
            let samples = Self.samples(report)
            #expect(samples.filter { $0["target"] as? Int == 0 }.count == 4)
            #expect(samples.filter { $0["target"] as? Int == 1 }.count == 4)
            #expect(samples.allSatisfy { $0["status"] as? Int == 200 && $0["error"] == nil })
            let comparison = (report["levels"] as? [[String: Any]])?.first?["comparison"] as? [String: Any]
            #expect((comparison?["ttft"] as? [String: Any])?["pairs"] as? Int == 4)
            #expect(output.contains("second − first, paired"))
        }

        @Test func benchCountsErrorsByStatus() throws {
            let proxy = try ProxyProcess(cli: TestEnvironment.fakeCLI)
            defer { proxy.stop() }
            let (status, output, report) = try Self.bench([
                "--url", proxy.baseURL + "/v1", "--api-key", "wrong-key", "--requests", "3"])
            #expect(status == 1, "every request failed: \(output)")
            #expect(Self.samples(report).allSatisfy { $0["status"] as? Int == 401 })
            #expect(output.contains("errors by status: 401×3"))
        }

        /// The header and the stream's comment line change nothing the official SDK returns.
        @Test(.needsRealCLI) func theOpenAISDKReadsTimedRepliesUnchanged() throws {
            let proxy = try ProxyProcess()
            defer { proxy.stop() }
            let (status, text) = try SDKCheck.run("timing_check.py", against: proxy)
            #expect(status == 0, "\(text)")
            #expect(text.contains("server-timing ok"), "\(text)")
        }
    }
}
