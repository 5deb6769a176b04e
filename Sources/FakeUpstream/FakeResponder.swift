import ProxyCore

/// The test mode's stand-in for Anthropic's Messages API: from the request the CLI sends and the
/// script, the reply (an error, a whole message, or timed SSE steps). Pure and deterministic:
/// the same request and script give the same bytes, but for ids that count requests.
///
/// Usage rule: `input_tokens` is the UTF-8 size of every text in `system` and `messages` (tool
/// inputs as JSON) divided by 4, rounded up; `output_tokens` the same for the reply's text,
/// thinking and tool arguments, at least 1.
package enum FakeResponder {
    /// One SSE event to send `delayMs` after the previous one.
    package struct Step: Equatable, Sendable {
        package var delayMs: Int
        package var bytes: [UInt8]
    }

    package enum Plan: Equatable, Sendable {
        case error(status: Int, body: [UInt8], retryAfter: Int?)
        case whole(body: [UInt8])
        /// `then`: how the stream ends after the steps.
        case stream(steps: [Step], then: Ending)
    }

    package enum Ending: Equatable, Sendable { case close, cut, stall }

    /// What the fake reads from a request.
    package struct Request: Equatable, Sendable {
        package var model: String
        package var stream: Bool
        /// The tool names offered, as the model sees them (`mcp__client__…`).
        package var tools: [String]
        package var lastUserText: String
        /// The newest tool result, when the request ends with tool results.
        package var toolResult: String?
        package var inputTokens: Int
    }

    package static func plan(body: [UInt8], script: FakeScript, sequence: Int) -> Plan {
        guard let request = read(body) else {
            return .error(status: 400, body: error("invalid_request_error", "The fake upstream could not read the request."),
                          retryAfter: nil)
        }
        let entry = script.entry(lastUserText: request.lastUserText, toolResult: request.toolResult)
        return plan(request, entry: entry, sequence: sequence)
    }

    // MARK: Reading the request

    package static func read(_ body: [UInt8]) -> Request? {
        guard case .object(let fields)? = try? WireJSON.decode(JSONValue.self, from: body),
              case .array(let messages)? = fields["messages"] else { return nil }
        var bytes = 0
        for text in texts(of: fields["system"]) { bytes += text.utf8.count }
        var lastUserText = ""
        var toolResult: String?
        for message in messages {
            guard case .object(let object) = message else { continue }
            let content = blocks(of: object["content"])
            for block in content { bytes += texts(of: block).reduce(0) { $0 + $1.utf8.count } }
            guard object["role"]?.stringValue == "user" else { continue }
            // The newest tool result counts only when the request ends with it; the last user
            // text is the newest the user wrote, wherever it is.
            toolResult = nil
            for block in content {
                guard case .object(let fields) = block else { continue }
                switch fields["type"]?.stringValue {
                case "tool_result": toolResult = texts(of: fields["content"]).joined(separator: "\n")
                case "text": lastUserText = fields["text"]?.stringValue ?? lastUserText
                default: break
                }
            }
        }
        if let transcript = Transcript(lastUserText) {
            lastUserText = transcript.lastUserText
            toolResult = toolResult ?? transcript.toolResult
        }
        let tools: [String]
        if case .array(let list)? = fields["tools"] {
            tools = list.compactMap { if case .object(let tool) = $0 { tool["name"]?.stringValue } else { nil } }
        } else {
            tools = []
        }
        return Request(model: fields["model"]?.stringValue ?? "claude-fake", stream: fields["stream"] == .bool(true),
                       tools: tools, lastUserText: lastUserText, toolResult: toolResult,
                       inputTokens: max(1, (bytes + 3) / 4))
    }

    private static func blocks(of content: JSONValue?) -> [JSONValue] {
        switch content {
        case .string(let text)?: [.object(["type": .string("text"), "text": .string(text)])]
        case .array(let list)?: list
        default: []
        }
    }

    private static func texts(of value: JSONValue?) -> [String] {
        switch value {
        case .string(let text)?: return [text]
        case .array(let list)?: return list.flatMap { texts(of: $0) }
        case .object(let object)?:
            if let text = object["text"]?.stringValue { return [text] }
            if let content = object["content"] { return texts(of: content) }
            if let input = object["input"] { return [String(decoding: WireJSON.encode(input), as: UTF8.self)] }
            return []
        default: return []
        }
    }

    /// The proxy's own rendering of a multi-turn history (see `Prompt.transcript`), read back.
    private struct Transcript {
        var lastUserText: String
        var toolResult: String?

        init?(_ text: String) {
            guard text.hasPrefix("The conversation so far is below") else { return nil }
            lastUserText = Self.lastElement(named: "user", in: text) ?? ""
            let trimmed = text.reversed().drop { $0 == "\n" || $0 == " " }.reversed()
            toolResult = String(trimmed).hasSuffix("</tool_results>") ? Self.lastElement(named: "tool_result", in: text) : nil
        }

        /// The body of the last `<name …>…</name>` element.
        static func lastElement(named name: String, in text: String) -> String? {
            guard let close = text.ranges(of: "</\(name)>").last else { return nil }
            let before = text[..<close.lowerBound]
            guard let open = before.ranges(of: "<\(name)").last,
                  let end = before[open.upperBound...].firstIndex(of: ">") else { return nil }
            var body = before[before.index(after: end)...]
            if body.hasPrefix("\n") { body = body.dropFirst() }
            if body.hasSuffix("\n") { body = body.dropLast() }
            return String(body)
        }
    }

    // MARK: Writing the reply

    private static func plan(_ request: Request, entry: FakeScript.Entry?, sequence: Int) -> Plan {
        if case .status(let status)? = entry?.failure {
            let type = status == 429 ? "rate_limit_error" : status == 529 ? "overloaded_error"
                : status == 401 ? "authentication_error" : status == 403 ? "permission_error"
                : status == 404 ? "not_found_error" : status == 413 ? "request_too_large"
                : status == 400 ? "invalid_request_error" : "api_error"
            return .error(status: status, body: error(type, "Scripted error \(status) from the fake upstream."),
                          retryAfter: status == 429 ? 7 : nil)
        }
        let id = "msg_fake_\(sequence)"
        var text = entry?.reply ?? (entry?.toolCalls.isEmpty == false ? nil : "You said: \(request.lastUserText)")
        var calls: [(id: String, name: String, input: String)] = []
        for (index, call) in (entry?.toolCalls ?? []).enumerated() {
            let bridged = ToolBridge.bridged(call.name)
            guard request.tools.contains(bridged) else {
                text = (text.map { $0 + " " } ?? "") + "(fake upstream: the tool \"\(call.name)\" was not offered)"
                continue
            }
            calls.append(("toolu_fake_\(sequence)_\(index)", bridged, String(decoding: WireJSON.encode(call.arguments), as: UTF8.self)))
        }
        let thinking = entry?.thinking
        let stopReason = StopReason(entry?.stopReason ?? (calls.isEmpty ? "end_turn" : "tool_use"))
        let outputBytes = (text?.utf8.count ?? 0) + (thinking?.utf8.count ?? 0) + calls.reduce(0) { $0 + $1.input.utf8.count }
        let outputTokens = max(1, (outputBytes + 3) / 4)
        let usage = AnthropicUsage(inputTokens: request.inputTokens, cacheCreationInputTokens: 0, cacheReadInputTokens: 0,
                                   outputTokens: outputTokens)
        let signature = "ZmFrZQ=="
        guard request.stream else {
            var content: [AnthropicContentBlock] = []
            if let thinking { content.append(.thinking(thinking, signature: signature)) }
            if let text { content.append(.text(text)) }
            for call in calls {
                let input = (try? WireJSON.decode(JSONValue.self, from: Array(call.input.utf8))) ?? .object([:])
                content.append(.toolUse(id: call.id, name: call.name, input: input))
            }
            return .whole(body: WireJSON.encode(AnthropicReply(id: id, model: request.model, content: content,
                                                               stopReason: stopReason, stopSequence: nil, usage: usage)))
        }

        var steps: [Step] = []
        var deltas = 0
        let firstDelay = entry?.firstTokenDelayMs ?? 0
        let tokenDelay = entry?.tokenDelayMs ?? 0
        func add(_ frame: AnthropicStreamFrame) {
            let isDelta = if case .contentBlockDelta(_, let delta) = frame, delta != .signature(signature) { true } else { false }
            let delay = isDelta ? (deltas == 0 ? firstDelay : tokenDelay) : 0
            if isDelta { deltas += 1 }
            steps.append(Step(delayMs: delay, bytes: frame.sse.bytes))
        }
        add(.started(id: id, model: request.model, usage: AnthropicUsage(inputTokens: request.inputTokens, cacheCreationInputTokens: 0,
                                                                         cacheReadInputTokens: 0, outputTokens: 1)))
        var index = 0
        if entry?.failure == .stall {
            return .stream(steps: steps, then: .stall)
        }
        if let thinking {
            add(.contentBlockStart(index: index, .thinking("", signature: "")))
            for word in words(thinking) { add(.contentBlockDelta(index: index, .thinking(word))) }
            add(.contentBlockDelta(index: index, .signature(signature)))
            add(.contentBlockStop(index: index))
            index += 1
        }
        if let text {
            add(.contentBlockStart(index: index, .text("")))
            for word in words(text) {
                add(.contentBlockDelta(index: index, .text(word)))
                if entry?.failure == .cut && deltas == 2 { return .stream(steps: steps, then: .cut) }
            }
            add(.contentBlockStop(index: index))
            index += 1
        }
        if entry?.failure == .cut { return .stream(steps: steps, then: .cut) }
        for call in calls {
            add(.contentBlockStart(index: index, .toolUse(id: call.id, name: call.name, input: .object([:]))))
            for piece in chunks(call.input, size: 8) { add(.contentBlockDelta(index: index, .inputJSON(piece))) }
            add(.contentBlockStop(index: index))
            index += 1
        }
        add(.messageDelta(stopReason: stopReason, stopSequence: nil, usage: AnthropicUsage(inputTokens: nil, outputTokens: outputTokens)))
        add(.messageStop)
        return .stream(steps: steps, then: .close)
    }

    /// Word by word, each word with the space after it.
    package static func words(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        for character in text {
            current.append(character)
            if character == " " {
                out.append(current)
                current = ""
            }
        }
        if !current.isEmpty { out.append(current) }
        return out.isEmpty ? [""] : out
    }

    private static func chunks(_ text: String, size: Int) -> [String] {
        var out: [String] = []
        var current = ""
        for character in text {
            current.append(character)
            if current.count == size {
                out.append(current)
                current = ""
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    private static func error(_ type: String, _ message: String) -> [UInt8] {
        WireJSON.encode(JSONValue.object(["type": .string("error"),
                                          "error": .object(["type": .string(type), "message": .string(message)])]))
    }
}
