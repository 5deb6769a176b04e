/// What one completion request asks of a CLI, whichever front decoded it: the conversation and
/// its prompt, the model, the spawn-time options, the client's tools, and the translator that
/// renders the reply in the front's words. Each front builds one (`CompletionPlan+OpenAI`,
/// `CompletionPlan+Anthropic`); everything after runs on it alone.
package struct CompletionPlan {
    package var id: String
    /// The conversation as the client sent it.
    package var conversation: Conversation
    package var prompt: Prompt
    package var model: String
    package var options: CLIOptions
    /// Stop sequences the proxy applies to the streamed text.
    package var stopSequences: [String]
    package var isStreaming: Bool
    /// The client's tools and how they may be used; nil when none reach the model.
    package var tools: ToolUse?
    package var translator: any ReplyTranslator

    package init(id: String, conversation: Conversation, prompt: Prompt, model: String, options: CLIOptions,
                 stopSequences: [String], isStreaming: Bool, tools: ToolUse?, translator: any ReplyTranslator) {
        self.id = id
        self.conversation = conversation
        self.prompt = prompt
        self.model = model
        self.options = options
        self.stopSequences = stopSequences
        self.isStreaming = isStreaming
        self.tools = tools
        self.translator = translator
    }

    /// The largest schema passed in argv (one argument may not exceed 128 KiB on Linux).
    package static let maxSchemaBytes = 64 * 1024

    /// The tools the CLI is given through the MCP bridge (none under `tool_choice: none`).
    package var bridgedTools: [ToolSpec] { tools?.bridged ?? [] }

    /// The reducer for this request: its stop sequences, schema and bridged tools.
    package var reducer: TurnReducer { reducer(continuity: .init()) }

    /// The reducer for a turn on a CLI kept between requests.
    package func reducer(continuity: TurnReducer.Continuity) -> TurnReducer {
        TurnReducer(stopSequences: stopSequences, isStructured: options.jsonSchema != nil, streamsStructured: isStreaming,
                    bridgedTools: bridgedTools.map(\.name), parallelToolCalls: tools?.parallel ?? true, continuity: continuity)
    }
}
