import SystemCalls
import ChildProcesses
import EventTransport
import Logging
import ProxyCore

/// Starts a CLI of a shape with the files it needs, and removes those files once it is gone:
/// processes and the runtime directory in the daemon, memory in the pool's tests.
protocol CLISpawner: AnyObject {
    /// - Parameter history: earlier turns the CLI resumes from a session file.
    func spawn(_ shape: SpawnShape, history: SessionHistory?, requestID: String) -> Result<CLIHandle, TurnFailure>
    /// A session file can be put where a new CLI looks for it.
    var canResume: Bool { get }
    /// The CLI is gone (reaped, stdout closed): its files go.
    func removeFiles(of handle: CLIHandle)
}

/// The daemon's spawner: a system prompt file, a TMPDIR and (with tools) an MCP configuration in
/// the runtime directory, then the process (fork/exec in C).
final class ProcessSpawner: CLISpawner {
    private let runtime: RuntimeDirectory
    private let loop: EventLoop
    private let reaper: ChildReaper
    private let timers: any TimerFactory
    private let logger: Logger
    var profile: CLIProfile
    /// Where a CLI on this machine reaches the proxy's tool bridge (known once the port is bound).
    var toolBridgeBaseURL = ""
    /// How long a CLI kept for its conversation waits on a tool call (`MCP_TOOL_TIMEOUT`).
    let toolCallTimeout: Double

    init(profile: CLIProfile, runtime: RuntimeDirectory, loop: EventLoop, reaper: ChildReaper, timers: any TimerFactory,
         logger: Logger, toolCallTimeout: Double) {
        self.profile = profile
        self.runtime = runtime
        self.loop = loop
        self.reaper = reaper
        self.timers = timers
        self.logger = logger
        self.toolCallTimeout = toolCallTimeout
    }

    /// Where a new CLI looks for a session to resume, nil when the CLI would name it otherwise.
    private var sessionDirectory: String? {
        SessionHistory.projectDirectory(configDirectory: profile.home + "/.claude",
                                        workingDirectory: profile.workingDirectory)
    }

    var canResume: Bool { sessionDirectory != nil }

    /// The CLI's version (`claude --version`), stamped on session files as the CLI stamps its own.
    var cliVersion: String?

    func spawn(_ shape: SpawnShape, history: SessionHistory?, requestID: String) -> Result<CLIHandle, TurnFailure> {
        let id = CompletionPlanIDs.random(prefix: "cli_")
        var created: [String] = []
        // Whatever was made before a failure goes with it.
        func fail(_ failure: TurnFailure, _ message: String, _ error: any Error) -> Result<CLIHandle, TurnFailure> {
            for path in created { runtime.removeTree(path) }
            logger.error("\(message)", metadata: ["request_id": "\(requestID)", "error": "\(error)"])
            return .failure(failure)
        }
        let promptPath: String
        let temporary: String
        do {
            promptPath = try runtime.writePrompt(id: id, text: shape.system)
            created.append(promptPath)
            temporary = try runtime.makeCLITemporary(id: id)
            created.append(temporary)
        } catch {
            return fail(.preparationFailed, "cannot write the system prompt file or make the CLI's TMPDIR", error)
        }
        var sessionFile: String?
        if let history, let directory = sessionDirectory {
            do {
                let bytes = history.fileBytes(workingDirectory: profile.workingDirectory,
                                              timestamp: UTCTime.nowISO8601(), cliVersion: cliVersion)
                let path = try runtime.writeSession(bytes, id: history.sessionID, in: directory)
                created.append(path)
                sessionFile = path
            } catch {
                return fail(.preparationFailed, "cannot write the session file", error)
            }
        }
        var bridge: ToolBridgeEndpoint?
        if !shape.tools.isEmpty {
            let token = CompletionPlanIDs.random(prefix: "") + CompletionPlanIDs.random(prefix: "")
            do {
                let path = try runtime.writeMCPConfig(id: id, url: "\(toolBridgeBaseURL)/mcp/\(token)")
                created.append(path)
                bridge = ToolBridgeEndpoint(token: token, tools: shape.tools, configPath: path)
            } catch {
                return fail(.preparationFailed, "cannot write the MCP configuration file", error)
            }
        }
        // A CLI kept for its conversation may call the client's tools and wait for their results
        // (longer than a parked conversation may wait), over as many turns as the loop takes.
        let allowsTools = shape.keepsConversation && bridge != nil
        let invocation = profile.invocation(
            model: shape.model, systemPromptFile: promptPath, mcpConfigFile: bridge?.configPath, options: shape.options,
            allowedTools: allowsTools ? shape.tools.map { ToolBridge.bridged($0.name) } : [],
            maxTurns: allowsTools ? 1000 : 1,
            toolCallTimeoutMs: allowsTools ? Int(toolCallTimeout * 1000) : nil,
            tmpdir: temporary, resume: history.map { CLIResume(sessionID: $0.sessionID,
                                                                continuesByItself: $0.continuesByItself) })
        let child: PipedChild
        do throws(SystemError) {
            child = try PipedChild(invocation: invocation, loop: loop, reaper: reaper)
        } catch {
            return fail(.spawnFailed(executable: invocation.executable, errno: error.errno), "cannot start the CLI", error)
        }
        return .success(CLIHandle(process: CLIProcess(io: child, timers: timers), shape: shape, promptPath: promptPath,
                                  temporaryDirectory: temporary, bridge: bridge, sessionFile: sessionFile))
    }

    func removeFiles(of handle: CLIHandle) {
        runtime.removePrompt(at: handle.promptPath)
        runtime.removeTree(handle.temporaryDirectory)
        if let bridge = handle.bridge { runtime.removePrompt(at: bridge.configPath) }
        if let sessionFile = handle.sessionFile { runtime.removePrompt(at: sessionFile) }
    }
}
