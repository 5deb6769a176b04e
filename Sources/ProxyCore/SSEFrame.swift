/// One Server-Sent Events frame: `event: <name>\n` (optional) `data: <payload>\n\n`.
/// Payloads are single-line JSON (the encoder never emits a raw newline) or `[DONE]`.
package struct SSEFrame: Equatable, Sendable {
    package var event: String?
    package var data: [UInt8]

    package static let done = SSEFrame(event: nil, data: Array("[DONE]".utf8))

    package static func json(_ value: some Encodable, event: String? = nil) -> SSEFrame {
        SSEFrame(event: event, data: WireJSON.encode(value))
    }

    package var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + (event?.utf8.count ?? 0) + 16)
        if let event {
            out += Array("event: ".utf8) + Array(event.utf8) + [UInt8(ascii: "\n")]
        }
        out += Array("data: ".utf8) + data + [UInt8(ascii: "\n"), UInt8(ascii: "\n")]
        return out
    }

    package init(event: String? = nil, data: [UInt8]) {
        self.event = event
        self.data = data
    }
}
