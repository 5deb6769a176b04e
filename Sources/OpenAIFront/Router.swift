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
        var path = rawPath.count > 1 && rawPath.hasSuffix("/") ? String(rawPath.dropLast()) : rawPath
        if path.hasPrefix("/v1/") { path = String(path.dropFirst(3)) }
        let (route, methods): (Route?, [String]) = switch path {
        case "/health": (.health, ["GET", "HEAD"])
        case "/models": (.models, ["GET", "HEAD"])
        case "/chat/completions": (.chatCompletions, ["POST"])
        case "/responses": (.responses, ["POST"])
        case "/metrics": (.metrics, ["GET", "HEAD"])
        case "/usage": (.usage, ["GET", "HEAD"])
        case "/messages": (.messages, ["POST"])
        case "/messages/count_tokens": (.countTokens, ["POST"])
        case _ where rawPath.hasPrefix("/mcp/") && rawPath.count > "/mcp/".count:
            (.mcp(token: String(rawPath.dropFirst("/mcp/".count))), ["POST", "GET", "DELETE"])
        case _ where path.hasPrefix("/models/") && path.count > "/models/".count:
            (.model(id: String(path.dropFirst("/models/".count))), ["GET", "HEAD"])
        default: (nil, [])
        }
        guard let route else { return .failure(.notFound(method: method, path: rawPath)) }
        guard methods.contains(method) else { return .failure(.methodNotAllowed(method: method, path: rawPath, allow: methods)) }
        return .success(route)
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
        switch match(method: "GET", path: path) {
        case .success(.model): return "/models/{id}"
        case .success(.mcp): return "/mcp"
        case .success: break
        case .failure(let error) where error.status == 405: break
        case .failure: return "other"
        }
        let trimmed = path.hasPrefix("/v1/") ? String(path.dropFirst(3)) : path
        return trimmed.hasSuffix("/") && trimmed.count > 1 ? String(trimmed.dropLast()) : trimmed
    }
}
