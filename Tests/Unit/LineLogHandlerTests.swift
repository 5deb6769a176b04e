import Foundation
import Testing
@testable import ProxyCore
@testable import OpenAIFront
@testable import EventTransport
@testable import ChildProcesses
@testable import ProxyDaemon

struct LineLogHandlerTests {
    let date = UTCTime.iso8601(0)

    @Test func timestampsAreUTCWholeSeconds() {
        #expect(UTCTime.iso8601(0) == "1970-01-01T00:00:00Z")
        // The reset the CLI printed as "resets 9:14pm (UTC)" (limits/ rl06).
        #expect(UTCTime.iso8601(1_796_591_685) == "2026-12-06T21:14:45Z")
        #expect(UTCTime.minutes(1_796_591_685) == "2026-12-06 21:14 UTC")
        #expect(UTCTime.nowISO8601().hasSuffix("Z") && UTCTime.nowISO8601().count == 20)
    }

    @Test func logfmtQuotesWhatNeedsIt() {
        let line = LineLogHandler.line(format: .logfmt, timestamp: date, level: .info, message: "request",
                                       fields: [("path", "/v1/models"), ("stderr", "a \"b\"\nc"), ("status", "200")])
        #expect(line == #"ts=1970-01-01T00:00:00Z level=info msg=request path=/v1/models stderr="a \"b\"\nc" status=200"#)
    }

    @Test func jsonIsOneObjectPerLine() {
        let line = LineLogHandler.line(format: .json, timestamp: date, level: .warning, message: "x\ny",
                                       fields: [("status", "200")])
        #expect(!line.contains("\n"))
        let object = jsonObject(Array(line.utf8))
        #expect(object["msg"] as? String == "x\ny")
        #expect(object["level"] as? String == "warning")
        #expect(object["status"] as? String == "200")
    }

    /// The access line, built without the metadata dictionary, is the line the handler writes
    /// for the same fields: keys sorted, values quoted where needed, in both formats.
    @Test func theAccessLineIsTheHandlersLine() {
        var line = AccessLogLine()
        let fields: [(AccessLogLine.Field, String)] = [
            (.requestID, "req_1"), (.method, "GET"), (.path, "/a b"), (.error, "x=\"y\"\u{1b}"), (.status, "200"), (.bytes, "38"), (.totalMS, "0"),
            (.ttfbMS, "0"), (.history, "native"), (.queueMS, "1.5"), (.cliMS, "600.0"), (.upstreamMS, "60.1"),
            (.usageWindow, "five_hour"), (.clientGone, "true"),
        ]
        for (field, value) in fields { line[field] = value }
        let sorted = fields.map { ($0.0.key, $0.1) }.sorted { $0.0 < $1.0 }
        for format in LineLogHandler.Format.allCases {
            let handlers = LineLogHandler.line(format: format, timestamp: date, level: .info, message: "request", fields: sorted)
            line.render(format: format, timestamp: date)
            #expect(String(decoding: line.bytes, as: UTF8.self) == handlers + "\n")
        }
        // The table is in key order.
        let keys = AccessLogLine.Field.allCases.map(\.key)
        #expect(keys == keys.sorted())
    }
}
