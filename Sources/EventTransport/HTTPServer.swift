import SystemCalls
import CEvent
import Glibc
import Synchronization

/// evhttp bound to one address. Every request goes to `onRequest` as an `HTTPExchange`.
///
/// Connections are bounded without spinning: at `maxConnections` open connections, or when
/// accept fails for want of descriptors, the listener is disabled and new connections wait in
/// the kernel's backlog; a back-off timer re-enables it. evhttp 2.1 says when it opens a
/// connection (its bufferevent callback) but not when it closes one, so the count is an upper
/// bound, recounted exactly from the process's open sockets whenever it reaches the limit.
package final class HTTPServer {
    private let loop: EventLoop
    private var http: OpaquePointer?
    private let onRequest: (HTTPExchange) -> Void
    private let connectionTimeout: Int
    /// The bound port (the real one when 0 was asked for).
    package private(set) var port = 0
    private var socket: OpaquePointer?
    private var listener: OpaquePointer?
    private let maxConnections: Int
    /// Connections opened since the last exact count, plus that count.
    private var connections = 0
    /// Sockets the process holds that are not client connections (the listener, libevent's own).
    private var baselineSockets = 0
    private var backOff: EventTimer?
    private var backOffSeconds = HTTPServer.shortestBackOff
    private var isPaused = false
    /// Told once per back-off why accepting paused: an errno, or nil for the connection limit.
    package var onAcceptPaused: ((Int32?, Double) -> Void)?
    private static let shortestBackOff = 0.05
    private static let longestBackOff = 1.0
    /// Servers by their evhttp, for the listener's error callback (its argument is the evhttp).
    nonisolated(unsafe) private static var byHTTP: [OpaquePointer: Unmanaged<HTTPServer>] = [:]

    package struct Limits {
        /// evhttp's own ceiling; the proxy answers bodies over its (smaller) limit itself, in JSON.
        package var bodyCeiling: Int
        package var headerBytes: Int
        /// Read/write timeout for idle and slow connections, in seconds.
        package var connectionTimeout: Int
        /// Open client connections at most; more wait in the kernel's backlog.
        package var maxConnections = Int.max

        package init(bodyCeiling: Int, headerBytes: Int, connectionTimeout: Int, maxConnections: Int = Int.max) {
            self.bodyCeiling = bodyCeiling
            self.headerBytes = headerBytes
            self.connectionTimeout = connectionTimeout
            self.maxConnections = maxConnections
        }
    }

    package init(loop: EventLoop, host: String, port: Int, limits: Limits,
         onRequest: @escaping (HTTPExchange) -> Void) throws(SystemError) {
        self.loop = loop
        self.onRequest = onRequest
        self.connectionTimeout = limits.connectionTimeout
        self.maxConnections = max(1, limits.maxConnections)
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
        listener = evhttp_bound_socket_get_listener(handle)
        baselineSockets = Self.openSockets()
        Self.byHTTP[http] = Unmanaged.passUnretained(self)
        evhttp_set_bevcb(http, CCallbacks.newConnection, CCallbacks.pointer(to: self))
        if let listener { evconnlistener_set_error_cb(listener, CCallbacks.acceptFailed) }
        // Unowned, not weak: the server owns the timer and frees it in `close`, so it never fires
        // after the server; and a weak reference gives the server a side table, which made every
        // retain and release of it (four a request, in the callbacks) take the slow path.
        backOff = EventTimer(loop: loop) { [unowned self] in self.backOffEnded() }
    }

    deinit { close() }

    /// Stops accepting and frees every connection evhttp still holds.
    package func close() {
        backOff?.close()
        backOff = nil
        if let http {
            Self.byHTTP[http] = nil
            evhttp_free(http)
        }
        http = nil
        listener = nil
    }

    /// Closes the listening socket; connections already open are served to the end.
    package func stopAccepting() {
        backOff?.cancel()
        if let http, let socket { evhttp_del_accept_socket(http, socket) }
        socket = nil
        listener = nil
    }

    /// Client connections open now (counted from the process's sockets).
    package var openConnections: Int { max(0, Self.openSockets() - baselineSockets) }

    // MARK: Admission of connections

    package static func server(forHTTP http: UnsafeMutableRawPointer?) -> HTTPServer? {
        guard let http else { return nil }
        return byHTTP[OpaquePointer(http)]?.takeUnretainedValue()
    }

    /// evhttp accepted a connection and asks for its bufferevent (the one evhttp would make).
    package func newConnection() -> OpaquePointer? {
        backOffSeconds = Self.shortestBackOff
        connections += 1
        if connections >= maxConnections {
            connections = openConnections + 1
            if connections >= maxConnections { pause(errno: nil) }
        }
        return bufferevent_socket_new(loop.base, -1, Int32(BEV_OPT_CLOSE_ON_FREE.rawValue))
    }

    /// accept failed with something other than a retriable error: EMFILE, ENFILE, ENOBUFS…
    package func acceptFailed(errno code: Int32) {
        pause(errno: code)
    }

    private func pause(errno code: Int32?) {
        guard let listener, !isPaused else { return }
        isPaused = true
        evconnlistener_disable(listener)
        onAcceptPaused?(code, backOffSeconds)
        backOff?.schedule(after: backOffSeconds)
        if code != nil { backOffSeconds = min(Self.longestBackOff, backOffSeconds * 2) }
    }

    private func backOffEnded() {
        guard let listener, isPaused else { return }
        connections = openConnections
        if connections >= maxConnections {
            backOff?.schedule(after: backOffSeconds)
            return
        }
        isPaused = false
        evconnlistener_enable(listener)
    }

    /// Sockets among the process's open descriptors (`/proc/self/fd` links named `socket:[…]`).
    package static func openSockets() -> Int {
        guard let directory = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(directory) }
        var count = 0
        var target = [CChar](repeating: 0, count: 64)
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard Int(name) != nil else { continue }
            let length = readlink("/proc/self/fd/\(name)", &target, target.count - 1)
            guard length > 7 else { continue }
            if target.prefix(7).elementsEqual("socket:".utf8.map { CChar(bitPattern: $0) }) { count += 1 }
        }
        return count
    }

    package func didReceive(_ request: OpaquePointer) {
        // Counted until evhttp has written the whole reply to the socket (not merely queued it),
        // so a stop can wait for the last bytes of every answered request.
        unwritten.add(1, ordering: .relaxed)
        evhttp_request_set_on_complete_cb(request, CCallbacks.replyWritten, CCallbacks.pointer(to: self))
        onRequest(HTTPExchange(request: request, loop: loop, connectionTimeout: connectionTimeout))
    }

    /// Requests whose reply evhttp has not finished writing (an upper bound: a connection that
    /// fails mid-reply is freed without a word).
    package var unwrittenReplies: Int { unwritten.load(ordering: .relaxed) }
    /// Counted in an atomic, a `let`: every request counts twice, and each use of a class's `var`
    /// is checked for exclusive access at run time. (Only the loop's thread counts.)
    private let unwritten = Atomic<Int>(0)
    /// Told each time the last unwritten reply has been written in full (a stop that waits for
    /// the last bytes sets it).
    package var onReplyWritten: (() -> Void)?

    package func replyWritten() {
        let left = max(0, unwritten.load(ordering: .relaxed) - 1)
        unwritten.store(left, ordering: .relaxed)
        if left == 0 { onReplyWritten?() }
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
