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
}
