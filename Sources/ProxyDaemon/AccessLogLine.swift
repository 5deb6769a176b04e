import Logging
import ProxyCore

/// The access log's line for one request: `level=info msg=request` and its fields, the same line
/// `LineLogHandler` writes, built without swift-log's metadata dictionary. It is written for every
/// request, `/health` included, where the dictionary and its interpolations were half of the
/// proxy's own instructions (callgrind). Fields sit in a fixed table in key order, as logfmt
/// lines are sorted by key.
struct AccessLogLine {
    /// Every field the line may carry, declared in the order of their keys.
    enum Field: Int, CaseIterable {
        case bytes, cliMS, clientGone, error, exit, firstTokenMS, history, historyReason, method, model, path, pid
        case queueMS, requestID, spawnMS, start, status, tokens, totalMS, ttfbMS, upstreamMS, usageWindow

        var key: String {
            switch self {
            case .bytes: "bytes"
            case .cliMS: "cli_ms"
            case .clientGone: "client_gone"
            case .error: "error"
            case .exit: "exit"
            case .firstTokenMS: "first_token_ms"
            case .history: "history"
            case .historyReason: "history_reason"
            case .method: "method"
            case .model: "model"
            case .path: "path"
            case .pid: "pid"
            case .queueMS: "queue_ms"
            case .requestID: "request_id"
            case .spawnMS: "spawn_ms"
            case .start: "start"
            case .status: "status"
            case .tokens: "tokens"
            case .totalMS: "total_ms"
            case .ttfbMS: "ttfb_ms"
            case .upstreamMS: "upstream_ms"
            case .usageWindow: "usage_window"
            }
        }

        /// The field of a timeline phase (`total` is `total_ms`, set apart).
        static func phase(_ phase: RequestTimeline.Phase) -> Field? {
            switch phase {
            case .queue: .queueMS
            case .spawn: .spawnMS
            case .cli: .cliMS
            case .upstream: .upstreamMS
            case .firstToken: .firstTokenMS
            case .total: nil
            }
        }
    }

    private var values = [String?](repeating: nil, count: Field.allCases.count)
    /// The keys by field, made once (`allCases` builds a new array on every use).
    private static let keys = Field.allCases.map(\.key)
    /// The rendered line; kept, like `values`, from one request to the next (the proxy owns one
    /// line and clears it), so that a line costs no allocation.
    private(set) var bytes: [UInt8] = []

    /// Ready for the next request: no field set.
    mutating func clear() {
        for index in values.indices { values[index] = nil }
    }

    subscript(field: Field) -> String? {
        get { values[field.rawValue] }
        set { values[field.rawValue] = newValue }
    }

    /// The line with its newline, in the log's format.
    func rendered(format: LineLogHandler.Format, timestamp: String) -> [UInt8] {
        var copy = self
        copy.render(format: format, timestamp: timestamp)
        return copy.bytes
    }

    /// Renders the line into `bytes`, with its newline, in the log's format.
    mutating func render(format: LineLogHandler.Format, timestamp: String) {
        bytes.removeAll(keepingCapacity: true)
        switch format {
        case .json:
            let fields = Field.allCases.compactMap { field in values[field.rawValue].map { (field.key, $0) } }
            bytes += (LineLogHandler.line(format: .json, timestamp: timestamp, level: .info, message: "request",
                                          fields: fields) + "\n").utf8
        case .logfmt:
            // Bytes appended to one buffer: Swift string appends cost about a thousand
            // instructions each, and this line has some sixty pieces.
            var out = bytes
            bytes = []
            out.reserveCapacity(320)
            Self.append("ts=", to: &out)
            Self.appendValue(timestamp, to: &out)
            Self.append(" level=info msg=request", to: &out)
            for index in values.indices {
                guard let value = values[index] else { continue }
                out.append(UInt8(ascii: " "))
                Self.append(Self.keys[index], to: &out)
                out.append(UInt8(ascii: "="))
                Self.appendValue(value, to: &out)
            }
            out.append(UInt8(ascii: "\n"))
            bytes = out
        }
    }

    /// A string's bytes, copied whole (a generic append walks them one by one).
    private static func append(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { out.append(contentsOf: $0) }
    }

    /// A logfmt value: as it is when plain, else quoted and escaped as `LineLogHandler` does.
    private static func appendValue(_ value: String, to out: inout [UInt8]) {
        var value = value
        let plain = value.withUTF8 { bytes in
            !bytes.isEmpty && !bytes.contains { $0 <= 0x20 || $0 >= 0x7f || $0 == 0x22 || $0 == 0x3d || $0 == 0x5c }
        }
        append(plain ? value : LineLogHandler.logfmtValue(value), to: &out)
    }
}
