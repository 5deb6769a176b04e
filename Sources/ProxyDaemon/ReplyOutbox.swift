import ProxyCore

/// Writes large payloads to a reply a slice per loop turn: the prefix, the text escaped 64 KiB
/// at a time, the suffix. It yields to the loop after each slice, and waits for the connection
/// to drain when it is behind, so a large answer never holds the loop for long nor piles up in
/// the connection's buffer. `onEmpty` runs each time everything queued has gone.
final class ReplyOutbox {
    private var queue: [SplicedText] = []
    /// Where the first payload is: nil before its prefix, else the UTF-8 offset into its text.
    private var offset: Int?
    private var timer: (any LoopTimer)?
    private var waitingForDrain = false
    private let sink: any ResponseSink
    private let timers: any TimerFactory
    var onEmpty: (() -> Void)?

    init(sink: any ResponseSink, timers: any TimerFactory) {
        self.sink = sink
        self.timers = timers
    }

    var isEmpty: Bool { queue.isEmpty }

    func append(_ payloads: [SplicedText]) {
        queue += payloads
        pump()
    }

    /// The connection drained: go on if it was waiting for that.
    func drained() {
        guard waitingForDrain else { return }
        waitingForDrain = false
        pump()
    }

    /// The client left: nothing more goes out.
    func discard() {
        queue.removeAll()
        offset = nil
        waitingForDrain = false
    }

    func close() {
        discard()
        timer?.close()
        timer = nil
    }

    private func pump() {
        guard !waitingForDrain else { return }
        while let first = queue.first {
            guard var position = offset else {
                offset = 0
                if sink.send(first.prefix) { return waitingForDrain = true }
                continue
            }
            if let slice = first.slice(from: &position) {
                offset = position
                if sink.send(slice) { return waitingForDrain = true }
                if timer == nil { timer = timers.timer { [weak self] in self?.pump() } }
                timer?.schedule(after: 0)
                return
            }
            queue.removeFirst()
            offset = nil
            if sink.send(first.suffix) && !queue.isEmpty { return waitingForDrain = true }
        }
        onEmpty?()
    }
}
