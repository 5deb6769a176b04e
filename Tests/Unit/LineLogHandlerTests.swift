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

    /// The one rule both writers use: printable ASCII but `"`, `=` and `\`, and not empty.
    @Test func plainLogfmtBytesArePrintableASCIIButThree() {
        for byte in 0...255 {
            let expected = byte > 0x20 && byte < 0x7f && byte != 0x22 && byte != 0x3d && byte != 0x5c
            #expect([UInt8(byte)].withUnsafeBufferPointer(LineLogHandler.isPlainLogfmt) == expected, "byte \(byte)")
        }
        #expect(!([] as [UInt8]).withUnsafeBufferPointer(LineLogHandler.isPlainLogfmt))
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
    /// for the same fields: keys sorted, values quoted where needed, numbers as digits, in both formats.
    @Test func theAccessLineIsTheHandlersLine() {
        var line = AccessLogLine(requestID: "req_1", method: "GET", path: "/a b", status: 200, bytes: 38, totalMS: 0)
        line.error = "x=\"y\"\u{1b}"
        line.ttfbMS = 0
        line.history = .native
        line.usageWindow = "five_hour"
        line.clientGone = true
        line.start = .warm
        line.session = .init(model: "sonnet", pid: "42", exit: "exit 0", queueMS: "1.5", spawnMS: nil, cliMS: "600.0",
                             upstreamMS: "60.1", firstTokenMS: "700.2", tokens: 12)
        let fields = line.fieldList
        #expect(fields.map(\.0) == fields.map(\.0).sorted())
        #expect(fields.count == 20)
        for format in LineLogHandler.Format.allCases {
            let handlers = LineLogHandler.line(format: format, timestamp: date, level: .info, message: "request", fields: fields)
            let out = TextBuffer()
            line.write(format: format, timestamp: date, into: out)
            #expect(out.text == handlers + "\n")
        }
        let plain = TextBuffer(capacity: 16)
        AccessLogLine(requestID: "req_2", method: "GET", path: "/health", status: 200, bytes: 40, totalMS: 3)
            .write(format: .logfmt, timestamp: date, into: plain)
        #expect(plain.text
            == "ts=1970-01-01T00:00:00Z level=info msg=request bytes=40 method=GET path=/health request_id=req_2 status=200 total_ms=3\n")
    }

    @Test func textBuffersWriteDigitsAsStringWouldAndGrow() {
        let out = TextBuffer(capacity: 16)
        var expected = ""
        for number in [0, 7, 10, 99, 100, 12_345, -1, -908, Int.max, Int.min] {
            out.appendDigits(number)
            out.append(" " as StaticString)
            expected += String(number) + " "
        }
        out += "é\u{1F600}"
        #expect(out.text == expected + "é\u{1F600}")
        #expect(out.count == out.bytes.count && out.count > 16)
        out.clear()
        #expect(out.text.isEmpty)
    }

    @Test func httpDatesAreIMFFixdate() {
        #expect(HTTPDate.format(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDate.format(1_796_591_685) == "Sun, 06 Dec 2026 21:14:45 GMT")
        #expect(HTTPDate.now().hasSuffix(" GMT") && HTTPDate.now().utf8.count == 29)
    }

    @Test func uniqueIDsDoNotRepeat() {
        let ids = (0..<10_000).map { _ in CompletionPlanIDs.unique(prefix: "req_") }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.hasPrefix("req_") && $0.utf8.count == 36 && $0.dropFirst(4).allSatisfy(\.isHexDigit) })
    }
}
