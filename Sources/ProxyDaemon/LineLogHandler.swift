import SystemCalls
import FoundationEssentials
import Glibc
import Logging
import ProxyCore
import OpenAIFront
import EventTransport
import ChildProcesses

/// A swift-log handler that writes one line per event to stderr, as logfmt
/// (`ts=… level=info msg=request status=200 …`) or as a JSON object. Values are the metadata
/// the proxy chose to log; it never logs prompts or keys.
package struct LineLogHandler: LogHandler {
    package enum Format: String, CaseIterable, Sendable {
        case logfmt, json
    }

    package let format: Format
    package var logLevel: Logger.Level
    package var metadata: Logger.Metadata = [:]

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        // The proxy's loggers carry no metadata of their own: no merge on the common path.
        let merged = metadata.isEmpty ? event.metadata ?? [:] : metadata.merging(event.metadata ?? [:]) { $1 }
        let fields = merged.map { ($0.key, "\($0.value)") }.sorted { $0.0 < $1.0 }
        let line = Self.line(format: format, timestamp: UTCTime.nowISO8601(), level: event.level,
                             message: "\(event.message)", fields: fields)
        LogBuffer.shared.append(line + "\n")
    }

    /// - Parameter timestamp: ISO 8601 UTC (`UTCTime`).
    package static func line(format: Format, timestamp ts: String, level: Logger.Level, message: String,
                     fields: [(String, String)]) -> String {
        switch format {
        case .json:
            var object: [String: String] = ["ts": ts, "level": level.rawValue, "msg": message]
            for (key, value) in fields where object[key] == nil { object[key] = value }
            // The encoder escapes C0 controls; DEL and C1 controls (U+009B is a terminal's CSI) too.
            var out = ""
            for scalar in String(decoding: WireJSON.encode(object), as: UTF8.self).unicodeScalars {
                if isControl(scalar) { out += escaped(scalar) } else { out.unicodeScalars.append(scalar) }
            }
            return out
        case .logfmt:
            // One string grown in place: this runs for every access-log line.
            var out = "ts=" + logfmtValue(ts) + " level=" + logfmtValue(level.rawValue) + " msg=" + logfmtValue(message)
            out.reserveCapacity(out.utf8.count + fields.count * 24)
            for (key, value) in fields {
                out += " "
                out += key
                out += "="
                out += logfmtValue(value)
            }
            return out
        }
    }

    /// True when a logfmt value needs no quotes: not empty, printable ASCII but `"`, `=` and `\`.
    /// The access line asks it of every value it writes (a path, a request id): eight bytes at a
    /// time (`hasUnplainByte`), the last few against a 128-bit table.
    package static func isPlainLogfmt(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return false }
        let raw = UnsafeRawPointer(base)
        var index = 0
        while index + 8 <= bytes.count {
            if hasUnplainByte(raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) { return false }
            index += 8
        }
        let (low, high) = plainLogfmtBytes
        while index < bytes.count {
            let byte = bytes[index]
            let word = byte & 0x40 == 0 ? low : high
            if byte & 0x80 != 0 || (word &>> UInt64(byte & 63)) & 1 == 0 { return false }
            index += 1
        }
        return true
    }

    /// Whether any of eight bytes is below `!`, above `~`, or one of `"`, `=`, `\`: the byte-wise
    /// tests of "Bit Twiddling Hacks" (hasless, hasmore, haszero of the byte's difference), each
    /// exact as a yes or no for the whole word.
    @inline(__always)
    static func hasUnplainByte(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        let below = (word &- ones &* 0x21) & ~word
        let above = (word &+ ones) | word
        func has(_ byte: UInt64) -> UInt64 {
            let difference = word ^ (ones &* byte)
            return (difference &- ones) & ~difference
        }
        return (below | above | has(0x22) | has(0x3d) | has(0x5c)) & highBits != 0
    }

    private static let plainLogfmtBytes: (low: UInt64, high: UInt64) = {
        var words: [UInt64] = [0, 0]
        for byte in 0x21..<0x7f where byte != 0x22 && byte != 0x3d && byte != 0x5c {
            words[byte >> 6] |= 1 << UInt64(byte & 63)
        }
        return (words[0], words[1])
    }()

    /// C0, DEL and C1 controls: what could forge a line or drive a terminal.
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value)
    }

    private static func escaped(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }

    /// Request-derived text (paths, ids) lands here: every control character is escaped, so no
    /// value can end the line or send an escape sequence to an operator's terminal.
    package static func logfmtValue(_ value: String) -> String {
        var value = value
        if value.withUTF8(isPlainLogfmt) { return value }
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case _ where isControl(scalar): out += escaped(scalar)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
