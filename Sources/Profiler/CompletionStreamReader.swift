import FoundationEssentials

/// Reads a streamed completion (chat or Responses SSE) as it arrives and notes what the profiler
/// times: each piece of answer (text, reasoning, tool-call arguments), the output tokens the
/// server counted, its `: server-timing` comment, and an error event. Chunks may cut events and
/// lines anywhere. Pure.
package struct CompletionStreamReader {
    package enum Endpoint: String, Sendable, Codable, CaseIterable {
        case chat, responses
    }

    package let endpoint: Endpoint
    /// Arrival times (seconds, the caller's clock) of every event that carried a piece of answer.
    package private(set) var tokenTimes: [Double] = []
    package private(set) var outputTokens: Int?
    package private(set) var serverTiming: ServerTiming?
    package private(set) var streamError: String?
    package private(set) var sawDone = false
    private var pending: [UInt8] = []
    private var eventName: String?
    private var data: [UInt8] = []
    /// One decoder for every event of the stream (this runs once per chunk of answer).
    private let decoder = JSONDecoder()

    package init(endpoint: Endpoint) { self.endpoint = endpoint }

    package mutating func read(_ bytes: some Sequence<UInt8>, at seconds: Double) {
        pending.append(contentsOf: bytes)
        var start = 0
        while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
            var line = pending[start..<newline]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            start = newline + 1
            self.line(Array(line), at: seconds)
        }
        pending.removeFirst(start)
    }

    private mutating func line(_ line: [UInt8], at seconds: Double) {
        if line.isEmpty { return dispatch(at: seconds) }
        if line.first == UInt8(ascii: ":") {
            let text = String(decoding: line.dropFirst(), as: UTF8.self).trimmingSpaces()
            if text.hasPrefix("server-timing ") { serverTiming = ServerTiming(parsing: text.dropFirst(14)) }
            return
        }
        let text = String(decoding: line, as: UTF8.self)
        if text.hasPrefix("event:") { eventName = text.dropFirst(6).trimmingSpaces() }
        if text.hasPrefix("data:") {
            if !data.isEmpty { data.append(UInt8(ascii: "\n")) }
            var payload = line.dropFirst(5)
            if payload.first == UInt8(ascii: " ") { payload = payload.dropFirst() }
            data += payload
        }
    }

    private mutating func dispatch(at seconds: Double) {
        defer {
            data.removeAll(keepingCapacity: true)
            eventName = nil
        }
        guard !data.isEmpty else { return }
        if data == Array("[DONE]".utf8) {
            sawDone = true
            return
        }
        guard let event = try? decoder.decode(StreamEvent.self, from: Data(data)) else { return }
        if let error = event.error { streamError = error.message ?? error.code ?? "error" }
        switch endpoint {
        case .chat:
            if let delta = event.choices?.first?.delta, delta.carriesAnswer { tokenTimes.append(seconds) }
            if let tokens = event.usage?.completionTokens { outputTokens = tokens }
        case .responses:
            let type = event.type ?? eventName ?? ""
            if ["response.output_text.delta", "response.reasoning_text.delta", "response.reasoning_summary_text.delta",
                "response.function_call_arguments.delta", "response.refusal.delta"].contains(type),
               event.delta?.isEmpty == false {
                tokenTimes.append(seconds)
            }
            if let tokens = event.response?.usage?.outputTokens { outputTokens = tokens }
            if type == "response.failed" || type == "error" {
                streamError = streamError ?? event.response?.error?.message ?? "response failed"
            }
        }
    }

    /// The fields the profiler reads, of both APIs' stream events.
    private struct StreamEvent: Decodable {
        struct Choice: Decodable { var delta: Delta? }
        struct Delta: Decodable {
            var content: String?
            var reasoningContent: String?
            var reasoning: String?
            var toolCalls: [ToolCall]?
            struct ToolCall: Decodable {
                struct Function: Decodable { var arguments: String?; var name: String? }
                var function: Function?
            }
            var carriesAnswer: Bool {
                !(content ?? "").isEmpty || !(reasoningContent ?? "").isEmpty || !(reasoning ?? "").isEmpty
                    || toolCalls?.contains { !($0.function?.arguments ?? "").isEmpty || $0.function?.name != nil } == true
            }
            enum CodingKeys: String, CodingKey {
                case content, reasoning
                case reasoningContent = "reasoning_content"
                case toolCalls = "tool_calls"
            }
        }
        struct Usage: Decodable {
            var completionTokens: Int?
            var outputTokens: Int?
            enum CodingKeys: String, CodingKey {
                case completionTokens = "completion_tokens"
                case outputTokens = "output_tokens"
            }
        }
        struct ErrorBody: Decodable { var message: String?; var code: String? }
        struct Response: Decodable { var usage: Usage?; var error: ErrorBody? }
        var type: String?
        var choices: [Choice]?
        var usage: Usage?
        var delta: String?
        var response: Response?
        var error: ErrorBody?
    }
}
