import Glibc
import Logging
import Testing
@testable import ChildProcesses
@testable import OpenAIFront
@testable import ProxyCore
@testable import ProxyDaemon

/// Starts fake CLIs in memory: the pool's tests need no process.
final class FakeSpawner: CLISpawner {
    let clock: FakeTimers
    private(set) var spawned: [(handle: CLIHandle, io: FakeChildIO)] = []
    private(set) var filesRemoved = 0
    private(set) var histories: [SessionHistory?] = []
    var failures: [TurnFailure] = []
    let canResume = true

    init(clock: FakeTimers) { self.clock = clock }

    func spawn(_ shape: SpawnShape, history: SessionHistory?, requestID: String) -> Result<CLIHandle, TurnFailure> {
        if !failures.isEmpty { return .failure(failures.removeFirst()) }
        histories.append(history)
        let io = FakeChildIO(pid: Int32(5000 + spawned.count))
        let bridge = shape.tools.isEmpty ? nil
            : ToolBridgeEndpoint(token: "token\(spawned.count)", tools: shape.tools, configPath: "/c")
        let handle = CLIHandle(process: CLIProcess(io: io, timers: clock), shape: shape, promptPath: "/p",
                               temporaryDirectory: "/t", bridge: bridge)
        spawned.append((handle, io))
        return .success(handle)
    }

    func removeFiles(of handle: CLIHandle) { filesRemoved += 1 }
}

/// The one owner of CLIs, on a fake clock with fake CLIs: leases from kept, warm and new CLIs,
/// each ended exactly once; a request that never starts holds nothing.
@Suite struct CLIPoolTests {
    let clock = FakeTimers()
    let spawner: FakeSpawner
    let pool: CLIPool
    let shape = SpawnShape(model: "sonnet", options: CLIOptions(), system: "S",
                           tools: [ToolSpec(name: "f", parameters: .object(["type": .string("object")]))],
                           keepsConversation: true)
    var key: ConversationIdentity.Key { .init(apiKey: "k", shape: shape) }

    init() {
        spawner = FakeSpawner(clock: clock)
        pool = CLIPool(spawner: spawner, timers: clock, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
                       settings: .init(maxParked: 4, parkTimeout: 300, warmPool: 1, maxConcurrency: 2))
    }

    private let first = [Conversation.Turn(role: .user, texts: ["hello"])]
    private let call = Conversation.ToolCall(id: "c1", name: "f", arguments: "{}")

    private func wish(_ turns: [Conversation.Turn], keeps: Bool = true) -> CLIWish {
        CLIWish(shape: shape, key: key, conversation: Conversation(system: ["S"], turns: turns), keeps: keeps,
                input: Array("whole".utf8), historyForm: .single, requestID: "r")
    }

    private var afterCall: [Conversation.Turn] {
        first + [Conversation.Turn(role: .assistant, blocks: [.toolCall(call)]),
                 Conversation.Turn(role: .tool, blocks: [.toolResult(.init(callID: "c1", content: "42"))])]
    }

    private var identityAfterCall: ConversationIdentity {
        ConversationIdentity(key: key, conversation: Conversation(system: ["S"], turns: first)).appending(reply: "", calls: [call])
    }

    @Test func toolResultsResumeTheCLIThatMadeTheCall() throws {
        let cold = try pool.acquire(wish(first)).get()
        #expect(cold.start == .cold && cold.continuation == .fresh && cold.input == Array("whole".utf8))
        #expect(pool.leased == 1)
        pool.keep(cold, identity: identityAfterCall, pending: ["c1"], cost: 0.5)
        #expect(pool.parked.count == 1 && pool.leased == 0)
        let resumed = try pool.acquire(wish(afterCall)).get()
        #expect(resumed.start == .resumed && resumed.continuation == .toolResults)
        #expect(resumed.input == nil, "the results went over the bridge")
        #expect(resumed.costBaseline == 0.5)
        #expect(resumed.process === cold.process)
        #expect(spawner.spawned.count == 1)
        pool.discard(resumed)
        #expect(spawner.spawned[0].io.signals == [SIGTERM] && spawner.spawned[0].io.inputClosed)
    }

