import FoundationEssentials

/// The one place the proxy turns wire values into JSON bytes and back.
package enum WireJSON {
    package static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        do {
            return Array(try encoder.encode(value))
        } catch {
            // Every wire type is a plain struct of strings and numbers; a failure here is a bug.
            preconditionFailure("cannot encode \(type(of: value)): \(error)")
        }
    }

    package static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try JSONDecoder().decode(type, from: Data(bytes))
    }
}
