import EventTransport
import ProxyCore

/// The access log's line for one request: `level=info msg=request` and its fields, the same line
/// `LineLogHandler` writes, built without swift-log's metadata dictionary. It is written for every
/// request, `/health` included, where the dictionary and its interpolations were half of the
/// proxy's own instructions (callgrind); now the fields are typed values written as bytes straight
/// into the log's buffer (numbers digit by digit, plain values copied whole), in key order, as
/// logfmt lines are sorted by key. Not copyable: a copy of the line (its strings retained and
/// released again) is what the optimizer made on every request while it could.
struct AccessLogLine: ~Copyable {
    /// Where `fields` go: the logfmt writer, or a list (the JSON line, tests). Generic rather
    /// than a closure, so the logfmt writer's calls are direct. Keys come as logfmt writes them,
    /// ` key=`, one piece to copy.
    protocol FieldSink {
        mutating func text(_ key: StaticString, _ value: String)
        /// A value known to need no quotes (a method's name).
        mutating func plain(_ key: StaticString, _ value: StaticString)
        mutating func id(_ key: StaticString, _ value: RequestID)
        mutating func number(_ key: StaticString, _ value: Int)
    }

    var format = LineLogHandler.Format.logfmt
    var requestID: RequestID
    var method: HTTPMethod
    var path: String
    var status: Int
    var bytes: Int
    var totalMS: Int
    var ttfbMS: Int?
    var clientGone = false
    var error: String?
    var usageWindow: String?
    var start: StartKind?
    var history: HistoryForm?
    /// What a completion's session says: its model, CLI, exit and phases.
    var session: SessionFields?

    /// A class: most lines (health checks, errors) have none, and the line stays a few words
    /// long instead of carrying nine optional strings inline.
    final class SessionFields {
        let model: String
        let pid: String
        let exit: String
        /// Milliseconds of each timeline phase, `RequestTimeline.milliseconds`' text.
        let queueMS, spawnMS, cliMS, upstreamMS, firstTokenMS: String?
        let tokens: Int?

        init(model: String, pid: String, exit: String, queueMS: String?, spawnMS: String?, cliMS: String?,
             upstreamMS: String?, firstTokenMS: String?, tokens: Int?) {
            self.model = model
            self.pid = pid
            self.exit = exit
            self.queueMS = queueMS
            self.spawnMS = spawnMS
            self.cliMS = cliMS
            self.upstreamMS = upstreamMS
            self.firstTokenMS = firstTokenMS
            self.tokens = tokens
        }
    }

    /// The fields of one request's line: what the exchange, its reply's record, its session and
    /// the request's outcome say. `total` and `firstByte` in seconds.
    init(_ exchange: HTTPExchange, record: HTTPExchange.Record, format: LineLogHandler.Format, session: CompletionSession?,
         errorCode: String?, start: StartKind?, usageWindow: String?, history: HistoryForm?, total: Double, firstByte: Double?) {
        self.format = format
        requestID = exchange.requestID
        method = exchange.method
        path = exchange.path
        status = record.status
        bytes = record.bytesSent
        totalMS = Int(total * 1000)
        ttfbMS = firstByte.map { Int($0 * 1000) }
        clientGone = record.clientGone
        error = errorCode ?? session?.errorCode
        self.usageWindow = usageWindow ?? session?.failure?.usageWindow
        self.start = start
        self.history = history
        if let session {
            let timeline = session.timeline
            self.session = SessionFields(
                model: session.model ?? "-", pid: session.childPID.map { String($0) } ?? "-",
                exit: session.exitStatus.map { "\($0)" } ?? "-",
                queueMS: timeline.duration(.queue).map(RequestTimeline.milliseconds),
                spawnMS: timeline.duration(.spawn).map(RequestTimeline.milliseconds),
                cliMS: timeline.duration(.cli).map(RequestTimeline.milliseconds),
                upstreamMS: timeline.duration(.upstream).map(RequestTimeline.milliseconds),
                firstTokenMS: timeline.duration(.firstToken).map(RequestTimeline.milliseconds),
                tokens: timeline.tokens > 0 ? timeline.tokens : nil)
        }
    }

    init(requestID: RequestID, method: HTTPMethod, path: String, status: Int, bytes: Int, totalMS: Int) {
        self.requestID = requestID
        self.method = method
        self.path = path
        self.status = status
        self.bytes = bytes
        self.totalMS = totalMS
    }

