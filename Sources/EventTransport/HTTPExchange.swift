import SystemCalls
import ProxyCore
import CEvent
import Glibc

/// The sole holder of one `evhttp_request *`: exactly one reply goes out through it, either
/// whole (`respond`) or chunked (`startStream` … `send` … `endStream`). After the reply, or
/// once the client is gone, the pointer is dropped and nothing touches it again.
///
/// Client departure (docs/libevent.md): while the request is pending evhttp does not read
/// the socket, so the exchange watches the fd itself (`MSG_PEEK`); once streaming, evhttp
/// reads again and reports a close through the connection's close callback.
package final class HTTPExchange {
    package let method: HTTPMethod
    package let path: String
    package let body: [UInt8]
    private var request: OpaquePointer?
    private let loop: EventLoop
    /// The server's read/write timeout, restored on the connection when a stream ends.
    private let connectionTimeout: Int
    private var closeWatch: OpaquePointer?
    private var isStreaming = false

    /// The request's id, sent back as `X-Request-Id` on its reply, whatever produces the reply.
    package let requestID: RequestID
    /// The request headers every route reads, found when the request is read.
    package let routing: RoutingHeaders
    /// Headers every reply through this exchange carries (CORS), whatever produces the reply.
    package var commonHeaders: [(String, String)] = []
    package var onClientGone: (() -> Void)?
    package var onDrained: (() -> Void)?
    /// High-water mark of the connection's output buffer, for backpressure to the child.
    package var highWaterBytes = 1 << 20

    /// When the request was read, in `MonotonicClock` nanoseconds.
    package let receivedAt = MonotonicClock.now()
    /// What the reply was, for the access line and the metrics: one value, so that a reply
    /// records itself with one access to the exchange (each is checked at run time).
    package struct Record {
        /// The endpoint the router named (its label), for the metrics and the access log.
        package var endpoint: String?
        /// When the first byte of the reply (its head) was handed to the connection.
        package var firstByteAt: UInt64?
        package var status = 0
        package var bytesSent = 0
        package var clientGone = false
    }
    package private(set) var record = Record()

    /// The router names the request's endpoint (its label).
    package func routed(as endpoint: String) {
        record.endpoint = endpoint
    }

    package init(request: OpaquePointer, loop: EventLoop, connectionTimeout: Int) {
        self.request = request
        self.loop = loop
        self.connectionTimeout = connectionTimeout
        method = Self.methodName(evhttp_request_get_command(request))
        if let uri = evhttp_request_get_uri(request) {
            // Nearly every target is a path with no query, taken as it is (found by libc's scan).
            path = uri.pointee == UInt8(ascii: "/") && strpbrk(uri, "?#") == nil
                ? String(cString: uri) : RequestTarget.path(of: String(cString: uri))
        } else {
            path = "/"
        }
        body = Self.drain(evhttp_request_get_input_buffer(request))
        routing = Self.routingHeaders(of: request)
        requestID = RequestID(offered: routing.requestID)
    }

    deinit {
        stopWatchingClose()
        // A connection that outlives its exchange must not call back into freed memory.
        if let request, let connection = evhttp_request_get_connection(request) {
            evhttp_connection_set_closecb(connection, nil, nil)
        }
        // Exactly one reply: an exchange dropped without one is a bug (a debug build stops here);
        // a release build answers 500, or ends the stream it began, rather than leave the client hanging.
        if let request {
            assertionFailure("an HTTP exchange was dropped without a reply: \(method.name) \(path)")
            if isStreaming { evhttp_send_reply_end(request) } else { evhttp_send_error(request, 500, nil) }
        }
    }

    /// The proxy exits with this request unanswered (a drain that ran out): its one reply is a
    /// 503, or the end of the stream it began, before the server goes.
    package func finishAtExit() {
        guard request != nil else { return }
        if isStreaming {
            endStream()
        } else {
            respond(status: 503, headers: [("Content-Type", "application/json"), ("Connection", "close")],
                    body: Array(#"{"error":{"message":"The proxy is shutting down.","type":"server_error","param":null,"code":"shutting_down"}}"#.utf8))
        }
    }

    /// A second reply through one exchange is a bug: debug builds stop on it, release builds drop it.
    private func checkNoReplyYet(_ what: String) -> Bool {
        guard request != nil else {
            // After the client left, a late reply is expected and goes nowhere.
            assert(record.clientGone, "a second reply (\(what)) through one exchange: \(method.name) \(path)")
            return false
        }
        return true
    }

    package func header(_ name: String) -> String? {
        guard let request, let headers = evhttp_request_get_input_headers(request),
              let value = evhttp_find_header(headers, name) else { return nil }
        return String(cString: value)
    }

    /// The client's address as evhttp saw it (no port).
    package var peerAddress: String? {
        guard let request, let connection = evhttp_request_get_connection(request) else { return nil }
        var address: UnsafeMutablePointer<CChar>?
        var port: UInt16 = 0
        evhttp_connection_get_peer(connection, &address, &port)
        return address.map { String(cString: $0) }
    }

    /// True when the client is on this machine's loopback (or, for a proxy bound elsewhere, is
    /// that address itself): the only peers the tool bridge and the test mode's upstream answer.
    package func isLocalPeer(boundHost: String) -> Bool {
        guard let peer = peerAddress else { return false }
        return peer.hasPrefix("127.") || peer == "::1" || peer == "::ffff:127.0.0.1" || peer == boundHost
    }

    /// The request headers read for every request, whatever its route.
    package struct RoutingHeaders {
        package var requestID: String?
        package var origin: String?
        /// Every `Content-Length` value, in order.
        package var contentLengths: [String] = []
    }

    /// `RoutingHeaders` in one walk of the header list (a lookup per header walked it each time,
    /// lower-casing as it went).
    private static func routingHeaders(of request: OpaquePointer) -> RoutingHeaders {
        var found = RoutingHeaders()
        guard let headers = evhttp_request_get_input_headers(request) else { return found }
        var field = headers.pointee.tqh_first
        while let current = field {
            field = current.pointee.next.tqe_next
            guard let key = current.pointee.key, let value = current.pointee.value else { continue }
            switch key.pointee | 0x20 {
            case 0x78 /* x */ where found.requestID == nil && strcasecmp(key, "X-Request-Id") == 0:
                found.requestID = String(cString: value)
            case 0x6f /* o */ where found.origin == nil && strcasecmp(key, "Origin") == 0:
                found.origin = String(cString: value)
            case 0x63 /* c */ where strcasecmp(key, "Content-Length") == 0:
                found.contentLengths.append(String(cString: value))
            default:
                break
            }
        }
        return found
    }

    // MARK: Whole replies

    package func respond(status: Int, headers: [(String, String)], body: [UInt8]) {
        guard checkNoReplyYet("respond"), !isStreaming, let request else { return }
        stopWatchingClose()
        addHeaders(headers, to: request)
        addCommonHeaders(to: request)
        // Straight into the request's own output buffer: no buffer of ours to make and free.
        body.withUnsafeBytes { _ = evbuffer_add(evhttp_request_get_output_buffer(request), $0.baseAddress, $0.count) }
        let now = MonotonicClock.now()
        Self.replied(&record, status: status, bytes: body.count, at: now)
        self.request = nil
        evhttp_send_reply(request, Int32(status), nil, nil)
    }

    // MARK: Streamed replies

    package func startStream(status: Int, headers: [(String, String)]) {
        guard checkNoReplyYet("startStream"), let request, !isStreaming else { return }
        stopWatchingClose()
        addHeaders(headers, to: request)
        addCommonHeaders(to: request)
        isStreaming = true
        let now = MonotonicClock.now()
        Self.replied(&record, status: status, bytes: 0, at: now)
        evhttp_send_reply_start(request, Int32(status), nil)
        guard let connection = evhttp_request_get_connection(request) else { return }
        evhttp_connection_set_closecb(connection, CCallbacks.connectionClosed, CCallbacks.pointer(to: self))
        // A healthy stream may be quiet for long; the read timeout must not cut it (the client sends nothing).
        setReadTimeout(nil, on: connection)
    }

    /// Queues bytes; returns true when the connection's output buffer is above the high-water mark.
    @discardableResult
    package func send(_ bytes: [UInt8]) -> Bool {
        guard let request, isStreaming else { return false }
        let buffer = evbuffer_new()
        bytes.withUnsafeBytes { _ = evbuffer_add(buffer, $0.baseAddress, $0.count) }
        record.bytesSent += bytes.count
        evhttp_send_reply_chunk_with_cb(request, buffer, CCallbacks.connectionDrained, CCallbacks.pointer(to: self))
        evbuffer_free(buffer)
        guard let connection = evhttp_request_get_connection(request),
              let bufferEvent = evhttp_connection_get_bufferevent(connection),
              let output = bufferevent_get_output(bufferEvent) else { return false }
        return evbuffer_get_length(output) > highWaterBytes
    }

    package func endStream() {
        guard let request, isStreaming else { return }
        if let connection = evhttp_request_get_connection(request) {
            evhttp_connection_set_closecb(connection, nil, nil)
            var restored = timeval(tv_sec: connectionTimeout, tv_usec: 0)
            setReadTimeout(&restored, on: connection)
        }
        self.request = nil
        evhttp_send_reply_end(request)
    }

    /// Ends the connection mid-reply, as a failing server would (the test mode's cut stream): a FIN
    /// after what was sent, with no end to the chunked body. (Freeing the connection instead could
    /// send a reset that makes the client drop bytes it has not read yet.) The client's close then
    /// reaches `didClose` as usual.
    package func cut() {
        guard let request, let connection = evhttp_request_get_connection(request),
              let bufferEvent = evhttp_connection_get_bufferevent(connection) else { return }
        let fd = bufferevent_getfd(bufferEvent)
        if fd >= 0 { _ = shutdown(fd, Int32(SHUT_WR)) }
    }

    // MARK: Client departure

    /// Watches the socket of a pending request for the client closing it.
    package func watchForClientClose() {
        guard let request, closeWatch == nil, !isStreaming,
              let connection = evhttp_request_get_connection(request),
              let bufferEvent = evhttp_connection_get_bufferevent(connection) else { return }
        let fd = bufferevent_getfd(bufferEvent)
        guard fd >= 0 else { return }
        closeWatch = event_new(loop.base, fd, Int16(EV_READ | EV_PERSIST), CCallbacks.exchangeReadable,
                               CCallbacks.pointer(to: self))
        event_add(closeWatch, nil)
    }

    package func didBecomeReadable(fd: Int32) {
        var byte: UInt8 = 0
        let peeked: Int
        do throws(SystemError) {
            peeked = try syscall("recv") { recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) }
        } catch where error.errno == EAGAIN || error.errno == EWOULDBLOCK {
            return
        } catch {
            peeked = 0
        }
        stopWatchingClose()
        // Bytes are a pipelined request: leave them for evhttp. 0 or an error: the client left.
        if peeked == 0 { clientLeftWhilePending() }
    }

    /// The connection closed during a stream; evhttp has detached the request, which
    /// `evhttp_send_reply_end` now frees.
    package func didClose() {
        guard let request else { return }
        self.request = nil
        record.clientGone = true
        evhttp_send_reply_end(request)
        onClientGone?()
    }

    package func didDrain() { onDrained?() }

    private func clientLeftWhilePending() {
        guard let request else { return }
        record.clientGone = true
        self.request = nil
        // evhttp frees a request only through a reply; this one reaches nobody and closes the connection.
        if let headers = evhttp_request_get_output_headers(request) {
            evhttp_add_header(headers, "Connection", "close")
        }
        record.status = 499
        evhttp_send_reply(request, 400, "Client Closed Request", nil)
        onClientGone?()
    }

    private func stopWatchingClose() {
        if let closeWatch { event_free(closeWatch) }
        closeWatch = nil
    }

    private func addHeaders(_ headers: [(String, String)], to request: OpaquePointer) {
        guard let output = evhttp_request_get_output_headers(request) else { return }
        // withCString: a short string's bytes go on the stack, where passing the String itself
        // would build a heap copy of it.
        for (name, value) in headers {
            name.withCString { name in value.withCString { value in _ = evhttp_add_header(output, name, value) } }
        }
    }

    /// What every reply carries: the CORS headers, the `Date` header, formatted once a second
    /// (evhttp would format its own per reply), and the request's id. Date before the id: evhttp
    /// looks for a Date in the list before it writes the head.
    private func addCommonHeaders(to request: OpaquePointer) {
        addHeaders(commonHeaders, to: request)
        guard let output = evhttp_request_get_output_headers(request) else { return }
        UTCTime.nowHTTPDate().withCString { _ = evhttp_add_header(output, "Date", $0) }
        requestID.withCString { _ = evhttp_add_header(output, "X-Request-Id", $0) }
    }

    /// The reply's head went out: its status, its first bytes and when (the first head only).
    private static func replied(_ record: inout Record, status: Int, bytes: Int, at now: UInt64) {
        record.status = status
        record.bytesSent += bytes
        record.firstByteAt = record.firstByteAt ?? now
    }

    private func setReadTimeout(_ read: UnsafeMutablePointer<timeval>?, on connection: OpaquePointer) {
        guard let bufferEvent = evhttp_connection_get_bufferevent(connection) else { return }
        var write = timeval(tv_sec: connectionTimeout, tv_usec: 0)
        bufferevent_set_timeouts(bufferEvent, read, &write)
    }

    private static func drain(_ buffer: OpaquePointer?) -> [UInt8] {
        guard let buffer else { return [] }
        let length = evbuffer_get_length(buffer)
        guard length > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: length)
        let copied = bytes.withUnsafeMutableBytes { evbuffer_copyout(buffer, $0.baseAddress, $0.count) }
        return copied == length ? bytes : Array(bytes.prefix(max(0, copied)))
    }

    private static func methodName(_ command: evhttp_cmd_type) -> HTTPMethod {
        switch command {
        case EVHTTP_REQ_GET: .get
        case EVHTTP_REQ_POST: .post
        case EVHTTP_REQ_HEAD: .head
        case EVHTTP_REQ_PUT: .put
        case EVHTTP_REQ_DELETE: .delete
        case EVHTTP_REQ_OPTIONS: .options
        case EVHTTP_REQ_PATCH: .patch
        // The server allows only the methods above (HTTPServer), so this is not reached.
        default: .other("OTHER")
        }
    }
}
