/// A request's method, decoded once where the request is read (evhttp's command, or a
/// preflight's `Access-Control-Request-Method`) and compared as a value from then on.
package enum HTTPMethod: Hashable, Sendable {
    case get, head, post, put, delete, options, patch
    /// Any other name, kept for messages (`Method TRACE is not allowed`).
    case other(String)

    package init(_ name: String) {
        switch name {
        case "GET": self = .get
        case "HEAD": self = .head
        case "POST": self = .post
        case "PUT": self = .put
        case "DELETE": self = .delete
        case "OPTIONS": self = .options
        case "PATCH": self = .patch
        default: self = .other(name)
        }
    }

    /// The known names as static text: the access line copies them without a look for quoting.
    package var knownName: StaticString? {
        switch self {
        case .get: "GET"
        case .head: "HEAD"
        case .post: "POST"
        case .put: "PUT"
        case .delete: "DELETE"
        case .options: "OPTIONS"
        case .patch: "PATCH"
        case .other: nil
        }
    }

    package var name: String {
        if case .other(let name) = self { return name }
        return knownName?.description ?? ""
    }
}
