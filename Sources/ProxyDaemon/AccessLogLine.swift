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

    subscript(field: Field) -> String? {
        get { values[field.rawValue] }
        set { values[field.rawValue] = newValue }
    }

    /// The line with its newline, in the log's format.
    func rendered(format: LineLogHandler.Format, timestamp: String) -> String {
        switch format {
        case .json:
            let fields = Field.allCases.compactMap { field in values[field.rawValue].map { (field.key, $0) } }
            return LineLogHandler.line(format: .json, timestamp: timestamp, level: .info, message: "request", fields: fields) + "\n"
        case .logfmt:
            var out = "ts="
            out.reserveCapacity(320)
            out += LineLogHandler.logfmtValue(timestamp)
            out += " level=info msg=request"
            for field in Field.allCases {
                guard let value = values[field.rawValue] else { continue }
                out += " "
                out += field.key
                out += "="
                out += LineLogHandler.logfmtValue(value)
            }
            out += "\n"
            return out
        }
    }
}
