import EventTransport
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
    private var buffer = TextBuffer(capacity: 320)
    var bytes: [UInt8] { buffer.bytes }

    /// Ready for the next request: no field set.
    mutating func clear() {
        for index in values.indices { values[index] = nil }
    }

    subscript(field: Field) -> String? {
        get { values[field.rawValue] }
        set { values[field.rawValue] = newValue }
    }

    /// The fields of one request's line (the ones before cleared): what the exchange, its
    /// session and the request's outcome say.
    mutating func describe(_ exchange: HTTPExchange, requestID: String, session: CompletionSession?, errorCode: String?,
                           start: StartKind?, usageWindow: String?, history: HistoryForm?, total: Double, firstByte: Double?) {
        clear()
        self[.requestID] = requestID
        self[.method] = exchange.method
        self[.path] = exchange.path
        self[.status] = String(exchange.status)
        self[.bytes] = String(exchange.bytesSent)
        self[.totalMS] = String(Int(total * 1000))
        if let firstByte { self[.ttfbMS] = String(Int(firstByte * 1000)) }
        if exchange.clientGone { self[.clientGone] = "true" }
        if let code = errorCode ?? session?.errorCode { self[.error] = code }
        if let window = usageWindow ?? session?.failure?.usageWindow { self[.usageWindow] = window }
        if let start { self[.start] = start.rawValue }
        if let history {
            self[.history] = history.label
            self[.historyReason] = history.reason
        }
        if let session {
            self[.model] = session.model ?? "-"
            self[.pid] = session.childPID.map { String($0) } ?? "-"
            self[.exit] = session.exitStatus.map { "\($0)" } ?? "-"
            // The phases, as in Server-Timing: queue_ms, spawn_ms, cli_ms, upstream_ms, first_token_ms.
            for phase in RequestTimeline.Phase.allCases {
                if let field = Field.phase(phase), let value = session.timeline.duration(phase) {
                    self[field] = RequestTimeline.milliseconds(value)
                }
            }
            if session.timeline.tokens > 0 { self[.tokens] = String(session.timeline.tokens) }
        }
    }

    /// Renders the line into `bytes`, with its newline, in the log's format.
    mutating func render(format: LineLogHandler.Format, timestamp: String) {
        buffer.clear()
        switch format {
        case .json:
            let fields = Field.allCases.compactMap { field in values[field.rawValue].map { (field.key, $0) } }
            buffer += LineLogHandler.line(format: .json, timestamp: timestamp, level: .info, message: "request", fields: fields)
        case .logfmt:
            buffer += "ts="
            Self.appendValue(timestamp, to: &buffer)
            buffer += " level=info msg=request"
            for index in values.indices {
                guard let value = values[index] else { continue }
                buffer.append(byte: UInt8(ascii: " "))
                buffer += Self.keys[index]
                buffer.append(byte: UInt8(ascii: "="))
                Self.appendValue(value, to: &buffer)
            }
        }
        buffer.append(byte: UInt8(ascii: "\n"))
    }

    /// A logfmt value: as it is when plain, else quoted and escaped as `LineLogHandler` does.
    private static func appendValue(_ value: String, to buffer: inout TextBuffer) {
        var value = value
        let plain = value.withUTF8 { bytes in
            !bytes.isEmpty && !bytes.contains { $0 <= 0x20 || $0 >= 0x7f || $0 == 0x22 || $0 == 0x3d || $0 == 0x5c }
        }
        buffer += plain ? value : LineLogHandler.logfmtValue(value)
    }
}
