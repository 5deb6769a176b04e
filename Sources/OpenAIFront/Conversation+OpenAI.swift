import ProxyCore

extension Conversation {
    /// Reads chat `messages`. Throws a 400 for anything the proxy cannot honour yet,
    /// rather than dropping part of what the user said.
    package init(chatMessages messages: [ChatMessage]) throws(OpenAIError) {
        self.init()
        guard !messages.isEmpty else {
            throw .invalidRequest("`messages` must contain at least one message.", param: "messages")
        }
        var pairing = ToolCallPairing<OpenAIError>(error: { .invalidRequest($0, param: $1) })
        for (index, message) in messages.enumerated() {
            let param = "messages[\(index)]"
            if message.role == .tool {
                guard let callID = message.toolCallID, !callID.isEmpty else {
                    throw .invalidRequest("A tool message needs `tool_call_id`.", param: "\(param).tool_call_id")
                }
                let texts = try Self.blocks(of: message.content, param: "\(param).content", allowImages: false)
                    .compactMap { if case .text(let text) = $0 { text } else { nil } }
                try pairing.answer(callID, param: "\(param).tool_call_id")
                append(.toolResult(ToolResult(callID: callID, content: texts.joined(separator: "\n"))), as: .tool)
                continue
            }
            if message.role == .function {
                throw .invalidRequest("Messages with role 'function' belong to the deprecated function-calling API; "
                                      + "send `tools` and messages with role 'tool'.", param: "\(param).role")
            }
            try pairing.requireAnswered(before: param)
            let blocks = try Self.blocks(of: message.content, param: "\(param).content",
                                         allowImages: message.role == .user)
            let texts = blocks.compactMap { if case .text(let text) = $0 { text } else { nil } }
            switch message.role {
            case .system, .developer, .user:
                // OpenAI requires content on these (an assistant message may have tool calls instead).
                guard message.content != nil else {
                    throw .invalidRequest("Missing required parameter: '\(param).content'.", param: "\(param).content")
                }
                if message.role == .user {
                    turns.append(Turn(role: .user, blocks: blocks))
                } else {
                    system.append(texts.joined(separator: "\n"))
                }
            case .assistant:
                var calls: [Block] = []
                for (number, entry) in (message.toolCalls ?? []).enumerated() {
                    let call = try Self.toolCall(entry, param: "\(param).tool_calls[\(number)]")
                    try pairing.called(call.id, param: "\(param).tool_calls[\(number)].id")
                    calls.append(.toolCall(call))
                }
                turns.append(Turn(role: .assistant, blocks: blocks + calls))
            case .tool, .function, .unknown:
                throw .invalidRequest(
                    "Invalid value for `role`: '\(message.role)'. Expected one of system, developer, user, assistant, tool.",
                    param: "\(param).role")
            }
        }
        try pairing.requireAnswered(before: "messages")
        try validateTurns(param: "messages")
    }

    /// Appends a block to the last turn when it has `role`, else as a new turn.
    private mutating func append(_ block: Block, as role: Role) {
        if let last = turns.indices.last, turns[last].role == role {
            turns[last].blocks.append(block)
        } else {
            turns.append(Turn(role: role, blocks: [block]))
        }
    }

    /// `{"id","type":"function","function":{"name","arguments"}}` from an assistant's `tool_calls`.
    private static func toolCall(_ entry: JSONValue, param: String) throws(OpenAIError) -> ToolCall {
        guard case .object(let fields) = entry, let id = fields["id"]?.stringValue, !id.isEmpty,
              case .object(let function)? = fields["function"], let name = function["name"]?.stringValue else {
            throw .invalidRequest("A tool call needs `id` and `function.name`.", param: param)
        }
        return ToolCall(id: id, name: name, arguments: function["arguments"]?.stringValue ?? "{}")
    }

