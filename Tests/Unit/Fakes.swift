import Glibc
@testable import ChildProcesses
@testable import ProxyCore
@testable import ProxyDaemon

/// A clock the test drives: timers fire, in deadline order, only when `advance` passes them.
final class FakeTimers: TimerFactory {
    final class Timer: LoopTimer {
        let action: () -> Void
        var deadline: Double?
        var closed = false
        weak var clock: FakeTimers?
        init(action: @escaping () -> Void) { self.action = action }
        func schedule(after seconds: Double) {
            guard !closed, let clock else { return }
            deadline = clock.now + seconds
        }
        func cancel() { deadline = nil }
        func close() {
            closed = true
            deadline = nil
        }
    }

    private(set) var now = 0.0
    private var timers: [Timer] = []

    func timer(_ action: @escaping () -> Void) -> any LoopTimer {
        let timer = Timer(action: action)
        timer.clock = self
        timers.append(timer)
        return timer
    }

    var armed: Int { timers.filter { $0.deadline != nil }.count }

    func advance(by seconds: Double) {
        let end = now + seconds
        while let next = timers.filter({ ($0.deadline ?? .infinity) <= end }).min(by: { $0.deadline! < $1.deadline! }) {
            now = next.deadline!
            next.deadline = nil
            next.action()
        }
        now = end
    }
}

/// A reply sink that records what the session sent.
final class FakeSink: ResponseSink {
    var onClientGone: (() -> Void)?
    var onDrained: (() -> Void)?
    var status: Int?
    var headers: [(String, String)] = []
    var body: [UInt8] = []
    var streamed: [UInt8] = []
    var isStreaming = false
    var ended = false
    var watching = false
    /// What `send` answers: true makes the session pause the CLI.
    var behind = false

    func respond(status: Int, headers: [(String, String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
        ended = true
    }
    func startStream(status: Int, headers: [(String, String)]) {
        self.status = status
        self.headers = headers
        isStreaming = true
    }
    func send(_ bytes: [UInt8]) -> Bool {
        streamed += bytes
        return behind
    }
    func endStream() { ended = true }
    func watchForClientClose() { watching = true }

    var text: String { String(decoding: isStreaming ? streamed : body, as: UTF8.self) }
    func leave() { onClientGone?() }
}

/// The operating-system side of a child, in memory: the test writes its output and exit.
final class FakeChildIO: ChildIO {
    let pid: Int32
    weak var events: (any ChildIOEvents)?
    var written: [UInt8] = []
    var inputClosed = false
    var paused = false
    var outputClosed = false
    var signals: [Int32] = []
    var closed = false

    init(pid: Int32 = 4242) { self.pid = pid }

    func write(_ bytes: [UInt8]) { written += bytes }
    func closeInput() { inputClosed = true }
    func pauseOutput() { paused = true }
    func resumeOutput() { paused = false }
    func closeOutput() { outputClosed = true }
    func signalGroup(_ signal: Int32) { signals.append(signal) }
    func close() { closed = true }

    // What the child does.
    func print(_ line: String) { events?.childIO(output: Array((line + "\n").utf8)) }
    func endOutput() { events?.childIOOutputEnded() }
    func exit(_ code: Int32 = 0) { events?.childIO(exited: .exited(code)) }
    var writtenLines: [String] {
        String(decoding: written, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}

/// Stream-json lines as the CLI prints them for one short answer.
enum CLILines {
    static let initialized = #"{"type":"system","subtype":"init","model":"claude-test","tools":[],"mcp_servers":[]}"#
    static let start = #"{"type":"stream_event","event":{"type":"message_start","message":{"id":"msg_1","model":"claude-test","usage":{"input_tokens":3,"output_tokens":1}}}}"#
    static func delta(_ text: String) -> String {
        #"{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\#(text)"}}}"#
    }
    static func result(_ text: String) -> String {
        #"{"type":"result","subtype":"success","is_error":false,"result":"\#(text)","stop_reason":"end_turn","usage":{"input_tokens":3,"output_tokens":2},"total_cost_usd":0.001}"#
    }
    static func answer(_ pieces: [String]) -> [String] {
        [initialized, start] + pieces.map(delta) + [result(pieces.joined())]
    }
}
