import SystemCalls
import Glibc
import Logging
import AnthropicFront
import ProxyCore
import OpenAIFront
import EventTransport
import ChildProcesses

/// Endpoint handling: route, authenticate, decode, then hand the request to a session.
extension Proxy {
    package func handle(_ exchange: HTTPExchange) {
        if let fake, exchange.path.hasPrefix("/fake-upstream/") { return fake.serve(exchange) }
        let origin = exchange.routing.origin
        // Set only when there is something to add: each use of the exchange's `var` is checked for
        // exclusive access at run time, and a non-browser request has no CORS headers.
        if origin != nil { exchange.commonHeaders = cors.headers(origin: origin) }
        if fake != nil { exchange.commonHeaders.append(("x-claude-code-proxy-upstream", "fake")) }
        if RequestTarget.hasConflictingLengths(exchange.routing.contentLengths) {
            // The body's end is ambiguous: nothing more on this connection can be trusted.
            exchange.commonHeaders.append(("Connection", "close"))
            return respond(exchange, error: .invalidRequest("Conflicting Content-Length headers.",
                                                            code: "conflicting_content_length"))
        }
        if exchange.method == .options, let origin, let wanted = exchange.header("Access-Control-Request-Method") {
            return preflight(exchange, origin: origin, method: wanted)
        }
        let route: Route
        switch Route.match(method: exchange.method, path: exchange.path) {
        case .success(let matched):
            route = matched
            exchange.routed(as: matched.label)
        case .failure(let error):
            return respond(exchange, error: error)
        }
        if route.requiresAuthentication,
           let error = auth.check(authorization: exchange.header("Authorization"),
                                  apiKeyHeader: exchange.header("x-api-key")) {
            return respond(exchange, error: error)
        }
        switch route {
        case .health:
            // Load balancers ask often: the two possible bodies are encoded once.
            respond(exchange, json: fake == nil ? Self.healthBody : Self.fakeHealthBody)
        case .models:
            // The anthropic SDKs list models with their own shape (they send anthropic-version or x-api-key).
            if Self.speaksAnthropic(exchange) {
                return respond(exchange, json: WireJSON.encode(AnthropicModelList(ids: ModelName.families, created: startedAt)))
            }
            respond(exchange, json: WireJSON.encode(ModelList(data: models)))
        case .metrics:
            let text = Array(metricsText.utf8)
            exchange.respond(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
                             body: exchange.method == .head ? [] : text)
            logAccess(exchange, session: nil)
        case .mcp(let token):
            serveToolBridge(exchange, token: token)
        case .usage:
            serveUsage(exchange, apiKey: presentedKey(exchange))
        case .model(let id):
            // Any id a request may name is one: normalised as chat and Messages normalise it
            // (`claude-sonnet-4-5` is served by `sonnet`).
            guard ModelName.families.contains(where: { id.lowercased().contains($0) }) else {
                return respond(exchange, error: .modelNotFound(id))
            }
            if Self.speaksAnthropic(exchange) {
                return respond(exchange, json: WireJSON.encode(AnthropicModelList.model(id: id, created: startedAt)))
            }
            respond(exchange, json: WireJSON.encode(Model(id: id, created: startedAt)))
        case .messages:
            serveMessages(exchange)
        case .countTokens:
            respond(exchange, anthropic: AnthropicError(
                status: 404, message: "count_tokens is not served by this proxy: the Claude Code CLI cannot count "
                    + "tokens without running a turn.", isRetryable: false))
        case .chatCompletions, .responses:
            do throws(OpenAIError) {
                guard !isStopping else { throw TurnFailure.shuttingDown.openAIError }
                guard exchange.body.count <= configuration.maxBodyBytes else {
                    throw .bodyTooLarge(limit: configuration.maxBodyBytes)
                }
                let apiKey = presentedKey(exchange)
                let job: CompletionPlan
                var stored: ResponseStore.Turn?
                if route == .chatCompletions {
                    job = try CompletionPlan(chat: RequestDecoder.decode(ChatCompletionRequest.self, from: exchange.body),
                                             defaultModel: configuration.model, now: Int(time(nil)))
                } else {
                    // A request naming a stored response is made whole first; a stored one's
                    // reply is kept when its client has it (`requestAnswered`).
                    let request = try RequestDecoder.decode(ResponsesRequest.self, from: exchange.body)
                    let whole: ResponsesRequest
                    (whole, stored) = try responseStore.begin(request, apiKey: apiKey, bodyBytes: exchange.body.count)
                    job = try CompletionPlan(responses: whole, defaultModel: configuration.model, now: Int(time(nil)),
                                             previousResponseID: request.previousResponseID)
                    stored?.use(job.tools)
                }
                if let stored { responseTurns[job.id] = stored }
                do throws(TurnFailure) {
                    try launch(job, on: exchange, apiKey: apiKey, holdsReply: stored != nil)
                } catch {
                    responseTurns[job.id] = nil
                    return respond(exchange, error: error.openAIError, usageWindow: error.usageWindow)
                }
            } catch {
                respond(exchange, error: error)
            }
        }
    }

