/// The report as a terminal table: per level and endpoint, the latency rows (milliseconds), the
/// server's phases beneath, throughput and errors, and the paired differences.
package enum TableReport {
    package static func render(_ report: BenchReport) -> String {
        var out = ""
        let settings = report.settings
        for level in report.levels {
            out += "\nconcurrency \(level.concurrency) · \(settings.endpoint.rawValue) · model \(settings.model)"
            if let rate = settings.rate { out += " · \(Figure.fixed(rate, 2)) req/s offered" }
            out += "\n"
            for figures in level.targets {
                out += "\n\(figures.url)\n"
                out += "  \(figures.succeeded)/\(figures.requests) ok"
                if !figures.errors.isEmpty {
                    out += " · errors by status: " + figures.errors.sorted { $0.key < $1.key }
                        .map { "\($0.key == "0" ? "none" : $0.key)×\($0.value)" }.joined(separator: " ")
                }
                out += " · \(Figure.fixed(figures.requestsPerSecond, 2)) req/s · "
                out += "\(Figure.fixed(figures.outputTokensPerSecond, 1)) output tokens/s\n"
                out += pad("  ms", 26) + ["mean", "p50", "p90", "p99", "max"].map { pad($0, 9, right: true) }.joined() + "\n"
                let rows: [(String, LatencySummary?)] = [
                    ("time to first token", figures.ttft), ("inter-token latency", figures.interToken),
                    ("time per output token", figures.timePerOutputToken), ("end-to-end", figures.endToEnd),
                ]
                for (name, summary) in rows { out += row("  " + name, summary) }
                if !figures.phases.isEmpty {
                    out += "  server phases (Server-Timing):\n"
                    for phase in figures.phases { out += row("    " + phase.name, phase.summary) }
                }
            }
            if let comparison = level.comparison, level.targets.count == 2 {
                out += "\nsecond − first, paired (median, bootstrap 95 % interval):\n"
                for (name, value) in [("time to first token", comparison.ttft), ("end-to-end", comparison.endToEnd)] {
                    guard let value else { continue }
                    out += "  \(pad(name, 22)) \(Figure.ms(value.medianDifference)) ms  "
                    out += "[\(Figure.ms(value.low)), \(Figure.ms(value.high))]  \(value.pairs) pairs"
                    out += value.isSignificant ? "\n" : "  (within noise)\n"
                }
            }
        }
        return out
    }

    private static func row(_ name: String, _ summary: LatencySummary?) -> String {
        guard let summary else { return pad(name, 26) + pad("-", 9, right: true) + "\n" }
        return pad(name, 26) + [summary.mean, summary.p50, summary.p90, summary.p99, summary.max]
            .map { pad(Figure.ms($0), 9, right: true) }.joined() + "\n"
    }

    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }
}
