/// The doctor's lines: ✓ passed, ! a warning, ✗ failed with what to do.
package struct DoctorReport: Sendable {
    package enum Line: Sendable, Equatable {
        case pass(String)
        case warn(String, fix: String)
        case fail(String, fix: String)
    }

    package private(set) var lines: [Line] = []
    package init() {}
    package mutating func add(_ line: Line) { lines.append(line) }
    package var failed: Bool { lines.contains { if case .fail = $0 { true } else { false } } }

    package var text: String {
        lines.map { line in
            switch line {
            case .pass(let text): "✓ \(text)\n"
            case .warn(let text, let fix): "! \(text)\n    → \(fix)\n"
            case .fail(let text, let fix): "✗ \(text)\n    → \(fix)\n"
            }
        }.joined()
    }
}
