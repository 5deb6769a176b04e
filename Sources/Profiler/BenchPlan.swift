import ProxyCore

/// What the profiler sends: the endpoint's URL and one streamed request body per prompt, in the
/// shape of the chosen API. Prompts come from `--prompt`, or from a JSON Lines file whose lines
/// are `{"prompt": "…"}`, `{"messages": [...]}` or a bare JSON string. Pure.
package struct BenchPlan: Sendable {
    package enum Prompt: Sendable, Equatable {
        case text(String)
        case messages([JSONValue])
    }

    package enum PlanError: Error, Equatable, CustomStringConvertible {
        case emptyPrompts
        case badLine(Int)
        package var description: String {
            switch self {
            case .emptyPrompts: "the prompts file holds no prompt"
            case .badLine(let line): "line \(line) of the prompts file is not {\"prompt\": …}, {\"messages\": […]} or a JSON string"
            }
        }
    }

    package var endpoint: CompletionStreamReader.Endpoint
    package var model: String
    package var maxTokens: Int?
    package var prompts: [Prompt]

    package init(endpoint: CompletionStreamReader.Endpoint, model: String, maxTokens: Int?, prompts: [Prompt]) {
        self.endpoint = endpoint
        self.model = model
        self.maxTokens = maxTokens
        self.prompts = prompts
    }

    /// Reads a prompts file's JSON Lines (blank lines skipped).
    package static func prompts(jsonLines text: String) throws(PlanError) -> [Prompt] {
        var prompts: [Prompt] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingSpaces()
            guard !trimmed.isEmpty else { continue }
            guard let value = try? WireJSON.decode(JSONValue.self, from: Array(trimmed.utf8)) else {
                throw .badLine(number + 1)
            }
            switch value {
            case .string(let text): prompts.append(.text(text))
            case .object(let object):
                if case .string(let text)? = object["prompt"] { prompts.append(.text(text)) }
                else if case .array(let messages)? = object["messages"] { prompts.append(.messages(messages)) }
                else { throw .badLine(number + 1) }
            default: throw .badLine(number + 1)
            }
        }
        guard !prompts.isEmpty else { throw .emptyPrompts }
        return prompts
    }

    /// The full URL for `base` (`http://host:port/v1`); a base that already names the path is kept.
    package func url(base: String) -> String {
        let path = endpoint == .chat ? "/chat/completions" : "/responses"
        var trimmed = base
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        return trimmed.hasSuffix(path) ? trimmed : trimmed + path
    }

    /// The streamed request body for the `index`th request (prompts are taken in turn).
    package func body(index: Int) -> [UInt8] {
        let prompt = prompts[index % prompts.count]
        var object: [String: JSONValue] = ["model": .string(model), "stream": .bool(true)]
        let messages: [JSONValue]
        switch prompt {
        case .text(let text): messages = [.object(["role": .string("user"), "content": .string(text)])]
        case .messages(let list): messages = list
        }
        switch endpoint {
        case .chat:
            object["messages"] = .array(messages)
            object["stream_options"] = .object(["include_usage": .bool(true)])
            if let maxTokens { object["max_tokens"] = .number(Double(maxTokens)) }
        case .responses:
            if case .text(let text) = prompt { object["input"] = .string(text) } else { object["input"] = .array(messages) }
            if let maxTokens { object["max_output_tokens"] = .number(Double(maxTokens)) }
        }
        return WireJSON.encode(JSONValue.object(object))
    }
}
