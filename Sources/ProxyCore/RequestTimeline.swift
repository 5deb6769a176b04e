/// Where one request's time went, from marks taken as it moved along. Pure: the session marks with
/// its injected clock, the daemon reads the phases for `Server-Timing`, the access log and
/// `/metrics`.
///
/// The phases follow one another, so `queue + spawn + cli + upstream` is the time to the
/// upstream's first byte, and the rest of `firstToken` is the model's own time to its first
/// token. A mark that never came (a warm CLI is not spawned) leaves its phase out, and the next
/// phase runs from the mark before it. The CLI prints nothing before `system/init`, so "CLI
/// start" runs from the process being there (fork/exec done, or taken ready-made) to that line.
package struct RequestTimeline: Sendable, Equatable {
    package enum Mark: Int, CaseIterable, Sendable, Comparable {
        /// The request was read.
        case received
        /// It got its place (at once, or after waiting in the queue).
        case admitted
        /// Its CLI process is there: spawned, or taken warm or parked.
        case launched
        /// The CLI said `system/init`: its own start is over.
        case initialized
        /// The CLI's first `message_start`: Anthropic's first byte.
        case upstreamStarted
        /// The first piece of answer (text, thinking or a tool call).
        case firstToken
        /// The reply ended.
        case finished

        package static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    }

    /// A phase as `Server-Timing` names it, with the mark that ends it.
    package enum Phase: String, CaseIterable, Sendable {
        case queue, spawn, cli, upstream
        /// From the request to its first piece of answer (not a segment: the sum of those before and the model's own time).
        case firstToken = "first_token"
        /// From the request to the end of the reply.
        case total

        package var endMark: Mark {
            switch self {
            case .queue: .admitted
            case .spawn: .launched
            case .cli: .initialized
            case .upstream: .upstreamStarted
            case .firstToken: .firstToken
            case .total: .finished
            }
        }

        /// True for the phases measured from the request itself rather than from the mark before.
        package var isFromReceipt: Bool { self == .firstToken || self == .total }
    }

    /// Seconds since `received` of each mark taken (the first time only).
    package private(set) var marks: [Mark: Double] = [.received: 0]
    /// Gaps between one piece of answer and the next.
    package private(set) var tokenGaps = LatencyHistogram()
    /// Pieces of answer seen.
    package private(set) var tokens = 0
    private var lastTokenAt: Double?

    package init() {}

    /// Takes `mark` at `seconds` since the request was read, unless it was taken already.
    package mutating func mark(_ mark: Mark, at seconds: Double) {
        if marks[mark] == nil { marks[mark] = seconds }
    }

    /// A piece of answer at `seconds`: the first marks `firstToken`, each later one a gap.
    package mutating func token(at seconds: Double) {
        mark(.firstToken, at: seconds)
        if let lastTokenAt { tokenGaps.observe(max(0, seconds - lastTokenAt)) }
        lastTokenAt = seconds
        tokens += 1
    }

    /// A phase's length in seconds, or nil when its end mark was never taken.
    package func duration(_ phase: Phase) -> Double? {
        guard let end = marks[phase.endMark] else { return nil }
        if phase.isFromReceipt { return end }
        let start = marks.filter { $0.key < phase.endMark }.max { $0.key < $1.key }?.value ?? 0
        return max(0, end - start)
    }

    /// `queue;dur=0.1, spawn;dur=1.8, …` in milliseconds, for the header and the stream's comment line.
    package var serverTiming: String {
        Phase.allCases.compactMap { phase in
            duration(phase).map { "\(phase.rawValue);dur=\(Self.milliseconds($0))" }
        }.joined(separator: ", ")
    }

    /// Milliseconds with one decimal, without Foundation's formatting.
    package static func milliseconds(_ seconds: Double) -> String {
        let tenths = Int((seconds * 10_000).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
