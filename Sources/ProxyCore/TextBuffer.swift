/// Text built as bytes: each piece copied whole into one growing buffer. On this toolchain a
/// `String +=` costs about a thousand instructions a piece; the access line and a `/metrics`
/// scrape are made of hundreds of pieces.
package struct TextBuffer {
    package private(set) var bytes: [UInt8] = []

    package init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    package static func += (buffer: inout TextBuffer, text: String) {
        buffer.append(text)
    }

    package mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    package mutating func append(byte: UInt8) {
        bytes.append(byte)
    }

    /// Empty again, its memory kept for the next use.
    package mutating func clear() {
        bytes.removeAll(keepingCapacity: true)
    }

    package var text: String { String(decoding: bytes, as: UTF8.self) }
}
