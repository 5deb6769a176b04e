import CCurl
import Foundation

/// One HTTP exchange through libcurl, recording every body chunk with the time it arrived.
/// `onChunk` may return false to abort the transfer (the client "leaves").
package struct CurlResponse: Sendable {
    package struct Chunk: Sendable {
        package var seconds: Double
        package var bytes: [UInt8]
    }
    package var status: Int
    package var headers: [String: String]
    package var body: [UInt8]
    package var chunks: [Chunk]
    package var curlCode: Int

    package var text: String { String(decoding: body, as: UTF8.self) }
    package var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]) ?? [:] }
    package var error: [String: Any]? { json["error"] as? [String: Any] }
    package func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// SSE `data:` payloads in order (`[DONE]` included as a string).
    package var dataLines: [String] {
        text.components(separatedBy: "\n").filter { $0.hasPrefix("data: ") }.map { String($0.dropFirst(6)) }
    }
    package var dataObjects: [[String: Any]] {
        dataLines.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }
    /// Chat, streamed: every `choices[0].delta.content`, joined.
    package var streamedContent: String {
        dataObjects.compactMap {
            (($0["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any])?["content"] as? String
        }.joined()
    }

    /// Chat, whole: `choices[0].message.content`.
    package var messageContent: String? {
        ((json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["content"] as? String
    }

    /// SSE `event:` names in order.
    package var eventNames: [String] {
        text.components(separatedBy: "\n").filter { $0.hasPrefix("event: ") }.map { String($0.dropFirst(7)) }
    }
}

package final class CurlClient {
    private let start = ContinuousClock.now
    private var chunks: [CurlResponse.Chunk] = []
    private var body: [UInt8] = []
    private var headerLines: [String] = []
    private let onChunk: ((CurlResponse.Chunk, [UInt8]) -> Bool)?
    private let onProgress: (() -> Bool)?

    private init(onChunk: ((CurlResponse.Chunk, [UInt8]) -> Bool)?, onProgress: (() -> Bool)?) {
        self.onChunk = onChunk
        self.onProgress = onProgress
    }

    /// - Parameters:
    ///   - onChunk: called with each chunk and the whole body so far; false aborts.
    ///   - onProgress: polled while waiting; true aborts (used to leave a silent request).
    package static func request(_ method: String, _ url: String, headers: [String] = [], body: [UInt8]? = nil,
                        timeoutSeconds: Int = 120, maxBytesPerSecond: Int? = nil,
                        onChunk: ((CurlResponse.Chunk, [UInt8]) -> Bool)? = nil,
                        onProgress: (() -> Bool)? = nil) -> CurlResponse {
        let client = CurlClient(onChunk: onChunk, onProgress: onProgress)
        return client.perform(method, url, headers: headers, body: body, timeoutSeconds: timeoutSeconds,
                              maxBytesPerSecond: maxBytesPerSecond)
    }

    package static func json(_ method: String, _ url: String, key: String? = "test-key", body: String? = nil,
                     extraHeaders: [String] = [], timeoutSeconds: Int = 120, maxBytesPerSecond: Int? = nil,
                     onChunk: ((CurlResponse.Chunk, [UInt8]) -> Bool)? = nil,
                     onProgress: (() -> Bool)? = nil) -> CurlResponse {
        var headers = ["Content-Type: application/json"] + extraHeaders
        if let key { headers.append("Authorization: Bearer \(key)") }
        return request(method, url, headers: headers, body: body.map { Array($0.utf8) },
                       timeoutSeconds: timeoutSeconds, maxBytesPerSecond: maxBytesPerSecond, onChunk: onChunk,
                       onProgress: onProgress)
    }

    private func perform(_ method: String, _ url: String, headers: [String], body: [UInt8]?,
                         timeoutSeconds: Int, maxBytesPerSecond: Int?) -> CurlResponse {
        guard let handle = curl_easy_init() else { fatalError("curl_easy_init") }
        defer { curl_easy_cleanup(handle) }
        var list: UnsafeMutablePointer<curl_slist>?
        for header in headers + ["Expect:"] { list = curl_slist_append(list, header) }
        defer { curl_slist_free_all(list) }

        // Every option's result is checked: one the installed libcurl refuses fails the request.
        var codes: [CURLcode] = []
        codes.append(ccurl_easy_setopt_string(handle, CURLOPT_URL, url))
        codes.append(ccurl_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method))
        codes.append(ccurl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, list))
        codes.append(ccurl_easy_setopt_long(handle, CURLOPT_TIMEOUT, timeoutSeconds))
        codes.append(ccurl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        if method == "HEAD" { codes.append(ccurl_easy_setopt_long(handle, CURLOPT_NOBODY, 1)) }
        if let maxBytesPerSecond {
            codes.append(ccurl_easy_setopt_off(handle, CURLOPT_MAX_RECV_SPEED_LARGE, curl_off_t(maxBytesPerSecond)))
            codes.append(ccurl_easy_setopt_long(handle, CURLOPT_BUFFERSIZE, 16 * 1024))
        }
        if let body {
            codes.append(ccurl_easy_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
            body.withUnsafeBytes { bytes in
                codes.append(ccurl_easy_setopt_ptr(handle, CURLOPT_COPYPOSTFIELDS,
                                          UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!)))
            }
        }
        let me = Unmanaged.passUnretained(self).toOpaque()
        codes.append(ccurl_easy_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION) { pointer, size, count, userdata in
            guard let pointer, let userdata else { return 0 }
            let client = Unmanaged<CurlClient>.fromOpaque(userdata).takeUnretainedValue()
            return client.didReceive(UnsafeRawBufferPointer(start: pointer, count: size * count)) ? size * count : 0
        })
        codes.append(ccurl_easy_setopt_ptr(handle, CURLOPT_WRITEDATA, me))
        codes.append(ccurl_easy_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION) { pointer, size, count, userdata in
            guard let pointer, let userdata else { return 0 }
            let client = Unmanaged<CurlClient>.fromOpaque(userdata).takeUnretainedValue()
            client.didReceiveHeader(UnsafeRawBufferPointer(start: pointer, count: size * count))
            return size * count
        })
        codes.append(ccurl_easy_setopt_ptr(handle, CURLOPT_HEADERDATA, me))
        if onProgress != nil {
            codes.append(ccurl_easy_setopt_long(handle, CURLOPT_NOPROGRESS, 0))
            codes.append(ccurl_easy_setopt_progress_callback(handle) { userdata, _, _, _, _ in
                guard let userdata else { return 0 }
                return Unmanaged<CurlClient>.fromOpaque(userdata).takeUnretainedValue().shouldAbort() ? 1 : 0
            })
            codes.append(ccurl_easy_setopt_ptr(handle, CURLOPT_XFERINFODATA, me))
        }
        if let failed = codes.first(where: { $0 != CURLE_OK }) {
            return CurlResponse(status: 0, headers: [:], body: [], chunks: [], curlCode: Int(failed.rawValue))
        }
        let code = curl_easy_perform(handle)
        var status = 0
        ccurl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var parsed: [String: String] = [:]
        for line in headerLines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            parsed[line[..<colon].lowercased()] = line[line.index(after: colon)...]
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return CurlResponse(status: status, headers: parsed, body: self.body, chunks: chunks,
                            curlCode: Int(code.rawValue))
    }

    private func didReceive(_ buffer: UnsafeRawBufferPointer) -> Bool {
        let bytes = Array(buffer)
        let elapsed = start.duration(to: .now)
        let chunk = CurlResponse.Chunk(
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, bytes: bytes)
        chunks.append(chunk)
        body += bytes
        return onChunk?(chunk, body) ?? true
    }

    private func didReceiveHeader(_ buffer: UnsafeRawBufferPointer) {
        let line = String(decoding: buffer, as: UTF8.self)
        if line.hasPrefix("HTTP/") { headerLines.removeAll() }
        headerLines.append(line)
    }

    private func shouldAbort() -> Bool { onProgress?() ?? false }
}