    /// A browser asks whether `origin` may send `method` here: 204 with the CORS headers for an
    /// allowed origin, 403 for any other (no CORS headers, so the browser refuses).
    private func preflight(_ exchange: HTTPExchange, origin: String, method: String) {
        if case .failure(let error) = Route.match(method: HTTPMethod(method), path: exchange.path) {
            return respond(exchange, error: error)
        }
        guard cors.allows(origin) else {
            return respond(exchange, error: OpenAIError(
                status: 403, type: "invalid_request_error",
                message: "The origin \(origin) is not allowed; start the proxy with --allow-origin \(origin).",
                code: "origin_not_allowed"))
        }
        let headers = cors.preflightHeaders(origin: origin, methods: ["GET", "HEAD", "POST"],
                                            requestedHeaders: exchange.header("Access-Control-Request-Headers"))
        exchange.respond(status: 204, headers: headers, body: [])
        logAccess(exchange, session: nil)
    }

    /// A client of Anthropic's API: it sends `anthropic-version`, or its key as `x-api-key`.
    static func speaksAnthropic(_ exchange: HTTPExchange) -> Bool {
        exchange.header("anthropic-version") != nil || (exchange.header("x-api-key") != nil && exchange.header("Authorization") == nil)
    }

    package var models: [Model] {
        ModelName.families.map { Model(id: $0, created: startedAt) }
    }

    /// `POST /v1/messages`: Anthropic's Messages API on the same CLI path, its errors in Anthropic's shape.
    private func serveMessages(_ exchange: HTTPExchange) {
        do throws(AnthropicError) {
            guard !isStopping else { throw AnthropicError(failure: .shuttingDown) }
            guard exchange.body.count <= configuration.maxBodyBytes else {
                throw AnthropicError(status: 413, message: "The request body is larger than this proxy's limit of "
                                     + "\(configuration.maxBodyBytes) bytes.", isRetryable: false)
            }
            let request: MessagesRequest
            do throws(OpenAIError) {
                request = try RequestDecoder.decode(MessagesRequest.self, from: exchange.body)
            } catch {
                throw .invalidRequest(error.message)
            }
            let apiKey = presentedKey(exchange)
            // A threaded request is made whole from its thread first. Its turn ends exactly once:
            // when its client has the reply (`requestAnswered`), when it ends without one
            // (`requestEnded`), or here when it never starts.
            let (whole, turn) = try threads.begin(request, apiKey: apiKey, bodyBytes: exchange.body.count)
            let job: CompletionPlan
            do throws(AnthropicError) { job = try CompletionPlan(messages: whole, defaultModel: configuration.model) } catch {
                if let turn { threads.end(turn, reply: nil) }
                throw error
            }
            if let turn { threadTurns[job.id] = turn }
            do throws(TurnFailure) {
                try launch(job, on: exchange, apiKey: apiKey, holdsReply: turn != nil)
            } catch {
                if let turn = threadTurns.removeValue(forKey: job.id) { threads.end(turn, reply: nil) }
                return respond(exchange, anthropic: AnthropicError(failure: error),
                               usageWindow: error.usageWindow)
            }
        } catch {
            respond(exchange, anthropic: error)
        }
    }

