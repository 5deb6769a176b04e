import CEvent

/// Writes bytes into a child's stdin without blocking the loop. Bytes may be written at any
/// time while the pipe is open (a CLI takes one stream-json user line per turn); `closeWhenDrained`
/// closes the pipe once everything written has gone, which the CLI reads as the end of input.
/// A child that exits before reading makes the write fail (EPIPE, SIGPIPE is ignored); the pipe
/// is closed then too.
package final class PipeWriter {
    private var bufferEvent: OpaquePointer?
    private var closesWhenDrained = false

    /// Takes ownership of `fd`.
    package init(loop: EventLoop, fd: Int32) {
        bufferEvent = bufferevent_socket_new(loop.base, fd, Int32(BEV_OPT_CLOSE_ON_FREE.rawValue))
        bufferevent_setcb(bufferEvent, nil, CCallbacks.pipeWritten, CCallbacks.pipeWriteEvent,
                          CCallbacks.pointer(to: self))
        bufferevent_enable(bufferEvent, Int16(EV_WRITE))
    }

    deinit { close() }

    package func write(_ bytes: [UInt8]) {
        guard let bufferEvent else { return }
        bytes.withUnsafeBytes { _ = bufferevent_write(bufferEvent, $0.baseAddress, $0.count) }
    }

    package func closeWhenDrained() {
        closesWhenDrained = true
        didDrain()
    }

    package func close() {
        if let bufferEvent { bufferevent_free(bufferEvent) }
        bufferEvent = nil
    }

    package func didDrain() {
        guard closesWhenDrained, let bufferEvent, let output = bufferevent_get_output(bufferEvent),
              evbuffer_get_length(output) == 0 else { return }
        close()
    }

    package func didReceive(events: Int16) { close() }
}
