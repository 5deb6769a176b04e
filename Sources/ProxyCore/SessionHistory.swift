/// A conversation with earlier turns, written as the CLI's own session file so that a new CLI
/// resumes it (`--resume`) and sends every earlier turn upstream as a native message, with the
/// prompt-cache marker where a live CLI puts it, instead of one quoted transcript (docs/cli.md,
/// "Native history"; measured in cli-contract/history). Pure: the daemon writes `fileBytes`.
///
/// The file holds the history; the new user turn goes on stdin as for any request. A history
/// that ends in tool results (or tool results and the user's words) has no new turn to write:
/// the file holds it all and the CLI, told to continue an interrupted turn, asks the model.
package struct SessionHistory: Equatable, Sendable {
    /// Why a history was sent as a transcript instead: a shape the CLI would rewrite on resume
    /// (history/README.md §2.3, §2.6), or one the upstream would refuse natively.
    package enum Fallback: String, Error, Equatable, Sendable, CaseIterable {
        /// Tool calls in the history but no tools in the request: the upstream refuses tool
        /// blocks without tool definitions.
        case toolsMissing = "tools_missing"
        /// An assistant's tool call with no result in the next turn: the CLI drops the whole message.
        case unansweredToolCall = "unanswered_tool_call"
        /// A tool result that answers no call of the assistant turn before it.
        case unmatchedToolResult = "unmatched_tool_result"
        case startsWithAssistant = "starts_with_assistant"
        /// The request ends with an assistant turn (a prefill): the CLI would answer a synthetic user turn.
        case endsWithAssistant = "ends_with_assistant"
        case assistantAfterAssistant = "assistant_after_assistant"
        /// Tool arguments that are not a JSON object cannot become a `tool_use` input.
        case argumentsNotJSON = "arguments_not_json"
        /// The CLI shortens a long project directory name with a hash the proxy does not compute.
        case longWorkingDirectory = "long_working_directory"
        /// The operator turned native history off (`--flatten-history`).
        case turnedOff = "turned_off"
    }

    /// The session's id (a UUID: `--resume` takes nothing else) and the file's name.
    package var sessionID: String
    /// The history as the upstream will read it, oldest first.
    package var messages: [AnthropicMessage]
    /// The user turn written on stdin after the resume; nil when the history ends in tool
    /// results and the CLI continues by itself (`CLAUDE_CODE_RESUME_INTERRUPTED_TURN`).
    package var newTurn: Conversation.Turn?
    /// The run's model, stamped on assistant lines: the CLI drops thinking blocks from a line
    /// whose model differs from its own (§2.3).
    package var model: String

    package var continuesByItself: Bool { newTurn == nil }

    /// There is an earlier turn to resume; else the request is one user message (its turns
    /// merged as the upstream merges them) and needs no file.
    package var resumes: Bool { !messages.isEmpty }

    /// The history of `conversation` when the CLI can take it natively, else why not.
    /// - Parameters:
    ///   - toolsBridged: the request's tools reach the CLI over the bridge (tool blocks in
    ///     history need tool definitions upstream).
    ///   - sessionID: a fresh UUID (`sessionID(fromHex:)`).
    /// - Returns: nil for a conversation without turns.
    package static func plan(_ conversation: Conversation, model: String, toolsBridged: Bool,
                             sessionID: String) -> Result<SessionHistory, Fallback>? {
        var messages: [AnthropicMessage] = []
        // Tool calls of the latest assistant turn not yet answered.
        var open: Set<String> = []
        for turn in conversation.turns {
            let previous = messages.last
            switch turn.role {
            case .assistant:
                guard open.isEmpty else { return .failure(.unansweredToolCall) }
                var blocks: [AnthropicContentBlock] = []
                for block in turn.blocks {
                    switch block {
                    case .text(let text) where !text.isEmpty: blocks.append(.text(text))
                    case .toolCall(let call):
                        guard let input = call.input else { return .failure(.argumentsNotJSON) }
                        guard toolsBridged else { return .failure(.toolsMissing) }
                        blocks.append(.toolUse(id: call.id, name: ToolBridge.bridged(call.name), input: input))
                        open.insert(call.id)
                    case .thinking(let data, _, true):
                        blocks.append(.redactedThinking(data: data))
                    case .thinking(let text, let signature, false) where !signature.isEmpty:
                        // Signed reasoning goes back as the model wrote it (the CLI keeps it when
                        // the line names the run's model); the upstream refuses unsigned thinking.
                        blocks.append(.thinking(text, signature: signature))
                    case .text, .image, .toolResult, .thinking: break
                    }
                }
                // Clients drop empty assistant messages; so does the identity of a conversation.
                guard !blocks.isEmpty else { continue }
                guard let previous else { return .failure(.startsWithAssistant) }
                guard previous.role == .user else { return .failure(.assistantAfterAssistant) }
                messages.append(AnthropicMessage(role: .assistant, content: blocks))
            case .tool:
                var blocks: [AnthropicContentBlock] = []
                for block in turn.blocks {
                    guard case .toolResult(let result) = block else { continue }
                    guard open.remove(result.callID) != nil else { return .failure(.unmatchedToolResult) }
                    blocks.append(.toolResult(toolUseID: result.callID, content: result.content, isError: false))
                }
                guard open.isEmpty else { return .failure(.unansweredToolCall) }
                append(blocks, to: &messages)
            case .user:
                guard open.isEmpty else { return .failure(.unansweredToolCall) }
                var blocks: [AnthropicContentBlock] = []
                for block in turn.blocks {
                    switch block {
                    case .text(let text): blocks.append(.text(text))
                    case .image(let image): blocks.append(.image(image))
                    case .toolCall, .toolResult, .thinking: break
                    }
                }
                append(blocks.isEmpty ? [.text("")] : blocks, to: &messages)
            }
        }
        guard open.isEmpty else { return .failure(.unansweredToolCall) }
        guard let last = messages.last else { return nil }
        guard last.role == .user else { return .failure(.endsWithAssistant) }
        let endsInResults = last.content.contains { if case .toolResult = $0 { true } else { false } }
        if endsInResults {
            return .success(SessionHistory(sessionID: sessionID, messages: messages, newTurn: nil, model: model))
        }
        let newTurn = Conversation.Turn(role: .user, blocks: last.content.compactMap { block in
            switch block {
            case .text(let text): .text(text)
            case .image(let image): .image(image)
            default: nil
            }
        })
        return .success(SessionHistory(sessionID: sessionID, messages: Array(messages.dropLast()), newTurn: newTurn,
                                       model: model))
    }

    /// Consecutive user-side turns (tool results, then the user's words) are one upstream
    /// message, results first, as the Messages API wants them; the CLI would merge them too.
    private static func append(_ blocks: [AnthropicContentBlock], to messages: inout [AnthropicMessage]) {
        if messages.last?.role == .user {
            messages[messages.count - 1].content += blocks
        } else {
            messages.append(AnthropicMessage(role: .user, content: blocks))
        }
    }

    // MARK: The file

    /// The session file, one JSON line per message, each chained to the one before by
    /// `parentUuid` (an unchained file silently loses all but its last message, §2.3).
    /// - Parameters:
    ///   - workingDirectory: the CLI's working directory, recorded as the CLI records it.
    ///   - timestamp: ISO 8601, for every line (the CLI does not order by it).
    package func fileBytes(workingDirectory: String, timestamp: String, cliVersion: String?) -> [UInt8] {
        var bytes: [UInt8] = []
        var parent: String?
        for (index, message) in messages.enumerated() {
            let uuid = lineID(index)
            let line = Line(parentUuid: parent, type: message.role, message: LineMessage(
                id: message.role == .assistant ? "msg_history_\(index)" : nil,
                role: message.role, model: message.role == .assistant ? model : nil, content: message.content),
                uuid: uuid, timestamp: timestamp, cwd: workingDirectory, sessionId: sessionID, version: cliVersion)
            bytes += WireJSON.encode(line)
            bytes.append(UInt8(ascii: "\n"))
            parent = uuid
        }
        return bytes
    }

    /// Where the CLI looks for a session of a CLI started in `workingDirectory`:
    /// `<config dir>/projects/<slug>/<id>.jsonl`, the slug being the directory with every
    /// character but ASCII letters and digits made `-` (a file elsewhere is not found, §2.7).
    package static func projectDirectory(configDirectory: String, workingDirectory: String) -> String? {
        let slug = String(workingDirectory.unicodeScalars.map { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)) ? Character(scalar) : "-"
        })
        // Above 200 characters the CLI cuts the name and appends a hash of its own.
        guard slug.count <= 200 else { return nil }
        return "\(configDirectory)/projects/\(slug)"
    }

    /// A version-4 UUID from 32 random hex digits (`CompletionPlanIDs.random`).
    package static func sessionID(fromHex hex: String) -> String {
        var digits = Array(hex.prefix(32))
        while digits.count < 32 { digits.append("0") }
        digits[12] = "4"
        digits[16] = "8"
        let groups = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(digits[$0]) }
        return groups.joined(separator: "-")
    }

    /// Line ids: the session's own id with the line's number in its last group.
    private func lineID(_ index: Int) -> String {
        let number = String(index, radix: 16)
        return String(sessionID.dropLast(number.count)) + number
    }

    private struct LineMessage: Encodable {
        var id: String?
        var type: String? { id == nil ? nil : "message" }
        var role: AnthropicMessage.Role
        var model: String?
        var content: [AnthropicContentBlock]

        enum CodingKeys: String, CodingKey { case id, type, role, model, content }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(id, forKey: .id)
            try container.encodeIfPresent(type, forKey: .type)
            try container.encode(role, forKey: .role)
            try container.encodeIfPresent(model, forKey: .model)
            try container.encode(content, forKey: .content)
        }
    }

    /// The fields the CLI writes on its own conversation lines (q2_03's full variant: the
    /// loader reads fewer today, a later CLI may read more).
    private struct Line: Encodable {
        var parentUuid: String?
        var isSidechain = false
        var type: AnthropicMessage.Role
        var message: LineMessage
        var uuid: String
        var timestamp: String
        var userType = "external"
        var entrypoint = "sdk-cli"
        var cwd: String
        var sessionId: String
        var version: String?

        enum CodingKeys: String, CodingKey {
            case parentUuid, isSidechain, type, message, uuid, timestamp, userType, entrypoint, cwd, sessionId, version
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            // `null` on the first line, never absent: the loader chains by this key.
            try container.encode(parentUuid, forKey: .parentUuid)
            try container.encode(isSidechain, forKey: .isSidechain)
            try container.encode(type, forKey: .type)
            try container.encode(message, forKey: .message)
            try container.encode(uuid, forKey: .uuid)
            try container.encode(timestamp, forKey: .timestamp)
            try container.encode(userType, forKey: .userType)
            try container.encode(entrypoint, forKey: .entrypoint)
            try container.encode(cwd, forKey: .cwd)
            try container.encode(sessionId, forKey: .sessionId)
            try container.encodeIfPresent(version, forKey: .version)
        }
    }
}
