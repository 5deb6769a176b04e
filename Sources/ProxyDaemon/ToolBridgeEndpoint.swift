import ChildProcesses
import EventTransport
import ProxyCore

/// One CLI's tool bridge: the client's tools it serves, and, for a CLI that may call them, the
/// `tools/call` requests it holds open until the client's results arrive with the next request.
final class ToolBridgeEndpoint {
    let token: String
    let tools: [ToolSpec]
    let configPath: String
    /// Calls the CLI made and waits on, by the model's `tool_use` id.
    private var held: [String: (exchange: HTTPExchange, rpcID: JSONValue)] = [:]
    /// Results that came before their call did.
    private var answers: [String: String] = [:]

    init(token: String, tools: [ToolSpec], configPath: String) {
        self.token = token
        self.tools = tools
        self.configPath = configPath
    }

    /// A `tools/call`: answered now if its result is already here, else held.
    func receive(_ call: MCPEndpoint.ToolCall, on exchange: HTTPExchange) {
        guard let id = call.toolUseID else {
            return reply(exchange, MCPEndpoint.toolResult(rpcID: call.rpcID, text: "No tool_use id.", isError: true))
        }
        if let answer = answers.removeValue(forKey: id) {
            return reply(exchange, MCPEndpoint.toolResult(rpcID: call.rpcID, text: answer))
        }
        // A second call with the same id must not drop the first one's exchange unanswered.
        if let earlier = held.removeValue(forKey: id) {
            earlier.exchange.onClientGone = nil
            reply(earlier.exchange, MCPEndpoint.toolResult(rpcID: earlier.rpcID, text: "Superseded by a later call.",
                                                           isError: true))
        }
        held[id] = (exchange, call.rpcID)
        exchange.onClientGone = { [weak self] in self?.held[id] = nil }
        exchange.watchForClientClose()
    }

    /// The client's results: each held call is answered; the others when they arrive.
    func answer(_ results: [String: String]) {
        for (id, text) in results {
            if let call = held.removeValue(forKey: id) {
                call.exchange.onClientGone = nil
                reply(call.exchange, MCPEndpoint.toolResult(rpcID: call.rpcID, text: text))
            } else {
                answers[id] = text
            }
        }
    }

    /// The CLI is ending: nothing is held any more.
    func close() {
        for call in held.values {
            call.exchange.onClientGone = nil
            reply(call.exchange, MCPEndpoint.toolResult(rpcID: call.rpcID, text: "The conversation ended.", isError: true))
        }
        held = [:]
        answers = [:]
    }

    private func reply(_ exchange: HTTPExchange, _ reply: MCPEndpoint.Reply) {
        exchange.respond(status: reply.status, headers: [("Content-Type", "application/json")], body: reply.body)
    }
}