    @Test func theNextTurnResumesWithOnlyThatTurn() throws {
        let lease = try pool.acquire(wish(first)).get()
        let identity = ConversationIdentity(key: key, conversation: Conversation(system: ["S"], turns: first))
            .appending(reply: "hi", calls: [])
        pool.keep(lease, identity: identity, pending: [], cost: 0)
        let next = first + [Conversation.Turn(role: .assistant, texts: ["hi"]), Conversation.Turn(role: .user, texts: ["more"])]
        let resumed = try pool.acquire(wish(next)).get()
        #expect(resumed.continuation == .nextTurn)
        #expect(String(decoding: resumed.input ?? [], as: UTF8.self).contains("more"))
        #expect(!String(decoding: resumed.input ?? [], as: UTF8.self).contains("hello"), "only the new turn is written")
        pool.discard(resumed)
    }

    @Test func aKeptOrWarmCLIThatDiedIsNeverHandedOut() throws {
        let lease = try pool.acquire(wish(first)).get()
        pool.keep(lease, identity: identityAfterCall, pending: ["c1"], cost: 0)
        spawner.spawned[0].io.exit(1)
        let fresh = try pool.acquire(wish(afterCall)).get()
        #expect(fresh.start == .cold, "the dead kept CLI is not resumed")
        spawner.spawned[0].io.endOutput()
        #expect(pool.parked.count == 0, "gone: forgotten, its files removed")
        #expect(spawner.filesRemoved == 1)
        pool.discard(fresh)

        // A warm CLI of the shape: handed out while alive, never once dead.
        _ = pool.warm.take(shape, now: 0)
        pool.refillWarmPool()
        clock.advance(by: 0.1)
        #expect(pool.warm.count == 1)
        let warm = try pool.acquire(wish(first, keeps: false)).get()
        #expect(warm.start == .warm && warm.continuation == .fresh && warm.input == Array("whole".utf8))
        pool.discard(warm)
        clock.advance(by: 0.1)
        let refilled = spawner.spawned.last!
        refilled.io.exit(1)
        let afterDeath = try pool.acquire(wish(first, keeps: false)).get()
        #expect(afterDeath.start == .cold)
        pool.discard(afterDeath)
    }

    @Test func aKeptCLIThatCannotTakeATurnIsEndedNotKept() throws {
        let lease = try pool.acquire(wish(first)).get()
        lease.process.closeInput()
        pool.keep(lease, identity: identityAfterCall, pending: ["c1"], cost: 0)
        #expect(pool.parked.count == 0)
        #expect(spawner.spawned[0].io.signals == [SIGTERM])
    }

    @Test func shortOfProcessesAKeptCLIMakesRoom() throws {
        let lease = try pool.acquire(wish(first)).get()
        pool.keep(lease, identity: identityAfterCall, pending: ["c1"], cost: 0)
        spawner.failures = [.spawnFailed(executable: "claude", errno: EAGAIN)]
        let other = try pool.acquire(wish([Conversation.Turn(role: .user, texts: ["other"])])).get()
        #expect(other.start == .cold && pool.parked.count == 0, "the kept CLI was ended and the start retried")
        #expect(spawner.spawned[0].io.signals == [SIGTERM])
        pool.discard(other)
    }

