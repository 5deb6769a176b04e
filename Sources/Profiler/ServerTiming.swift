/// A `Server-Timing` value (`queue;dur=1.2, spawn;dur=1.6, …`) read into named milliseconds, in
/// the order given. Entries without `dur` and unknown parameters are kept or skipped as the
/// header's grammar allows: a name alone counts as zero.
package struct ServerTiming: Sendable, Equatable, Codable {
    package var entries: [Entry]

    package struct Entry: Sendable, Equatable, Codable {
        package var name: String
        package var milliseconds: Double
    }

    package init(entries: [Entry] = []) { self.entries = entries }

    package init(parsing value: some StringProtocol) {
        entries = value.split(separator: ",").compactMap { item in
            let parts = item.split(separator: ";").map { $0.trimmingSpaces() }
            guard let name = parts.first, !name.isEmpty else { return nil }
            var duration = 0.0
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1)
                if pair.count == 2, pair[0].trimmingSpaces() == "dur",
                   let value = Double(pair[1].trimmingSpaces().filter { $0 != "\"" }) {
                    duration = value
                }
            }
            return Entry(name: String(name), milliseconds: duration)
        }
    }

    package subscript(name: String) -> Double? { entries.first { $0.name == name }?.milliseconds }
    package var isEmpty: Bool { entries.isEmpty }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
