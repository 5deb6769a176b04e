/// One request's raw timings as the profiler saw them; seconds from the start of the run, so a
/// report can draw every request on one time line.
package struct RequestSample: Sendable, Codable, Equatable {
    /// Which endpoint it went to: 0 the `--url`, 1 the `--compare` one.
    package var target: Int
    /// Its place in the run (and, with `--compare`, its pair's number).
    package var index: Int
    /// The concurrency level it ran at (a `--sweep` runs several).
    package var concurrency: Int
    package var sent: Double
    /// When the response's first byte (its headers) came.
    package var firstByte: Double?
    /// When each piece of answer came.
    package var tokenTimes: [Double]
    package var ended: Double
    /// The HTTP status, 0 when none came.
    package var status: Int
    package var outputTokens: Int?
    package var serverTiming: ServerTiming?
    package var error: String?

    package init(target: Int, index: Int, concurrency: Int, sent: Double, firstByte: Double?, tokenTimes: [Double],
                 ended: Double, status: Int, outputTokens: Int?, serverTiming: ServerTiming?, error: String?) {
        self.target = target
        self.index = index
        self.concurrency = concurrency
        self.sent = sent
        self.firstByte = firstByte
        self.tokenTimes = tokenTimes
        self.ended = ended
        self.status = status
        self.outputTokens = outputTokens
        self.serverTiming = serverTiming
        self.error = error
    }

    package var succeeded: Bool { error == nil && (200..<300).contains(status) && !tokenTimes.isEmpty }
    /// Time to first token.
    package var ttft: Double? { tokenTimes.first.map { $0 - sent } }
    package var endToEnd: Double { ended - sent }
    /// Gaps between one piece of answer and the next.
    package var interTokenGaps: [Double] { zip(tokenTimes.dropFirst(), tokenTimes).map { $0 - $1 } }
    /// Tokens out: the server's count, else the pieces seen.
    package var tokensOut: Int { outputTokens ?? tokenTimes.count }
    /// Time per output token after the first.
    package var timePerOutputToken: Double? {
        guard let first = tokenTimes.first, tokensOut > 1 else { return nil }
        return (ended - first) / Double(tokensOut - 1)
    }
}
