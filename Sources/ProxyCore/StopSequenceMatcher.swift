/// Applies `stop` sequences to streamed text: output ends before the first match, even when a
/// match spans deltas. Only text that could still begin a match is held back; the rest goes
/// out at once, so streaming stays token-level. Pure.
package struct StopSequenceMatcher: Sendable {
    package let sequences: [String]
    private var held = ""
    package private(set) var isStopped = false
    /// The sequence that matched, once one has.
    package private(set) var matched: String?

    package init(sequences: [String]) {
        self.sequences = sequences.filter { !$0.isEmpty }
    }

    /// Text that may be sent now. After a match it returns the text before the match, once,
    /// then nothing.
    package mutating func feed(_ text: String) -> String {
        guard !isStopped else { return "" }
        guard !sequences.isEmpty else { return text }
        let buffer = held + text
        if let (sequence, match) = sequences.compactMap({ sequence in buffer.range(of: sequence).map { (sequence, $0) } })
            .min(by: { $0.1.lowerBound < $1.1.lowerBound }) {
            isStopped = true
            matched = sequence
            held = ""
            return String(buffer[..<match.lowerBound])
        }
        let keep = longestSuffixThatStartsASequence(of: buffer)
        held = String(buffer.suffix(keep))
        return String(buffer.dropLast(keep))
    }

    /// At the end of the answer: whatever was held back (it never completed a match).
    package mutating func flush() -> String {
        defer { held = "" }
        return isStopped ? "" : held
    }

    private func longestSuffixThatStartsASequence(of buffer: String) -> Int {
        let longest = min(buffer.count, (sequences.map(\.count).max() ?? 1) - 1)
        guard longest > 0 else { return 0 }
        for length in stride(from: longest, through: 1, by: -1) {
            let suffix = buffer.suffix(length)
            if sequences.contains(where: { $0.hasPrefix(suffix) }) { return length }
        }
        return 0
    }
}

private extension String {
    func range(of needle: String) -> Range<String.Index>? {
        guard !needle.isEmpty, needle.count <= count else { return nil }
        var start = startIndex
        while start < endIndex {
            if self[start...].hasPrefix(needle) {
                return start..<index(start, offsetBy: needle.count)
            }
            start = index(after: start)
        }
        return nil
    }
}
