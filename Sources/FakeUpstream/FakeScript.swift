import ProxyCore

/// The test mode's script (`--fake-script FILE`): JSON Lines, one entry a line, read at start and
/// again on SIGHUP. The first entry that matches a request decides its reply; no match, or no
/// script, echoes the last user text.
package struct FakeScript {
    package enum Failure: Equatable, Sendable {
        case status(Int)
        /// The stream stops mid-answer (the connection is cut).
        case cut
        /// The stream begins, then says nothing more.
        case stall
    }

    package struct ToolCall: Equatable, Sendable {
        package var name: String
        package var arguments: JSONValue
    }

    package struct Entry {
        /// Found in the last user text; nil matches any.
        package var match: Regex<AnyRegexOutput>?
        /// Found in the newest tool result; an entry without it applies only when the request does
        /// not end with tool results.
        package var afterTool: Regex<AnyRegexOutput>?
        package var reply: String?
        package var thinking: String?
        package var toolCalls: [ToolCall] = []
        package var failure: Failure?
        package var stopReason: String?
        package var tokenDelayMs = 0
        package var firstTokenDelayMs = 0
        /// The line it came from, for messages.
        package var line: Int
    }

    package struct ParseError: Error, Equatable, CustomStringConvertible {
        package var line: Int
        package var problem: String
        package var description: String { line > 0 ? "line \(line): \(problem)" : problem }

        package init(line: Int, problem: String) {
            self.line = line
            self.problem = problem
        }
    }

    package var entries: [Entry] = []

    package init(entries: [Entry] = []) {
        self.entries = entries
    }

    private static let keys: Set<String> = ["match", "after_tool", "reply", "thinking", "tool_calls", "error",
                                            "stop_reason", "token_delay_ms", "first_token_delay_ms", "comment"]

    /// Parses the file's text. Blank lines and lines starting with `#` or `//` are skipped.
    package init(text: String) throws(ParseError) {
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = index + 1
            let trimmed = raw.trimmingASCIISpaces()
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix("//") { continue }
            guard let value = try? WireJSON.decode(JSONValue.self, from: Array(trimmed.utf8)),
                  case .object(let fields) = value else {
                throw ParseError(line: line, problem: "not a JSON object")
            }
            entries.append(try Self.entry(fields, line: line))
        }
    }

    private static func entry(_ fields: [String: JSONValue], line: Int) throws(ParseError) -> Entry {
        if let unknown = fields.keys.sorted().first(where: { !keys.contains($0) }) {
            throw ParseError(line: line, problem: "unknown key \"\(unknown)\" (known: \(keys.sorted().joined(separator: ", ")))")
        }
        var entry = Entry(line: line)
        entry.match = try regex(fields["match"], key: "match", line: line)
        entry.afterTool = try regex(fields["after_tool"], key: "after_tool", line: line)
        entry.reply = try string(fields["reply"], key: "reply", line: line)
        entry.thinking = try string(fields["thinking"], key: "thinking", line: line)
        entry.stopReason = try string(fields["stop_reason"], key: "stop_reason", line: line)
        if let reason = entry.stopReason, !["end_turn", "max_tokens", "refusal"].contains(reason) {
            throw ParseError(line: line, problem: "stop_reason must be \"max_tokens\" or \"refusal\"")
        }
        entry.tokenDelayMs = try milliseconds(fields["token_delay_ms"], key: "token_delay_ms", line: line)
        entry.firstTokenDelayMs = try milliseconds(fields["first_token_delay_ms"], key: "first_token_delay_ms", line: line)
        switch fields["error"] {
        case nil: break
        case .number(let status)? where [400, 401, 403, 404, 413, 429, 500, 503, 529].contains(Int(status)):
            entry.failure = .status(Int(status))
        case .string("cut")?: entry.failure = .cut
        case .string("stall")?: entry.failure = .stall
        default:
            throw ParseError(line: line, problem: "error must be 400, 401, 403, 404, 413, 429, 500, 503, 529, \"cut\" or \"stall\"")
        }
        switch fields["tool_calls"] {
        case nil: break
        case .array(let calls)?:
            for call in calls {
                guard case .object(let object) = call, let name = object["name"]?.stringValue, ToolBridge.isValidName(name) else {
                    throw ParseError(line: line, problem: "each tool call needs a valid \"name\"")
                }
                let arguments = object["arguments"] ?? .object([:])
                guard case .object = arguments else {
                    throw ParseError(line: line, problem: "tool call \"\(name)\": arguments must be an object")
                }
                entry.toolCalls.append(ToolCall(name: name, arguments: arguments))
            }
        default:
            throw ParseError(line: line, problem: "tool_calls must be an array")
        }
        return entry
    }

    private static func regex(_ value: JSONValue?, key: String, line: Int) throws(ParseError) -> Regex<AnyRegexOutput>? {
        guard let value else { return nil }
        guard let pattern = value.stringValue else { throw ParseError(line: line, problem: "\(key) must be a string") }
        do {
            return try Regex(pattern)
        } catch {
            throw ParseError(line: line, problem: "\(key) is not a valid regular expression: \(error)")
        }
    }

    private static func string(_ value: JSONValue?, key: String, line: Int) throws(ParseError) -> String? {
        guard let value else { return nil }
        guard let text = value.stringValue else { throw ParseError(line: line, problem: "\(key) must be a string") }
        return text
    }

    private static func milliseconds(_ value: JSONValue?, key: String, line: Int) throws(ParseError) -> Int {
        guard let value else { return 0 }
        guard case .number(let number) = value, number >= 0, number <= 600_000, number == number.rounded() else {
            throw ParseError(line: line, problem: "\(key) must be a whole number of milliseconds (0 to 600000)")
        }
        return Int(number)
    }

    /// The first entry that applies: its `match` finds the last user text (or it has none), and
    /// its `after_tool` finds the newest tool result, or it has none and there is no such result.
    package func entry(lastUserText: String, toolResult: String?) -> Entry? {
        entries.first { entry in
            if let match = entry.match, (try? match.firstMatch(in: lastUserText)) == nil { return false }
            switch (entry.afterTool, toolResult) {
            case (nil, nil): return true
            case (nil, _?), (_?, nil): return false
            case (let pattern?, let result?): return (try? pattern.firstMatch(in: result)) != nil
            }
        }
    }
}
