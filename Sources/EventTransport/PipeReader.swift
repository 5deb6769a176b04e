import CEvent

/// Reads one of a child's output pipes through a bufferevent. Bytes are copied out as they
/// arrive (`evbuffer_remove`, never C-allocated lines); EOF or a read error ends the reader once.
package final class PipeReader {
    private var bufferEvent: OpaquePointer?
    private let onData: ([UInt8]) -> Void
    private let onEnd: () -> Void
    private static let readSize = 64 * 1024

    /// Takes ownership of `fd` (closed when the reader closes).
    package init(loop: EventLoop, fd: Int32, onData: @escaping ([UInt8]) -> Void, onEnd: @escaping () -> Void) {
        self.onData = onData
        self.onEnd = onEnd
        bufferEvent = bufferevent_socket_new(loop.base, fd, Int32(BEV_OPT_CLOSE_ON_FREE.rawValue))
        bufferevent_setcb(bufferEvent, CCallbacks.pipeRead, nil, CCallbacks.pipeEvent, CCallbacks.pointer(to: self))
        bufferevent_enable(bufferEvent, Int16(EV_READ))
    }

    deinit { close() }

    package var isOpen: Bool { bufferEvent != nil }

    /// Stops reading (backpressure); the pipe fills and the child blocks on its writes.
    package func pause() {
        if let bufferEvent { bufferevent_disable(bufferEvent, Int16(EV_READ)) }
    }

    package func resume() {
        if let bufferEvent { bufferevent_enable(bufferEvent, Int16(EV_READ)) }
    }

    /// Frees the bufferevent and closes the fd; no callback follows.
    package func close() {
        if let bufferEvent { bufferevent_free(bufferEvent) }
        bufferEvent = nil
    }

    package func didRead() {
        while let bufferEvent, let input = bufferevent_get_input(bufferEvent) {
            let available = evbuffer_get_length(input)
            guard available > 0 else { return }
            var bytes = [UInt8](repeating: 0, count: min(available, Self.readSize))
            let copied = bytes.withUnsafeMutableBytes { evbuffer_remove(input, $0.baseAddress, $0.count) }
            guard copied > 0 else { return }
            if copied < bytes.count { bytes.removeLast(bytes.count - Int(copied)) }
            onData(bytes)
        }
    }

    package func didReceive(events: Int16) {
        guard events & Int16(BEV_EVENT_EOF | BEV_EVENT_ERROR) != 0 else { return }
        didRead()
        guard isOpen else { return }
        close()
        onEnd()
    }
}
