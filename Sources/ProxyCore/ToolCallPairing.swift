/// Tool calls and their results, paired by id as both APIs pair them: every result answers a call
/// made earlier and not yet answered, and every call is answered before the conversation moves
/// on. Each front end supplies its own error (message, parameter).
package struct ToolCallPairing<Failure: Error> {
    private var open: [String] = []
    private var known: Set<String> = []
    private let error: (String, String) -> Failure

    package init(error: @escaping (String, String) -> Failure) {
        self.error = error
    }

    package mutating func called(_ id: String, param: String) throws(Failure) {
        guard known.insert(id).inserted else { throw error("The tool call id '\(id)' is used twice.", param) }
        open.append(id)
    }

    package mutating func answer(_ id: String, param: String) throws(Failure) {
        guard let index = open.firstIndex(of: id) else {
            throw error(known.contains(id)
                ? "The tool call '\(id)' is answered twice."
                : "No earlier assistant tool call has the id '\(id)': each tool result must answer a call.", param)
        }
        open.remove(at: index)
    }

    package func requireAnswered(before param: String) throws(Failure) {
        guard let first = open.first else { return }
        throw error("The tool call '\(first)' has no result: an assistant message with tool calls must be "
                    + "followed by a result for each call.", param)
    }
}
