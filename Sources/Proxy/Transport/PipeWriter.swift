import CEvent

/// Writes bytes into a child's stdin without blocking the loop, then closes the pipe once
/// everything has gone (the CLI waits on stdin EOF, CONTRACT.md §3.2). A child that exits
/// before reading makes the write fail (EPIPE, SIGPIPE is ignored); the pipe is closed then too.
final class PipeWriter {
    private var bufferEvent: OpaquePointer?

    /// Takes ownership of `fd`.
    init(loop: EventLoop, fd: Int32, bytes: [UInt8]) {
        bufferEvent = bufferevent_socket_new(loop.base, fd, Int32(BEV_OPT_CLOSE_ON_FREE.rawValue))
        bufferevent_setcb(bufferEvent, nil, CCallbacks.pipeWritten, CCallbacks.pipeWriteEvent,
                          CCallbacks.pointer(to: self))
        bytes.withUnsafeBytes { _ = bufferevent_write(bufferEvent, $0.baseAddress, $0.count) }
        bufferevent_enable(bufferEvent, Int16(EV_WRITE))
    }

    deinit { close() }

    func close() {
        if let bufferEvent { bufferevent_free(bufferEvent) }
        bufferEvent = nil
    }

    func didDrain() {
        guard let bufferEvent, let output = bufferevent_get_output(bufferEvent),
              evbuffer_get_length(output) == 0 else { return }
        close()
    }

    func didReceive(events: Int16) { close() }
}
