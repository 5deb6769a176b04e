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
            let process = Process()
            process.executableURL = URL(fileURLWithPath: TestEnvironment.proxyBinary)
            process.arguments = ["bench"] + arguments + ["--json", json, "--quiet"]
            process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            let data = FileManager.default.contents(atPath: json) ?? Data()
            let report = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
            return (process.terminationStatus, text, report)
        }

        static func samples(_ report: [String: Any]) -> [[String: Any]] { report["samples"] as? [[String: Any]] ?? [] }

        static func median(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }

        /// A server that sends its first chunk 150 ms after the request and the next ones 20 ms
        /// apart: the profiler must read those back within 2 ms at the median.
        @Test func theProfilerReadsKnownTimingBackWithinTwoMilliseconds() throws {
            let server = Process()
            server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            server.arguments = ["python3", TestEnvironment.packageRoot
                .appendingPathComponent("Tests/Integration/Support/timed_sse.py").path, "150", "20", "6"]
            let stdin = Pipe(), stdout = Pipe()
            server.standardInput = stdin
            server.standardOutput = stdout
            try server.run()
            defer {
                // It ends when its stdin closes (a signal may be ignored in this process's children).
                try? stdin.fileHandleForWriting.close()
                server.waitUntilExit()
            }
            let line = stdout.fileHandleForReading.readLine() ?? ""
            let port = try #require(Int(line.split(separator: " ").last ?? ""), "\(line)")
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
            #expect(abs(Self.median(ttfts) - 0.150) < 0.002, "median TTFT \(Self.median(ttfts))")
            #expect(abs(Self.median(gaps) - 0.020) < 0.002, "median gap \(Self.median(gaps))")
            // The summary agrees with the raw timings, and the server's count of tokens is used.
            let figures = ((report["levels"] as? [[String: Any]])?.first?["targets"] as? [[String: Any]])?.first ?? [:]
            let ttft = figures["ttft"] as? [String: Any] ?? [:]
            #expect(abs((ttft["p50"] as? Double ?? 0) - Self.median(ttfts)) < 0.001)
            #expect((samples.first?["outputTokens"] as? Int) == 6)
            #expect(output.contains("time to first token") && output.contains("inter-token latency"))
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
            let (status, output, report) = try Self.bench([
                "--url", proxy.baseURL + "/v1", "--compare", proxy.baseURL + "/v1", "--api-key", ProxyProcess.key,
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
