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

    /// Eight bytes at a time: every byte value at every place of a value long enough to be read
    /// word by word (and its tail byte by byte) answers as the byte alone does.
    @Test func plainLogfmtWordsAnswerAsTheirBytes() {
        for length in [8, 9, 15, 16, 17, 23] {
            for place in 0..<length {
                for byte in 0...255 {
                    var value = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    value[place] = UInt8(byte)
                    let alone = [UInt8(byte)].withUnsafeBufferPointer(LineLogHandler.isPlainLogfmt)
                    #expect(value.withUnsafeBufferPointer(LineLogHandler.isPlainLogfmt) == alone,
                            "byte \(byte) at \(place) of \(length)")
                }
            }
        }
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
        var line = AccessLogLine(requestID: RequestID(offered: "req_1"), method: .get, path: "/a b", status: 200, bytes: 38, totalMS: 0)
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
        AccessLogLine(requestID: RequestID(offered: "req_2"), method: .get, path: "/health", status: 200, bytes: 40, totalMS: 3)
            .write(format: .logfmt, timestamp: date, into: plain)
        #expect(plain.text
            == "ts=1970-01-01T00:00:00Z level=info msg=request bytes=40 method=GET path=/health request_id=req_2 status=200 total_ms=3\n")
    }

    @Test func textBuffersWriteDigitsAsStringWouldAndGrow() {
        let out = TextBuffer(capacity: 16)
        var expected = ""
        for number in [0, 7, 10, 99, 100, 101, 110, 999, 1000, 12_345, -1, -908, Int.max, Int.min] {
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

    /// Short pieces are copied as overlapping words: every length, at every fill of the buffer.
    @Test func textBuffersCopyPiecesOfEveryLength() {
        let source = Array("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH".utf8)
        for offset in 0..<9 {
            let out = TextBuffer(capacity: 16)
            var expected = [UInt8](repeating: UInt8(ascii: "."), count: offset)
            expected.withUnsafeBytes { out.append($0) }
            for length in 0...source.count {
                source.withUnsafeBytes { out.append(UnsafeRawBufferPointer(rebasing: $0[..<length])) }
                expected += source[..<length]
            }
            #expect(out.bytes == expected, "offset \(offset)")
        }
    }

    @Test func httpDatesAreIMFFixdate() {
        #expect(UTCTime.httpDate(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(UTCTime.httpDate(1_796_591_685) == "Sun, 06 Dec 2026 21:14:45 GMT")
        #expect(UTCTime.nowHTTPDate().hasSuffix(" GMT") && UTCTime.nowHTTPDate().utf8.count == 29)
        // Both texts of this second name it (asked again if the second turned in between).
        var (iso, http) = (UTCTime.nowISO8601(), UTCTime.nowHTTPDate())
        if UTCTime.nowISO8601() != iso { (iso, http) = (UTCTime.nowISO8601(), UTCTime.nowHTTPDate()) }
        #expect(http.contains(String(iso.dropLast().suffix(8))))
    }

    @Test func uniqueIDsDoNotRepeat() {
        let ids = (0..<10_000).map { _ in RequestID(offered: nil).description }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.hasPrefix("req_") && $0.utf8.count == 36 && $0.dropFirst(4).allSatisfy(\.isHexDigit) })
    }

    /// A made id is written where it is used, by three writers that must agree: its text, its
    /// C string (the header) and its bytes in the access line; a client's id is kept as offered.
    @Test func requestIDsReadTheSameEverywhere() {
        for _ in 0..<100 {
            let id = RequestID(offered: nil)
            let text = id.description
            #expect(text.hasPrefix("req_") && text.utf8.count == 36 && text.dropFirst(4).allSatisfy(\.isHexDigit))
            #expect(id.withCString { String(cString: $0) } == text)
            let made = TextBuffer()
            #expect(id.writeMade(into: made) && made.text == text)
            let line = TextBuffer()
            AccessLogLine(requestID: id, method: .get, path: "/health", status: 200, bytes: 1, totalMS: 0)
                .write(format: .logfmt, timestamp: date, into: line)
            #expect(line.text.contains(" request_id=\(text) "))
        }
        #expect(RequestID(offered: "my-trace-1").description == "my-trace-1")
        #expect(RequestID(offered: "my-trace-1").withCString { String(cString: $0) } == "my-trace-1")
        let offered = TextBuffer()
        #expect(!RequestID(offered: "my-trace-1").writeMade(into: offered) && offered.count == 0)
        for unfit in ["", "a b", String(repeating: "x", count: 129), "é"] {
            #expect(RequestID(offered: unfit).description.hasPrefix("req_"), "\(unfit)")
        }
        #expect(RequestID(offered: nil) != RequestID(offered: nil))
        // An offered id that needs quoting is quoted in the line, as any value.
        let quoted = TextBuffer()
        AccessLogLine(requestID: RequestID(offered: #"a="b""#), method: .get, path: "/", status: 200, bytes: 0, totalMS: 0)
            .write(format: .logfmt, timestamp: date, into: quoted)
        #expect(quoted.text.contains(#" request_id="a=\"b\"" "#))
    }

    @Test func hexDigitsAreTheWordsDigits() {
        for word: UInt64 in [0, 1, 0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210, .max, 0x9a9a_0f0f_a0a0_f0f0] {
            var digits = [UInt8](repeating: 0, count: 16)
            digits.withUnsafeMutableBufferPointer { CompletionPlanIDs.writeHex(word, to: $0.baseAddress!) }
            let expected = String(word, radix: 16)
            #expect(String(decoding: digits, as: UTF8.self) == String(repeating: "0", count: 16 - expected.count) + expected)
        }
    }

    @Test func methodsAreDecodedOnce() {
        for name in ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"] {
            #expect(HTTPMethod(name).name == name)
            #expect(HTTPMethod(name).knownName?.description == name)
        }
        #expect(HTTPMethod("TRACE") == .other("TRACE") && HTTPMethod("TRACE").name == "TRACE")
        #expect(HTTPMethod("get") == .other("get"))
    }
}
