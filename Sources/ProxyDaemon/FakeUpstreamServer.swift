import ChildProcesses
import EventTransport
import FakeUpstream
import Logging
import ProxyCore

/// The test mode's upstream, served on the proxy's own loop at an unguessable path: the CLIs are
/// started with `ANTHROPIC_BASE_URL` pointing here, and everything else stays the real path.
/// Streams are sent step by step on timers, so scripted delays cost no thread.
final class FakeUpstreamServer {
    let token = CompletionPlanIDs.random(prefix: "") + CompletionPlanIDs.random(prefix: "")
    private(set) var script: FakeScript
    private let scriptPath: String?
    private let timers: any TimerFactory
    private let logger: Logger
    private var sequence = 0
    /// Streams being sent, by their sequence number: the exchange and its next-step timer.
    private var streams: [Int: (exchange: HTTPExchange, timer: (any LoopTimer)?)] = [:]

    init(scriptPath: String?, timers: any TimerFactory, logger: Logger) throws(FakeScript.ParseError) {
        self.scriptPath = scriptPath
        self.timers = timers
        self.logger = logger
        script = try Self.load(scriptPath)
    }

    var pathPrefix: String { "/fake-upstream/\(token)" }

    static func load(_ path: String?) throws(FakeScript.ParseError) -> FakeScript {
        guard let path else { return FakeScript() }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw FakeScript.ParseError(line: 0, problem: "cannot read \(path): \(error)")
        }
        return try FakeScript(text: text)
    }

    /// SIGHUP: the script is read again; a broken one leaves the old in place.
    func reload() {
        do {
            script = try Self.load(scriptPath)
            logger.notice("fake upstream: script reloaded", metadata: ["entries": "\(script.entries.count)"])
        } catch {
            logger.error("fake upstream: the script was not reloaded", metadata: ["error": "\(error)"])
        }
    }

    func serve(_ exchange: HTTPExchange) {
        guard exchange.isLocalPeer(boundHost: "127.0.0.1"), exchange.path.hasPrefix(pathPrefix) else {
            return exchange.respond(status: 404, headers: [("Content-Type", "application/json")], body: [])
        }
        let rest = String(exchange.path.dropFirst(pathPrefix.count))
        guard exchange.method == .post, rest == "/v1/messages" else {
            let body = WireJSON.encode(JSONValue.object(["type": .string("error"), "error": .object([
                "type": .string("not_found_error"), "message": .string("The fake upstream serves POST /v1/messages only.")])]))
            return exchange.respond(status: 404, headers: [("Content-Type", "application/json")], body: body)
        }
        sequence += 1
        let number = sequence
        switch FakeResponder.plan(body: exchange.body, script: script, sequence: number) {
        case .error(let status, let body, let retryAfter):
            var headers = [("Content-Type", "application/json")]
            if let retryAfter { headers.append(("retry-after", String(retryAfter))) }
            exchange.respond(status: status, headers: headers, body: body)
        case .whole(let body):
            exchange.respond(status: 200, headers: [("Content-Type", "application/json")], body: body)
        case .stream(let steps, let ending):
            exchange.startStream(status: 200, headers: [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")])
            exchange.onClientGone = { [weak self] in self?.finish(number) }
            streams[number] = (exchange, nil)
            step(number, steps: steps[...], ending: ending)
        }
    }

    /// Sends the first step (it is due now) and every later one without a delay, then waits
    /// for the next delay on a timer; at the end, closes, cuts or stalls the stream.
    private func step(_ number: Int, steps: ArraySlice<FakeResponder.Step>, ending: FakeResponder.Ending) {
        guard let stream = streams[number] else { return }
        var rest = steps
        if let first = rest.first {
            stream.exchange.send(first.bytes)
            rest = rest.dropFirst()
        }
        while let next = rest.first, next.delayMs == 0 {
            stream.exchange.send(next.bytes)
            rest = rest.dropFirst()
        }
        if let next = rest.first {
            let timer = timers.timer { [weak self] in self?.step(number, steps: rest, ending: ending) }
            stream.timer?.close()
            streams[number] = (stream.exchange, timer)
            timer.schedule(after: Double(next.delayMs) / 1000)
            return
        }
        switch ending {
        case .close:
            stream.exchange.endStream()
            finish(number)
        case .cut:
            // Cut a moment after what was sent has left, as a connection lost mid-answer looks to
            // the CLI (bytes and the end arriving together are dropped as one failed read).
            // The exchange is kept until the CLI closes its side (`onClientGone`): evhttp still
            // holds the connection and will report that close to it.
            let timer = timers.timer { [weak exchange = stream.exchange] in exchange?.cut() }
            stream.timer?.close()
            streams[number] = (stream.exchange, timer)
            timer.schedule(after: 0.1)
        case .stall:
            break  // the CLI's idle timeout ends it; `onClientGone` cleans up
        }
    }

    private func finish(_ number: Int) {
        guard let stream = streams.removeValue(forKey: number) else { return }
        stream.exchange.onClientGone = nil
        stream.timer?.close()
    }
}
