/// One Server-Sent Events frame: `event: <name>\n` (optional) `data: <payload>\n\n`.
/// Payloads are single-line JSON (the encoder never emits a raw newline) or `[DONE]`.
package struct SSEFrame: Equatable, Sendable {
    package var event: String?
    package var data: [UInt8]
    /// A payload too large to encode at once: then `data` is empty and this is the payload.
    package var spliced: SplicedText?

    package static let done = SSEFrame(event: nil, data: Array("[DONE]".utf8))

    package static func json(_ value: some Encodable, event: String? = nil) -> SSEFrame {
        SSEFrame(event: event, data: WireJSON.encode(value))
    }

    /// The event's bytes: a large one as a splice whose prefix and suffix carry the framing.
    package var sliced: SplicedText {
        var head: [UInt8] = []
        if let event { head += Array("event: ".utf8) + Array(event.utf8) + [UInt8(ascii: "\n")] }
        head += Array("data: ".utf8)
        let tail = [UInt8(ascii: "\n"), UInt8(ascii: "\n")]
        guard let spliced else { return SplicedText(prefix: head + data + tail, text: "", suffix: []) }
        return SplicedText(prefix: head + spliced.prefix, text: spliced.text, suffix: spliced.suffix + tail)
    }

    package var bytes: [UInt8] { sliced.bytes }

    package init(event: String? = nil, data: [UInt8], spliced: SplicedText? = nil) {
        self.event = event
        self.data = data
        self.spliced = spliced
    }

    /// `json(value)`, or for a large `text` (which `value` holds as `SplicedText.marker`), a
    /// spliced frame encoded a slice at a time.
    package static func json(_ value: some Encodable, event: String?, splicing text: String) -> SSEFrame {
        let bytes = WireJSON.encode(value)
        guard let spliced = SplicedText.cut(bytes, text: text) else { return SSEFrame(event: event, data: bytes) }
        return SSEFrame(event: event, data: [], spliced: spliced)
    }
}
