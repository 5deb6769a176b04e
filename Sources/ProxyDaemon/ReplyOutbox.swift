import ProxyCore

/// The one way a session's bytes reach its client once a stream has begun: frames, keep-alives,
/// comments, errors and large payloads alike, in order. Small bytes are handed to the connection
/// at once (the sender pauses its source while `isBehind`, which bounds them). Large payloads are
/// written a slice per loop turn: the prefix, the text escaped 64 KiB at a time, the suffix. It
/// yields to the loop after each slice, and waits for the connection to drain when it is behind,
/// so a large answer never holds the loop for long nor piles up in the connection's buffer.
/// `onEmpty` runs each time everything queued has been handed to the connection.
final class ReplyOutbox {
    private var queue: [SplicedText] = []
    /// Where the first payload is: nil before its prefix, else the UTF-8 offset into its text.
    private var offset: Int?
    private var timer: (any LoopTimer)?
    private let sink: any ResponseSink
    private let timers: any TimerFactory
    var onEmpty: (() -> Void)?
    /// The connection is above its high-water mark: nothing more is handed to it, and the sender
    /// should pause, until it drains.
    private(set) var isBehind = false

    init(sink: any ResponseSink, timers: any TimerFactory) {
        self.sink = sink
        self.timers = timers
    }

    var isEmpty: Bool { queue.isEmpty }

    func append(_ payloads: [SplicedText]) {
        queue += payloads
        pump()
    }

    /// Bytes as they are (a frame, a keep-alive, a comment).
    func append(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        append([SplicedText(prefix: bytes, text: "", suffix: [])])
    }

    /// The connection drained: go on if it was waiting for that.
    func drained() {
        guard isBehind else { return }
        isBehind = false
        pump()
    }

    /// The client left: nothing more goes out.
    func discard() {
        queue.removeAll()
        offset = nil
        isBehind = false
    }

    func close() {
        discard()
        timer?.close()
        timer = nil
    }

    private func send(_ bytes: [UInt8]) {
        if !bytes.isEmpty && sink.send(bytes) { isBehind = true }
    }

    private func pump() {
        while let first = queue.first {
            guard var position = offset else {
                offset = 0
                send(first.prefix)
                continue
            }
            if position < first.text.utf8.count {
                // A large text waits for the connection to drain before each slice, and yields to
                // the loop after each: the loop serves others between them.
                guard !isBehind else { return }
                if let slice = first.slice(from: &position) {
                    offset = position
                    send(slice)
                }
                if !isBehind {
                    if timer == nil { timer = timers.timer { [weak self] in self?.pump() } }
                    timer?.schedule(after: 0)
                }
                return
            }
            queue.removeFirst()
            offset = nil
            send(first.suffix)
        }
        onEmpty?()
    }
}
