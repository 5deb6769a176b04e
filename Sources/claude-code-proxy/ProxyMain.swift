#if !FUZZING
import ArgumentParser
import Bench
import CSystem
import ProxyDaemon

/// The one binary: serving is the default command, so `claude-code-proxy --port 8080` and every
/// existing unit file keep working; the tools are subcommands beside it.
struct RootCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claude-code-proxy",
        abstract: "The Claude Code CLI as an OpenAI-compatible HTTP API, and the tools around it.",
        version: "claude-code-proxy \(ProxyCommand.version) (\(String(cString: ccp_revision())))",
        subcommands: [ProxyCommand.self, BenchCommand.self, DoctorCommand.self, InstallCommand.self],
        defaultSubcommand: ProxyCommand.self)
}

/// The program's entry point. A `-DFUZZING` build has none: libFuzzer supplies `main` and
/// calls `FuzzEntry` instead (see README, "Fuzzing").
@main
enum ProxyMain {
    static func main() {
        RootCommand.main()
    }
}
#endif
