import ProxyCore

/// Request bodies → typed requests, with every failure as an OpenAI 400.
package enum RequestDecoder {
    package static func decode<T: Decodable>(_ type: T.Type, from body: [UInt8]) throws(OpenAIError) -> T {
        guard !body.isEmpty else {
            throw .invalidRequest("The request body is empty; send a JSON object.")
        }
        guard String(validating: body, as: UTF8.self) != nil else {
            throw .invalidRequest("The request body is not valid UTF-8.")
        }
        do {
            return try WireJSON.decode(type, from: body)
        } catch let error as DecodingError {
            throw Self.openAIError(for: error)
        } catch {
            throw .invalidRequest("We could not parse the JSON body of your request.")
        }
    }

    package static func openAIError(for error: DecodingError) -> OpenAIError {
        switch error {
        case .keyNotFound(let key, let context):
            let param = path(context.codingPath + [key])
            return .invalidRequest("Missing required parameter: '\(param)'.", param: param)
        case .typeMismatch(let type, let context):
            let param = path(context.codingPath)
            if context.codingPath.isEmpty {
                return .invalidRequest("The request body must be a JSON object.")
            }
            return .invalidRequest("Invalid type for '\(param)': expected \(describe(type)).", param: param)
        case .valueNotFound(let type, let context):
            let param = path(context.codingPath)
            return .invalidRequest("Invalid type for '\(param)': expected \(describe(type)), got null.", param: param)
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return .invalidRequest(
                    "We could not parse the JSON body of your request. (HINT: This likely means you aren't "
                        + "using your HTTP library correctly. The OpenAI API expects a JSON payload.)")
            }
            let param = path(context.codingPath)
            return .invalidRequest("Invalid value for '\(param)'.", param: param)
        @unknown default:
            return .invalidRequest("We could not parse the JSON body of your request.")
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        var out = ""
        for key in keys {
            if let index = key.intValue {
                out += "[\(index)]"
            } else {
                out += out.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return out
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Double.Type: "a number"
        case is [Any].Type: "an array"
        default: "an object"
        }
    }
}
