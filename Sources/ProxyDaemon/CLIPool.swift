import ChildProcesses
import Logging
import ProxyCore

/// What a request asks of the pool when its place is ready.
struct CLIWish {
    var shape: SpawnShape
    /// Who may continue a kept conversation: the API key and everything fixed at spawn.
    var key: ConversationIdentity.Key
    var conversation: Conversation
    /// The request may continue a kept conversation, and its own CLI may be kept afterwards.
    var keeps: Bool
    /// The request's input for a CLI that starts its conversation (cold or warm): its whole
    /// prompt, or with a session file only its new turn (nil when the CLI continues by itself).
    var input: [UInt8]?
    /// The earlier turns, for a new CLI to resume natively: such a request takes no warm CLI.
    var history: SessionHistory?
    /// How the earlier turns reach the upstream when the conversation is not kept.
    var historyForm: HistoryForm
    var requestID: String
}

/// A request's hold on one CLI, from `CLIPool.acquire` to exactly one `keep` or `discard`.
/// Dropping a lease without either is a bug: debug builds trap on it.
final class CLILease {
    /// How the conversation continues in this CLI.
    enum Continuation: Equatable {
        /// A new CLI (cold or warm): the request's whole input starts the conversation.
        case fresh
        /// A kept conversation's next user turn: only that turn is written.
        case nextTurn
        /// A kept conversation's tool results: answered over the bridge inside `acquire`.
        case toolResults
    }

    fileprivate let handle: CLIHandle
    let start: StartKind
    let continuation: Continuation
    /// What to write to the CLI now (nil after tool results, which went over the bridge).
    let input: [UInt8]?
    /// The CLI's cumulative cost before this request (its figure is cumulative per process).
    let costBaseline: Double
    fileprivate(set) var isEnded = false

    fileprivate init(handle: CLIHandle, start: StartKind, continuation: Continuation, input: [UInt8]?,
                     costBaseline: Double) {
        self.handle = handle
        self.start = start
        self.continuation = continuation
        self.input = input
        self.costBaseline = costBaseline
    }

    deinit {
        assert(isEnded, "a CLI lease was dropped without keep or discard: its CLI would be lost")
    }

    var process: CLIProcess { handle.process }
}

/// The one owner of every CLI the proxy starts (as tmux's job.c owns its jobs): it spawns them,
/// keeps conversations in their CLIs, holds the warm pool, serves their tool bridges, and is the
/// one place a CLI is ended (`end`) and its files freed once it is gone (`dispose`). A request
/// gets a CLI only when its place is ready (`acquire`: kept → warm → cold), never while it waits
/// in the queue, and gives it back exactly once, kept or discarded.
final class CLIPool {
    struct Settings {
        var maxParked: Int
        var parkTimeout: Double
        var warmPool: Int
        /// At most this many requests run; a warm CLI starts only while fewer do.
        var maxConcurrency: Int
    }

    private let spawner: any CLISpawner
    private let timers: any TimerFactory
    private let logger: Logger
    private let settings: Settings
    /// Every started CLI until its process is gone, whoever holds it meanwhile.
    private var handles: [ObjectIdentifier: CLIHandle] = [:]
    /// The tool bridge of each CLI with tools, by its unguessable token.
    private var toolEndpoints: [String: ToolBridgeEndpoint] = [:]
    private(set) var parked: ParkedConversations
    private(set) var warm: WarmPool
    private var refillTimer: (any LoopTimer)?
    private var refillPending = false
    private var isStopping = false
    /// Leases handed out and not yet ended.
    private(set) var leased = 0
    /// How many requests run now (the scheduler's count), for the warm pool's refill.
    var runningRequests: () -> Int = { 0 }
    /// Seconds on a monotonic clock, for the warm pool's shapes.
    var clock: () -> Double = { 0 }

    init(spawner: any CLISpawner, timers: any TimerFactory, logger: Logger, settings: Settings) {
        self.spawner = spawner
        self.timers = timers
        self.logger = logger
        self.settings = settings
        // The registries hand back what they let go of; the pool ends it.
        parked = ParkedConversations(capacity: settings.maxParked, timeout: settings.parkTimeout, timers: timers)
        warm = WarmPool(capacity: settings.warmPool)
        parked.onEvict = { [unowned self] handle in self.end(handle) }
        warm.onEvict = { [unowned self] handle in self.end(handle) }
        refillTimer = timers.timer { [weak self] in self?.refillNow() }
    }

    /// CLIs alive now (kept, warm, leased or ending).
    var count: Int { handles.count }

    func toolEndpoint(token: String) -> ToolBridgeEndpoint? { toolEndpoints[token] }

    /// A new CLI can resume a session file (its project directory has a name the proxy knows).
    var canResume: Bool { spawner.canResume }

    // MARK: Leases

