/// A profiler run's figures, made from its samples: per concurrency level and endpoint, the
/// latency summaries, throughput, errors by status, the proxy's phases when the server reported
/// them, and with two endpoints their paired differences. Pure: the run collects samples, this
/// computes, the renderers print.
package struct BenchReport: Sendable, Codable {
    package struct Settings: Sendable, Codable {
        package var urls: [String]
        package var endpoint: CompletionStreamReader.Endpoint
        package var model: String
        package var maxTokens: Int?
        package var rate: Double?
        package var warmup: Int

        package init(urls: [String], endpoint: CompletionStreamReader.Endpoint, model: String, maxTokens: Int?,
                     rate: Double?, warmup: Int) {
            self.urls = urls
            self.endpoint = endpoint
            self.model = model
            self.maxTokens = maxTokens
            self.rate = rate
            self.warmup = warmup
        }
    }

    /// One endpoint's figures at one concurrency level (all durations in seconds).
    package struct Figures: Sendable, Codable {
        package var url: String
        package var requests: Int
        package var succeeded: Int
        /// Failed requests by HTTP status ("0" when no response came).
        package var errors: [String: Int]
        package var ttft: LatencySummary?
        package var interToken: LatencySummary?
        package var timePerOutputToken: LatencySummary?
        package var endToEnd: LatencySummary?
        package var outputTokensPerSecond: Double
        package var requestsPerSecond: Double
        /// The server's own phases (its `Server-Timing`), by name, in its order.
        package var phases: [Phase]

        package struct Phase: Sendable, Codable {
            package var name: String
            package var summary: LatencySummary
        }

        package init(url: String, samples: [RequestSample]) {
            self.url = url
            requests = samples.count
            let good = samples.filter(\.succeeded)
            succeeded = good.count
            var errors: [String: Int] = [:]
            for sample in samples where !sample.succeeded { errors["\(sample.status)", default: 0] += 1 }
            self.errors = errors
            ttft = LatencySummary(seconds: good.compactMap(\.ttft))
            interToken = LatencySummary(seconds: good.flatMap(\.interTokenGaps))
            timePerOutputToken = LatencySummary(seconds: good.compactMap(\.timePerOutputToken))
            endToEnd = LatencySummary(seconds: good.map(\.endToEnd))
            let wall = (samples.map(\.ended).max() ?? 0) - (samples.map(\.sent).min() ?? 0)
            outputTokensPerSecond = wall > 0 ? Double(good.map(\.tokensOut).reduce(0, +)) / wall : 0
            requestsPerSecond = wall > 0 ? Double(good.count) / wall : 0
            var names: [String] = []
            for sample in good { for entry in sample.serverTiming?.entries ?? [] where !names.contains(entry.name) {
                names.append(entry.name)
            } }
            phases = names.compactMap { name in
                LatencySummary(seconds: good.compactMap { $0.serverTiming?[name] }.map { $0 / 1000 })
                    .map { Phase(name: name, summary: $0) }
            }
        }
    }

    package struct Comparison: Sendable, Codable {
        /// Second endpoint minus first, per pair, in seconds.
        package var ttft: PairedComparison?
        package var endToEnd: PairedComparison?
    }

    package struct Level: Sendable, Codable {
        package var concurrency: Int
        package var targets: [Figures]
        package var comparison: Comparison?
    }

    package var settings: Settings
    package var levels: [Level]
    package var samples: [RequestSample]

    package init(settings: Settings, samples: [RequestSample]) {
        self.settings = settings
        self.samples = samples
        let concurrencies = samples.map(\.concurrency).reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } }
        levels = concurrencies.map { concurrency in
            let level = samples.filter { $0.concurrency == concurrency }
            let targets = settings.urls.indices.map { target in
                Figures(url: settings.urls[target], samples: level.filter { $0.target == target })
            }
            var comparison: Comparison?
            if settings.urls.count == 2 {
                let first = Dictionary(level.filter { $0.target == 0 && $0.succeeded }.map { ($0.index, $0) },
                                       uniquingKeysWith: { a, _ in a })
                let pairs = level.filter { $0.target == 1 && $0.succeeded }.compactMap { second in
                    first[second.index].map { ($0, second) }
                }
                comparison = Comparison(
                    ttft: PairedComparison(differences: pairs.compactMap { a, b in
                        guard let x = a.ttft, let y = b.ttft else { return nil }
                        return y - x
                    }),
                    endToEnd: PairedComparison(differences: pairs.map { a, b in b.endToEnd - a.endToEnd }))
            }
            return Level(concurrency: concurrency, targets: targets, comparison: comparison)
        }
    }
}

/// Numbers as people read them, without Foundation's formatter.
package enum Figure {
    /// `value` with `digits` decimals.
    package static func fixed(_ value: Double, _ digits: Int = 1) -> String {
        guard value.isFinite else { return "-" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int((abs(value) * scale).rounded())
        let whole = scaled / Int(scale)
        let fraction = scaled % Int(scale)
        var text = (value < 0 && scaled != 0 ? "-" : "") + "\(whole)"
        if digits > 0 {
            let digitsText = "\(fraction)"
            text += "." + String(repeating: "0", count: digits - digitsText.count) + digitsText
        }
        return text
    }

    /// Seconds as milliseconds with one decimal.
    package static func ms(_ seconds: Double?) -> String { seconds.map { fixed($0 * 1000) } ?? "-" }
}
