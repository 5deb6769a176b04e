/// Two endpoints' figures from the same requests taken in pairs: the median of the differences
/// (second minus first) and its bootstrap 95 % interval. Pairing cancels the noise both sides of a
/// pair shared; the interval says whether what is left is more than noise. Pure and seeded.
package struct PairedComparison: Sendable, Codable, Equatable {
    package var pairs: Int
    package var medianDifference: Double
    package var low: Double
    package var high: Double

    package init(pairs: Int, medianDifference: Double, low: Double, high: Double) {
        self.pairs = pairs
        self.medianDifference = medianDifference
        self.low = low
        self.high = high
    }

    /// `differences` are second minus first; nil for none.
    package init?(differences: [Double], resamples: Int = 2000, seed: UInt64 = 0x5eed) {
        guard !differences.isEmpty else { return nil }
        var generator = SplitMix64(seed: seed)
        var medians: [Double] = []
        medians.reserveCapacity(resamples)
        var sample = [Double](repeating: 0, count: differences.count)
        for _ in 0..<resamples {
            for index in sample.indices {
                sample[index] = differences[Int(generator.next() % UInt64(differences.count))]
            }
            medians.append(Self.median(sample))
        }
        medians.sort()
        func at(_ fraction: Double) -> Double {
            medians[Swift.min(medians.count - 1, Swift.max(0, Int((fraction * Double(medians.count)).rounded(.down))))]
        }
        self.init(pairs: differences.count, medianDifference: Self.median(differences), low: at(0.025), high: at(0.975))
    }

    package static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// True when the interval holds no zero: a difference the noise does not explain.
    package var isSignificant: Bool { low > 0 || high < 0 }
}

/// A small, fast, seedable generator (Steele, Lea and Flood's SplitMix64), so a report's
/// intervals come out the same for the same data.
package struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    package init(seed: UInt64) { state = seed }
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
