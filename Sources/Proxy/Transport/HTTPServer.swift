import CEvent
import Glibc

/// evhttp bound to one address. Every request goes to `onRequest` as an `HTTPExchange`.
final class HTTPServer {
    private let loop: EventLoop
    private var http: OpaquePointer?
    private let onRequest: (HTTPExchange) -> Void
    private let connectionTimeout: Int
    /// The bound port (the real one when 0 was asked for).
    private(set) var port = 0
    private var socket: OpaquePointer?

    struct Limits {
        /// evhttp's own ceiling; the proxy answers bodies over its (smaller) limit itself, in JSON.
        var bodyCeiling: Int
        var headerBytes: Int
        /// Read/write timeout for idle and slow connections, in seconds.
        var connectionTimeout: Int
    }

    init(loop: EventLoop, host: String, port: Int, limits: Limits,
         onRequest: @escaping (HTTPExchange) -> Void) throws(SystemError) {
        self.loop = loop
        self.onRequest = onRequest
        self.connectionTimeout = limits.connectionTimeout
        guard let http = evhttp_new(loop.base) else { throw SystemError(operation: "evhttp_new", errno: ENOMEM) }
        self.http = http
        evhttp_set_max_body_size(http, limits.bodyCeiling)
        evhttp_set_max_headers_size(http, limits.headerBytes)
        evhttp_set_timeout(http, Int32(limits.connectionTimeout))
        // Every method reaches the router, which answers 405 in OpenAI's shape (evhttp's own is HTML).
        let methods = EVHTTP_REQ_GET.rawValue | EVHTTP_REQ_POST.rawValue | EVHTTP_REQ_HEAD.rawValue
            | EVHTTP_REQ_PUT.rawValue | EVHTTP_REQ_DELETE.rawValue | EVHTTP_REQ_OPTIONS.rawValue
            | EVHTTP_REQ_PATCH.rawValue
        evhttp_set_allowed_methods(http, UInt16(methods))
        evhttp_set_gencb(http, CCallbacks.request, CCallbacks.pointer(to: self))
        guard let handle = evhttp_bind_socket_with_handle(http, host, UInt16(port)) else {
            let code = errno
            evhttp_free(http)
            self.http = nil
            throw SystemError(operation: "bind \(host):\(port)", errno: code == 0 ? EADDRINUSE : code)
        }
        self.port = Self.boundPort(of: evhttp_bound_socket_get_fd(handle)) ?? port
        socket = handle
    }

    deinit { close() }

    /// Stops accepting and frees every connection evhttp still holds.
    func close() {
        if let http { evhttp_free(http) }
        http = nil
    }

    /// Closes the listening socket; connections already open are served to the end.
    func stopAccepting() {
        if let http, let socket { evhttp_del_accept_socket(http, socket) }
        socket = nil
    }

    func didReceive(_ request: OpaquePointer) {
        onRequest(HTTPExchange(request: request, loop: loop, connectionTimeout: connectionTimeout))
    }

    private static func boundPort(of fd: Int32) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
        default:
            return nil
        }
    }
}
