/// A cumulative latency histogram in Prometheus's shape (`le` buckets, count, sum). The buckets
/// are 5 ms apart up to 100 ms, where the CLI's warm starts and token gaps lie, then coarser.
package struct LatencyHistogram: Sendable, Equatable {
    package static let buckets: [Double] =
        (1...20).map { Double($0 * 5) / 1000 }
        + [0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30, 60, 120, 300]

    package private(set) var counts = [Int](repeating: 0, count: LatencyHistogram.buckets.count)
    package private(set) var count = 0
    package private(set) var sum = 0.0

    package init() {}

    package mutating func observe(_ seconds: Double) {
        // Cumulative: every bucket whose bound holds the value counts it.
        if let first = Self.buckets.firstIndex(where: { seconds <= $0 }) {
            for index in first..<counts.count { counts[index] += 1 }
        }
        count += 1
        sum += seconds
    }

    package mutating func merge(_ other: LatencyHistogram) {
        for index in counts.indices { counts[index] += other.counts[index] }
        count += other.count
        sum += other.sum
    }
}
