import CEvent
import Glibc

/// Every libevent callback the proxy registers. Each one rebuilds its Swift object from the
/// unretained pointer it was given and makes exactly one call; no logic lives here.
/// Owners keep their objects alive and unregister before they go (see each type's `close`).
package enum CCallbacks {
    package static func pointer(to object: AnyObject) -> UnsafeMutableRawPointer {
        Unmanaged.passUnretained(object).toOpaque()
    }

    private static func object<T: AnyObject>(_ arg: UnsafeMutableRawPointer?, as type: T.Type) -> T? {
        arg.map { Unmanaged<T>.fromOpaque($0).takeUnretainedValue() }
    }

    /// evhttp generic request callback.
    package static let request: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Void = { request, arg in
        guard let request else { return }
        object(arg, as: HTTPServer.self)?.didReceive(request)
    }

    /// `evhttp_set_bevcb`: evhttp accepted a connection and asks for its bufferevent.
    package static let newConnection: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> OpaquePointer? = {
        _, arg in
        object(arg, as: HTTPServer.self)?.newConnection()
    }

    /// `evconnlistener_set_error_cb`: accept failed (not EAGAIN/EINTR). The argument evhttp
    /// gave its listener is the evhttp itself.
    package static let acceptFailed: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Void = { _, arg in
        let code = errno
        HTTPServer.server(forHTTP: arg)?.acceptFailed(errno: code)
    }

    /// `evhttp_request_set_on_complete_cb`: a reply was written to the socket in full.
    package static let replyWritten: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Void = { _, arg in
        object(arg, as: HTTPServer.self)?.replyWritten()
    }

    /// `evhttp_connection_set_closecb`: the client's connection is going away mid-stream.
    package static let connectionClosed: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Void = { _, arg in
        object(arg, as: HTTPExchange.self)?.didClose()
    }

    /// `evhttp_send_reply_chunk_with_cb`: the connection's output buffer drained.
    package static let connectionDrained: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Void = { _, arg in
        object(arg, as: HTTPExchange.self)?.didDrain()
    }

    /// EV_READ on a pending exchange's socket: the client may have closed it.
    package static let exchangeReadable: @convention(c) (Int32, Int16, UnsafeMutableRawPointer?) -> Void = {
        fd, _, arg in
        object(arg, as: HTTPExchange.self)?.didBecomeReadable(fd: fd)
    }

    package static let pipeRead: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Void = { _, arg in
        object(arg, as: PipeReader.self)?.didRead()
    }

    package static let pipeEvent: @convention(c) (OpaquePointer?, Int16, UnsafeMutableRawPointer?) -> Void = { _, what, arg in
        object(arg, as: PipeReader.self)?.didReceive(events: what)
    }

    package static let pipeWritten: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Void = { _, arg in
        object(arg, as: PipeWriter.self)?.didDrain()
    }

    package static let pipeWriteEvent: @convention(c) (OpaquePointer?, Int16, UnsafeMutableRawPointer?) -> Void = {
        _, what, arg in
        object(arg, as: PipeWriter.self)?.didReceive(events: what)
    }

    package static let timer: @convention(c) (Int32, Int16, UnsafeMutableRawPointer?) -> Void = { _, _, arg in
        object(arg, as: EventTimer.self)?.didFire()
    }

    package static let signal: @convention(c) (Int32, Int16, UnsafeMutableRawPointer?) -> Void = { _, _, arg in
        object(arg, as: SignalWatcher.self)?.didReceive()
    }
}
