import ProxyCore

/// The OpenAI fronts' requests (chat completions and responses), checked and translated into the
/// neutral plan. Pure.
extension CompletionPlan {
    package init(chat request: ChatCompletionRequest, defaultModel: String, now: Int) throws(OpenAIError) {
        if let n = request.n, n != 1 {
            throw .invalidRequest("Only n = 1 is supported: the CLI gives one answer per request.", param: "n")
        }
        if request.logprobs == true {
            throw .invalidRequest("logprobs are not available through Claude Code.", param: "logprobs")
        }
        if request.functions != nil || request.functionCall != nil {
            throw .invalidRequest("`functions` and `function_call` are the deprecated function-calling API; send "
                                  + "`tools` and `tool_choice` instead.",
                                  param: request.functions != nil ? "functions" : "function_call",
                                  code: "unsupported_parameter")
        }
        let tools = try ToolDefinitions.parse(tools: request.tools, choice: request.toolChoice,
                                          parallel: request.parallelToolCalls, shape: .chat)
        let stopSequences = try Self.stopSequences(request.stop)
        let limit = request.maxCompletionTokens ?? request.maxTokens
        try Self.checkLimit(limit, param: request.maxCompletionTokens != nil ? "max_completion_tokens" : "max_tokens")
        let id = CompletionPlanIDs.random(prefix: "chatcmpl-")
        let conversation = try Conversation(chatMessages: request.messages)
        let prompt = Prompt(conversation, tools: tools)
        let model = ModelName.normalized(request.model, default: defaultModel)
        var options = CLIOptions(maxOutputTokens: limit,
                             effort: try Self.effort(request.reasoningEffort, param: "reasoning_effort"),
                             jsonSchema: try Self.jsonSchema(request.responseFormat, nested: true,
                                                             param: "response_format"))
        // Asking for an effort is asking for reasoning: show it (except the efforts that mean none).
        options.showsThinking = !["none", "minimal", nil].contains(request.reasoningEffort)
        options = Self.withContinuationsStopped(options)
        let isStreaming = request.stream ?? false
        let translator = ChatTranslator(id: id, created: now, model: model,
                                        includeUsage: request.streamOptions?.includeUsage ?? false)
        self.init(id: id, conversation: conversation, prompt: prompt, model: model, options: options,
                  stopSequences: stopSequences, isStreaming: isStreaming, tools: tools, translator: translator)
    }

    /// - Parameter previousResponseID: the stored response `request` was made whole from.
    package init(responses request: ResponsesRequest, defaultModel: String, now: Int,
                 previousResponseID: String? = nil) throws(OpenAIError) {
        // `ResponseStore` makes a request naming a stored response whole first.
        if request.previousResponseID != nil {
            throw .invalidRequest("previous_response_id is not served here: send the whole conversation in `input`.",
                                  param: "previous_response_id")
        }
        // Stored conversations and prompt templates live at OpenAI: without them the model would
        // answer without the state the client pointed at, so they are refused, not ignored.
        if let conversation = request.conversation, conversation != .null {
            throw .invalidRequest("conversation is not supported: this proxy stores no conversations. "
                                  + "Send the whole conversation in `input`.", param: "conversation")
        }
        if let prompt = request.prompt, prompt != .null {
            throw .invalidRequest("prompt (a stored prompt template) is not supported by this proxy. "
                                  + "Send the instructions and input themselves.", param: "prompt")
        }
        let tools = try ToolDefinitions.parse(tools: request.tools, choice: request.toolChoice,
                                          parallel: request.parallelToolCalls, shape: .responses)
        try Self.checkLimit(request.maxOutputTokens, param: "max_output_tokens")
        let id = CompletionPlanIDs.random(prefix: "resp_")
        let conversation = try Conversation(responsesInput: request.input, instructions: request.instructions)
        let prompt = Prompt(conversation, tools: tools)
        let model = ModelName.normalized(request.model, default: defaultModel)
        var format: JSONValue?
        if case .object(let text)? = request.text { format = text["format"] }
        var options = CLIOptions(maxOutputTokens: request.maxOutputTokens,
                             effort: try Self.effort(request.reasoning?.effort, param: "reasoning.effort"),
                             jsonSchema: try Self.jsonSchema(format, nested: false, param: "text.format"))
        options.showsThinking = request.reasoning != nil && !["none", "minimal"].contains(request.reasoning?.effort)
        options = Self.withContinuationsStopped(options)
        let isStreaming = request.stream ?? false
        var translator = ResponsesTranslator(id: id, itemID: CompletionPlanIDs.random(prefix: "msg_"), createdAt: now,
                                             model: model, instructions: request.instructions,
                                             maxOutputTokens: request.maxOutputTokens,
                                             includesSignature: request.include?.contains("reasoning.encrypted_content") == true,
                                             freeFormTools: tools?.freeFormNames ?? [], namespacedTools: tools?.namespaced ?? [:])
        translator.stores = request.store != false
        translator.previousResponseID = previousResponseID
        self.init(id: id, conversation: conversation, prompt: prompt, model: model, options: options,
                  stopSequences: [], isStreaming: isStreaming, tools: tools, translator: translator)
    }