    /// Reads a Responses `input` plus `instructions`.
    package init(responsesInput input: ResponsesInput, instructions: String?) throws(OpenAIError) {
        self.init()
        if let instructions, !instructions.isEmpty { system.append(instructions) }
        switch input {
        case .text(let text):
            turns.append(Turn(role: .user, texts: [text]))
        case .items(let items):
            var pairing = ToolCallPairing<OpenAIError>(error: { .invalidRequest($0, param: $1) })
            for (index, item) in items.enumerated() {
                let param = "input[\(index)]"
                switch item.type {
                case "function_call"?:
                    guard let callID = item.callID, !callID.isEmpty, let name = item.toolName else {
                        throw .invalidRequest("A function_call item needs `call_id` and `name`.", param: param)
                    }
                    try pairing.called(callID, param: "\(param).call_id")
                    append(.toolCall(ToolCall(id: callID, name: name, arguments: item.arguments ?? "{}")), as: .assistant)
                    continue
                case "custom_tool_call"?:
                    guard let callID = item.callID, !callID.isEmpty, let name = item.toolName else {
                        throw .invalidRequest("A custom_tool_call item needs `call_id` and `name`.", param: param)
                    }
                    try pairing.called(callID, param: "\(param).call_id")
                    // As the model made it: its bridged function with the one `input` argument.
                    append(.toolCall(ToolCall(id: callID, name: name,
                                              arguments: ToolSpec.freeFormArguments(input: item.input ?? ""))),
                           as: .assistant)
                    continue
                case "function_call_output"?, "custom_tool_call_output"?:
                    guard let callID = item.callID, !callID.isEmpty else {
                        throw .invalidRequest("A \(item.type ?? "") item needs `call_id`.", param: "\(param).call_id")
                    }
                    try pairing.answer(callID, param: "\(param).call_id")
                    append(.toolResult(ToolResult(callID: callID, content: Self.outputText(item.output))), as: .tool)
                    continue
                case "reasoning"?:
                    // Agents send back the reasoning items of earlier replies. One that carries its
                    // signature (`encrypted_content`) is the model's signed thinking: it goes back
                    // in its assistant turn (a kept CLI has it anyway; a cold start resumes it).
                    if let signature = item.encryptedContent, !signature.isEmpty {
                        let text = (item.summary ?? []).compactMap { part -> String? in
                            if case .object(let fields) = part { fields["text"]?.stringValue } else { nil }
                        }.joined()
                        append(.thinking(text: text, signature: signature, redacted: false), as: .assistant)
                    }
                    continue
                case nil, "message"?:
                    break
                case let type?:
                    throw .invalidRequest("Input items of type '\(type)' are not supported by this proxy.",
                                          param: "\(param).type")
                }
                try pairing.requireAnswered(before: param)
                let blocks = try Self.blocks(of: item.content, param: "\(param).content",
                                             allowImages: item.role == "user")
                let texts = blocks.compactMap { if case .text(let text) = $0 { text } else { nil } }
                switch item.role {
                case "system", "developer": system.append(texts.joined(separator: "\n"))
                case "user": turns.append(Turn(role: .user, blocks: blocks))
                case "assistant": append(contentsOf: blocks, as: .assistant)
                default:
                    throw .invalidRequest("Invalid value for `role`: '\(item.role ?? "")'.", param: "\(param).role")
                }
            }
            try pairing.requireAnswered(before: "input")
        }
        try validateTurns(param: "input")
    }

    private mutating func append(contentsOf blocks: [Block], as role: Role) {
        if let last = turns.indices.last, turns[last].role == role {
            turns[last].blocks += blocks
        } else {
            turns.append(Turn(role: role, blocks: blocks))
        }
    }

    /// A `function_call_output`'s `output`: a string, or content parts whose text is joined.
    private static func outputText(_ output: JSONValue?) -> String {
        switch output {
        case .string(let text)?: return text
        case .array(let parts)?:
            return parts.compactMap { part -> String? in
                if case .object(let fields) = part { return fields["text"]?.stringValue }
                return part.stringValue
            }.joined(separator: "\n")
        case nil, .null?: return ""
        case let other?: return String(decoding: WireJSON.encode(other), as: UTF8.self)
        }
    }

    private func validateTurns(param: String) throws(OpenAIError) {
        let images = turns.flatMap(\.blocks).filter { if case .image = $0 { true } else { false } }.count
        guard images <= ImageInput.maxCount else {
            throw .invalidRequest("At most \(ImageInput.maxCount) images are accepted per request.", param: param,
                                  code: "too_many_images")
        }
        guard let last = turns.last else {
            throw .invalidRequest("The conversation has no user message.", param: param)
        }
        guard last.role == .user || last.role == .tool else {
            throw .invalidRequest(
                "The last message must come from the user or be tool results; this proxy cannot continue an "
                    + "assistant message.", param: param)
        }
    }

    private static func blocks(of content: MessageContent?, param: String,
                               allowImages: Bool) throws(OpenAIError) -> [Block] {
        switch content {
        case nil:
            return []
        case .text(let text)?:
            return [.text(text)]
        case .parts(let parts)?:
            var blocks: [Block] = []
            for (index, part) in parts.enumerated() {
                switch part.type {
                case "text", "input_text", "output_text":
                    guard let text = part.text else {
                        throw .invalidRequest("A '\(part.type)' part needs `text`.", param: "\(param)[\(index)].text")
                    }
                    blocks.append(.text(text))
                case "image_url", "input_image":
                    guard allowImages else {
                        throw .invalidRequest("Images are accepted in user messages only.", param: "\(param)[\(index)]")
                    }
                    guard let url = part.imageURL else {
                        throw .invalidRequest("An image part needs `image_url` (a data: URL); file ids are not supported.",
                                              param: "\(param)[\(index)].image_url")
                    }
                    blocks.append(.image(try ImageInput(url: url, param: "\(param)[\(index)].image_url")))
                default:
                    throw .invalidRequest("Content parts of type '\(part.type)' are not supported.",
                                          param: "\(param)[\(index)].type", code: "unsupported_content")
                }
            }
            return blocks
        }
    }
}
