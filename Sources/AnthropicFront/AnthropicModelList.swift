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
                .joined(separator: " "), createdAt: UTCTime.iso8601(created))
    }
}
