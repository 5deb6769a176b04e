/// A request's id, sent back as `X-Request-Id` and written in its access line: the client's own
/// `X-Request-Id` when it offers a short printable one, else `req_` and 32 hex digits never given
/// before by this process. A new id's text is kept inline, written once when it is made: every
/// request gets one, `/health`'s too, and as a String it was an allocation and a copy more.
package struct RequestID: Sendable, Equatable, CustomStringConvertible {
    /// A made id's text: `req_`, the 32 digits, then zeros (the end of its C string).
    private struct Made: Sendable, Equatable {
        var words: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
        static let length = 4 + 32

        init(_ first: UInt64, _ second: UInt64) {
            withUnsafeMutableBytes(of: &words) { text in
                let start = text.baseAddress!.assumingMemoryBound(to: UInt8.self)
                start.initialize(from: Self.prefix.utf8Start, count: 4)
                CompletionPlanIDs.writeHex(first, to: start + 4)
                CompletionPlanIDs.writeHex(second, to: start + 20)
            }
        }

        private static let prefix: StaticString = "req_"

        static func == (a: Made, b: Made) -> Bool {
            a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2 && a.words.3 == b.words.3
                && a.words.4 == b.words.4
        }
    }

    private enum Value: Sendable, Equatable {
        case made(Made)
        case offered(String)
    }

    private let value: Value

    /// The client's offered id when it fits, else a new one.
    package init(offered header: String?) {
        if let header, !header.isEmpty, header.utf8.count <= 128, header.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) {
            value = .offered(header)
        } else {
            let (first, second) = CompletionPlanIDs.uniqueWords()
            value = .made(Made(first, second))
        }
    }

    package var description: String {
        switch value {
        case .offered(let text): text
        case .made(let made): withUnsafeBytes(of: made.words) { String(decoding: $0.prefix(Made.length), as: UTF8.self) }
        }
    }

    /// The id as a C string, for a header.
    package func withCString<Result>(_ body: (UnsafePointer<CChar>) -> Result) -> Result {
        switch value {
        case .offered(let text):
            return text.withCString(body)
        case .made(let made):
            return withUnsafeBytes(of: made.words) { body($0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
        }
    }

    /// Appends a made id to `out` and returns true (it needs no quoting in a log line); an
    /// offered one is left to the caller, who must look at it as at any value.
    package func writeMade(into out: TextBuffer) -> Bool {
        guard case .made(let made) = value else { return false }
        withUnsafeBytes(of: made.words) { out.append(UnsafeRawBufferPointer(rebasing: $0.prefix(Made.length))) }
        return true
    }
}
