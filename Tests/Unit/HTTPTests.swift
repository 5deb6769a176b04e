import Foundation
import PropertyBased
import Testing
@testable import ProxyCore
@testable import OpenAIFront
@testable import EventTransport
@testable import ChildProcesses
@testable import ProxyDaemon

struct RouterTests {
    @Test(arguments: [
        ("GET", "/health", Route.health), ("GET", "/v1/models", .models), ("GET", "/models", .models),
        ("POST", "/v1/chat/completions", .chatCompletions), ("POST", "/chat/completions", .chatCompletions),
        ("POST", "/v1/responses", .responses), ("POST", "/responses/", .responses),
        ("GET", "/v1/models/opus", .model(id: "opus")), ("HEAD", "/health", .health),
        ("GET", "/health/", .health), ("GET", "/v1/health", .health), ("GET", "/v1/health/", .health),
        ("GET", "/metrics", .metrics), ("GET", "/v1/usage", .usage), ("POST", "/v1/messages", .messages),
        ("POST", "/v1/messages/count_tokens", .countTokens), ("POST", "/messages/count_tokens/", .countTokens),
        ("GET", "/models/sonnet/", .model(id: "sonnet")), ("POST", "/mcp/t0k", .mcp(token: "t0k")),
        ("DELETE", "/mcp/t0k", .mcp(token: "t0k")),
    ])
    func matches(method: String, path: String, route: Route) {
        #expect(Route.match(method: HTTPMethod(method), path: path) == .success(route))
    }

    @Test func unknownPathsAre404AndWrongMethods405() {
        guard case .failure(let missing) = Route.match(method: .get, path: "/v1/nope") else { Issue.record(); return }
        #expect(missing.status == 404)
        #expect(missing.message == "Invalid URL (GET /v1/nope)")
        guard case .failure(let wrong) = Route.match(method: .get, path: "/v1/chat/completions") else { Issue.record(); return }
        #expect(wrong.status == 405)
        #expect(wrong.headers.contains { $0 == ("Allow", "POST") })
        guard case .failure(let trace) = Route.match(method: HTTPMethod("TRACE"), path: "/health") else { Issue.record(); return }
        #expect(trace.message == "Method TRACE is not allowed on /health.")
        #expect(trace.headers.contains { $0 == ("Allow", "GET, HEAD") })
    }

    /// Near misses of the fixed paths, compared as bytes, are not them.
    @Test(arguments: ["/", "/v1", "/v1/", "/healthz", "/healt", "/v2/health", "/v1/v1/health", "/health//", "//health",
                      "/HEALTH", "/v1health", "/mcp/", "/health\u{301}", "/v1/\u{301}health"])
    func nearMissesAreNotFound(path: String) {
        guard case .failure(let error) = Route.match(method: .get, path: path) else { Issue.record("\(path)"); return }
        #expect(error.status == 404)
    }
}

struct AuthTests {
    let auth = Auth(keys: ["key-one", "key-two"])

    @Test func acceptsAnyConfiguredKey() {
        #expect(auth.check(authorization: "Bearer key-one", apiKeyHeader: nil) == nil)
        #expect(auth.check(authorization: "bearer key-two", apiKeyHeader: nil) == nil)
        #expect(auth.check(authorization: nil, apiKeyHeader: "key-two") == nil)
    }

    @Test func rejectsMissingAndWrongKeys() {
        #expect(auth.check(authorization: nil, apiKeyHeader: nil)?.status == 401)
        #expect(auth.check(authorization: "Bearer key-on", apiKeyHeader: nil) == .invalidAPIKey)
        #expect(auth.check(authorization: "Bearer key-one2", apiKeyHeader: nil) == .invalidAPIKey)
        #expect(auth.check(authorization: "Basic a2V5", apiKeyHeader: nil) == .missingAPIKey)
        #expect(auth.check(authorization: "Bearer ", apiKeyHeader: nil) == .invalidAPIKey)
    }

    @Test func constantTimeEqualityAgreesWithEquality() async {
        await propertyCheck(input: Gen.int(in: 0...255).map { UInt8($0) }.array(of: 0...12), Gen.int(in: 0...255).map { UInt8($0) }.array(of: 0...12)) { a, b in
            #expect(Auth.constantTimeEqual(a, b) == (a == b && !b.isEmpty))
            #expect(Auth.constantTimeEqual(a, a) == !a.isEmpty)
        }
    }
}

struct OpenAIErrorTests {
    @Test func rendersOpenAIsShapeWithExplicitNulls() {
        let body = jsonObject(OpenAIError.invalidRequest("bad").body)
        let error = body["error"] as? [String: Any]
        #expect(error?.keys.sorted() == ["code", "message", "param", "type"])
        #expect(error?["param"] is NSNull)
        #expect(error?["type"] as? String == "invalid_request_error")
    }

    @Test func deterministicFailuresTellSDKsNotToRetry() {
        #expect(OpenAIError.invalidRequest("x").headers.contains { $0 == ("x-should-retry", "false") })
        let busy = OpenAIError(status: 503, type: "server_error", message: "", retryAfter: 5, isRetryable: true)
        #expect(busy.headers.map(\.0) == ["Retry-After"])
    }
}

struct SSEFrameTests {
    @Test func framesEventsAndData() {
        #expect(String(decoding: SSEFrame.done.bytes, as: UTF8.self) == "data: [DONE]\n\n")
        let frame = SSEFrame(event: "response.created", data: Array("{}".utf8))
        #expect(String(decoding: frame.bytes, as: UTF8.self) == "event: response.created\ndata: {}\n\n")
    }

    @Test func jsonPayloadsAreOneLine() {
        let frame = SSEFrame.json(["text": "line one\nline two\r\n"])
        #expect(!frame.data.contains(UInt8(ascii: "\n")))
    }
}

struct RequestDecoderTests {
    @Test(arguments: [
        ("", nil as String?), ("{", nil), ("[1]", nil), (#"{"model":"x"}"#, "messages"),
        (#"{"messages":"hi"}"#, "messages"), (#"{"messages":[{"content":"x"}]}"#, "messages[0].role"),
        (#"{"messages":[{"role":"user","content":5}]}"#, "messages[0].content"),
    ])
    func badBodiesAre400s(body: String, param: String?) {
        do {
            _ = try RequestDecoder.decode(ChatCompletionRequest.self, from: Array(body.utf8))
            Issue.record("accepted \(body)")
        } catch {
            #expect(error.status == 400)
            #expect(error.type == "invalid_request_error")
            #expect(error.param == param)
        }
    }

    @Test func invalidUTF8IsNamed() {
        do {
            _ = try RequestDecoder.decode(ChatCompletionRequest.self, from: Array(#"{"messages":""#.utf8) + [0xff] + Array("\"}".utf8))
            Issue.record("accepted")
        } catch {
            #expect(error.message.contains("UTF-8"))
        }
    }

    @Test func unknownFieldsAreAccepted() throws {
        let request = try RequestDecoder.decode(ChatCompletionRequest.self, from: Array(#"{"messages":[{"role":"user","content":"x"}],"temperature":0.2,"user":"u","metadata":{"a":1}}"#.utf8))
        #expect(request.messages.count == 1)
    }
}
