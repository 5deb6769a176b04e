import ProxyCore

/// `GET /v1/models`. https://platform.openai.com/docs/api-reference/models/list
package struct ModelList: Encodable, Sendable {
    package var object = "list"
    package var data: [Model]

    package init(object: String = "list", data: [Model]) {
        self.object = object
        self.data = data
    }
}

package struct Model: Encodable, Equatable, Sendable {
    package var id: String
    package var object = "model"
    package var created: Int
    package var ownedBy = "anthropic"

    package enum CodingKeys: String, CodingKey {
        case id, object, created
        case ownedBy = "owned_by"
    }

    package init(id: String, object: String = "model", created: Int, ownedBy: String = "anthropic") {
        self.id = id
        self.object = object
        self.created = created
        self.ownedBy = ownedBy
    }
}