    /// A CLI for a request whose place is ready: the kept conversation it continues exactly (its
    /// held tool calls answered here), else a warm CLI of its shape, else a new one.
    func acquire(_ wish: CLIWish) -> Result<CLILease, TurnFailure> {
        if wish.keeps, let (entry, continuation) = parked.take(wish.conversation, key: wish.key) {
            leased += 1
            switch continuation {
            case .nextTurn(let turn):
                return .success(CLILease(handle: entry.handle, start: .resumed, continuation: .nextTurn,
                                         input: Prompt(Conversation(turns: [turn])).stdinLine, costBaseline: entry.cost))
            case .toolResults(let results):
                entry.handle.bridge?.answer(results)
                return .success(CLILease(handle: entry.handle, start: .resumed, continuation: .toolResults,
                                         input: nil, costBaseline: entry.cost))
            }
        }
        // A warm CLI started without the history cannot resume it.
        if wish.history == nil, let handle = warm.take(wish.shape, now: clock()) {
            leased += 1
            return .success(CLILease(handle: handle, start: .warm, continuation: .fresh, input: wish.input, costBaseline: 0))
        }
        var started = start(wish.shape, history: wish.history, requestID: wish.requestID)
        // Short of processes or descriptors: kept and warm CLIs serve no running request, so they
        // make room first (an ended CLI frees its slot only once it has exited: best effort).
        if case .failure(.spawnFailed(_, let code)) = started, TurnFailure.isResourceShortage(code),
           parked.evictOldest() || warm.evictOne() {
            started = start(wish.shape, history: wish.history, requestID: wish.requestID)
        }
        return started.map { handle in
            leased += 1
            return CLILease(handle: handle, start: .cold, continuation: .fresh, input: wish.input, costBaseline: 0)
        }
    }

    /// The request is done and its conversation may continue in this CLI: kept, waiting for the
    /// next user turn or the results of `pending` tool calls. A CLI no longer fit to take a turn,
    /// or a pool that keeps nothing, ends it instead.
    func keep(_ lease: CLILease, identity: ConversationIdentity, pending: Set<String>, cost: Double) {
        guard finish(lease) else { return }
        guard !isStopping, parked.isEnabled, lease.handle.process.isUsable else { return end(lease.handle) }
        parked.park(lease.handle, identity: identity, pending: pending, cost: cost)
    }

    /// The request is done and nothing will continue in this CLI: it is ended.
    func discard(_ lease: CLILease) {
        guard finish(lease) else { return }
        end(lease.handle)
    }

    private func finish(_ lease: CLILease) -> Bool {
        guard !lease.isEnded else {
            assertionFailure("a CLI lease was ended twice")
            return false
        }
        lease.isEnded = true
        leased -= 1
        return true
    }

    // MARK: The one teardown

    /// Starts a CLI and registers it until it is gone.
    private func start(_ shape: SpawnShape, history: SessionHistory? = nil,
                       requestID: String) -> Result<CLIHandle, TurnFailure> {
        spawner.spawn(shape, history: history, requestID: requestID).map { handle in
            handles[ObjectIdentifier(handle)] = handle
            if let bridge = handle.bridge { toolEndpoints[bridge.token] = bridge }
            handle.process.onGone = { [unowned self, weak handle] _ in if let handle { self.dispose(handle) } }
            return handle
        }
    }

    /// The one place a CLI is ended, whoever held it: its held tool calls are answered with an
    /// error, its input closed, its group stopped; `dispose` follows once it is gone.
    private func end(_ handle: CLIHandle) {
        handle.bridge?.close()
        handle.process.end()
    }

    /// The process is gone (reaped, stdout closed): its files and bridge go, and every registry
    /// forgets it.
    private func dispose(_ handle: CLIHandle) {
        handles[ObjectIdentifier(handle)] = nil
        if let bridge = handle.bridge {
            bridge.close()
            // The bridge of a CLI that is gone answers 404 from now on.
            toolEndpoints[bridge.token] = nil
        }
        spawner.removeFiles(of: handle)
        parked.forget(handle)
        warm.forget(handle)
    }

    /// The proxy stops: kept and warm CLIs serve no running request and end now; leased ones end
    /// with their requests.
    func endAll() {
        isStopping = true
        refillTimer?.close()
        refillTimer = nil
        parked.endAll()
        warm.endAll()
    }

    /// At exit, after every process was killed and reaped: whatever is still registered is freed.
    func disposeAll() {
        for handle in Array(handles.values) { dispose(handle) }
    }

    // MARK: The warm pool

    /// Starts warm CLIs for the shapes that want one, one at a time, off the request's path and
    /// only while there is a free place (a warm start must not take CPU from running requests).
    func refillWarmPool() {
        guard warm.isEnabled, !isStopping, !refillPending else { return }
        refillPending = true
        refillTimer?.schedule(after: 0.05)
    }

    private func refillNow() {
        refillPending = false
        guard !isStopping, runningRequests() < settings.maxConcurrency,
              let shape = warm.wanted(now: clock()).first else { return }
        if case .success(let handle) = start(shape, requestID: "warm") {
            warm.add(handle)
            refillWarmPool()
        }
    }
}
