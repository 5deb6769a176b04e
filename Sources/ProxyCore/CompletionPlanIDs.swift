import Synchronization

/// Identifiers the proxy makes up: reply ids, request ids, tool-bridge tokens.
package enum CompletionPlanIDs {
    /// `prefix` followed by 32 random hex digits.
    package static func random(prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        return hex(prefix: prefix, generator.next(), generator.next())
    }

    /// Two words never given before by this process, for a `RequestID`'s 32 hex digits: unique,
    /// not secret. Every request gets an id (`/health`'s too), where a getrandom(2) per id was a
    /// system call per request: a random half drawn once, then a counter through SplitMix64's
    /// finalizer (a bijection), distinct for 2^64 ids and not visibly sequential.
    package static func uniqueWords() -> (UInt64, UInt64) {
        let count = counter.wrappingAdd(1, ordering: .relaxed).newValue
        var mixed = seed.1 &+ count &* 0x9e37_79b9_7f4a_7c15
        mixed = (mixed ^ (mixed >> 30)) &* 0xbf58_476d_1ce4_e5b9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94d0_49bb_1331_11eb
        return (seed.0, mixed ^ (mixed >> 31))
    }

    private static let counter = Atomic<UInt64>(0)
    private static let seed: (UInt64, UInt64) = {
        var generator = SystemRandomNumberGenerator()
        return (generator.next(), generator.next())
    }()

    /// The prefix and the hex digits written in place, into one String.
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

    /// The 16 hex digits of `word`, most significant first: eight at a time, each half's nibbles
    /// spread one to a byte and turned to ASCII together (a digit-by-digit loop was a tenth of
    /// `/health`'s own instructions once every request had an id).
    static func writeHex(_ word: UInt64, to digits: UnsafeMutablePointer<UInt8>) {
        let raw = UnsafeMutableRawPointer(digits)
        raw.storeBytes(of: hexDigits(UInt32(truncatingIfNeeded: word >> 32)), as: UInt64.self)
        raw.storeBytes(of: hexDigits(UInt32(truncatingIfNeeded: word)), toByteOffset: 8, as: UInt64.self)
    }

    /// Eight hex digits as the bytes of one word, the most significant digit at the lowest address.
    @inline(__always)
    private static func hexDigits(_ half: UInt32) -> UInt64 {
        var nibbles = UInt64(half)
        nibbles = (nibbles | nibbles << 16) & 0x0000_ffff_0000_ffff
        nibbles = (nibbles | nibbles << 8) & 0x00ff_00ff_00ff_00ff
        nibbles = (nibbles | nibbles << 4) & 0x0f0f_0f0f_0f0f_0f0f
        // Each byte now one nibble, the least significant lowest; 0x01 where it is 10 or more.
        let letters = ((nibbles &+ 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101
        let ascii = nibbles &+ 0x3030_3030_3030_3030 &+ letters &* UInt64(UInt8(ascii: "a") - UInt8(ascii: "9") - 1)
        return ascii.bigEndian
    }
}
