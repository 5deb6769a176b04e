import ProxyCore

/// Every failure the proxy reports, rendered once in OpenAI's shape:
/// `{"error":{"message":…,"type":…,"param":…,"code":…}}`.
/// https://platform.openai.com/docs/guides/error-codes
package struct OpenAIError: Error, Equatable, Sendable {
    package var status: Int
    package var type: String
    package var message: String
    package var param: String?
    package var code: String?
    /// Seconds the client should wait before trying again (`Retry-After`).
    package var retryAfter: Int?
    /// False for deterministic failures: the response then carries `x-should-retry: false`,
    /// so the official SDKs do not send the same request (and spawn the CLI) three times.
    package var isRetryable: Bool
    /// The methods a path accepts, for the `Allow` header of a 405.
    package var allow: String?

    package init(status: Int, type: String, message: String, param: String? = nil, code: String? = nil,
         retryAfter: Int? = nil, isRetryable: Bool = false) {
        self.status = status
        self.type = type
        self.message = message
        self.param = param
        self.code = code
        self.retryAfter = retryAfter
        self.isRetryable = isRetryable
    }

    /// The JSON body, for a plain HTTP response or a `data:` line inside a stream.
    package var body: [UInt8] { WireJSON.encode(Envelope(error: self)) }

    /// This error as a whole reply.
    package var reply: ErrorReply {
        ErrorReply(status: status, headers: headers + [("Content-Type", "application/json")], body: body,
                   code: code ?? type)
    }

    package var headers: [(String, String)] {
        var headers: [(String, String)] = []
        if let retryAfter { headers.append(("Retry-After", String(retryAfter))) }
        if !isRetryable { headers.append(("x-should-retry", "false")) }
        if let allow { headers.append(("Allow", allow)) }
        return headers
    }

    private struct Envelope: Encodable {
        let error: OpenAIError
    }
}

extension OpenAIError: Encodable {
    private enum CodingKeys: String, CodingKey { case message, type, param, code }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(message, forKey: .message)
        try container.encode(type, forKey: .type)
        try container.encode(param, forKey: .param)  // explicit null, as OpenAI sends it
        try container.encode(code, forKey: .code)
    }
}

extension OpenAIError {
    package static func invalidRequest(_ message: String, param: String? = nil, code: String? = nil) -> OpenAIError {
        OpenAIError(status: 400, type: "invalid_request_error", message: message, param: param, code: code)
    }

    package static let missingAPIKey = OpenAIError(
        status: 401, type: "invalid_request_error",
        message: "You didn't provide an API key. Send it as `Authorization: Bearer <key>`.",
        code: "invalid_api_key")

    package static let invalidAPIKey = OpenAIError(
        status: 401, type: "invalid_request_error",
        message: "Incorrect API key provided.", code: "invalid_api_key")

    package static func notFound(method: HTTPMethod, path: String) -> OpenAIError {
        OpenAIError(status: 404, type: "invalid_request_error",
                    message: "Invalid URL (\(method.name) \(path))", code: "unknown_url")
    }

    package static func methodNotAllowed(method: HTTPMethod, path: String, allow: [HTTPMethod]) -> OpenAIError {
        var error = OpenAIError(status: 405, type: "invalid_request_error",
                                message: "Method \(method.name) is not allowed on \(path).", code: "method_not_allowed")
        error.allow = allow.map(\.name).joined(separator: ", ")
        return error
    }

    package static func bodyTooLarge(limit: Int) -> OpenAIError {
        OpenAIError(status: 413, type: "invalid_request_error",
                    message: "The request body is larger than this proxy's limit of \(limit) bytes.",
                    code: "request_too_large")
    }

    package static func modelNotFound(_ model: String) -> OpenAIError {
        OpenAIError(status: 404, type: "invalid_request_error",
                    message: "The model `\(model)` does not exist.", param: "model", code: "model_not_found")
    }
}