    /// The tool bridge: the CLI of a running request asks for its tools (MCP over HTTP). Only
    /// from this machine, only while that request lives; logged at debug, not as API traffic.
    private func serveToolBridge(_ exchange: HTTPExchange, token: String) {
        guard exchange.isLocalPeer(boundHost: configuration.host), let endpoint = pool.toolEndpoint(token: token) else {
            return respond(exchange, error: .notFound(method: exchange.method, path: "/mcp/…"))
        }
        guard exchange.method == .post else {
            // No server-initiated stream: the CLI asks with GET and goes on without one.
            exchange.respond(status: 405, headers: [("Allow", "POST")], body: [])
            return
        }
        if let call = MCPEndpoint.toolCall(in: exchange.body) {
            // A CLI that may call the client's tools waits here until the client's results arrive.
            logger.debug("tool bridge: call held", metadata: ["tool": "\(call.name)"])
            return endpoint.receive(call, on: exchange)
        }
        let reply = MCPEndpoint.reply(to: exchange.body, tools: endpoint.tools, version: ProxyCommand.version)
        logger.debug("tool bridge", metadata: ["status": "\(reply.status)", "bytes": "\(exchange.body.count)"])
        exchange.respond(status: reply.status,
                         headers: reply.body.isEmpty ? [] : [("Content-Type", "application/json")], body: reply.body)
    }

    private func presentedKey(_ exchange: HTTPExchange) -> String {
        Auth.presentedKey(authorization: exchange.header("Authorization"), apiKeyHeader: exchange.header("x-api-key")) ?? ""
    }

    /// Where a CLI on this machine reaches the proxy's tool bridge.
    var toolBridgeBaseURL: String {
        let host = configuration.host
        let port = server?.port ?? configuration.port
        switch host {
        case "0.0.0.0", "localhost", "": return "http://127.0.0.1:\(port)"
        case "::", "::1": return "http://[::1]:\(port)"
        default: return host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)"
        }
    }

    private static let healthBody = WireJSON.encode(["status": "ok", "upstream": "anthropic"])
    private static let fakeHealthBody = WireJSON.encode(["status": "ok", "upstream": "fake"])

    private func respond(_ exchange: HTTPExchange, json: [UInt8]) {
        exchange.respond(status: 200, headers: Self.jsonHeaders, body: exchange.method == .head ? [] : json)
        logAccess(exchange, session: nil)
    }

    private func respond(_ exchange: HTTPExchange, anthropic error: AnthropicError,
                         usageWindow: String? = nil) {
        exchange.respond(status: error.status, headers: error.headers + usage.headers,
                         body: error.body)
        logAccess(exchange, session: nil, errorCode: error.code ?? error.type, usageWindow: usageWindow)
    }

    /// Errors from routing and authentication, in the shape of the API the path belongs to.
    private func respond(_ exchange: HTTPExchange, error: OpenAIError, usageWindow: String? = nil) {
        if Route.isAnthropic(path: exchange.path) {
            var converted = AnthropicError(status: error.status, message: error.message, retryAfter: error.retryAfter,
                                           isRetryable: error.isRetryable)
            if error.status == 405 { converted.type = "invalid_request_error" }
            return respond(exchange, anthropic: converted, usageWindow: usageWindow)
        }
        let headers = error.headers + Self.jsonHeaders
            + (usageWindow == nil ? [] : usage.headers)
        exchange.respond(status: error.status, headers: headers, body: error.body)
        logAccess(exchange, session: nil, errorCode: error.code ?? error.type, usageWindow: usageWindow)
    }

    /// A JSON reply's own header, made once (an array literal per reply is an allocation).
    static let jsonHeaders = [("Content-Type", "application/json")]

    /// One line per request (never the prompt or the key), and its metrics.
    func logAccess(_ exchange: HTTPExchange, session: CompletionSession?,
                   errorCode: String? = nil, start: StartKind? = nil, usageWindow: String? = nil,
                   history: HistoryForm? = nil) {
        let record = exchange.record
        let total = MonotonicClock.seconds(from: exchange.receivedAt)
        let firstByte = record.firstByteAt.map { MonotonicClock.seconds(from: exchange.receivedAt, to: $0) }
        let endpoint = record.endpoint ?? Route.endpointLabel(path: exchange.path)
        if let timeline = session?.timeline {
            metrics.recordTimeline(timeline, endpoint: endpoint, start: (start ?? .cold).rawValue)
        }
        metrics.recordRequest(endpoint: endpoint, status: record.status, firstByte: firstByte, duration: total)
        if session?.spawnFailed == true { metrics.recordSpawnFailure() }
        guard logsAccess else { return }
        accessLine.clear()
        AccessLogLine(exchange, record: record, format: configuration.logFormat, session: session,
                      errorCode: errorCode, start: start, usageWindow: usageWindow, history: history,
                      total: total, firstByte: firstByte).write(into: accessLine)
        accessLine.withBytes { LogBuffer.shared.append($0) }
    }
}
