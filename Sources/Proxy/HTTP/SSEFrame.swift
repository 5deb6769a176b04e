/// One Server-Sent Events frame: `event: <name>\n` (optional) `data: <payload>\n\n`.
/// Payloads are single-line JSON (the encoder never emits a raw newline) or `[DONE]`.
struct SSEFrame: Equatable, Sendable {
    var event: String?
    var data: [UInt8]

    static let done = SSEFrame(event: nil, data: Array("[DONE]".utf8))

    static func json(_ value: some Encodable, event: String? = nil) -> SSEFrame {
        SSEFrame(event: event, data: WireJSON.encode(value))
    }

    var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + (event?.utf8.count ?? 0) + 16)
        if let event {
            out += Array("event: ".utf8) + Array(event.utf8) + [UInt8(ascii: "\n")]
        }
        out += Array("data: ".utf8) + data + [UInt8(ascii: "\n"), UInt8(ascii: "\n")]
        return out
    }
}
