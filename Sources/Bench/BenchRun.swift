import SystemCalls
import BenchTransport
import Profiler
import ProxyCore
#if canImport(Glibc)
import Glibc
#endif

/// Drives one concurrency level of a profiler run on one thread: keeps `concurrency` requests in
/// flight (or starts them at Poisson arrivals of `rate` per second, at most `concurrency` at once),
/// streams every reply through a `CompletionStreamReader`, and returns each request's timings.
/// With two targets the requests go in pairs, the pair's order alternating, so both endpoints
/// meet the same moments of the machine's noise.
final class BenchRun {
    struct Settings {
        var targets: [(url: String, apiKey: String?)]
        var plan: BenchPlan
        var requests: Int?
        var concurrency: Int
        var rate: Double?
        var duration: Double?
        var timeout: Double
        var warmup: Int
        var seed: UInt64
    }

    private let settings: Settings
    private let multi: CurlMulti
    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant
    private var samples: [RequestSample] = []
    private var finished = 0
    private var errors = 0
    private let progress: Bool

    init(settings: Settings, origin: ContinuousClock.Instant, progress: Bool) throws(CurlLibrary.LoadError) {
        multi = try CurlMulti()
        self.settings = settings
        self.origin = origin
        self.progress = progress
    }

    private func seconds(_ instant: ContinuousClock.Instant) -> Double { origin.duration(to: instant).inSeconds }

    /// Requests not counted, one at a time to each target, so the first counted one does not pay
    /// for a cold connection or a cold cache.
    func warmUp() {
        for index in 0..<settings.warmup {
            for target in settings.targets.indices {
                var done = false
                send(index: index, target: target, record: false) { done = true }
                while !done { multi.poll(timeoutSeconds: 0.05) }
            }
        }
    }

    /// Runs the level; the samples are in the order they were sent.
    func run() -> [RequestSample] {
        let pairs = settings.targets.count
        let total = settings.requests.map { $0 * pairs }
        var jobs = 0  // jobs handed out; job k is pair k / pairs, member k % pairs
        let begun = clock.now
        var nextArrival = begun
        var generator = SplitMix64(seed: settings.seed)
        var lastProgress = begun
        func moreToSend() -> Bool {
            if let total, jobs >= total { return false }
            if let duration = settings.duration, begun.duration(to: clock.now) >= .seconds(duration) { return false }
            return true
        }
        while moreToSend() || multi.running > 0 {
            var wait = 0.05
            while moreToSend(), multi.running < settings.concurrency {
                if settings.rate != nil {
                    let now = clock.now
                    guard nextArrival <= now else {
                        let gap = now.duration(to: nextArrival)
                        wait = min(wait, gap.inSeconds)
                        break
                    }
                }
                let pair = jobs / pairs, member = jobs % pairs
                // Alternate which side of a pair goes first.
                let target = pair % 2 == 0 ? member : pairs - 1 - member
                jobs += 1
                send(index: pair, target: target, record: true) {}
                if let rate = settings.rate, jobs % pairs == 0 {
                    let uniform = (Double(generator.next() >> 11) + 0.5) / Double(1 << 53)
                    nextArrival = nextArrival + .seconds(-log(uniform) / rate)
                }
            }
            multi.poll(timeoutSeconds: wait)
            if progress, lastProgress.duration(to: clock.now) > .milliseconds(200) {
                lastProgress = clock.now
                showProgress(total: total)
            }
        }
        if progress {
            showProgress(total: total)
            TextFile.standardError("\n")
        }
        return samples.sorted { ($0.sent, $0.target) < ($1.sent, $1.target) }
    }

    private func showProgress(total: Int?) {
        let of = total.map { "/\($0)" } ?? ""
        TextFile.standardError("\r\u{1B}[2Kconcurrency \(settings.concurrency): \(finished)\(of) done, "
            + "\(multi.running) in flight, \(errors) failed")
    }

    private func send(index: Int, target: Int, record: Bool, then: @escaping () -> Void) {
        let (base, apiKey) = settings.targets[target]
        var headers = ["Content-Type: application/json", "Accept: text/event-stream"]
        if let apiKey { headers.append("Authorization: Bearer \(apiKey)") }
        let request = CurlMulti.Request(url: settings.plan.url(base: base), headers: headers,
                                        body: settings.plan.body(index: index), timeoutSeconds: settings.timeout)
        var reader = CompletionStreamReader(endpoint: settings.plan.endpoint)
        var firstByte: Double?
        var errorBody: [UInt8] = []
        let sent = seconds(clock.now)
        let concurrency = settings.concurrency
        multi.start(request, handlers: CurlMulti.Handlers(
            chunk: { [unowned self] instant, bytes in
                let at = self.seconds(instant)
                if firstByte == nil { firstByte = at }
                if errorBody.count < 400 { errorBody += bytes.prefix(400 - errorBody.count) }
                reader.read(bytes, at: at)
            },
            done: { [unowned self] outcome in
                defer { then() }
                guard record else { return }
                var error: String?
                if let curlError = outcome.curlError {
                    error = curlError
                } else if !(200..<300).contains(outcome.status) {
                    error = "HTTP \(outcome.status): " + String(decoding: errorBody.prefix(300), as: UTF8.self)
                } else if let streamError = reader.streamError {
                    error = streamError
                } else if reader.tokenTimes.isEmpty {
                    error = "no answer in the stream"
                }
                let header = outcome.headers.first { $0.0 == "server-timing" }.map { ServerTiming(parsing: $0.1) }
                self.samples.append(RequestSample(
                    target: target, index: index, concurrency: concurrency, sent: sent, firstByte: firstByte,
                    tokenTimes: reader.tokenTimes, ended: self.seconds(outcome.ended), status: outcome.status,
                    outputTokens: reader.outputTokens, serverTiming: reader.serverTiming ?? header, error: error))
                self.finished += 1
                if error != nil { self.errors += 1 }
            }))
    }
}