    /// With an output limit the CLI would continue after hitting it; stop it after one call.
    /// (Not with a schema: the StructuredOutput turn needs the run to go on after the call.)
    private static func withContinuationsStopped(_ options: CLIOptions) -> CLIOptions {
        var options = options
        options.stopsAfterFirstCall = options.maxOutputTokens != nil && options.jsonSchema == nil
        return options
    }

    /// `response_format` (chat: `{type:"json_schema", json_schema:{schema}}`) or `text.format`
    /// (responses: `{type:"json_schema", schema}`) → the schema for `--json-schema`.
    /// `json_object` asks for any JSON object: the schema `{"type":"object"}`.
    private static func jsonSchema(_ format: JSONValue?, nested: Bool, param: String) throws(OpenAIError) -> String? {
        guard let format, format != .null else { return nil }
        guard case .object(let fields) = format, let type = fields["type"]?.stringValue else {
            throw .invalidRequest("`\(param)` must be an object with a `type`.", param: param)
        }
        switch type {
        case "text":
            return nil
        case "json_object":
            return #"{"type":"object"}"#
        case "json_schema":
            let holder: [String: JSONValue]
            if nested {
                guard case .object(let inner)? = fields["json_schema"] else {
                    throw .invalidRequest("`\(param).json_schema` is required.", param: "\(param).json_schema")
                }
                holder = inner
            } else {
                holder = fields
            }
            let schemaParam = nested ? "\(param).json_schema.schema" : "\(param).schema"
            guard case .object(let schema)? = holder["schema"] else {
                throw .invalidRequest("`\(schemaParam)` must be a JSON Schema object.", param: schemaParam)
            }
            if let root = schema["type"]?.stringValue, root != "object" {
                throw .invalidRequest("The schema's root must be an object (`\"type\": \"object\"`).", param: schemaParam)
            }
            let text = String(decoding: WireJSON.encode(JSONValue.object(schema)), as: UTF8.self)
            guard text.utf8.count <= maxSchemaBytes else {
                throw .invalidRequest("The schema is larger than \(maxSchemaBytes / 1024) KB.", param: schemaParam)
            }
            return text
        default:
            throw .invalidRequest("Invalid `\(param).type`: '\(type)'. Expected text, json_object or json_schema.",
                                  param: "\(param).type")
        }
    }


    /// `stop`: null, a string, or up to 4 non-empty strings.
    private static func stopSequences(_ stop: JSONValue?) throws(OpenAIError) -> [String] {
        switch stop {
        case nil, .null?:
            return []
        case .string(let text)?:
            return text.isEmpty ? [] : [text]
        case .array(let items)? where items.count <= 4:
            var out: [String] = []
            for item in items {
                guard let text = item.stringValue, !text.isEmpty else {
                    throw .invalidRequest("`stop` must hold non-empty strings.", param: "stop")
                }
                out.append(text)
            }
            return out
        default:
            throw .invalidRequest("`stop` must be a string or an array of up to 4 strings.", param: "stop")
        }
    }

    private static func effort(_ value: String?, param: String) throws(OpenAIError) -> String? {
        guard let value else { return nil }
        guard let effort = CLIOptions.effort(fromOpenAI: value) else {
            throw .invalidRequest("Invalid value for \(param): '\(value)'. Expected none, minimal, low, medium, "
                                  + "high, xhigh or max.", param: param)
        }
        return effort
    }

    private static func checkLimit(_ limit: Int?, param: String) throws(OpenAIError) {
        if let limit, limit < 1 {
            throw .invalidRequest("\(param) must be at least 1.", param: param)
        }
    }
}
