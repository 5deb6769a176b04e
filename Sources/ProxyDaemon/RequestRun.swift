import ProxyCore

/// What a request needs from the daemon around it.
protocol RequestHost: AnyObject {
    var pool: CLIPool { get }
    /// The request is over: its access line, its place in the scheduler.
    func requestEnded(_ run: RequestRun)
    /// A CLI reported the subscription's usage windows.
    func usageReported(_ info: RateLimitInfo)
    /// Their latest state, as response headers.
    var usageHeaders: [(String, String)] { get }
    /// The request's reply went out whole (its CLI may still be finishing).
    func requestAnswered(_ run: RequestRun)
    /// A CLI started with `--model asked` runs `model` (an alias resolved): session files name it.
    func cliRuns(_ model: String, asked: String)
}

/// One admitted request, from its place in the queue to its end. It gets its CLI from the pool
/// only when its place is ready (a request that never starts holds nothing), runs its session on
/// it, and when the session is released ends the lease exactly once: kept for the conversation's
/// next request when the session's state machine decided so, else discarded.
final class RequestRun: ScheduledRequest, CompletionSessionOwner {
    let session: CompletionSession
    let wish: CLIWish
    private let plan: CompletionPlan
    let ticket: Scheduler.Ticket
    /// The CLI's turn ends at the model's tool calls (a kept CLI may call the client's tools).
    private let toolCallsEndTurn: Bool
    private let loginExpired: Bool
    private unowned let host: any RequestHost
    private(set) var lease: CLILease?

    init(session: CompletionSession, wish: CLIWish, plan: CompletionPlan, ticket: Scheduler.Ticket,
         loginExpired: Bool, host: any RequestHost) {
        self.session = session
        self.wish = wish
        self.plan = plan
        self.ticket = ticket
        self.loginExpired = loginExpired
        self.host = host
        toolCallsEndTurn = wish.keeps && !plan.bridgedTools.isEmpty
        session.owner = self
    }

    var start: StartKind? { lease?.start }

    /// How the request's earlier turns reached the upstream, once it has a CLI.
    var historyForm: HistoryForm? {
        guard let lease else { return nil }
        return lease.continuation == .fresh ? wish.historyForm : .kept
    }

    // MARK: ScheduledRequest

    func begin() {
        session.admitted()
        switch host.pool.acquire(wish) {
        case .success(let lease):
            self.lease = lease
            let continuity = TurnReducer.Continuity(
                toolCallsEndTurn: toolCallsEndTurn, resumedAfterTools: lease.continuation == .toolResults,
                costBaseline: lease.costBaseline, loginExpired: loginExpired)
            session.start(lease.process, input: lease.input, reducer: plan.reducer(continuity: continuity),
                          spawned: lease.start == .cold)
        case .failure(let failure):
            session.fail(failure)
        }
    }

    func waitInQueue() { session.waitInQueue() }

    func cancel(_ failure: TurnFailure) { session.cancel(failure) }

    /// The proxy exits with this request unfinished: its CLI, if any, goes.
    func abandon() {
        guard let lease, !lease.isEnded else { return }
        host.pool.discard(lease)
    }

    // MARK: CompletionSessionOwner

    func session(_ session: CompletionSession, reported usage: RateLimitInfo) {
        host.usageReported(usage)
    }

    var usageHeaders: [(String, String)] { host.usageHeaders }

    func session(_ session: CompletionSession, runs model: String) {
        host.cliRuns(model, asked: plan.model)
    }

    func sessionAnswered(_ session: CompletionSession) {
        host.requestAnswered(self)
    }

    func sessionReleased(_ session: CompletionSession) {
        if let lease {
            if session.keepsCLI {
                let transcript = session.transcript
                let calls = transcript.completion?.finishReason == .toolCalls ? transcript.toolCalls : []
                // The conversation as the client has it now: its request, and the answer it got
                // (after an interrupt, the part that streamed).
                let identity = ConversationIdentity(key: wish.key, conversation: wish.conversation)
                    .appending(reply: transcript.text, calls: calls)
                host.pool.keep(lease, identity: identity, pending: Set(calls.map(\.id)),
                               cost: session.cumulativeCost ?? lease.costBaseline)
            } else {
                host.pool.discard(lease)
            }
        }
        host.requestEnded(self)
    }
}
