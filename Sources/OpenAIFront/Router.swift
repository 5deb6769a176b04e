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
        // Byte counts and static method lists: this runs twice for every request, /health's too.
        var path = Substring(rawPath)
        if path.utf8.count > 1 && path.hasSuffix("/") { path = path.dropLast() }
        if path.hasPrefix("/v1/") { path = path.dropFirst(3) }
        let route: Route?
        var methods = readOnly
        switch path {
        case "/health": route = .health
        case "/models": route = .models
        case "/chat/completions": (route, methods) = (.chatCompletions, post)
        case "/responses": (route, methods) = (.responses, post)
        case "/metrics": route = .metrics
        case "/usage": route = .usage
        case "/messages": (route, methods) = (.messages, post)
        case "/messages/count_tokens": (route, methods) = (.countTokens, post)
        case _ where rawPath.hasPrefix("/mcp/") && rawPath.utf8.count > "/mcp/".utf8.count:
            (route, methods) = (.mcp(token: String(rawPath.dropFirst("/mcp/".count))), mcpMethods)
        case _ where path.hasPrefix("/models/") && path.utf8.count > "/models/".utf8.count:
            route = .model(id: String(path.dropFirst("/models/".count)))
        default: route = nil
        }
        guard let route else { return .failure(.notFound(method: method, path: rawPath)) }
        guard methods.contains(method) else { return .failure(.methodNotAllowed(method: method, path: rawPath, allow: methods)) }
        return .success(route)
    }

    private static let readOnly = ["GET", "HEAD"]
    private static let post = ["POST"]
    private static let mcpMethods = ["POST", "GET", "DELETE"]

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
