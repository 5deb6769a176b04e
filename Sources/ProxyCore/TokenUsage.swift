/// Token counts of one turn, as the CLI's `result` event reports them.
package struct TokenUsage: Equatable, Sendable {
    package var inputTokens = 0
    package var cacheCreationInputTokens = 0
    package var cacheReadInputTokens = 0
    package var outputTokens = 0
    package var reasoningTokens = 0

    /// Everything the model read: fresh input plus cache reads plus cache writes.
    package var promptTokens: Int { inputTokens + cacheReadInputTokens + cacheCreationInputTokens }
    package var totalTokens: Int { promptTokens + outputTokens }

    package init(inputTokens: Int = 0, cacheCreationInputTokens: Int = 0, cacheReadInputTokens: Int = 0, outputTokens: Int = 0, reasoningTokens: Int = 0) {
        self.inputTokens = inputTokens
        self.cacheCreationInputTokens = cacheCreationInputTokens
        self.cacheReadInputTokens = cacheReadInputTokens
        self.outputTokens = outputTokens
        self.reasoningTokens = reasoningTokens
    }
}
