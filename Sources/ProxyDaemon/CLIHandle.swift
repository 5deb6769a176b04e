import ChildProcesses
import ProxyCore

/// A started CLI and what it owns in the proxy: its system prompt file, its TMPDIR, the session
/// file it resumed and its tool bridge. Only `CLIPool` makes, ends and disposes of them; requests hold a `CLILease` instead.
final class CLIHandle {
    let process: CLIProcess
    let shape: SpawnShape
    let promptPath: String
    let temporaryDirectory: String
    let bridge: ToolBridgeEndpoint?
    let sessionFile: String?

    init(process: CLIProcess, shape: SpawnShape, promptPath: String, temporaryDirectory: String,
         bridge: ToolBridgeEndpoint?, sessionFile: String? = nil) {
        self.sessionFile = sessionFile
        self.process = process
        self.shape = shape
        self.promptPath = promptPath
        self.temporaryDirectory = temporaryDirectory
        self.bridge = bridge
    }
}

/// How a request came by its CLI, for the access log and metrics.
enum StartKind: String, Sendable {
    case cold, warm, resumed
}
