import CCurl

/// Many HTTP requests at once on one thread, through libcurl's multi interface: the profiler's
/// client. Every body chunk is handed over with the time it was read, taken in the write callback
/// right after `curl_multi_poll` woke, so the figures are the socket's and not a scheduler's.
/// No Foundation, and libcurl itself only loaded when a run starts (`CurlLibrary`): the daemon
/// this is linked into stays small.
package final class CurlMulti {
    package struct Request: Sendable {
        package var method: String
        package var url: String
        package var headers: [String]
        package var body: [UInt8]
        package var timeoutSeconds: Double

        package init(method: String = "POST", url: String, headers: [String], body: [UInt8], timeoutSeconds: Double) {
            self.method = method
            self.url = url
            self.headers = headers
            self.body = body
            self.timeoutSeconds = timeoutSeconds
        }
    }

    /// How a transfer ended: the HTTP status (0 when none came), libcurl's code and its words.
    package struct Outcome: Sendable {
        package var status: Int
        package var headers: [(String, String)]
        package var curlCode: Int
        package var curlError: String?
        package var ended: ContinuousClock.Instant
    }

    /// One transfer's callbacks: each chunk with its arrival time, then the outcome.
    package struct Handlers {
        package var chunk: (ContinuousClock.Instant, UnsafeRawBufferPointer) -> Void
        package var done: (Outcome) -> Void

        package init(chunk: @escaping (ContinuousClock.Instant, UnsafeRawBufferPointer) -> Void,
                     done: @escaping (Outcome) -> Void) {
            self.chunk = chunk
            self.done = done
        }
    }

    private final class Transfer {
        let handle: UnsafeMutableRawPointer
        let handlers: Handlers
        var headerList: UnsafeMutablePointer<curl_slist>?
        var headerLines: [String] = []
        init(handle: UnsafeMutableRawPointer, handlers: Handlers) {
            self.handle = handle
            self.handlers = handlers
        }
    }

    private let multi: UnsafeMutableRawPointer
    private var transfers: [UnsafeMutableRawPointer: Transfer] = [:]
    private let library: CurlLibrary
    private var curl: ccurl_api { library.api }

    package var running: Int { transfers.count }

    /// Loads libcurl (the first time) and makes a multi handle.
    package init() throws(CurlLibrary.LoadError) {
        library = try CurlLibrary.shared()
        guard let multi = library.api.multi_init!() else { throw CurlLibrary.LoadError(reason: "curl_multi_init failed") }
        self.multi = multi
    }

    deinit {
        for transfer in transfers.values { finish(transfer, code: CURLE_ABORTED_BY_CALLBACK, report: false) }
        _ = curl.multi_cleanup!(multi)
    }

    /// Starts `request`; its handlers are called from `poll`.
    package func start(_ request: Request, handlers: Handlers) {
        guard let handle = curl.easy_init!() else { fatalError("curl_easy_init failed") }
        var curl = self.curl
        let transfer = Transfer(handle: handle, handlers: handlers)
        for header in request.headers + ["Expect:"] { transfer.headerList = curl.slist_append!(transfer.headerList, header) }
        // Every option's result is checked: one the installed libcurl refuses fails the transfer.
        var codes: [CURLcode] = []
        codes.append(ccurl_api_setopt_string(&curl, handle, CURLOPT_URL, request.url))
        codes.append(ccurl_api_setopt_string(&curl, handle, CURLOPT_CUSTOMREQUEST, request.method))
        codes.append(ccurl_api_setopt_slist(&curl, handle, CURLOPT_HTTPHEADER, transfer.headerList))
        codes.append(ccurl_api_setopt_long(&curl, handle, CURLOPT_TIMEOUT_MS, Int(request.timeoutSeconds * 1000)))
        codes.append(ccurl_api_setopt_long(&curl, handle, CURLOPT_NOSIGNAL, 1))
        // Small writes as they come: Nagle would hold the request's last bytes back.
        codes.append(ccurl_api_setopt_long(&curl, handle, CURLOPT_TCP_NODELAY, 1))
        if request.method != "GET" {
            codes.append(ccurl_api_setopt_off(&curl, handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)))
            request.body.withUnsafeBytes { bytes in
                codes.append(ccurl_api_setopt_ptr(&curl, handle, CURLOPT_COPYPOSTFIELDS,
                                          UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!)))
            }
        }
        let me = Unmanaged.passUnretained(transfer).toOpaque()
        codes.append(ccurl_api_setopt_data_callback(&curl, handle, CURLOPT_WRITEFUNCTION) { pointer, size, count, userdata in
            let now = ContinuousClock.now
            guard let pointer, let userdata else { return 0 }
            let transfer = Unmanaged<Transfer>.fromOpaque(userdata).takeUnretainedValue()
            transfer.handlers.chunk(now, UnsafeRawBufferPointer(start: pointer, count: size * count))
            return size * count
        })
        codes.append(ccurl_api_setopt_ptr(&curl, handle, CURLOPT_WRITEDATA, me))
        codes.append(ccurl_api_setopt_data_callback(&curl, handle, CURLOPT_HEADERFUNCTION) { pointer, size, count, userdata in
            guard let pointer, let userdata else { return 0 }
            let transfer = Unmanaged<Transfer>.fromOpaque(userdata).takeUnretainedValue()
            let line = String(decoding: UnsafeRawBufferPointer(start: pointer, count: size * count), as: UTF8.self)
            if line.hasPrefix("HTTP/") { transfer.headerLines.removeAll() }
            transfer.headerLines.append(line)
            return size * count
        })
        codes.append(ccurl_api_setopt_ptr(&curl, handle, CURLOPT_HEADERDATA, me))
        transfers[handle] = transfer
        if let failed = codes.first(where: { $0 != CURLE_OK }) { return finish(transfer, code: failed, report: true) }
        _ = curl.multi_add_handle!(multi, handle)
    }

    /// Moves every transfer along, waiting at most `timeoutSeconds` for something to happen.
    package func poll(timeoutSeconds: Double) {
        var active: Int32 = 0
        _ = curl.multi_perform!(multi, &active)
        collect()
        guard !transfers.isEmpty || timeoutSeconds > 0 else { return }
        var ready: Int32 = 0
        _ = curl.multi_poll!(multi, nil, 0, Int32(max(0, min(timeoutSeconds, 1)) * 1000), &ready)
        _ = curl.multi_perform!(multi, &active)
        collect()
    }

    private func collect() {
        var left: Int32 = 0
        while let message = curl.multi_info_read!(multi, &left) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle,
                  let transfer = transfers[handle] else { continue }
            finish(transfer, code: message.pointee.data.result, report: true)
        }
    }

    private func finish(_ transfer: Transfer, code: CURLcode, report: Bool) {
        let ended = ContinuousClock.now
        var status = 0
        var curl = self.curl
        _ = ccurl_api_getinfo_long(&curl, transfer.handle, CURLINFO_RESPONSE_CODE, &status)
        _ = curl.multi_remove_handle!(multi, transfer.handle)
        curl.easy_cleanup!(transfer.handle)
        curl.slist_free_all!(transfer.headerList)
        transfers[transfer.handle] = nil
        guard report else { return }
        let headers: [(String, String)] = transfer.headerLines.compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let value = line[line.index(after: colon)...].filter { $0 != "\r" && $0 != "\n" }
            return (line[..<colon].lowercased(), String(value.drop { $0 == " " }))
        }
        let error = code == CURLE_OK ? nil : curl.easy_strerror!(code).map { String(cString: $0) }
        transfer.handlers.done(Outcome(status: status, headers: headers, curlCode: Int(code.rawValue),
                                       curlError: error, ended: ended))
    }
}
