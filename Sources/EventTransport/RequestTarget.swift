
/// What the request line and framing headers say, checked as RFC 9112 asks. Pure.
package enum RequestTarget {
    /// The path of a request target: origin form (`/v1/models?x`) as it is, absolute form
    /// (`http://host:port/v1/models`, which a server must accept) without scheme and authority.
    /// Query and fragment are dropped.
    package static func path(of target: String) -> String {
        // What nearly every client sends: an origin-form path with no query, as it is.
        let bytes = target.utf8
        if bytes.first == UInt8(ascii: "/"), !bytes.contains(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) {
            return target
        }
        var rest = Substring(target)
        for scheme in ["http://", "https://"] where rest.lowercased().hasPrefix(scheme) {
            rest = rest.dropFirst(scheme.count)
            rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? "/"
            break
        }
        let path = rest.prefix { $0 != "?" && $0 != "#" }
        return path.isEmpty ? "/" : String(path)
    }

    /// True when the `Content-Length` fields (each possibly a comma-separated list) name more
    /// than one value: the message's framing is ambiguous and the request must be refused.
    package static func hasConflictingLengths(_ fields: [String]) -> Bool {
        if fields.count < 2 && fields.first?.contains(",") != true { return false }
        let values = Set(fields.flatMap { $0.split(separator: ",").map { $0.filter { $0 != " " && $0 != "\t" } } })
        return values.count > 1
    }
}
