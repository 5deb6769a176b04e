import ProxyCore
import OpenAIFront
import EventTransport
import ChildProcesses

/// Which browser origins may call the proxy (`--allow-origin`), and the CORS headers that say
/// so. None by default: any page a user opens could otherwise spend their subscription. Pure.
package struct CORSPolicy: Sendable {
    package let origins: Set<String>

    package init(origins: [String]) {
        self.origins = Set(origins)
    }

    /// Headers a browser script may read from a reply.
    package static let exposed = "X-Request-Id, x-claude-cost-usd, Retry-After, x-should-retry"
    /// Request headers allowed when a preflight names none.
    package static let defaultAllowedHeaders = "authorization, content-type, x-api-key, x-request-id"

    package func allows(_ origin: String) -> Bool {
        origins.contains("*") || origins.contains(origin)
    }

    /// For every reply to an allowed origin's request; nothing for others.
    package func headers(origin: String?) -> [(String, String)] {
        guard let origin, allows(origin) else { return [] }
        return [("Access-Control-Allow-Origin", allowedValue(origin)), ("Vary", "Origin"),
                ("Access-Control-Expose-Headers", Self.exposed)]
    }

    /// The answer to a preflight (`OPTIONS` with `Access-Control-Request-Method`) from an allowed
    /// origin. The requested headers are echoed when they are plain header names.
    package func preflightHeaders(origin: String, methods: [String], requestedHeaders: String?) -> [(String, String)] {
        let requested = requestedHeaders.map { $0.trimmingASCIISpaces() } ?? ""
        let isPlainList = !requested.isEmpty && requested.utf8.allSatisfy {
            $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")
                || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || ($0 | 0x20 >= UInt8(ascii: "a") && $0 | 0x20 <= UInt8(ascii: "z"))
        }
        return [
            ("Access-Control-Allow-Origin", allowedValue(origin)),
            ("Access-Control-Allow-Methods", (methods + ["OPTIONS"]).joined(separator: ", ")),
            ("Access-Control-Allow-Headers", isPlainList ? requested : Self.defaultAllowedHeaders),
            ("Access-Control-Max-Age", "600"),
            ("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"),
        ]
    }

    /// `*` only when the operator asked for any origin; otherwise the origin itself.
    private func allowedValue(_ origin: String) -> String {
        origins.contains("*") ? "*" : origin
    }
}