    /// The bug this ownership fixes: a continuation queued behind a slow request, then cancelled
    /// in the queue, took its kept CLI out of the registry and lost it. Now the CLI is taken only
    /// when a request starts.
    @Test func aQueuedContinuationThatIsCancelledLeavesItsCLIKept() throws {
        let lease = try pool.acquire(wish(first)).get()
        pool.keep(lease, identity: identityAfterCall, pending: ["c1"], cost: 0)
        let scheduler = Scheduler(maxRunning: 1, maxWaiting: 4, queueTimeout: 5, timers: clock)
        let host = Host(pool: pool, scheduler: scheduler, clock: clock)
        let busy = try scheduler.reserve()
        #expect(busy.startsNow)
        let place = try scheduler.reserve()
        #expect(!place.startsNow)
        let sink = FakeSink()
        let run = host.run(wish(afterCall), sink: sink, ticket: place.ticket)
        scheduler.schedule(run, ticket: place.ticket, startsNow: false)
        clock.advance(by: 5)
        #expect(sink.status == 429 && host.ended.count == 1, "the queue timeout answered it")
        #expect(run.lease == nil, "it never held a CLI")
        #expect(pool.parked.count == 1 && pool.leased == 0, "the kept CLI is still kept")
        #expect(spawner.spawned[0].io.signals.isEmpty)
        // The client's retry continues in it.
        let retry = try pool.acquire(wish(afterCall)).get()
        #expect(retry.start == .resumed)
        pool.discard(retry)
        scheduler.release(busy.ticket)
    }

    @Test func aRequestEndsItsLeaseOnceKeptOrDiscarded() throws {
        let scheduler = Scheduler(maxRunning: 2, maxWaiting: 4, queueTimeout: 5, timers: clock)
        let host = Host(pool: pool, scheduler: scheduler, clock: clock)
        for keeps in [true, false] {
            let place = try scheduler.reserve()
            let sink = FakeSink()
            let run = host.run(wish(first, keeps: keeps), sink: sink, ticket: place.ticket, streaming: true)
            scheduler.schedule(run, ticket: place.ticket, startsNow: true)
            let io = spawner.spawned.last!.io
            CLILines.answer(["hi"]).forEach(io.print)
            if !keeps {
                io.exit(0)
                io.endOutput()
            }
            #expect(run.lease?.isEnded == true)
            #expect(pool.parked.count == 1, keeps ? "kept" : "the kept one stays; this one was discarded")
            #expect(pool.leased == 0)
        }
    }

    /// The daemon around a request, as the pool's tests need it.
    final class Host: RequestHost {
        let pool: CLIPool
        let scheduler: Scheduler
        var ended: [RequestRun] = []
        var runs: [RequestRun] = []
        let clock: FakeTimers
        var models: [String: String] = [:]

        func cliRuns(_ model: String, asked: String) { models[asked] = model }
        func requestAnswered(_ run: RequestRun) {}

        init(pool: CLIPool, scheduler: Scheduler, clock: FakeTimers) {
            self.pool = pool
            self.scheduler = scheduler
            self.clock = clock
        }

        func run(_ wish: CLIWish, sink: FakeSink, ticket: Scheduler.Ticket, streaming: Bool = false) -> RequestRun {
            let session = CompletionSession(
                id: "r", sink: sink, translator: ChatTranslator(id: "c", created: 0, model: "m", includeUsage: false),
                isStreaming: streaming, keepsConversation: wish.keeps, headers: [], limits: .init(requestTimeout: 600),
                timers: clock, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            let plan = CLIPoolTests.plan(wish.conversation)
            let run = RequestRun(session: session, wish: wish, plan: plan, ticket: ticket, loginExpired: false, host: self)
            runs.append(run)
            return run
        }

        func requestEnded(_ run: RequestRun) {
            ended.append(run)
            scheduler.release(run.ticket)
        }

        var reported: [RateLimitInfo] = []
        func usageReported(_ info: RateLimitInfo) { reported.append(info) }
        var usageHeaders: [(String, String)] { [] }
    }

    /// The least of a completion plan: its conversation, and a plain reducer.
    static func plan(_ conversation: Conversation) -> CompletionPlan {
        CompletionPlan(id: "r", conversation: conversation, prompt: Prompt(conversation), model: "sonnet",
                       options: CLIOptions(), stopSequences: [], isStreaming: false, tools: nil,
                       translator: ChatTranslator(id: "c", created: 0, model: "m", includeUsage: false))
    }
}
