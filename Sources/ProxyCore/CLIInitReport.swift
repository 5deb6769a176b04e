/// What the CLI says it enabled, from its `system/init` line. Under the proxy's isolated profile
/// the only tools are the bridged ones (and `StructuredOutput` under a schema), the only MCP
/// server is the proxy's, and nothing of anyone's Claude Code configuration is loaded: the
/// reducer fails the request closed on anything else (docs/cli.md, "The isolated profile").
package struct CLIInitReport: Equatable, Sendable {
    package var model: String?
    package var tools: [String]
    package var mcpServers: [String]
    /// Skills, slash commands, installed plugins and custom agents the CLI loaded, each named
    /// `kind:name`; empty under the isolated profile.
    package var customizations: [String]

    /// The agents and plugins built into the CLI itself (measured in 2.1.284–2.1.337): they come
    /// with every start, need the Agent tool (never enabled) or add nothing to a request.
    package static let builtInAgents: Set<String> = ["claude", "Explore", "general-purpose", "Plan", "statusline-setup"]
    package static let builtInPluginPath = "builtin"

    package init(model: String?, tools: [String], mcpServers: [String], customizations: [String] = []) {
        self.model = model
        self.tools = tools
        self.mcpServers = mcpServers
        self.customizations = customizations
    }

    /// The customisations among what init lists.
    package static func customizations(skills: [String], slashCommands: [String], plugins: [(name: String, path: String)],
                                       agents: [String]) -> [String] {
        skills.map { "skill:\($0)" }
            + slashCommands.filter { !skills.contains($0) }.map { "command:\($0)" }
            + plugins.filter { $0.path != builtInPluginPath }.map { "plugin:\($0.name)" }
            + agents.filter { !builtInAgents.contains($0) }.map { "agent:\($0)" }
    }
}
