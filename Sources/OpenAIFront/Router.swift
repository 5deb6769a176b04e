import ProxyCore

/// Which endpoint a request is for. Pure: `(method, path)` → `Route` or an OpenAI error.
package enum Route: Equatable, Sendable {
    case health
    case models
    case model(id: String)
    case chatCompletions
    case responses
    case metrics
    /// The subscription's usage windows as last reported.
    case usage
    /// Anthropic's Messages API.
    case messages
    case countTokens
    /// The MCP endpoint of one running request's tools (the CLI's tool bridge).
    case mcp(token: String)

    /// Endpoints answer with and without the `/v1` prefix, as the Rust proxy did.
    package static func match(method: String, path rawPath: String) -> Result<Route, OpenAIError> {
        guard let (route, methods) = lookup(rawPath) else { return .failure(.notFound(method: method, path: rawPath)) }
        guard methods.contains(method) else { return .failure(.methodNotAllowed(method: method, path: rawPath, allow: methods)) }
        return .success(route)
    }

    /// The route a path names and the methods it takes. On Strings, not Substrings: this runs
    /// twice for every request, /health's too, and a Substring's prefix test is a generic loop.
    private static func lookup(_ rawPath: String) -> (Route, [String])? {
        var path = rawPath
        if path.utf8.count > 1 && path.hasSuffix("/") { path.removeLast() }
        if path.hasPrefix("/v1/") { path = String(path.utf8.dropFirst(3))! }
        switch path {
        case "/health": return (.health, readOnly)
        case "/models": return (.models, readOnly)
        case "/chat/completions": return (.chatCompletions, post)
        case "/responses": return (.responses, post)
        case "/metrics": return (.metrics, readOnly)
        case "/usage": return (.usage, readOnly)
        case "/messages": return (.messages, post)
        case "/messages/count_tokens": return (.countTokens, post)
        default:
            if rawPath.hasPrefix("/mcp/") && rawPath.utf8.count > "/mcp/".utf8.count {
                return (.mcp(token: String(rawPath.dropFirst("/mcp/".count))), mcpMethods)
            }
            if path.hasPrefix("/models/") && path.utf8.count > "/models/".utf8.count {
                return (.model(id: String(path.dropFirst("/models/".count))), readOnly)
            }
            return nil
        }
    }

    private static let readOnly = ["GET", "HEAD"]
    private static let post = ["POST"]
    private static let mcpMethods = ["POST", "GET", "DELETE"]

    /// The bounded label metrics give the route: the endpoint without `/v1`.
    package var label: String {
        switch self {
        case .health: "/health"
        case .models: "/models"
        case .model: "/models/{id}"
        case .chatCompletions: "/chat/completions"
        case .responses: "/responses"
        case .metrics: "/metrics"
        case .usage: "/usage"
        case .messages: "/messages"
        case .countTokens: "/messages/count_tokens"
        case .mcp: "/mcp"
        }
    }

    /// The MCP endpoint's unguessable token is its key: the CLI has no API key.
    package var requiresAuthentication: Bool {
        switch self {
        case .health, .mcp: false
        default: true
        }
    }

    /// True for the Messages API's paths, whose errors are rendered in Anthropic's shape.
    package static func isAnthropic(path: String) -> Bool {
        let trimmed = path.hasPrefix("/v1/") ? String(path.dropFirst(3)) : path
        return trimmed == "/messages" || trimmed.hasPrefix("/messages/")
    }

    /// A bounded label for metrics: the endpoint without `/v1`, or "other".
    package static func endpointLabel(path: String) -> String {
        lookup(path)?.0.label ?? "other"
    }
}
