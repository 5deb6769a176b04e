import ProxyCore
import Glibc

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
    package static func match(method: HTTPMethod, path rawPath: String) -> Result<Route, OpenAIError> {
        guard let (route, methods) = lookup(rawPath) else { return .failure(.notFound(method: method, path: rawPath)) }
        // A loop rather than `contains`, which compared through Equatable's witness (a load
        // balancer's /health asks this every few seconds).
        for allowed in methods where allowed == method { return .success(route) }
        return .failure(.methodNotAllowed(method: method, path: rawPath, allow: methods))
    }

    /// The route a path names and the methods it takes: the fixed paths compared as bytes (this
    /// runs for every request, /health's too), the two with an id in them as Strings.
    private static func lookup(_ rawPath: String) -> (Route, [HTTPMethod])? {
        var raw = rawPath
        if let fixed = raw.withUTF8(fixedRoute) { return fixed }
        var path = rawPath
        if path.utf8.count > 1 && path.hasSuffix("/") { path.removeLast() }
        if path.hasPrefix("/v1/") { path = String(path.utf8.dropFirst(3))! }
        if rawPath.hasPrefix("/mcp/") && rawPath.utf8.count > "/mcp/".utf8.count {
            return (.mcp(token: String(rawPath.dropFirst("/mcp/".count))), mcpMethods)
        }
        if path.hasPrefix("/models/") && path.utf8.count > "/models/".utf8.count {
            return (.model(id: String(path.dropFirst("/models/".count))), readOnly)
        }
        return nil
    }

    /// A fixed path, with or without `/v1` before it and `/` after it.
    private static func fixedRoute(_ bytes: UnsafeBufferPointer<UInt8>) -> (Route, [HTTPMethod])? {
        guard let base = bytes.baseAddress else { return nil }
        var start = 0
        var end = bytes.count
        if end > 1 && bytes[end - 1] == UInt8(ascii: "/") { end -= 1 }
        if end >= 4 && bytes[0] == UInt8(ascii: "/") && bytes[1] == UInt8(ascii: "v") && bytes[2] == UInt8(ascii: "1")
            && bytes[3] == UInt8(ascii: "/") {
            start = 3
        }
        for (name, route, methods) in fixedRoutes where name.utf8CodeUnitCount == end - start
            && memcmp(base + start, name.utf8Start, end - start) == 0 {
            return (route, methods)
        }
        return nil
    }

    private static let fixedRoutes: [(StaticString, Route, [HTTPMethod])] = [
        ("/health", .health, readOnly), ("/models", .models, readOnly), ("/chat/completions", .chatCompletions, post),
        ("/responses", .responses, post), ("/metrics", .metrics, readOnly), ("/usage", .usage, readOnly),
        ("/messages", .messages, post), ("/messages/count_tokens", .countTokens, post),
    ]

    private static let readOnly: [HTTPMethod] = [.get, .head]
    private static let post: [HTTPMethod] = [.post]
    private static let mcpMethods: [HTTPMethod] = [.post, .get, .delete]

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
