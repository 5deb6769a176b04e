import ProxyCore

/// A Messages request, checked and translated into the neutral plan. Pure.
extension CompletionPlan {
    package init(messages request: MessagesRequest, defaultModel: String) throws(AnthropicError) {
        guard let maxTokens = request.maxTokens else { throw .invalidRequest("max_tokens: Field required") }
        // `MessageThreads` makes a threaded request whole first; one that was not is refused
        // with the answer on which the SDK's tool runner sends the whole conversation instead.
        guard request.thread == nil else {
            throw AnthropicError(status: 400, message: "thread: server-side threads are not served here; "
                                 + "send the whole conversation in `messages`.", isRetryable: false,
                                 code: "thread_unsupported_request", unsupported: ["thread"])
        }
        guard maxTokens >= 1 else { throw .invalidRequest("max_tokens: must be at least 1") }
        let tools = try Self.tools(request.tools, choice: request.toolChoice)
        let stopSequences = (request.stopSequences ?? []).filter { !$0.isEmpty }
        let id = CompletionPlanIDs.random(prefix: "msg_")
        let conversation = try Conversation(system: request.system, messages: request.messages)
        let prompt = Prompt(conversation, tools: tools)
        let model = ModelName.normalized(request.model, default: defaultModel)
        var options = CLIOptions(maxOutputTokens: maxTokens, effort: try Self.effort(request.thinking),
                             jsonSchema: try Self.jsonSchema(request))
        // Thinking asked for is thinking shown: the CLI asks for summarized thinking text.
        if case .object(let thinking)? = request.thinking, ["enabled", "adaptive"].contains(thinking["type"]?.stringValue) {
            options.showsThinking = true
        }
        // After a max_tokens stop the CLI would continue on its own; stop it after one call (not
        // with a schema: the StructuredOutput turn needs the run to go on after the call).
        options.stopsAfterFirstCall = options.jsonSchema == nil
        let isStreaming = request.stream ?? false
        let translator = MessagesTranslator(id: id, model: model)
        self.init(id: id, conversation: conversation, prompt: prompt, model: model, options: options,
                  stopSequences: stopSequences, isStreaming: isStreaming, tools: tools, translator: translator)
    }

    /// `output_config.format` or `output_format`: `{"type":"json_schema","schema":{…}}` → the CLI's
    /// `--json-schema` (the answer is then exactly a JSON value of it, as text).
    static func jsonSchema(_ request: MessagesRequest) throws(AnthropicError) -> String? {
        let (format, param): (JSONValue?, String) = if case .object(let config)? = request.outputConfig, let format = config["format"] {
            (format, "output_config.format")
        } else {
            (request.outputFormat, "output_format")
        }
        guard case .object(let fields)? = format else {
            if format == nil || format == .null { return nil }
            throw .invalidRequest("\(param): must be an object")
        }
        guard fields["type"]?.stringValue == "json_schema" else {
            throw .invalidRequest("\(param).type: only 'json_schema' is supported")
        }
        guard case .object(let schema)? = fields["schema"] else {
            throw .invalidRequest("\(param).schema: must be a JSON Schema object")
        }
        if let root = schema["type"]?.stringValue, root != "object" {
            throw .invalidRequest("\(param).schema: the root must be an object (\"type\": \"object\")")
        }
        let text = String(decoding: WireJSON.encode(JSONValue.object(schema)), as: UTF8.self)
        guard text.utf8.count <= CompletionPlan.maxSchemaBytes else { throw .invalidRequest("\(param).schema: larger than 64 KB") }
        return text
    }

    /// `thinking`: `{"type":"enabled","budget_tokens":N}` maps onto the CLI's effort by budget;
    /// `{"type":"disabled"}` is the lowest effort.
    static func effort(_ thinking: JSONValue?) throws(AnthropicError) -> String? {
        guard case .object(let fields)? = thinking else {
            if thinking == nil || thinking == .null { return nil }
            throw .invalidRequest("thinking: must be an object")
        }
        switch fields["type"]?.stringValue {
        case "disabled": return "low"
        case "enabled", "adaptive":
            guard case .number(let budget)? = fields["budget_tokens"] else { return "medium" }
            guard budget >= 1024 else { throw .invalidRequest("thinking.budget_tokens: must be at least 1024") }
            return budget < 4096 ? "low" : budget < 16384 ? "medium" : budget < 32768 ? "high" : "max"
        default:
            throw .invalidRequest("thinking.type: Input should be 'enabled' or 'disabled'")
        }
    }

    /// Custom tools (`name`, `description`, `input_schema`); server tools are refused by type.
    static func tools(_ tools: [JSONValue]?, choice: JSONValue?) throws(AnthropicError) -> ToolUse? {
        var specs: [ToolSpec] = []
        for (index, entry) in (tools ?? []).enumerated() {
            guard case .object(let fields) = entry else { throw .invalidRequest("tools.\(index): must be an object") }
            if let type = fields["type"]?.stringValue, type != "custom" {
                throw .invalidRequest("tools.\(index).type: server tools ('\(type)') are not supported by this proxy; "
                                      + "it serves the client's own (custom) tools only.")
            }
            guard let name = fields["name"]?.stringValue, ToolBridge.isValidName(name) else {
                throw .invalidRequest("tools.\(index).name: must match ^[a-zA-Z0-9_-]+$ and be at most "
                                      + "\(ToolBridge.clientNameLimit) characters (\(ToolBridge.upstreamNameLimit) less "
                                      + "the tool bridge's prefix).")
            }
            guard case .object(let schema)? = fields["input_schema"], schema["type"]?.stringValue ?? "object" == "object" else {
                throw .invalidRequest("tools.\(index).input_schema: must be a JSON Schema of type object")
            }
            guard !specs.contains(where: { $0.name == name }) else {
                throw .invalidRequest("tools.\(index).name: duplicate tool name '\(name)'")
            }
            specs.append(ToolSpec(name: name, description: fields["description"]?.stringValue, parameters: .object(schema)))
        }
        var toolChoice = ToolChoice.auto
        var parallel = true
        if case .object(let fields)? = choice {
            parallel = fields["disable_parallel_tool_use"] != .bool(true)
            switch fields["type"]?.stringValue {
            case "auto": toolChoice = .auto
            case "any": toolChoice = .required
            case "none": toolChoice = .none
            case "tool":
                guard let name = fields["name"]?.stringValue, specs.contains(where: { $0.name == name }) else {
                    throw .invalidRequest("tool_choice.name: must name one of `tools`")
                }
                toolChoice = .named(name)
            default:
                throw .invalidRequest("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'")
            }
        } else if let choice, choice != .null {
            throw .invalidRequest("tool_choice: must be an object")
        }
        guard !specs.isEmpty else {
            if case .required = toolChoice { throw .invalidRequest("tool_choice: asks for a tool, but `tools` is empty") }
            return nil
        }
        return ToolUse(tools: specs, choice: toolChoice, parallel: parallel)
    }
}
