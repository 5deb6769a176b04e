/// A function the client offers the model: served to the CLI as an MCP tool by the proxy's own
/// endpoint, so the model sees it as `mcp__client__<name>` with the client's schema.
package struct ToolSpec: Hashable, Sendable {
    package var name: String
    package var description: String?
    /// A JSON Schema object.
    package var parameters: JSONValue
    /// A Responses `custom` tool: its input is one free-form string (Codex's patch tool), bridged
    /// as a function with a single string parameter `input` (`freeFormInputKey`).
    package var isFreeForm = false
    /// A tool inside a Responses `namespace` tool: `name` is then `<namespace>__<its name>`, and
    /// its calls go back to the client under the two names apart.
    package var namespaced: Namespaced?

    package struct Namespaced: Hashable, Sendable {
        package var namespace: String
        package var name: String

        package init(namespace: String, name: String) {
            self.namespace = namespace
            self.name = name
        }

        /// The one name the bridge and the conversation use.
        package var flatName: String { namespace + ToolSpec.namespaceSeparator + name }
    }

    package static let namespaceSeparator = "__"

    package init(name: String, description: String? = nil, parameters: JSONValue, isFreeForm: Bool = false) {
        self.name = name
        self.description = description
        self.parameters = parameters
        self.isFreeForm = isFreeForm
    }

    package static let freeFormInputKey = "input"

    /// A free-form tool's input from the arguments the model wrote for its bridged function.
    package static func freeFormInput(fromArguments arguments: String) -> String {
        guard case .object(let fields)? = try? WireJSON.decode(JSONValue.self, from: Array(arguments.utf8)),
              let input = fields[freeFormInputKey]?.stringValue else { return arguments }
        return input
    }

    /// The arguments of a free-form tool's bridged function for a given input.
    package static func freeFormArguments(input: String) -> String {
        String(decoding: WireJSON.encode(JSONValue.object([freeFormInputKey: .string(input)])), as: UTF8.self)
    }
}

/// How the client wants the tools used, as far as the proxy can make the model honour it.
package enum ToolChoice: Equatable, Sendable {
    /// No tool reaches the model.
    case none
    case auto
    /// At least one call (an instruction in the system prompt; the model may still answer in text).
    case required
    /// This tool only: it is the only one bridged, and the system prompt asks for the call.
    case named(String)
}

/// The names on both sides of the MCP bridge.
package enum ToolBridge {
    /// The MCP server name the CLI is given; the model sees tools as `mcp__<server>__<name>`.
    package static let serverName = "client"
    package static let prefix = "mcp__\(serverName)__"
    /// Anthropic's limit on a tool name, which the prefix shares.
    package static let upstreamNameLimit = 64
    package static var clientNameLimit: Int { upstreamNameLimit - prefix.count }

    package static func bridged(_ name: String) -> String { prefix + name }

    package static func clientName(_ bridged: String) -> String? {
        bridged.hasPrefix(prefix) ? String(bridged.dropFirst(prefix.count)) : nil
    }

    /// `^[a-zA-Z0-9_-]{1,N}$` with N the room the prefix leaves.
    package static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= clientNameLimit && name.utf8.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5a) || ($0 >= 0x61 && $0 <= 0x7a)
                || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-")
        }
    }
}

/// The tools of one request and how they may be used.
package struct ToolUse: Equatable, Sendable {
    /// What the client offered (all of them, whatever the choice).
    package var tools: [ToolSpec]
    package var choice: ToolChoice
    /// False asks for one call at most (an instruction: the model decides).
    package var parallel: Bool

    /// The names of the client's free-form (`custom`) tools.
    package var freeFormNames: Set<String> { Set(tools.filter(\.isFreeForm).map(\.name)) }

    /// The tools inside `namespace` tools, by the one name the bridge gives them.
    package var namespaced: [String: ToolSpec.Namespaced] {
        Dictionary(tools.compactMap { spec in spec.namespaced.map { (spec.name, $0) } }, uniquingKeysWith: { first, _ in first })
    }

    package init(tools: [ToolSpec], choice: ToolChoice = .auto, parallel: Bool = true) {
        self.tools = tools
        self.choice = choice
        self.parallel = parallel
    }

    /// A one-shot extraction (instructor's TOOLS mode, a structured-output agent's final result):
    /// the request forces one function (`tool_choice` naming it, or `required` with one tool).
    /// Such clients never send the call's result back.
    package var forcesOneFunction: Bool {
        switch choice {
        case .named: true
        case .required: bridged.count == 1
        case .none, .auto: false
        }
    }

    /// The tools the CLI is given: none under `none`, the named one only under `named`.
    package var bridged: [ToolSpec] {
        switch choice {
        case .none: []
        case .auto, .required: tools
        case .named(let name): tools.filter { $0.name == name }
        }
    }

    /// What the system prompt says about using them, if anything.
    package var instructions: String? {
        guard !bridged.isEmpty else { return nil }
        var lines: [String] = []
        switch choice {
        case .required: lines.append("You must call at least one of the available tools in this reply.")
        case .named(let name): lines.append("You must call the tool `\(name)` in this reply.")
        case .none, .auto: break
        }
        if !parallel { lines.append("Call at most one tool in this reply.") }
        return lines.isEmpty ? nil : lines.joined(separator: " ")
    }
}
