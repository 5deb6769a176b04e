import ProxyCore

/// Bearer-token check against the configured keys, in time independent of where they differ.
package struct Auth: Sendable {
    package let keys: [[UInt8]]

    package init(keys: [String]) {
        self.keys = keys.map { Array($0.utf8) }
    }

    /// The key the client presented, checked or not.
    package static func presentedKey(authorization: String?, apiKeyHeader: String?) -> String? {
        if let authorization, authorization.prefix(7).lowercased() == "bearer " {
            return String(authorization.dropFirst(7)).trimmingASCIISpaces()
        }
        return apiKeyHeader?.trimmingASCIISpaces()
    }

    /// Reads `Authorization: Bearer <key>` (or `x-api-key: <key>`) and checks it.
    package func check(authorization: String?, apiKeyHeader: String?) -> OpenAIError? {
        let presented: String
        if let authorization, authorization.prefix(7).lowercased() == "bearer " {
            presented = String(authorization.dropFirst(7)).trimmingASCIISpaces()
        } else if let apiKeyHeader {
            presented = apiKeyHeader.trimmingASCIISpaces()
        } else {
            return .missingAPIKey
        }
        let candidate = Array(presented.utf8)
        var matched = false
        for key in keys { matched = Self.constantTimeEqual(candidate, key) || matched }
        return matched ? nil : .invalidAPIKey
    }

    /// Compares every byte of the longer input whatever the contents, so timing reveals only lengths.
    /// The length difference is kept whole: lengths that differ by a multiple of 256 still differ.
    package static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = a.count ^ b.count
        let length = max(a.count, b.count)
        for index in 0..<length {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            difference |= Int(x ^ y)
        }
        return difference == 0 && !b.isEmpty
    }
}
