/// The Claude Code CLI's version as `claude --version` prints it (`2.1.331 (Claude Code)`), and
/// the range the proxy's suite has passed against. The CLI updates itself often; a version
/// outside the range may well work, but nobody here has checked it.
package struct CLIVersion: Comparable, Sendable, CustomStringConvertible {
    package var parts: [Int]

    /// The oldest and newest CLIs the integration suite passed against (scripts/test-cli-versions.sh).
    package static let testedRange = CLIVersion(parts: [2, 1, 284])...CLIVersion(parts: [2, 1, 337])
    /// The CLI the suite is pinned to (claude-agent-sdk 0.2.188).
    package static let pinned = CLIVersion(parts: [2, 1, 331])

    package init(parts: [Int]) { self.parts = parts }

    /// The first dotted number in `output`; nil when there is none.
    package init?(output: String) {
        for word in output.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }) {
            let numbers = word.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
            if numbers.count >= 2, numbers.allSatisfy({ $0 != nil }) {
                parts = numbers.compactMap { $0 }
                return
            }
        }
        return nil
    }

    package var isTested: Bool { Self.testedRange.contains(self) }
    package var description: String { parts.map(String.init).joined(separator: ".") }

    package static func < (a: Self, b: Self) -> Bool {
        for index in 0..<max(a.parts.count, b.parts.count) {
            let x = index < a.parts.count ? a.parts[index] : 0, y = index < b.parts.count ? b.parts[index] : 0
            if x != y { return x < y }
        }
        return false
    }
}
