/// A latency histogram in Prometheus's shape (`le` buckets, count, sum). The buckets are 5 ms
/// apart up to 100 ms, where the CLI's warm starts and token gaps lie, then coarser. Each value
/// is counted in its own bucket only (one increment per token on the streaming path); the
/// cumulative counts Prometheus wants are summed when read.
package struct LatencyHistogram: Sendable, Equatable {
    package static let buckets: [Double] =
        (1...20).map { Double($0 * 5) / 1000 }
        + [0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30, 60, 120, 300]
    /// The bounds as `/metrics` prints them, formatted once (a scrape prints hundreds).
    package static let bucketLabels: [String] = buckets.map { "\($0)" }

    /// Values per bucket (not cumulative); a value above the last bound is in `count` only.
    private var perBucket = [Int](repeating: 0, count: LatencyHistogram.buckets.count)
    package private(set) var count = 0
    package private(set) var sum = 0.0

    package init() {}

    package mutating func observe(_ seconds: Double) {
        if let index = Self.buckets.firstIndex(where: { seconds <= $0 }) { perBucket[index] += 1 }
        count += 1
        sum += seconds
    }

    package mutating func merge(_ other: LatencyHistogram) {
        for index in perBucket.indices { perBucket[index] += other.perBucket[index] }
        count += other.count
        sum += other.sum
    }

    /// Values at or below each bound, as the `le` buckets report them.
    package var counts: [Int] {
        var running = 0
        return perBucket.map { running += $0; return running }
    }
}
