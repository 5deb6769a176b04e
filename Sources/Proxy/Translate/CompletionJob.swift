/// What one completion request asks the CLI to do, checked and translated: the prompt, the
/// model alias, the output limit and the translator for its endpoint. Pure.
struct CompletionJob {
    var id: String
    var prompt: Prompt
    var model: String
    var options: CLIOptions
    /// Chat's `stop`, applied by the proxy to the streamed text.
    var stopSequences: [String] = []
    var isStreaming: Bool
    var translator: any ReplyTranslator

    init(chat request: ChatCompletionRequest, defaultModel: String, now: Int) throws(OpenAIError) {
        if let n = request.n, n != 1 {
            throw .invalidRequest("Only n = 1 is supported: the CLI gives one answer per request.", param: "n")
        }
        if request.logprobs == true {
            throw .invalidRequest("logprobs are not available through Claude Code.", param: "logprobs")
        }
        try Self.refuseTools(request.tools, choice: request.toolChoice)
        if let format = request.responseFormat, Self.type(of: format) != "text" {
            throw .invalidRequest("response_format '\(Self.type(of: format) ?? "?")' is not supported by this proxy yet.",
                                  param: "response_format", code: "unsupported_parameter")
        }
        stopSequences = try Self.stopSequences(request.stop)
        let limit = request.maxCompletionTokens ?? request.maxTokens
        try Self.checkLimit(limit, param: request.maxCompletionTokens != nil ? "max_completion_tokens" : "max_tokens")
        id = Self.randomID(prefix: "chatcmpl-")
        prompt = Prompt(try Conversation(chatMessages: request.messages))
        model = ModelName.normalized(request.model, default: defaultModel)
        options = CLIOptions(maxOutputTokens: limit,
                             effort: try Self.effort(request.reasoningEffort, param: "reasoning_effort"))
        isStreaming = request.stream ?? false
        translator = ChatTranslator(id: id, created: now, model: model,
                                    includeUsage: request.streamOptions?.includeUsage ?? false)
    }

    init(responses request: ResponsesRequest, defaultModel: String, now: Int) throws(OpenAIError) {
        if request.previousResponseID != nil {
            throw .invalidRequest("previous_response_id is not supported: this proxy stores no responses. "
                                  + "Send the whole conversation in `input`.", param: "previous_response_id")
        }
        try Self.refuseTools(request.tools, choice: request.toolChoice)
        if case .object(let text)? = request.text, let format = text["format"], Self.type(of: format) != "text" {
            throw .invalidRequest("text.format '\(Self.type(of: format) ?? "?")' is not supported by this proxy yet.",
                                  param: "text.format", code: "unsupported_parameter")
        }
        try Self.checkLimit(request.maxOutputTokens, param: "max_output_tokens")
        id = Self.randomID(prefix: "resp_")
        prompt = Prompt(try Conversation(responsesInput: request.input, instructions: request.instructions))
        model = ModelName.normalized(request.model, default: defaultModel)
        options = CLIOptions(maxOutputTokens: request.maxOutputTokens,
                             effort: try Self.effort(request.reasoning?.effort, param: "reasoning.effort"))
        isStreaming = request.stream ?? false
        translator = ResponsesTranslator(id: id, itemID: Self.randomID(prefix: "msg_"), createdAt: now, model: model,
                                         instructions: request.instructions, maxOutputTokens: request.maxOutputTokens)
    }

    /// `prefix` followed by 32 random hex digits.
    static func randomID(prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let high = String(generator.next() as UInt64, radix: 16)
        let low = String(generator.next() as UInt64, radix: 16)
        return prefix + String(repeating: "0", count: 16 - high.count) + high
            + String(repeating: "0", count: 16 - low.count) + low
    }

    private static func refuseTools(_ tools: [JSONValue]?, choice: JSONValue?) throws(OpenAIError) {
        guard let tools, !tools.isEmpty, choice?.stringValue != "none" else { return }
        throw .invalidRequest("Tool calling is not supported by this proxy yet; send tool_choice \"none\" "
                              + "or no tools.", param: "tools", code: "unsupported_tool_calling")
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

    private static func type(of format: JSONValue) -> String? {
        if case .object(let fields) = format { return fields["type"]?.stringValue }
        return format.stringValue
    }
}