    /// Each field that is set, in the order of its key (the phases as in Server-Timing:
    /// queue_ms, spawn_ms, cli_ms, upstream_ms, first_token_ms).
    func fields(into sink: inout some FieldSink) {
        sink.number(" bytes=", bytes)
        if let value = session?.cliMS { sink.text(" cli_ms=", value) }
        if clientGone { sink.text(" client_gone=", "true") }
        if let error { sink.text(" error=", error) }
        if let value = session?.exit { sink.text(" exit=", value) }
        if let value = session?.firstTokenMS { sink.text(" first_token_ms=", value) }
        if let history {
            sink.text(" history=", history.label)
            if let reason = history.reason { sink.text(" history_reason=", reason) }
        }
        if let known = method.knownName { sink.plain(" method=", known) } else { sink.text(" method=", method.name) }
        if let value = session?.model { sink.text(" model=", value) }
        sink.text(" path=", path)
        if let value = session?.pid { sink.text(" pid=", value) }
        if let value = session?.queueMS { sink.text(" queue_ms=", value) }
        sink.id(" request_id=", requestID)
        if let value = session?.spawnMS { sink.text(" spawn_ms=", value) }
        if let start { sink.text(" start=", start.rawValue) }
        sink.number(" status=", status)
        if let value = session?.tokens { sink.number(" tokens=", value) }
        sink.number(" total_ms=", totalMS)
        if let ttfbMS { sink.number(" ttfb_ms=", ttfbMS) }
        if let value = session?.upstreamMS { sink.text(" upstream_ms=", value) }
        if let usageWindow { sink.text(" usage_window=", usageWindow) }
    }

    /// The fields as (key, value) text, in key order.
    var fieldList: [(String, String)] {
        var list = FieldList()
        fields(into: &list)
        return list.fields
    }

    /// The line in the proxy's log format, stamped now.
    func write(into out: TextBuffer) {
        write(format: format, timestamp: UTCTime.nowISO8601(), into: out)
    }

    /// Appends the line, with its newline, in `format`.
    func write(format: LineLogHandler.Format, timestamp: String, into out: TextBuffer) {
        switch format {
        case .json:
            out += LineLogHandler.line(format: .json, timestamp: timestamp, level: .info, message: "request", fields: fieldList)
        case .logfmt:
            out.append("ts=" as StaticString)
            out.append(timestamp)  // UTCTime's: digits, `-`, `:`, `T` and `Z`, nothing to quote
            out.append(" level=info msg=request" as StaticString)
            var writer = Logfmt(out: out)
            fields(into: &writer)
        }
        out.append(byte: UInt8(ascii: "\n"))
    }

    private struct FieldList: FieldSink {
        var fields: [(String, String)] = []
        mutating func text(_ key: StaticString, _ value: String) { fields.append((Self.bare(key), value)) }
        mutating func plain(_ key: StaticString, _ value: StaticString) { fields.append((Self.bare(key), value.description)) }
        mutating func id(_ key: StaticString, _ value: RequestID) { fields.append((Self.bare(key), value.description)) }
        mutating func number(_ key: StaticString, _ value: Int) { fields.append((Self.bare(key), String(value))) }
        /// `bytes` from ` bytes=`.
        private static func bare(_ key: StaticString) -> String { String(key.description.dropFirst().dropLast()) }
    }

    /// ` key=value` for each field, as bytes.
    private struct Logfmt: FieldSink {
        let out: TextBuffer

        mutating func text(_ key: StaticString, _ value: String) {
            out.append(key)
            Self.appendValue(value, to: out)
        }

        mutating func plain(_ key: StaticString, _ value: StaticString) {
            out.append(key)
            out.append(value)
        }

        /// A made id is plain by its making; a client's offered one is looked at as any value.
        mutating func id(_ key: StaticString, _ value: RequestID) {
            out.append(key)
            if !value.writeMade(into: out) { Self.appendValue(value.description, to: out) }
        }

        mutating func number(_ key: StaticString, _ value: Int) {
            out.append(key)
            out.appendDigits(value)
        }

        /// A logfmt value: as it is when plain, else quoted and escaped as `LineLogHandler` does.
        static func appendValue(_ value: String, to out: TextBuffer) {
            // Read in place (a String's own bytes, or a small one's on the stack), not copied.
            let isPlain = value.utf8.withContiguousStorageIfAvailable { bytes in
                guard LineLogHandler.isPlainLogfmt(bytes) else { return false }
                out.append(UnsafeRawBufferPointer(bytes))
                return true
            }
            if isPlain != true { out += LineLogHandler.logfmtValue(value) }
        }
    }
}
