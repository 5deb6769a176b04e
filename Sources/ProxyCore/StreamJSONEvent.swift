/// One line of `claude --output-format stream-json --verbose --include-partial-messages`,
/// reduced to what the proxy acts on (docs/cli.md, "Output"). Unknown kinds decode to `.other`.
package enum StreamJSONEvent: Equatable, Sendable {
    case initialized(CLIInitReport)
    case apiRetry
    case stream(messageID: String?, AnthropicStreamFrame)
    case assistant(AssistantMessage)
    case result(ResultEvent)
    /// The subscription's usage windows changed (`rate_limit_event`).
    case rateLimit(RateLimitInfo)
    case other(type: String)

    /// Parses one line. Invalid UTF-8 is replaced with U+FFFD first, so a bad byte costs one
    /// character, not the line. Throws on bytes that are not a JSON object with a `type`.
    package init(line: [UInt8]) throws {
        let text = String(validating: line, as: UTF8.self) != nil ? line : Array(String(decoding: line, as: UTF8.self).utf8)
        let raw = try WireJSON.decode(RawLine.self, from: text)
        switch raw.type {
        case "system" where raw.subtype == "init":
            self = .initialized(CLIInitReport(
                model: raw.model, tools: raw.tools ?? [], mcpServers: (raw.mcpServers ?? []).map { $0.name ?? "?" },
                customizations: CLIInitReport.customizations(
                    skills: raw.skills ?? [], slashCommands: raw.slashCommands ?? [],
                    plugins: (raw.plugins ?? []).map { ($0.name ?? "?", $0.path ?? "?") }, agents: raw.agents ?? [])))
        case "system" where raw.subtype == "api_retry":
            self = .apiRetry
        case "stream_event":
            self = .stream(messageID: raw.apiMessageID, raw.event ?? .unknown(type: "?"))
        case "assistant":
            let message = raw.message
            self = .assistant(AssistantMessage(
                id: message.flatMap { $0.id.isEmpty ? nil : $0.id }, model: message.flatMap { $0.model.isEmpty ? nil : $0.model },
                texts: (message?.content ?? []).compactMap { if case .text(let text) = $0 { text } else { nil } },
                error: raw.error, apiError: raw.apiError, rateLimit: raw.apiErrorParams?.rateLimitInfo))
        case "rate_limit_event":
            guard let info = raw.rateLimitInfo else { self = .other(type: raw.type); return }
            self = .rateLimit(info)
        case "result":
            self = .result(ResultEvent(
                subtype: ResultSubtype(raw.subtype ?? ""), isError: raw.isError ?? false,
                apiErrorStatus: raw.apiErrorStatus, apiErrorType: raw.apiErrorType,
                terminalReason: raw.terminalReason.map { TerminalReason($0) }, stopReason: raw.stopReason.map { StopReason($0) },
                text: raw.result,
                usage: raw.usage.map(TokenUsage.init(cli:)) ?? TokenUsage(), totalCostUSD: raw.totalCostUSD,
                structuredOutput: raw.structuredOutput == .null ? nil : raw.structuredOutput))
        default:
            self = .other(type: raw.type)
        }
    }
}

package struct AssistantMessage: Equatable, Sendable {
    package var id: String?
    package var model: String?
    package var texts: [String]
    /// Set on the CLI's synthetic error message (`"model":"<synthetic>"`, docs/cli.md, "The synthetic assistant message").
    package var error: String?
    package var apiError: String?
    /// A refusal for a used-up window names it here (`api_error_params.rate_limit_info`).
    package var rateLimit: RateLimitInfo?

    package var isSynthetic: Bool { model == "<synthetic>" || error != nil }
}

package struct ResultEvent: Equatable, Sendable {
    package var subtype: ResultSubtype
    package var isError: Bool
    package var apiErrorStatus: Int?
    package var apiErrorType: String?
    package var terminalReason: TerminalReason?
    package var stopReason: StopReason?
    package var text: String?
    package var usage: TokenUsage
    package var totalCostUSD: Double?
    /// The value the model gave the `StructuredOutput` tool under `--json-schema`.
    package var structuredOutput: JSONValue? = nil

    package init(subtype: ResultSubtype, isError: Bool, apiErrorStatus: Int? = nil, apiErrorType: String? = nil,
                 terminalReason: TerminalReason? = nil, stopReason: StopReason? = nil, text: String? = nil, usage: TokenUsage, totalCostUSD: Double? = nil, structuredOutput: JSONValue? = nil) {
        self.subtype = subtype
        self.isError = isError
        self.apiErrorStatus = apiErrorStatus
        self.apiErrorType = apiErrorType
        self.terminalReason = terminalReason
        self.stopReason = stopReason
        self.text = text
        self.usage = usage
        self.totalCostUSD = totalCostUSD
        self.structuredOutput = structuredOutput
    }
}

extension TokenUsage {
    /// A message's usage as the stream's `message_start` gives it.
    package init(_ usage: AnthropicUsage) {
        self.init(inputTokens: usage.inputTokens ?? 0, cacheCreationInputTokens: usage.cacheCreationInputTokens ?? 0,
                  cacheReadInputTokens: usage.cacheReadInputTokens ?? 0, outputTokens: usage.outputTokens)
    }

