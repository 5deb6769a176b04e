/// The report as one self-contained HTML page: the figures as tables, the distributions of time
/// to first token and end-to-end latency (CDFs, both endpoints on one chart), each request on a
/// time line with its phases as bars, and with a sweep, latency and throughput against concurrency.
package enum HTMLReport {
    /// Requests drawn on a time line at most (the first ones sent); the JSON has them all.
    static let timelineRows = 240

    static let phaseColors: [(String, String)] = [
        ("queue", "#9ca3af"), ("spawn", "#f59e0b"), ("cli", "#ef4444"), ("upstream", "#8b5cf6"),
        ("model", "#2563eb"), ("streaming", "#93c5fd"),
    ]

    package static func render(_ report: BenchReport) -> String {
        let settings = report.settings
        var body = "<h1>claude-code-proxy bench</h1><p class=\"sub\">\(SVGChart.escape(settings.endpoint.rawValue)) · model "
        body += "\(SVGChart.escape(settings.model)) · \(report.samples.count) requests"
        if let rate = settings.rate { body += " · \(Figure.fixed(rate, 2)) req/s offered (Poisson)" }
        if settings.warmup > 0 { body += " · \(settings.warmup) warm-up requests not counted" }
        body += "</p>"
        if report.levels.count > 1 { body += sweep(report) }
        for level in report.levels {
            if report.levels.count > 1 { body += "<h2>Concurrency \(level.concurrency)</h2>" }
            body += "<div class=\"row\">" + level.targets.enumerated().map {
                table($1, title: label($0, $1.url, level), color: SVGChart.colors[$0 % 5])
            }.joined() + "</div>"
            if let comparison = level.comparison { body += compare(comparison, level: level) }
            let samples = report.samples.filter { $0.concurrency == level.concurrency && $0.succeeded }
            body += "<div class=\"row\">"
            body += chart("Time to first token, cumulative", level: level, samples: samples, xLabel: "ms") { $0.ttft }
            body += chart("End-to-end latency, cumulative", level: level, samples: samples, xLabel: "ms") { $0.endToEnd }
            body += "</div>"
            body += "<h3>Each request on the run's time line</h3><p class=\"legend\">"
            body += phaseColors.map { "<span style=\"background:\($1)\"></span>\($0)" }.joined(separator: " ")
            body += " <span style=\"background:#dc2626\"></span>failed — phases from the server's Server-Timing where it sent one</p>"
            body += "<div class=\"row\">"
            let all = report.samples.filter { $0.concurrency == level.concurrency }
            let window = (all.map(\.sent).min() ?? 0, all.map(\.ended).max() ?? 1)
            for (target, figures) in level.targets.enumerated() {
                let rows = all.filter { $0.target == target }
                body += "<div><p class=\"url\" style=\"color:\(SVGChart.colors[target % 5])\">\(label(target, figures.url, level))</p>"
                body += "\(timeline(rows, window: window))</div>"
            }
            body += "</div>"
        }
        return """
            <!doctype html><html><head><meta charset="utf-8"><title>claude-code-proxy bench</title><style>
            body{font-family:system-ui,sans-serif;margin:24px;color:#111827;max-width:1240px}
            h1{font-size:22px;margin:0}h2{font-size:18px;margin-top:32px}h3{font-size:15px;margin:20px 0 4px}
            .sub{color:#4b5563;margin-top:4px}.row{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
            table{border-collapse:collapse;font-size:13px;margin-top:8px}td,th{padding:3px 10px;text-align:right}
            td:first-child,th:first-child{text-align:left}tr.phase td{color:#4b5563}th{border-bottom:1px solid #d1d5db}
            .url{font-weight:600;margin:8px 0 2px}.legend span{display:inline-block;width:12px;height:10px;margin:0 4px 0 10px}
            .legend{font-size:12px;color:#4b5563}.note{font-size:13px}
            </style></head><body>\(body)</body></html>

            """
    }

    /// An endpoint's name on the page: its URL, numbered when there are two.
    private static func label(_ target: Int, _ url: String, _ level: BenchReport.Level) -> String {
        (level.targets.count > 1 ? "\(target + 1): " : "") + SVGChart.escape(url)
    }

    private static func table(_ figures: BenchReport.Figures, title: String, color: String) -> String {
        var html = "<div><p class=\"url\" style=\"color:\(color)\">\(title)</p><p class=\"note\">"
        html += "\(figures.succeeded)/\(figures.requests) ok · \(Figure.fixed(figures.requestsPerSecond, 2)) req/s · "
        html += "\(Figure.fixed(figures.outputTokensPerSecond, 1)) output tokens/s"
        if !figures.errors.isEmpty {
            html += " · errors: " + figures.errors.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")
        }
        html += "</p><table><tr><th>ms</th><th>mean</th><th>p50</th><th>p90</th><th>p99</th><th>max</th></tr>"
        let rows: [(String, LatencySummary?, Bool)] = [
            ("time to first token", figures.ttft, false), ("inter-token latency", figures.interToken, false),
            ("time per output token", figures.timePerOutputToken, false), ("end-to-end", figures.endToEnd, false),
        ] + figures.phases.map { ("server: \($0.name)", $0.summary, true) }
        for (name, summary, isPhase) in rows {
            html += "<tr\(isPhase ? " class=\"phase\"" : "")><td>\(SVGChart.escape(name))</td>"
            if let summary {
                html += [summary.mean, summary.p50, summary.p90, summary.p99, summary.max]
                    .map { "<td>\(Figure.ms($0))</td>" }.joined()
            } else {
                html += "<td colspan=\"5\">-</td>"
            }
            html += "</tr>"
        }
        return html + "</table></div>"
    }

    private static func compare(_ comparison: BenchReport.Comparison, level: BenchReport.Level) -> String {
        var html = "<p class=\"note\"><b>Second − first, paired</b> (median of the per-pair differences, bootstrap 95 % interval): "
        let parts = [("time to first token", comparison.ttft), ("end-to-end", comparison.endToEnd)].compactMap { name, value in
            value.map { value in
                "\(name) <b>\(Figure.ms(value.medianDifference)) ms</b> [\(Figure.ms(value.low)), \(Figure.ms(value.high))]"
                    + (value.isSignificant ? "" : " (within noise)")
            }
        }
        html += parts.joined(separator: "; ") + " over \(comparison.ttft?.pairs ?? 0) pairs.</p>"
        return html
    }

    private static func chart(_ title: String, level: BenchReport.Level, samples: [RequestSample], xLabel: String,
                              value: (RequestSample) -> Double?) -> String {
        let series = level.targets.indices.map { target in
            SVGChart.Series(name: (level.targets.count > 1 ? "\(target + 1): " : "") + level.targets[target].url, color: SVGChart.colors[target % 5],
                            points: SVGChart.cdfPoints(samples.filter { $0.target == target }.compactMap(value).map { $0 * 1000 }))
        }
        return "<div><h3>\(title)</h3>\(SVGChart.lines(series, xLabel: xLabel, yLabel: "share of requests", yMax: 1))</div>"
    }

    private static func sweep(_ report: BenchReport) -> String {
        var latency: [SVGChart.Series] = [], throughput: [SVGChart.Series] = []
        let levels = report.levels.map { Double($0.concurrency) }
        for target in report.settings.urls.indices {
            let color = SVGChart.colors[target % 5]
            let name = report.settings.urls.count > 1 ? " (\(target + 1))" : ""
            func points(_ value: (BenchReport.Figures) -> Double?) -> [(Double, Double)] {
                report.levels.compactMap { level in value(level.targets[target]).map { (Double(level.concurrency), $0) } }
            }
            latency.append(SVGChart.Series(name: "TTFT p50" + name, color: color, points: points { $0.ttft.map { $0.p50 * 1000 } }))
            latency.append(SVGChart.Series(name: "TTFT p99" + name, color: color, points: points { $0.ttft.map { $0.p99 * 1000 } },
                                           dashed: true))
            throughput.append(SVGChart.Series(name: "requests/s" + name, color: color, points: points { $0.requestsPerSecond }))
        }
        return "<h2>Sweep</h2><div class=\"row\"><div><h3>Time to first token against concurrency</h3>"
            + SVGChart.lines(latency, xLabel: "concurrency", yLabel: "ms", markers: true, xTicks: levels)
            + "</div><div><h3>Throughput against concurrency</h3>"
            + SVGChart.lines(throughput, xLabel: "concurrency", yLabel: "requests/s", markers: true, xTicks: levels) + "</div></div>"
    }

    /// One bar per request: the server's phases from the moment it was sent, the model's time to
    /// its first token, then the streaming to the end.
    private static func timeline(_ samples: [RequestSample], window: (Double, Double)) -> String {
        let rows = Array(samples.sorted { $0.sent < $1.sent }.prefix(timelineRows))
        guard !rows.isEmpty else { return "" }
        let start = window.0
        let width = 580.0, left = 8.0, top = 4.0
        let rowHeight = min(14, max(4, 320 / Double(rows.count)))
        let height = top + Double(rows.count) * rowHeight + 28
        let span = max(window.1 - window.0, 1e-3)
        let step = SVGChart.niceCeiling(span / 5)
        func x(_ seconds: Double) -> Double { left + 12 + (seconds - start) / span * (width - 2 * left - 24) }
        var svg = "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
        svg += "xmlns=\"http://www.w3.org/2000/svg\" font-family=\"system-ui,sans-serif\" font-size=\"11\">"
        func bar(_ from: Double, _ to: Double, _ y: Double, _ color: String) {
            guard to > from else { return }
            svg += "<rect x=\"\(SVGChart.f(x(from)))\" y=\"\(SVGChart.f(y))\" width=\"\(Figure.fixed(max(0.6, x(to) - x(from)), 2))\" "
            svg += "height=\"\(SVGChart.f(rowHeight - 1.5))\" fill=\"\(color)\"/>"
        }
        for (row, sample) in rows.enumerated() {
            let y = top + Double(row) * rowHeight
            guard sample.succeeded, let first = sample.tokenTimes.first else {
                bar(sample.sent, max(sample.ended, sample.sent + span / 400), y, "#dc2626")
                continue
            }
            var cursor = sample.sent
            for (name, color) in phaseColors.prefix(4) {
                guard let ms = sample.serverTiming?[name] else { continue }
                let next = min(first, cursor + ms / 1000)
                bar(cursor, next, y, color)
                cursor = next
            }
            bar(cursor, first, y, phaseColors[4].1)
            bar(first, sample.ended, y, phaseColors[5].1)
        }
        let axisY = top + Double(rows.count) * rowHeight + 4
        svg += "<line x1=\"\(SVGChart.f(left))\" x2=\"\(SVGChart.f(width - left))\" y1=\"\(SVGChart.f(axisY))\" y2=\"\(SVGChart.f(axisY))\" stroke=\"#9ca3af\"/>"
        for tick in stride(from: 0, through: span, by: step) {
            let seconds = tick
            svg += "<text x=\"\(SVGChart.f(x(start + seconds)))\" y=\"\(SVGChart.f(axisY + 14))\" text-anchor=\"middle\" fill=\"#4b5563\">"
            svg += "\(SVGChart.tick(seconds)) s</text>"
        }
        return svg + "</svg>"
    }
}
