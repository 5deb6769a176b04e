import ProxyCore

/// What one Messages request asks of the CLI, checked and translated. Pure.
package struct MessagesJob: CompletionPlan {
    package var id: String
    package var prompt: Prompt
    package var model: String
    package var options: CLIOptions
    package var stopSequences: [String]
    package var isStreaming: Bool
    package var translator: any ReplyTranslator
    package var tools: ToolUse?
    package var conversation: Conversation

    package init(_ request: MessagesRequest, defaultModel: String) throws(AnthropicError) {
        guard let maxTokens = request.maxTokens else { throw .invalidRequest("max_tokens: Field required") }
        guard maxTokens >= 1 else { throw .invalidRequest("max_tokens: must be at least 1") }
        tools = try Self.tools(request.tools, choice: request.toolChoice)
        stopSequences = (request.stopSequences ?? []).filter { !$0.isEmpty }
        id = CompletionPlanIDs.random(prefix: "msg_")
        conversation = try Conversation(system: request.system, messages: request.messages)
        prompt = Prompt(conversation, tools: tools)
        model = ModelName.normalized(request.model, default: defaultModel)
        options = CLIOptions(maxOutputTokens: maxTokens, effort: try Self.effort(request.thinking))
        // After a max_tokens stop the CLI would continue on its own; stop it after one call.
        options.stopsAfterFirstCall = true
        isStreaming = request.stream ?? false
        translator = MessagesTranslator(id: id, model: model)
    }

    package var reducer: TurnReducer { reducer(continuity: .init()) }

    package func reducer(continuity: TurnReducer.Continuity) -> TurnReducer {
        TurnReducer(stopSequences: stopSequences, bridgedTools: bridgedTools.map(\.name), continuity: continuity)
    }

    package var bridgedTools: [ToolSpec] { tools?.bridged ?? [] }

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
