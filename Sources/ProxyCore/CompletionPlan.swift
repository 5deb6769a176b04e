/// What one completion request asks of a CLI, whichever front end decoded it: the prompt, the
/// model, the spawn-time options, the client's tools, and how to render the reply.
package protocol CompletionPlan {
    var id: String { get }
    var prompt: Prompt { get }
    var model: String { get }
    var options: CLIOptions { get }
    var isStreaming: Bool { get }
    /// The reducer for this request (its stop sequences, schema and bridged tools).
    var reducer: TurnReducer { get }
    var translator: any ReplyTranslator { get }
    /// The tools the CLI is given through the MCP bridge.
    var bridgedTools: [ToolSpec] { get }
    /// The conversation as the client sent it, and its tools and their policy.
    var conversation: Conversation { get }
    var tools: ToolUse? { get }
    /// The reducer for a turn on a CLI kept between requests.
    func reducer(continuity: TurnReducer.Continuity) -> TurnReducer
}
