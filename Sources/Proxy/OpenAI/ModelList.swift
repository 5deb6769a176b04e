/// `GET /v1/models`. https://platform.openai.com/docs/api-reference/models/list
struct ModelList: Encodable, Sendable {
    var object = "list"
    var data: [Model]
}

struct Model: Encodable, Equatable, Sendable {
    var id: String
    var object = "model"
    var created: Int
    var ownedBy = "anthropic"

    enum CodingKeys: String, CodingKey {
        case id, object, created
        case ownedBy = "owned_by"
    }
}
