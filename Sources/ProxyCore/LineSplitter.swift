/// Cuts the CLI's stdout into complete lines. Bytes are kept until their newline arrives,
/// so a UTF-8 character split across two reads is never broken. A line longer than
/// `maxLineBytes` is dropped whole (reported as `.overlong`), and the splitter resynchronises
/// at the next newline instead of buffering without bound.
package struct LineSplitter: Sendable {
    package enum Piece: Equatable, Sendable {
        case line([UInt8])
        case overlong(byteCount: Int)
    }

    package let maxLineBytes: Int
    private var pending: [UInt8] = []
    private var discarding = false
    private var discarded = 0

    package init(maxLineBytes: Int = 16 << 20) {
        self.maxLineBytes = maxLineBytes
    }

    /// Feeds bytes in; returns every line they complete (without the newline, CR stripped).
    package mutating func pieces(from bytes: some Collection<UInt8>) -> [Piece] {
        var out: [Piece] = []
        var start = bytes.startIndex
        while let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
            let segment = bytes[start..<newline]
            if discarding {
                out.append(.overlong(byteCount: discarded + segment.count))
                discarding = false
                discarded = 0
            } else if pending.count + segment.count > maxLineBytes {
                out.append(.overlong(byteCount: pending.count + segment.count))
                pending.removeAll(keepingCapacity: true)
            } else {
                pending.append(contentsOf: segment)
                if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
                out.append(.line(pending))
                pending.removeAll(keepingCapacity: true)
            }
            start = bytes.index(after: newline)
        }
        let rest = bytes[start...]
        if discarding {
            discarded += rest.count
        } else if pending.count + rest.count > maxLineBytes {
            discarding = true
            discarded = pending.count + rest.count
            pending.removeAll()
        } else {
            pending.append(contentsOf: rest)
        }
        return out
    }

    /// At EOF: the unterminated tail, if any.
    package mutating func finish() -> [Piece] {
        defer { pending.removeAll(); discarding = false; discarded = 0 }
        if discarding { return [.overlong(byteCount: discarded)] }
        return pending.isEmpty ? [] : [.line(pending)]
    }
}