    fileprivate init(cli usage: RawLine.Usage) {
        self.init(inputTokens: usage.inputTokens ?? 0,
                  cacheCreationInputTokens: usage.cacheCreationInputTokens ?? 0,
                  cacheReadInputTokens: usage.cacheReadInputTokens ?? 0,
                  outputTokens: usage.outputTokens ?? 0,
                  reasoningTokens: usage.outputTokensDetails?.thinkingTokens ?? 0)
    }
}

/// The union of the fields the proxy reads from any line; everything is optional.
private struct RawLine: Decodable {
    struct Usage: Decodable {
        struct OutputDetails: Decodable {
            var thinkingTokens: Int?
            enum CodingKeys: String, CodingKey { case thinkingTokens = "thinking_tokens" }
        }
        var inputTokens: Int?
        var cacheCreationInputTokens: Int?
        var cacheReadInputTokens: Int?
        var outputTokens: Int?
        var outputTokensDetails: OutputDetails?
        enum CodingKeys: String, CodingKey {
            case inputTokens = "input_tokens"
            case cacheCreationInputTokens = "cache_creation_input_tokens"
            case cacheReadInputTokens = "cache_read_input_tokens"
            case outputTokens = "output_tokens"
            case outputTokensDetails = "output_tokens_details"
        }
    }
    struct MCPServer: Decodable {
        var name: String?
    }
    struct ErrorParams: Decodable {
        var rateLimitInfo: RateLimitInfo?
        enum CodingKeys: String, CodingKey { case rateLimitInfo = "rate_limit_info" }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            rateLimitInfo = try? c.decodeIfPresent(RateLimitInfo.self, forKey: .rateLimitInfo)
        }
    }
    struct Plugin: Decodable {
        var name: String?
        var path: String?
    }

    var type: String
    var subtype: String?
    var model: String?
    var tools: [String]?
    var mcpServers: [MCPServer]?
    var skills: [String]?
    var slashCommands: [String]?
    var plugins: [Plugin]?
    var agents: [String]?
    var event: AnthropicStreamFrame?
    var apiMessageID: String?
    var message: AnthropicReply?
    var error: String?
    var apiError: String?
    var isError: Bool?
    var apiErrorStatus: Int?
    var apiErrorType: String?
    var terminalReason: String?
    var stopReason: String?
    var result: String?
    var usage: Usage?
    var totalCostUSD: Double?
    var structuredOutput: JSONValue?
    var rateLimitInfo: RateLimitInfo?
    var apiErrorParams: ErrorParams?

    enum CodingKeys: String, CodingKey {
        case type, subtype, model, tools, event, message, error, result, usage, skills, plugins, agents
        case mcpServers = "mcp_servers"
        case slashCommands = "slash_commands"
        case apiMessageID = "api_message_id"
        case apiError = "api_error"
        case isError = "is_error"
        case apiErrorStatus = "api_error_status"
        case apiErrorType = "api_error_type"
        case terminalReason = "terminal_reason"
        case stopReason = "stop_reason"
        case totalCostUSD = "total_cost_usd"
        case structuredOutput = "structured_output"
        case rateLimitInfo = "rate_limit_info"
        case apiErrorParams = "api_error_params"
    }

    /// Only `type` is required. Every other field decodes to nil when it has another shape
    /// (`event` is a string on `ui_invalidate`, `message` a string on `permission_denied`),
    /// so a field the proxy does not expect never costs it a whole line.
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decode(String.self, forKey: .type)
        subtype = try? c.decodeIfPresent(String.self, forKey: .subtype)
        model = try? c.decodeIfPresent(String.self, forKey: .model)
        tools = try? c.decodeIfPresent([String].self, forKey: .tools)
        mcpServers = try? c.decodeIfPresent([MCPServer].self, forKey: .mcpServers)
        skills = try? c.decodeIfPresent([String].self, forKey: .skills)
        slashCommands = try? c.decodeIfPresent([String].self, forKey: .slashCommands)
        plugins = try? c.decodeIfPresent([Plugin].self, forKey: .plugins)
        agents = try? c.decodeIfPresent([String].self, forKey: .agents)
        event = try? c.decodeIfPresent(AnthropicStreamFrame.self, forKey: .event)
        apiMessageID = try? c.decodeIfPresent(String.self, forKey: .apiMessageID)
        message = try? c.decodeIfPresent(AnthropicReply.self, forKey: .message)
        error = try? c.decodeIfPresent(String.self, forKey: .error)
        apiError = try? c.decodeIfPresent(String.self, forKey: .apiError)
        isError = try? c.decodeIfPresent(Bool.self, forKey: .isError)
        apiErrorStatus = try? c.decodeIfPresent(Int.self, forKey: .apiErrorStatus)
        apiErrorType = try? c.decodeIfPresent(String.self, forKey: .apiErrorType)
        terminalReason = try? c.decodeIfPresent(String.self, forKey: .terminalReason)
        stopReason = try? c.decodeIfPresent(String.self, forKey: .stopReason)
        result = try? c.decodeIfPresent(String.self, forKey: .result)
        usage = try? c.decodeIfPresent(Usage.self, forKey: .usage)
        totalCostUSD = try? c.decodeIfPresent(Double.self, forKey: .totalCostUSD)
        structuredOutput = try? c.decodeIfPresent(JSONValue.self, forKey: .structuredOutput)
        rateLimitInfo = try? c.decodeIfPresent(RateLimitInfo.self, forKey: .rateLimitInfo)
        apiErrorParams = try? c.decodeIfPresent(ErrorParams.self, forKey: .apiErrorParams)
    }
}

