import CSystem
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
    var metrics = Metrics()
    /// Live sessions by admission ticket.
    private var sessions: [Int: CompletionSession] = [:]
    private var admission: Admission<Int>
    private var lastTicket = 0
    /// Tickets waiting for a free place: their CLI invocation and queue-timeout timer.
    private var waiting: [Int: (invocation: CLIInvocation, timer: EventTimer)] = [:]
    private var signalWatchers: [SignalWatcher] = []
    let cors: CORSPolicy
    private var shutdownTimer: EventTimer?
    private var finalTimer: EventTimer?
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
        // Stray signals an operator or a script may send must not kill a daemon mid-stream.
        signal(SIGUSR2, SIG_IGN)
        signal(SIGALRM, SIG_IGN)
        let descriptors = Self.raiseDescriptorLimit()
        // Orphans of the CLIs (a process that left a CLI's group) come to the proxy, which kills them.
        let subreaper = ccp_become_subreaper()
        runtime = try RuntimeDirectory.create(environment: environment)
        let removed = RuntimeDirectory.removeStale(in: runtime.parent, except: runtime.root)
        profile = CLIProfile(
            executable: configuration.claude, home: runtime.home, tmpdir: runtime.tmp,
            workingDirectory: runtime.work, inherited: CLIProfile.inherited(from: environment),
            streamIdleTimeoutMs: Int(configuration.upstreamIdleTimeout * 1000),
            apiTimeoutMs: Int(min(configuration.requestTimeout, configuration.upstreamIdleTimeout) * 1000))
        auth = Auth(keys: configuration.apiKeys)
        admission = Admission(maxRunning: configuration.maxConcurrency, maxWaiting: configuration.queueSize)
        cors = CORSPolicy(origins: configuration.allowOrigins)
        let maxConnections = configuration.maxConnections ?? Configuration.derivedMaxConnections(
            descriptorLimit: descriptors.soft, maxConcurrency: configuration.maxConcurrency)
        do {
            server = try HTTPServer(
                loop: loop, host: configuration.host, port: configuration.port,
                limits: .init(bodyCeiling: configuration.maxBodyBytes * 8 + 65536, headerBytes: 64 * 1024,
                              connectionTimeout: configuration.connectionTimeout, maxConnections: maxConnections)
            ) { [unowned self] exchange in self.handle(exchange) }
        } catch {
            runtime.remove()
            throw error
        }
        logger.info("limits", metadata: ["open_files": "\(descriptors.soft)", "open_files_hard": "\(descriptors.hard)",
                                         "max_connections": "\(maxConnections)"])
        if subreaper != 0 {
            logger.warning("cannot become the CLIs' subreaper", metadata: ["error": "\(ExitStatus.describe(errno: subreaper))"])
        }
        for path in removed { logger.notice("removed the directory of a proxy that died", metadata: ["path": "\(path)"]) }
        server?.onAcceptPaused = { [unowned self] code, seconds in self.acceptPaused(errno: code, seconds: seconds) }
        reaper.onCPUTime = { [unowned self] seconds in self.metrics.recordChildCPU(seconds: seconds) }
        signalWatchers = [
            SignalWatcher(loop: loop, signal: SIGCHLD) { [unowned self] in self.reaper.reap() },
            SignalWatcher(loop: loop, signal: SIGTERM) { [unowned self] in self.stop(signal: "SIGTERM") },
            SignalWatcher(loop: loop, signal: SIGINT) { [unowned self] in self.stop(signal: "SIGINT") },
            // SIGQUIT drains like SIGTERM rather than dumping core.
            SignalWatcher(loop: loop, signal: SIGQUIT) { [unowned self] in self.stop(signal: "SIGQUIT") },
            SignalWatcher(loop: loop, signal: SIGUSR1) { [unowned self] in self.logState() },
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
        reaper.killStrays()
        runtime.remove()
        logger.info("stopped")
    }

    var metricsText: String {
        metrics.exposition(inFlight: admission.running, queued: admission.waiting.count,
                           liveChildren: reaper.liveChildren)
    }

    /// Asks for a place for a new request, before anything is prepared for it: a ticket that
    /// starts now or waits in the queue, or 429 when the queue is full too.
    func reservePlace() throws(OpenAIError) -> (ticket: Int, startsNow: Bool) {
        lastTicket += 1
        switch admission.request(lastTicket) {
        case .start: return (lastTicket, true)
        case .wait: return (lastTicket, false)
        case .reject: throw Self.queueFull(waited: false)
        }
    }

    /// Runs the session's CLI now, or when its ticket's turn comes.
    func run(_ session: CompletionSession, ticket: Int, startsNow: Bool, invocation: CLIInvocation) {
        sessions[ticket] = session
        guard !startsNow else { return session.start(invocation) }
        logger.info("request queued", metadata: ["request_id": "\(session.id)", "waiting": "\(admission.waiting.count)"])
        let timer = EventTimer(loop: loop) { [weak session] in session?.cancel(Self.queueFull(waited: true)) }
        timer.schedule(after: configuration.queueTimeout)
        waiting[ticket] = (invocation, timer)
        session.waitInQueue()
    }

    /// Gives a ticket's place back (its session finished, or it never got one) and starts the
    /// next waiting request, if any.
    func releasePlace(_ ticket: Int) {
        sessions[ticket] = nil
        // A process that left its CLI's group and outlived it was adopted by the proxy: end it with its request.
        let strays = reaper.killStrays()
        if strays > 0 { logger.notice("killed processes that left a CLI's group", metadata: ["count": "\(strays)"]) }
        if admission.withdraw(ticket) {
            waiting.removeValue(forKey: ticket)?.timer.close()
        } else if let next = admission.finish(), let entry = waiting.removeValue(forKey: next) {
            entry.timer.close()
            sessions[next]?.start(entry.invocation)
        }
        if isStopping && sessions.isEmpty { loop.stop() }
    }

    /// The drain timeout passed: stop the remaining CLIs (SIGTERM, SIGKILL after the grace) and
    /// leave the loop once they are reaped, or at the latest after the grace.
    private func drainExpired(_ error: OpenAIError) {
        logger.notice("drain timeout: stopping the remaining CLIs", metadata: ["running": "\(sessions.count)"])
        sessions.values.forEach { $0.cancel(error) }
        finalTimer = EventTimer(loop: loop) { [unowned self] in self.loop.stop() }
        finalTimer?.schedule(after: CLIRun.terminationGrace + 1)
    }

    /// SIGUSR1: one line with what the proxy holds now.
    private func logState() {
        logger.notice("state", metadata: [
            "running": "\(admission.running)", "waiting": "\(admission.waiting.count)",
            "children": "\(reaper.liveChildren)", "connections": "\(server?.openConnections ?? 0)",
            "stopping": "\(isStopping)",
        ])
    }

    private func acceptPaused(errno code: Int32?, seconds: Double) {
        let reason = code.map { ExitStatus.describe(errno: $0) } ?? "connection limit reached"
        logger.warning("not accepting connections for a while", metadata: [
            "reason": "\(reason)", "seconds": "\(seconds)"])
    }

    /// The soft descriptor limit raised to the hard one (systemd's default soft limit is 1024).
    private static func raiseDescriptorLimit() -> (soft: Int, hard: Int) {
        var soft = 0
        var hard = 0
        _ = ccp_raise_nofile(&soft, &hard)
        return (soft, hard)
    }

    static func queueFull(waited: Bool) -> OpenAIError {
        OpenAIError(status: 429, type: "rate_limit_error",
                    message: waited ? "No Claude Code CLI became free in time; try again shortly."
                        : "Too many requests are running or waiting; try again shortly.",
                    code: waited ? "queue_timeout" : "queue_full", retryAfter: 5, isRetryable: true)
    }

    /// Stops accepting; requests still waiting get 503; running ones may finish within the drain
    /// timeout, after which their CLIs are stopped. The loop ends once every child is reaped.
    private func stop(signal name: String) {
        guard !isStopping else { return }
        isStopping = true
        server?.stopAccepting()
        logger.notice("\(name): draining", metadata: ["running": "\(admission.running)",
                                                       "waiting": "\(admission.waiting.count)"])
        let shuttingDown = OpenAIError(status: 503, type: "server_error", message: "The proxy is shutting down.",
                                       code: "shutting_down", retryAfter: 1, isRetryable: true)
        for id in admission.waiting { sessions[id]?.cancel(shuttingDown) }
        guard !sessions.isEmpty else { return loop.stop() }
        shutdownTimer = EventTimer(loop: loop) { [unowned self] in self.drainExpired(shuttingDown) }
        shutdownTimer?.schedule(after: configuration.drainTimeout)
    }
}
