import Glibc
import Logging

/// The composition root: one event loop, the HTTP server, the child reaper, the live sessions.
final class Proxy {
    let configuration: Configuration
    let logger = Logger(label: "claude-code-proxy")
    let loop = EventLoop()
    let reaper = ChildReaper()
    let runtime: RuntimeDirectory
    let profile: CLIProfile
    let auth: Auth
    /// When the proxy started; the `created` of every listed model.
    let startedAt = Int(time(nil))
    private(set) var server: HTTPServer?
    private var sessions: [ObjectIdentifier: CompletionSession] = [:]
    private var signalWatchers: [SignalWatcher] = []
    private var shutdownTimer: EventTimer?
    private(set) var isStopping = false

    init(configuration: Configuration, environment: [String: String]) throws {
        self.configuration = configuration
        // A write to a closed socket or pipe must fail with EPIPE, not kill the daemon.
        signal(SIGPIPE, SIG_IGN)
        // A parent may start the proxy with signals blocked (Foundation's Process passes its own
        // mask on): SIGCHLD, SIGTERM and SIGINT must reach the loop, or children stay zombies.
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        sigprocmask(SIG_SETMASK, &unblocked, nil)
        runtime = try RuntimeDirectory.create(environment: environment)
        profile = CLIProfile(
            executable: configuration.claude, home: runtime.home, tmpdir: runtime.tmp,
            workingDirectory: runtime.work, inherited: CLIProfile.inherited(from: environment),
            streamIdleTimeoutMs: Int(configuration.upstreamIdleTimeout * 1000),
            apiTimeoutMs: Int(min(configuration.requestTimeout, configuration.upstreamIdleTimeout) * 1000))
        auth = Auth(keys: configuration.apiKeys)
        do {
            server = try HTTPServer(
                loop: loop, host: configuration.host, port: configuration.port,
                limits: .init(bodyCeiling: configuration.maxBodyBytes * 8 + 65536, headerBytes: 64 * 1024,
                              connectionTimeout: configuration.connectionTimeout)
            ) { [unowned self] exchange in self.handle(exchange) }
        } catch {
            runtime.remove()
            throw error
        }
        signalWatchers = [
            SignalWatcher(loop: loop, signal: SIGCHLD) { [unowned self] in self.reaper.reap() },
            SignalWatcher(loop: loop, signal: SIGTERM) { [unowned self] in self.stop(signal: "SIGTERM") },
            SignalWatcher(loop: loop, signal: SIGINT) { [unowned self] in self.stop(signal: "SIGINT") },
            // Logs go to stderr, which the service manager owns: there is nothing to reopen.
            SignalWatcher(loop: loop, signal: SIGHUP) { [unowned self] in
                self.logger.notice("SIGHUP ignored: logs go to stderr")
            },
        ]
    }

    /// Serves until SIGTERM or SIGINT, then cleans up.
    func run() {
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        let line = Array("listening on http://\(host):\(server?.port ?? configuration.port)\n".utf8)
        _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        if !["127.0.0.1", "::1", "localhost"].contains(configuration.host) {
            logger.warning("listening on \(configuration.host), reachable from other machines; keep the API key secret")
        }
        loop.run()
        signalWatchers.forEach { $0.close() }
        server?.close()
        runtime.remove()
        logger.info("stopped")
    }

    func register(_ session: CompletionSession) {
        sessions[ObjectIdentifier(session)] = session
    }

    func unregister(_ session: CompletionSession) {
        sessions[ObjectIdentifier(session)] = nil
        if isStopping && sessions.isEmpty { loop.stop() }
    }

    /// Stops taking work, ends every running CLI (their clients get an error), and leaves the
    /// loop once all are reaped, or after a grace period.
    private func stop(signal name: String) {
        guard !isStopping else { return }
        isStopping = true
        logger.notice("\(name): stopping", metadata: ["running": "\(sessions.count)"])
        guard !sessions.isEmpty else { return loop.stop() }
        sessions.values.forEach { $0.cancel() }
        shutdownTimer = EventTimer(loop: loop) { [unowned self] in self.loop.stop() }
        shutdownTimer?.schedule(after: CLIRun.terminationGrace + 1)
    }
}
