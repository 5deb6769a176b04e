/// Identifiers the proxy makes up: reply ids, request ids, tool-bridge tokens.
package enum CompletionPlanIDs {
    /// `prefix` followed by 32 random hex digits.
    package static func random(prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let words = (generator.next() as UInt64, generator.next() as UInt64)
        // Hex digits written in place: every request names itself with one of these.
        let digits = String(unsafeUninitializedCapacity: 32) { buffer in
            for (offset, word) in [words.0, words.1].enumerated() {
                for nibble in 0..<16 {
                    let value = UInt8(truncatingIfNeeded: word >> UInt64(60 - nibble * 4)) & 0x0f
                    buffer[offset * 16 + nibble] = value < 10 ? 0x30 + value : 0x57 + value
                }
            }
            return 32
        }
        return prefix + digits
    }
}
