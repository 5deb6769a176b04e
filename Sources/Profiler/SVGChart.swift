/// Small inline SVG charts for the HTML report: lines with axes and ticks, and stacked bars on a
/// time line. Self-contained (no script, no external style), so the page opens anywhere.
enum SVGChart {
    struct Series {
        var name: String
        var color: String
        var points: [(Double, Double)]
        var dashed = false
    }

    static let colors = ["#2563eb", "#dc2626", "#059669", "#d97706", "#7c3aed"]

    static func lines(_ series: [Series], xLabel: String, yLabel: String, width: Double = 560, height: Double = 300,
                      yMax: Double? = nil, markers: Bool = false, xTicks: [Double]? = nil) -> String {
        let left = 58.0, right = 28.0, top = 14.0, bottom = 42.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let xs = series.flatMap { $0.points.map(\.0) }, ys = series.flatMap { $0.points.map(\.1) }
        let xMin = min(0, xs.min() ?? 0), xMax = xTicks?.max() ?? niceCeiling(max(xs.max() ?? 1, 1e-9))
        let yTop = yMax ?? niceCeiling(max(ys.max() ?? 1, 1e-9))
        func px(_ x: Double) -> Double { left + (x - xMin) / max(xMax - xMin, 1e-12) * plotWidth }
        func py(_ y: Double) -> Double { top + plotHeight - y / max(yTop, 1e-12) * plotHeight }
        var svg = "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
        svg += "xmlns=\"http://www.w3.org/2000/svg\" font-family=\"system-ui,sans-serif\" font-size=\"11\">"
        for step in 0...4 {
            let y = yTop * Double(step) / 4, x = xMin + (xMax - xMin) * Double(step) / 4
            svg += "<line x1=\"\(f(left))\" x2=\"\(f(left + plotWidth))\" y1=\"\(f(py(y)))\" y2=\"\(f(py(y)))\" stroke=\"#e5e7eb\"/>"
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(py(y) + 4))\" text-anchor=\"end\" fill=\"#4b5563\">\(tick(y))</text>"
            if xTicks == nil {
                svg += "<text x=\"\(f(px(x)))\" y=\"\(f(top + plotHeight + 16))\" text-anchor=\"middle\" fill=\"#4b5563\">\(tick(x))</text>"
            }
        }
        for x in xTicks ?? [] {
            svg += "<text x=\"\(f(px(x)))\" y=\"\(f(top + plotHeight + 16))\" text-anchor=\"middle\" fill=\"#4b5563\">\(tick(x))</text>"
        }
        svg += "<line x1=\"\(f(left))\" x2=\"\(f(left))\" y1=\"\(f(top))\" y2=\"\(f(top + plotHeight))\" stroke=\"#9ca3af\"/>"
        svg += "<line x1=\"\(f(left))\" x2=\"\(f(left + plotWidth))\" y1=\"\(f(top + plotHeight))\" y2=\"\(f(top + plotHeight))\" stroke=\"#9ca3af\"/>"
        svg += "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(height - 6))\" text-anchor=\"middle\" fill=\"#111827\">\(escape(xLabel))</text>"
        svg += "<text transform=\"translate(14 \(f(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\" fill=\"#111827\">\(escape(yLabel))</text>"
        for (number, line) in series.enumerated() {
            let points = line.points.map { "\(f(px($0.0))),\(f(py($0.1)))" }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"2\"\(line.dashed ? " stroke-dasharray=\"5 4\"" : "") points=\"\(points)\"/>"
            if markers {
                for point in line.points {
                    svg += "<circle cx=\"\(f(px(point.0)))\" cy=\"\(f(py(point.1)))\" r=\"3\" fill=\"\(line.color)\"/>"
                }
            }
            let legendY = top + 6 + Double(number) * 15
            svg += "<line x1=\"\(f(left + 12))\" x2=\"\(f(left + 30))\" y1=\"\(f(legendY))\" y2=\"\(f(legendY))\" stroke=\"\(line.color)\" stroke-width=\"2\"\(line.dashed ? " stroke-dasharray=\"5 4\"" : "")/>"
            svg += "<text x=\"\(f(left + 36))\" y=\"\(f(legendY + 4))\" fill=\"#111827\">\(escape(line.name))</text>"
        }
        return svg + "</svg>"
    }

    /// The empirical distribution of `values` as a step line (x: the value, y: the share at or below).
    static func cdfPoints(_ values: [Double]) -> [(Double, Double)] {
        let sorted = values.sorted()
        var points: [(Double, Double)] = [(sorted.first ?? 0, 0)]
        for (index, value) in sorted.enumerated() {
            points.append((value, Double(index) / Double(sorted.count)))
            points.append((value, Double(index + 1) / Double(sorted.count)))
        }
        return points
    }

    static func niceCeiling(_ value: Double) -> Double {
        var magnitude = 1.0
        while magnitude * 10 <= value { magnitude *= 10 }
        while magnitude > value { magnitude /= 10 }
        for step in [1.0, 2, 2.5, 5, 10] where step * magnitude >= value { return step * magnitude }
        return 10 * magnitude
    }

    static func tick(_ value: Double) -> String {
        value == value.rounded() || abs(value) >= 100 ? "\(Int(value.rounded()))"
            : Figure.fixed(value, abs(value) >= 1 ? 1 : 2)
    }

    static func f(_ value: Double) -> String { Figure.fixed(value, 1) }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}
