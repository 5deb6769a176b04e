import PropertyBased
import Testing
@testable import ProxyCore
@testable import OpenAIFront
@testable import EventTransport
@testable import ChildProcesses
@testable import ProxyDaemon

struct LineSplitterTests {
    @Test func keepsPartialLinesUntilTheirNewline() {
        var splitter = LineSplitter()
        #expect(splitter.pieces(from: Array("{\"a\":".utf8)) == [])
        #expect(splitter.pieces(from: Array("1}\n{\"b\"".utf8)) == [.line(Array("{\"a\":1}".utf8))])
        #expect(splitter.pieces(from: Array(":2}\r\n".utf8)) == [.line(Array("{\"b\":2}".utf8))])
        #expect(splitter.finish() == [])
    }

    @Test func returnsTheUnterminatedTailAtEOF() {
        var splitter = LineSplitter()
        #expect(splitter.pieces(from: Array("a\nb".utf8)) == [.line(Array("a".utf8))])
        #expect(splitter.finish() == [.line(Array("b".utf8))])
    }

    @Test func dropsAnOverlongLineAndResynchronises() {
        var splitter = LineSplitter(maxLineBytes: 8)
        #expect(splitter.pieces(from: Array("0123456789".utf8)) == [])
        #expect(splitter.pieces(from: Array("abc\nok\n".utf8)) == [.overlong(byteCount: 13), .line(Array("ok".utf8))])
        #expect(splitter.pieces(from: Array("0123456789\n".utf8)) == [.overlong(byteCount: 10)])
    }

    @Test func neverBreaksAMultibyteCharacterWhateverTheReadBoundaries() async {
        let text = "héllo 😀 世界\n{\"x\":\"ü\"}\nend\n"
        let bytes = Array(text.utf8)
        await propertyCheck(input: Gen.int(in: 1...bytes.count).array(of: 0...8)) { cuts in
            var splitter = LineSplitter()
            var lines: [[UInt8]] = []
            var start = 0
            for cut in cuts.sorted() where cut > start && cut < bytes.count {
                lines += splitter.pieces(from: bytes[start..<cut]).compactMap { if case .line(let l) = $0 { l } else { nil } }
                start = cut
            }
            lines += splitter.pieces(from: bytes[start...]).compactMap { if case .line(let l) = $0 { l } else { nil } }
            #expect(lines.map { String(decoding: $0, as: UTF8.self) } == ["héllo 😀 世界", "{\"x\":\"ü\"}", "end"])
        }
    }
}
