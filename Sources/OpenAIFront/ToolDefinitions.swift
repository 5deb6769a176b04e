import ProxyCore

/// `tools`, `tool_choice` and `parallel_tool_calls`, checked as OpenAI checks them and turned into
/// the proxy's `ToolUse`. Chat nests each function (`{"type":"function","function":{…}}`);
/// Responses has it flat (`{"type":"function","name":…}`) and also names built-in tools the proxy
/// cannot serve, which are refused by name.
package enum ToolDefinitions {
    package enum Shape: Sendable { case chat, responses }

    package static func parse(tools: [JSONValue]?, choice: JSONValue?, parallel: Bool?,
                              shape: Shape) throws(OpenAIError) -> ToolUse? {
        var specs: [ToolSpec] = []
        for (index, entry) in (tools ?? []).enumerated() {
            let param = "tools[\(index)]"
            guard case .object(let fields) = entry else {
                throw .invalidRequest("Each tool must be an object.", param: param)
            }
            let type = fields["type"]?.stringValue ?? ""
            if type == "custom", shape == .responses {
                specs.append(try customSpec(fields, param: param))
                continue
            }
            if type == "namespace", shape == .responses {
                specs += try namespaceSpecs(fields, param: param)
                continue
            }
            guard type == "function" else {
                // Codex sends `web_search` unless told not to; say how.
                let hint = type == "web_search" ? " (Codex: set `web_search = \"disabled\"` in its config.toml, or pass "
                    + "`-c web_search=disabled`)" : ""
                throw .invalidRequest(
                    "Tools of type '\(type)' are not supported by this proxy: it serves the client's own functions "
                        + "only (types 'function', 'custom' and 'namespace')\(hint).", param: "\(param).type",
                    code: "unsupported_tool_type")
            }
            let function: [String: JSONValue]
            let functionParam: String
            switch shape {
            case .chat:
                guard case .object(let inner)? = fields["function"] else {
                    throw .invalidRequest("A function tool needs `function`.", param: "\(param).function")
                }
                function = inner
                functionParam = "\(param).function"
            case .responses:
                function = fields
                functionParam = param
            }
            specs.append(try spec(function, param: functionParam))
        }
        var seen: Set<String> = []
        for (index, spec) in specs.enumerated() where !seen.insert(spec.name).inserted {
            throw .invalidRequest("Duplicate tool name '\(spec.name)'.", param: "tools[\(index)]")
        }
        let parsedChoice = try toolChoice(choice, shape: shape, names: seen)
        if specs.isEmpty {
            switch parsedChoice {
            case .none, .auto: return nil
            case .required, .named:
                throw .invalidRequest("`tool_choice` asks for a tool call, but `tools` is empty.", param: "tool_choice")
            }
        }
        return ToolUse(tools: specs, choice: parsedChoice, parallel: parallel ?? true)
    }

    /// A Responses `namespace` tool (`{"type":"namespace","name","description","tools":[…]}`, Codex's
    /// sub-agent tools): each function or custom tool in it is bridged as `<namespace>__<name>`, told
    /// the namespace's description, and its calls carry `namespace` again.
    private static func namespaceSpecs(_ fields: [String: JSONValue], param: String) throws(OpenAIError) -> [ToolSpec] {
        guard let namespace = fields["name"]?.stringValue, !namespace.isEmpty else {
            throw .invalidRequest("A namespace tool needs a `name`.", param: "\(param).name")
        }
        guard case .array(let tools)? = fields["tools"] else {
            throw .invalidRequest("A namespace tool needs `tools`.", param: "\(param).tools")
        }
        let context = fields["description"]?.stringValue.map { "(\(namespace): \($0))" } ?? "(\(namespace))"
        var specs: [ToolSpec] = []
        for (index, tool) in tools.enumerated() {
            let innerParam = "\(param).tools[\(index)]"
            guard case .object(var inner) = tool, let name = inner["name"]?.stringValue else {
                throw .invalidRequest("A tool in a namespace needs a `name`.", param: innerParam)
            }
            let namespaced = ToolSpec.Namespaced(namespace: namespace, name: name)
            inner["name"] = .string(namespaced.flatName)
            inner["description"] = .string(context + (inner["description"]?.stringValue.map { " " + $0 } ?? ""))
            var spec: ToolSpec
            switch inner["type"]?.stringValue {
            case "function": spec = try self.spec(inner, param: innerParam)
            case "custom": spec = try customSpec(inner, param: innerParam)
            case let other:
                throw .invalidRequest("Tools of type '\(other ?? "")' cannot be in a namespace here (only 'function' "
                                      + "and 'custom').", param: "\(innerParam).type", code: "unsupported_tool_type")
            }
            spec.namespaced = namespaced
            specs.append(spec)
        }
        return specs
    }

    /// A Responses `custom` tool (`{"type":"custom","name","description","format"}`): the model
    /// gets a function taking one string, told the input's grammar when the tool has one.
    private static func customSpec(_ fields: [String: JSONValue], param: String) throws(OpenAIError) -> ToolSpec {
        var function = fields
        var description = fields["description"]?.stringValue ?? ""
        if case .object(let format)? = fields["format"], format["type"]?.stringValue == "grammar",
           let definition = format["definition"]?.stringValue {
            let syntax = format["syntax"]?.stringValue ?? "grammar"
            description += (description.isEmpty ? "" : "\n\n")
                + "Pass the tool's whole input as the string `input`; it must match this \(syntax) grammar:\n\(definition)"
        } else {
            description += (description.isEmpty ? "" : "\n\n") + "Pass the tool's whole input, free-form text, as the string `input`."
        }
        function["description"] = .string(description)
        function["parameters"] = .object([
            "type": .string("object"),
            "properties": .object([ToolSpec.freeFormInputKey: .object(["type": .string("string")])]),
            "required": .array([.string(ToolSpec.freeFormInputKey)]),
        ])
        var spec = try spec(function, param: param)
        spec.isFreeForm = true
        return spec
    }

    private static func spec(_ function: [String: JSONValue], param: String) throws(OpenAIError) -> ToolSpec {
        guard let name = function["name"]?.stringValue else {
            throw .invalidRequest("A function tool needs a `name`.", param: "\(param).name")
        }
        guard ToolBridge.isValidName(name) else {
            throw .invalidRequest(
                "Invalid tool name '\(name)': it must match ^[a-zA-Z0-9_-]+$ and be at most "
                    + "\(ToolBridge.clientNameLimit) characters (Anthropic's limit of \(ToolBridge.upstreamNameLimit), "
                    + "less the \(ToolBridge.prefix.count) the tool bridge adds).", param: "\(param).name")
        }
        let description = function["description"]?.stringValue
        var parameters = function["parameters"] ?? .null
        switch parameters {
        case .null:
            parameters = .object(["type": .string("object"), "properties": .object([:])])
        case .object(let schema):
            if let type = schema["type"], type.stringValue != "object" {
                throw .invalidRequest("A function's `parameters` must be a JSON Schema of type object.",
                                      param: "\(param).parameters")
            }
            if schema["type"] == nil {
                var typed = schema
                typed["type"] = .string("object")
                parameters = .object(typed)
            }
        default:
            throw .invalidRequest("A function's `parameters` must be a JSON Schema object.", param: "\(param).parameters")
        }
        let schemaBytes = WireJSON.encode(parameters).count
        guard schemaBytes <= CompletionPlan.maxSchemaBytes else {
            throw .invalidRequest("A function's schema is larger than \(CompletionPlan.maxSchemaBytes / 1024) KB.",
                                  param: "\(param).parameters")
        }
        return ToolSpec(name: name, description: description, parameters: parameters)
    }

    private static func toolChoice(_ choice: JSONValue?, shape: Shape, names: Set<String>) throws(OpenAIError) -> ToolChoice {
        switch choice {
        case nil, .null?:
            return .auto
        case .string("none")?:
            return .none
        case .string("auto")?:
            return .auto
        case .string("required")?:
            return .required
        case .object(let fields)? where fields["type"]?.stringValue == "function"
                                     || (shape == .responses && fields["type"]?.stringValue == "custom"):
            let name: String?
            switch shape {
            case .chat:
                if case .object(let function)? = fields["function"] { name = function["name"]?.stringValue } else { name = nil }
            case .responses:
                name = fields["name"]?.stringValue
            }
            guard let name else {
                throw .invalidRequest("`tool_choice` names no function.", param: "tool_choice")
            }
            guard names.contains(name) else {
                throw .invalidRequest("`tool_choice` names '\(name)', which is not in `tools`.", param: "tool_choice")
            }
            return .named(name)
        default:
            throw .invalidRequest("Invalid `tool_choice`: expected none, auto, required or a function by name.",
                                  param: "tool_choice")
        }
    }
}
