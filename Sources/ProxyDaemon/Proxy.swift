import AnthropicFront
import CSystem
import Glibc
import Logging
import ProxyCore
import OpenAIFront
import EventTransport
import ChildProcesses

/// The composition root: one event loop, the HTTP server, the child reaper, the pool that owns
/// every CLI, and the scheduler that admits requests.
package final class Proxy: RequestHost {
    package let configuration: Configuration
    package let logger = Logger(label: "claude-code-proxy")
    package let loop = EventLoop()
    package let reaper = ChildReaper()
    package let runtime: RuntimeDirectory
    package private(set) var profile: CLIProfile
    /// The credentials file when it is the login the CLIs use (no login variable set, not in test mode).
    let subscriptionLogin: SubscriptionLogin?
    /// The kind of login the CLIs use (`subscription`, `api_key`, …), nil when none was found.
    let loginKind: String?
    /// The subscription's usage windows as the CLIs last reported them.
    var usage = UsageLedger()
    /// The environment the proxy was started with (for the start-up login check).
    private let environment: [String: String]
    package let auth: Auth
    /// When the proxy started; the `created` of every listed model.
    package let startedAt = Int(time(nil))
    package private(set) var server: HTTPServer?
    package var metrics = Metrics()
    package let timers: LoopTimers
    /// The test mode's upstream, when `--fake-upstream` is on.
    let fake: FakeUpstreamServer?
    /// Admission, the queue, the registry of live requests and the drain.
    package let scheduler: Scheduler
    private var signalWatchers: [SignalWatcher] = []
    /// Bounds the wait for the last replies' bytes at stop.
    private var flushBound: (any LoopTimer)?
    package let cors: CORSPolicy
    /// Starts CLIs with their files; the pool owns what it starts.
    private let spawner: ProcessSpawner
    /// Every CLI: kept conversations, warm ones, leased ones, their tool bridges.
    let pool: CLIPool
    /// Each running request's exchange, for its access line.
    var runs: [ObjectIdentifier: HTTPExchange] = [:]
    /// The model each `--model` value resolved to, as CLIs reported it: a session file's
    /// assistant lines must name the run's own model or the CLI drops their thinking.
    var resolvedModels: [String: String] = [:]
    package var isStopping: Bool { scheduler.isDraining }
    /// Whether a line is logged per request (the level read once: reading it copies the logger's
    /// handler, an existential, on every request).
    let logsAccess: Bool
    /// Where each access line is rendered (on the loop's thread) before it joins the log's buffer.
    let accessLine = TextBuffer(capacity: 512)
    /// Messages threads: each conversation held under its newest reply's id.
    var threads = MessageThreads()
    /// The thread turn of each running threaded request, by its reply's id.
    var threadTurns: [String: MessageThreads.Turn] = [:]
    /// Responses kept for `previous_response_id`, and the turn of each running request that stores one.
    var responseStore = ResponseStore()
    var responseTurns: [String: ResponseStore.Turn] = [:]

    package init(configuration: Configuration, environment: [String: String]) throws {
        self.environment = environment
        self.configuration = configuration
        logsAccess = logger.logLevel <= .info
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
        timers = LoopTimers(loop: loop)
        if configuration.fakeUpstream {
            do {
                fake = try FakeUpstreamServer(scriptPath: configuration.fakeScript, timers: timers, logger: logger)
            } catch {
                throw StartError(message: "--fake-script \(configuration.fakeScript ?? ""): \(error)")
            }
        } else {
            fake = nil
        }
        runtime = try RuntimeDirectory.create(environment: environment)
        let removed = RuntimeDirectory.removeStale(in: runtime.parent, except: runtime.root)
        auth = Auth(keys: configuration.apiKeys)
        profile = CLIProfile(
            executable: configuration.claude, home: runtime.home, tmpdir: runtime.tmp,
            workingDirectory: runtime.work, inherited: CLIProfile.inherited(from: environment),
            // In test mode the person's login never reaches a CLI.
            loginDirectory: configuration.fakeUpstream ? nil : CLILogin.directory(environment: environment),
            streamIdleTimeoutMs: Int(configuration.upstreamIdleTimeout * 1000),
            apiTimeoutMs: Int(min(configuration.requestTimeout, configuration.upstreamIdleTimeout) * 1000))
        loginKind = configuration.fakeUpstream ? "fake" : CLILogin.find(environment: environment) { access($0, R_OK) == 0 }.first?.kind
        subscriptionLogin = configuration.fakeUpstream
            || CLILogin.variables.contains { !(environment[$0] ?? "").isEmpty } ? nil
            : CLILogin.credentialsPath(environment: environment).map(SubscriptionLogin.init)
        scheduler = Scheduler(maxRunning: configuration.maxConcurrency, maxWaiting: configuration.queueSize,
                              queueTimeout: configuration.queueTimeout, timers: timers)
        spawner = ProcessSpawner(profile: profile, runtime: runtime, loop: loop, reaper: reaper, timers: timers,
                                 logger: logger, toolCallTimeout: configuration.parkTimeout + 120)
        pool = CLIPool(spawner: spawner, timers: timers, logger: logger, settings: .init(
            maxParked: configuration.maxParked, parkTimeout: configuration.parkTimeout,
            warmPool: configuration.warmPool, maxConcurrency: configuration.maxConcurrency))
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
        if let fake {
            // The CLIs' upstream is the proxy itself (the port is known only now), with a dummy key.
            for name in ["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN", "ANTHROPIC_CUSTOM_HEADERS",
                         "CLAUDE_CODE_USE_BEDROCK", "CLAUDE_CODE_USE_VERTEX"] {
                profile.inherited[name] = nil
            }
            profile.inherited["ANTHROPIC_BASE_URL"] = "http://127.0.0.1:\(server?.port ?? configuration.port)\(fake.pathPrefix)"
            profile.inherited["ANTHROPIC_API_KEY"] = "sk-fake-upstream"
            spawner.profile = profile
            logger.debug("fake upstream", metadata: ["url": "\(profile.inherited["ANTHROPIC_BASE_URL"] ?? "")"])
            logger.warning("TEST MODE: every answer comes from the built-in fake upstream, not from Anthropic",
                           metadata: ["script": "\(configuration.fakeScript ?? "-")", "entries": "\(fake.script.entries.count)"])
        }
        logger.info("limits", metadata: ["open_files": "\(descriptors.soft)", "open_files_hard": "\(descriptors.hard)",
                                         "max_connections": "\(maxConnections)"])
        if subreaper != 0 {
            logger.warning("cannot become the CLIs' subreaper", metadata: ["error": "\(ExitStatus.describe(errno: subreaper))"])
        }
        for path in removed { logger.notice("removed the directory of a proxy that died", metadata: ["path": "\(path)"]) }
        server?.onAcceptPaused = { [unowned self] code, seconds in self.acceptPaused(errno: code, seconds: seconds) }
        spawner.toolBridgeBaseURL = toolBridgeBaseURL
        pool.runningRequests = { [unowned self] in self.scheduler.running }
        pool.clock = Proxy.clock
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
                if let fake = self.fake { return fake.reload() }
                self.logger.notice("SIGHUP ignored: logs go to stderr")
            },
        ]
    }

    /// Serves until SIGTERM or SIGINT, then cleans up.
    package func run() {
        let version = CLIStartupCheck.run(profile: profile, environment: environment,
                                          fakeUpstream: configuration.fakeUpstream, logger: logger) { access($0, R_OK) == 0 }
        spawner.cliVersion = version.map { "\($0)" }
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        let line = Array("listening on http://\(host):\(server?.port ?? configuration.port)\n".utf8)
        _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        if !["127.0.0.1", "::1", "localhost"].contains(configuration.host) {
            logger.warning("listening on \(configuration.host), reachable from other machines; keep the API key secret")
        }
        if configuration.warmPool > 0 {
            logger.info("warm pool on", metadata: ["size": "\(configuration.warmPool)"])
        }
        // Log lines of one loop turn go out in one write at its end (`LogBuffer`).
        LogBuffer.shared.drive(true)
        // Start-up's code pages go back to the page cache; the loop's come back as they run.
        let released = ccp_release_startup_code()
        if released >= 0 {
            logger.debug("start-up code released", metadata: ["bytes": "\(released)"])
        } else {
            logger.warning("start-up code not released", metadata: ["error": "\(String(cString: strerror(Int32(-released))))"])
        }
        loop.run { LogBuffer.shared.flush() }
        LogBuffer.shared.drive(false)
        // Kept and warm CLIs were asked to end at the drain; whatever still runs goes now, and is
        // reaped before the private directory (their HOME) is removed under them.
        reaper.killAll()
        reaper.reapAll(within: 2)
        scheduler.abandonAll()
        // Every exchange gets its one reply while the server still exists.
        for exchange in runs.values { exchange.finishAtExit() }
        runs.removeAll()
        pool.disposeAll()
        signalWatchers.forEach { $0.close() }
        server?.close()
        // Adopted strays (a process that left a CLI's group) are killed and reaped before the
        // proxy exits: none outlives it.
        reaper.killAndReapStrays(within: 2)
        runtime.remove()
        logger.info("stopped")
    }

    package var metricsText: String {
        metrics.exposition(inFlight: scheduler.running, queued: scheduler.waiting, liveChildren: reaper.liveChildren,
                           usage: usage, now: Double(UTCTime.now()),
                           continuity: Metrics.Continuity(
                               warmHits: pool.warm.hits, warmMisses: pool.warm.misses, warmProcesses: pool.warm.count,
                               parked: pool.parked.count, parkedEvictions: pool.parked.evictions))
    }

    /// A request finished: adopted strays go with it (a process that left its CLI's group and
    /// outlived it), and its place goes to the next.
    package func finished(ticket: Scheduler.Ticket) {
        let strays = reaper.killStrays()
        if strays > 0 { logger.notice("killed processes that left a CLI's group", metadata: ["count": "\(strays)"]) }
        scheduler.release(ticket)
    }

    /// SIGUSR1: one line with what the proxy holds now.
    private func logState() {
        logger.notice("state", metadata: [
            "running": "\(scheduler.running)", "waiting": "\(scheduler.waiting)",
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

    /// Stops accepting; requests still waiting get 503; running ones may finish within the drain
    /// timeout, after which their CLIs are stopped. The loop ends once every request is released.
    private func stop(signal name: String) {
        guard !isStopping else { return }
        server?.stopAccepting()
        // Kept and warm CLIs serve no running request: they end first.
        pool.endAll()
        logger.notice("\(name): draining", metadata: ["running": "\(scheduler.running)",
                                                       "waiting": "\(scheduler.waiting)"])
        scheduler.drain(timeout: configuration.drainTimeout, grace: CLIProcess.terminationGrace + 1) { [unowned self] in
            self.stopWhenRepliesWritten()
        }
    }

    /// Every request is released: the loop ends once evhttp has written their replies to the
    /// sockets (a released stream's last chunks may still be queued; freeing the server now would
    /// drop them), or after a short bound for a client that stopped reading.
    private func stopWhenRepliesWritten() {
        guard let server, server.unwrittenReplies > 0 else { return loop.stop() }
        server.onReplyWritten = { [unowned self] in self.loop.stop() }
        flushBound = timers.timer { [unowned self] in self.loop.stop() }
        flushBound?.schedule(after: 1)
    }
}

/// Why the proxy could not start, said in one line.
package struct StartError: Error, CustomStringConvertible {
    package var message: String
    package var description: String { message }
}
