/// Bytes with one large string in the middle, written as a JSON string's contents in slices:
/// a large answer is encoded a piece per loop turn instead of all at once, so other clients are
/// not kept waiting, and only one copy of the text is held. Pure.
package struct SplicedText: Equatable, Sendable {
    package var prefix: [UInt8]
    package var text: String
    package var suffix: [UInt8]

    /// Texts at least this large are spliced; smaller ones are encoded whole as before.
    package static let threshold = 256 * 1024
    /// UTF-8 bytes of text escaped per slice.
    package static let sliceBytes = 64 * 1024
    /// Stands for the text while the rest is encoded; unguessable, so a client's own text (an
    /// instruction, say) cannot be taken for it.
    package static let marker = CompletionPlanIDs.random(prefix: "CCP-SPLICE-")

    package init(prefix: [UInt8], text: String, suffix: [UInt8]) {
        self.prefix = prefix
        self.text = text
        self.suffix = suffix
    }

    /// Encodes `value`, whose large string field holds `marker`, and cuts at the marker's last
    /// place (every client-supplied field sorts before the answer's text, or holds no marker).
    /// Nil when the marker is not there.
    package static func encode(_ value: some Encodable, text: String) -> SplicedText? {
        cut(WireJSON.encode(value), text: text)
    }

    /// `bytes` cut at the marker's last place, with `text` to go there; nil when it has no marker.
    package static func cut(_ bytes: [UInt8], text: String) -> SplicedText? {
        let needle = Array(marker.utf8)
        guard let start = lastIndex(of: needle, in: bytes) else { return nil }
        return SplicedText(prefix: Array(bytes[..<start]), text: text, suffix: Array(bytes[(start + needle.count)...]))
    }

    /// The whole, at once (tests, and small texts).
    package var bytes: [UInt8] {
        var out = prefix
        var offset = 0
        while let slice = slice(from: &offset) { out += slice }
        return out + suffix
    }

    /// The next slice of the escaped text starting at UTF-8 `offset`, advancing it; nil at the end.
    /// Reads the string's own storage (no copy of the text, no walk from its start).
    package func slice(from offset: inout Int) -> [UInt8]? {
        let count = text.utf8.count
        guard offset < count else { return nil }
        let end = min(count, offset + Self.sliceBytes)
        var out: [UInt8] = []
        out.reserveCapacity(end - offset + 64)
        let start = offset
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { bytes in
            for byte in bytes[start..<end] { Self.escape(byte, into: &out) }
        }
        if done == nil {
            var copy = text
            copy.makeContiguousUTF8()
            copy.utf8.withContiguousStorageIfAvailable { bytes in
                for byte in bytes[start..<end] { Self.escape(byte, into: &out) }
            }
        }
        offset = end
        return out
    }

    /// JSON string escaping of one UTF-8 byte: bytes of multi-byte characters pass as they are,
    /// so a slice may end inside a character and the next one completes it.
    private static func escape(_ byte: UInt8, into out: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
        case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
        case 0x0a: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
        case 0x0d: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
        case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
        case 0x08: out += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
        case 0x0c: out += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
        case 0..<0x20:
            let hex = Array("0123456789abcdef".utf8)
            out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xf)]]
        default: out.append(byte)
        }
    }

    private static func lastIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        var start = haystack.count - needle.count
        while start >= 0 {
            if haystack[start] == needle[0] && Array(haystack[start..<(start + needle.count)]) == needle { return start }
            start -= 1
        }
        return nil
    }
}
