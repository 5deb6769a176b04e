/// The proxy's side of the MCP bridge: JSON-RPC over HTTP POST, as the CLI speaks it to a
/// `type: http` server (one request per POST, plain JSON answers). It serves the client's tools
/// and nothing else. Pure: a request body in, a status and body out.
///
/// The exchange the pinned CLI makes (docs/tools.md): `server/discover` (a probe: method not
/// found), `initialize` (the CLI's protocol version is echoed), `notifications/initialized`
/// (202), a GET for a server stream (405, answered by the route), `tools/list`; `tools/call`
/// only when the tool is allowed, which a one-turn request never does.
package enum MCPEndpoint {
    package struct Reply: Equatable, Sendable {
        package var status: Int
        package var body: [UInt8]
    }

    package static let serverName = "claude-code-proxy"

    /// A `tools/call` request: its JSON-RPC id, the tool, and the model's `tool_use` id.
    package struct ToolCall: Equatable, Sendable {
        package var rpcID: JSONValue
        package var name: String
        package var toolUseID: String?
    }

    /// The `tools/call` in `body`, if it is one.
    package static func toolCall(in body: [UInt8]) -> ToolCall? {
        guard let message = try? WireJSON.decode(Message.self, from: body), message.method == "tools/call",
              let id = message.id else { return nil }
        var toolUseID: String?
        if case .object(let meta)? = message.params?["_meta"] { toolUseID = meta["claudecode/toolUseId"]?.stringValue }
        return ToolCall(rpcID: id, name: message.params?["name"]?.stringValue ?? "", toolUseID: toolUseID)
    }

    /// The answer to a `tools/call`: the client's result as text.
    package static func toolResult(rpcID: JSONValue, text: String, isError: Bool = false) -> Reply {
        result(id: rpcID, .object(["content": .array([.object(["type": .string("text"), "text": .string(text)])]),
                                   "isError": .bool(isError)]))
    }

    package static func reply(to body: [UInt8], tools: [ToolSpec], version: String) -> Reply {
        guard let message = try? WireJSON.decode(Message.self, from: body) else {
            return error(id: .null, code: -32700, message: "Parse error")
        }
        guard let id = message.id else { return Reply(status: 202, body: []) }  // a notification
        switch message.method {
        case "initialize":
            let requested = message.params?["protocolVersion"]?.stringValue ?? "2025-06-18"
            return result(id: id, .object([
                "protocolVersion": .string(requested),
                "capabilities": .object(["tools": .object(["listChanged": .bool(false)])]),
                "serverInfo": .object(["name": .string(serverName), "version": .string(version)]),
            ]))
        case "ping":
            return result(id: id, .object([:]))
        case "tools/list":
            return result(id: id, .object(["tools": .array(tools.map(toolObject))]))
        case "tools/call":
            let name = message.params?["name"]?.stringValue ?? ""
            return result(id: id, .object([
                "content": .array([.object(["type": .string("text"),
                                            "text": .string("The client runs `\(name)` itself; its result comes with the next request.")])]),
                "isError": .bool(true),
            ]))
        default:
            return error(id: id, code: -32601, message: "Method not found")
        }
    }

    private static func toolObject(_ tool: ToolSpec) -> JSONValue {
        var object: [String: JSONValue] = ["name": .string(tool.name), "inputSchema": tool.parameters]
        if let description = tool.description { object["description"] = .string(description) }
        return .object(object)
    }

    private static func result(id: JSONValue, _ value: JSONValue) -> Reply {
        Reply(status: 200, body: WireJSON.encode(JSONValue.object(["jsonrpc": .string("2.0"), "id": id, "result": value])))
    }

    private static func error(id: JSONValue, code: Int, message: String) -> Reply {
        Reply(status: 200, body: WireJSON.encode(JSONValue.object([
            "jsonrpc": .string("2.0"), "id": id,
            "error": .object(["code": .number(Double(code)), "message": .string(message)]),
        ])))
    }

    private struct Message: Decodable {
        var id: JSONValue?
        var method: String?
        var params: [String: JSONValue]?

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            // An explicit `"id": null` is still a request; only a missing id is a notification.
            id = c.contains(.id) ? (try c.decode(JSONValue.self, forKey: .id)) : nil
            method = try c.decodeIfPresent(String.self, forKey: .method)
            params = try? c.decodeIfPresent([String: JSONValue].self, forKey: .params)
        }

        enum CodingKeys: String, CodingKey { case id, method, params }
    }
}
