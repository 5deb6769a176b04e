import Glibc
import ProxyCore

/// `GET /v1/models` as Anthropic's API answers it (what the anthropic SDKs' `models.list()` reads):
/// `type`, `display_name`, `created_at` (RFC 3339), and the page fields.
package struct AnthropicModelList: Encodable, Sendable {
    package struct Model: Encodable, Sendable {
        var type = "model"
        var id: String
        var displayName: String
        var createdAt: String

        enum CodingKeys: String, CodingKey {
            case type, id
            case displayName = "display_name"
            case createdAt = "created_at"
        }
    }

    var data: [Model]
    var hasMore = false
    var firstID: String?
    var lastID: String?

    enum CodingKeys: String, CodingKey {
        case data
        case hasMore = "has_more"
        case firstID = "first_id"
        case lastID = "last_id"
    }

    /// - Parameter created: Unix seconds.
    package init(ids: [String], created: Int) {
        data = ids.map { Self.model(id: $0, created: created) }
        firstID = ids.first
        lastID = ids.last
    }

    package static func model(id: String, created: Int) -> Model {
        Model(id: id, displayName: "Claude " + id.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }
                .joined(separator: " "), createdAt: rfc3339(created))
    }

    /// `2026-12-06T21:14:45Z`.
    static func rfc3339(_ seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}
