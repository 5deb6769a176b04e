import Histogram

/// Mean, percentiles and max of a set of durations, through an HdrHistogram at microsecond
/// resolution (three significant digits: a 100 ms figure is exact to 0.1 ms).
package struct LatencySummary: Sendable, Codable, Equatable {
    package var count: Int
    package var mean: Double
    package var p50: Double
    package var p90: Double
    package var p99: Double
    package var max: Double

    package init(count: Int = 0, mean: Double = 0, p50: Double = 0, p90: Double = 0, p99: Double = 0, max: Double = 0) {
        self.count = count
        self.mean = mean
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.max = max
    }

    /// From durations in seconds; the figures are seconds too. Nil for none.
    package init?(seconds values: [Double]) {
        guard !values.isEmpty else { return nil }
        var histogram = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        histogram.autoResize = true
        for value in values { _ = histogram.record(UInt64((Swift.max(0, value) * 1_000_000).rounded())) }
        func seconds(_ micros: UInt64) -> Double { Double(micros) / 1_000_000 }
        self.init(count: values.count, mean: values.reduce(0, +) / Double(values.count),
                  p50: seconds(histogram.valueAtPercentile(50)), p90: seconds(histogram.valueAtPercentile(90)),
                  p99: seconds(histogram.valueAtPercentile(99)), max: values.max() ?? 0)
    }
}
