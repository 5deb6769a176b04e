import Synchronization

/// Identifiers the proxy makes up: reply ids, request ids, tool-bridge tokens.
package enum CompletionPlanIDs {
    /// `prefix` followed by 32 random hex digits.
    package static func random(prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        return hex(prefix: prefix, generator.next(), generator.next())
    }

    /// `prefix` followed by 32 hex digits never given before by this process: unique, not secret.
    /// For request ids, which every request gets (`/health`'s too), where a getrandom(2) per id
    /// was a system call per request. A random half drawn once, then a counter through
    /// SplitMix64's finalizer (a bijection): distinct for 2^64 ids, and not visibly sequential.
    package static func unique(prefix: String) -> String {
        let count = counter.wrappingAdd(1, ordering: .relaxed).newValue
        var mixed = seed.1 &+ count &* 0x9e37_79b9_7f4a_7c15
        mixed = (mixed ^ (mixed >> 30)) &* 0xbf58_476d_1ce4_e5b9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94d0_49bb_1331_11eb
        return hex(prefix: prefix, seed.0, mixed ^ (mixed >> 31))
    }

    private static let counter = Atomic<UInt64>(0)
    private static let seed: (UInt64, UInt64) = {
        var generator = SystemRandomNumberGenerator()
        return (generator.next(), generator.next())
    }()

    /// The prefix and the hex digits written in place, into one String: every request names
    /// itself with one of these.
    private static func hex(prefix: String, _ first: UInt64, _ second: UInt64) -> String {
        var prefix = prefix
        return prefix.withUTF8 { prefix in
            String(unsafeUninitializedCapacity: prefix.count + 32) { buffer in
                guard let start = buffer.baseAddress else { return 0 }
                if let source = prefix.baseAddress { start.initialize(from: source, count: prefix.count) }
                writeHex(first, to: start + prefix.count)
                writeHex(second, to: start + prefix.count + 16)
                return prefix.count + 32
            }
        }
    }

    /// The 16 hex digits of `word`, most significant first.
    private static func writeHex(_ word: UInt64, to digits: UnsafeMutablePointer<UInt8>) {
        var word = word
        var index = 16
        while index > 0 {
            index -= 1
            let value = UInt8(truncatingIfNeeded: word) & 0x0f
            digits[index] = value < 10 ? 0x30 + value : 0x57 + value
            word >>= 4
        }
    }
}
