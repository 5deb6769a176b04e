/// Identifiers the proxy makes up: reply ids, request ids, tool-bridge tokens.
package enum CompletionPlanIDs {
    /// `prefix` followed by 32 random hex digits.
    package static func random(prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let high = String(generator.next() as UInt64, radix: 16)
        let low = String(generator.next() as UInt64, radix: 16)
        return prefix + String(repeating: "0", count: 16 - high.count) + high
            + String(repeating: "0", count: 16 - low.count) + low
    }
}
