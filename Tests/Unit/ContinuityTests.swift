import PropertyBased
import Testing
@testable import ChildProcesses
@testable import ProxyCore
@testable import ProxyDaemon

/// A request continues a kept conversation only when it is exactly that conversation plus the
/// new turn; cosmetic differences do not matter, any real one does.
struct ConversationIdentityTests {
    private let shape = SpawnShape(model: "sonnet", options: CLIOptions(), system: "S",
                                   tools: [ToolSpec(name: "f", parameters: .object(["type": .string("object")]))],
                                   keepsConversation: true)
    private var key: ConversationIdentity.Key { .init(apiKey: "k1", shape: shape) }

    private func conversation(_ turns: [Conversation.Turn]) -> Conversation { Conversation(system: ["S"], turns: turns) }

    private var base: [Conversation.Turn] {
        [Conversation.Turn(role: .user, texts: ["hello", "there"])]
    }

    private var parked: ConversationIdentity {
        ConversationIdentity(key: key, conversation: conversation(base))
            .appending(reply: "", calls: [.init(id: "c1", name: "f", arguments: #"{"a": 1, "b": [2]}"#)])
    }

    private func result(_ text: String = "ok") -> Conversation.Turn {
        Conversation.Turn(role: .tool, blocks: [.toolResult(.init(callID: "c1", content: text))])
    }

    @Test func cosmeticDifferencesDoNotMatter() {
        // Text as one string or two parts; arguments with other spacing and key order; null content.
        let request = conversation([
            Conversation.Turn(role: .user, texts: ["hello\nthere"]),
            Conversation.Turn(role: .assistant, blocks: [.text(""), .toolCall(.init(id: "c1", name: "f", arguments: #"{"b":[2],"a":1}"#))]),
            result(),
        ])
        #expect(parked.continuation(by: request, key: key, pending: ["c1"]) == .toolResults(["c1": "ok"]))
    }

    @Test func anyRealChangeIsAnotherConversation() async {
        let variants: [(String, Conversation, ConversationIdentity.Key)] = [
            ("an edited message", conversation([Conversation.Turn(role: .user, texts: ["hello", "thera"]),
                                                Conversation.Turn(role: .assistant, blocks: [.toolCall(.init(id: "c1", name: "f", arguments: #"{"a":1,"b":[2]}"#))]),
                                                result()]), key),
            ("other arguments", conversation(base + [Conversation.Turn(role: .assistant, blocks: [.toolCall(.init(id: "c1", name: "f", arguments: #"{"a":2,"b":[2]}"#))]), result()]), key),
            ("another call id", conversation(base + [Conversation.Turn(role: .assistant, blocks: [.toolCall(.init(id: "c9", name: "f", arguments: #"{"a":1,"b":[2]}"#))]), result()]), key),
            ("another key", conversation(base + [Conversation.Turn(role: .assistant, blocks: [.toolCall(.init(id: "c1", name: "f", arguments: #"{"a":1,"b":[2]}"#))]), result()]),
             .init(apiKey: "k2", shape: shape)),
        ]
        for (name, request, requestKey) in variants {
            #expect(parked.continuation(by: request, key: requestKey, pending: ["c1"]) == nil, "\(name)")
        }
        var other = shape
        other.system = "S2"
        let sameTurns = conversation(base + [Conversation.Turn(role: .assistant, blocks: [.toolCall(.init(id: "c1", name: "f", arguments: #"{"a":1,"b":[2]}"#))]), result()])
        #expect(parked.continuation(by: sameTurns, key: .init(apiKey: "k1", shape: other), pending: ["c1"]) == nil, "another system prompt")
        other = shape
        other.tools = []
        #expect(parked.continuation(by: sameTurns, key: .init(apiKey: "k1", shape: other), pending: ["c1"]) == nil, "other tools")
        other = shape
        other.model = "opus"
        #expect(parked.continuation(by: sameTurns, key: .init(apiKey: "k1", shape: other), pending: ["c1"]) == nil, "another model")
    }

    /// Property: changing any one character of any earlier message makes it another conversation.
    @Test func anyEditOfAnyEarlierTextBreaksTheMatch() async {
        let texts = ["first question", "an answer", "second question"]
        await propertyCheck(input: Gen.int(in: 0...2), Gen.int(in: 0...12)) { which, position in
            var edited = texts
            var characters = Array(edited[which])
            characters[min(position, characters.count - 1)] = "#"
            edited[which] = String(characters)
            let parked = ConversationIdentity(key: key, conversation: conversation([
                Conversation.Turn(role: .user, texts: [texts[0]]), Conversation.Turn(role: .assistant, texts: [texts[1]]),
                Conversation.Turn(role: .user, texts: [texts[2]])])).appending(reply: "reply", calls: [])
            let request = conversation([
                Conversation.Turn(role: .user, texts: [edited[0]]), Conversation.Turn(role: .assistant, texts: [edited[1]]),
                Conversation.Turn(role: .user, texts: [edited[2]]), Conversation.Turn(role: .assistant, texts: ["reply"]),
                Conversation.Turn(role: .user, texts: ["next"])])
            #expect(parked.continuation(by: request, key: key, pending: []) == nil)
        }
    }

    @Test func onlyExactlyThePendingResultsOrOneNewUserTurnContinue() {
        let calls = conversation(base + [Conversation.Turn(role: .assistant, blocks: [.toolCall(.init(id: "c1", name: "f", arguments: #"{"a":1,"b":[2]}"#))])])
        #expect(parked.continuation(by: conversation(calls.turns + [Conversation.Turn(role: .user, texts: ["x"])]), key: key, pending: ["c1"]) == nil,
                "a user turn while calls are pending")
        let two = Conversation.Turn(role: .tool, blocks: [.toolResult(.init(callID: "c1", content: "a")), .toolResult(.init(callID: "c2", content: "b"))])
        #expect(parked.continuation(by: conversation(calls.turns + [two]), key: key, pending: ["c1"]) == nil, "a result for no call")
        #expect(parked.continuation(by: conversation(calls.turns + [result(), Conversation.Turn(role: .user, texts: ["x"])]), key: key, pending: ["c1"]) == nil,
                "more than one new turn")
        let text = ConversationIdentity(key: key, conversation: conversation(base)).appending(reply: "Hi", calls: [])
        let next = Conversation.Turn(role: .user, texts: ["more"])
        #expect(text.continuation(by: conversation(base + [Conversation.Turn(role: .assistant, texts: ["Hi"]), next]), key: key, pending: []) == .nextTurn(next))
    }
}

/// The registry of kept conversations and the warm pool, on a fake clock with fake CLIs.
struct ContinuityPolicyTests {
    private let shape = SpawnShape(model: "sonnet", options: CLIOptions(), system: "S", tools: [], keepsConversation: true)

    private func handle(_ shape: SpawnShape? = nil, clock: FakeTimers) -> (CLIHandle, FakeChildIO) {
        let io = FakeChildIO()
        return (CLIHandle(process: CLIProcess(io: io, timers: clock), shape: shape ?? self.shape, promptPath: "/p", temporaryDirectory: "/t", bridge: nil), io)
    }

    private func identity(_ text: String) -> ConversationIdentity {
        ConversationIdentity(key: .init(apiKey: "k", shape: shape),
                             conversation: Conversation(turns: [Conversation.Turn(role: .user, texts: [text])]))
            .appending(reply: "r", calls: [])
    }

    private func next(_ text: String) -> Conversation {
        Conversation(turns: [Conversation.Turn(role: .user, texts: [text]), Conversation.Turn(role: .assistant, texts: ["r"]),
                             Conversation.Turn(role: .user, texts: ["more"])])
    }

    @Test func parkedConversationsTimeOutAndTheOldestGoesFirst() {
        let clock = FakeTimers()
        var ended: [ObjectIdentifier] = []
        let parked = ParkedConversations(capacity: 2, timeout: 300, timers: clock)
        parked.onEvict = { ended.append(ObjectIdentifier($0)) }
        let (a, _) = handle(clock: clock), (b, _) = handle(clock: clock), (c, _) = handle(clock: clock)
        parked.park(a, identity: identity("a"), pending: [], cost: 0)
        clock.advance(by: 100)
        parked.park(b, identity: identity("b"), pending: [], cost: 0)
        parked.park(c, identity: identity("c"), pending: [], cost: 0)
        #expect(ended == [ObjectIdentifier(a)], "over capacity: the least recently parked goes")
        #expect(parked.evictions == 1)
        let taken = parked.take(next("b"), key: .init(apiKey: "k", shape: shape))
        #expect(taken?.entry.handle === b)
        #expect(parked.take(next("b"), key: .init(apiKey: "k", shape: shape)) == nil, "one match, one taker")
        clock.advance(by: 300)
        #expect(ended == [ObjectIdentifier(a), ObjectIdentifier(c)], "c timed out; b was taken")
        #expect(parked.count == 0)
    }

    @Test func aParkedCLIThatDiedIsNeverHandedOut() {
        let clock = FakeTimers()
        let parked = ParkedConversations(capacity: 4, timeout: 300, timers: clock)
        let (a, io) = handle(clock: clock)
        parked.park(a, identity: identity("a"), pending: [], cost: 0)
        io.exit(1)
        #expect(parked.take(next("a"), key: .init(apiKey: "k", shape: shape)) == nil)
    }

    @Test func theWarmPoolKeepsRecentShapesRetiresOldOnesAndDiscardsTheDead() {
        let clock = FakeTimers()
        var ended = 0
        let pool = WarmPool(capacity: 1, retireAfter: 600)
        pool.onEvict = { _ in ended += 1 }
        var other = shape
        other.system = "T"
        #expect(pool.take(shape, now: 0) == nil && pool.misses == 1)
        #expect(pool.wanted(now: 1) == [shape])
        let (warm, io) = handle(clock: clock)
        pool.add(warm)
        #expect(pool.take(shape, now: 2) === warm && pool.hits == 1, "a hit")
        let (second, _) = handle(clock: clock)
        pool.add(second)
        #expect(pool.take(other, now: 3) == nil)
        #expect(pool.wanted(now: 3) == [other], "capacity 1: the newer shape takes the place")
        #expect(ended == 1, "the older shape's warm CLI was ended")
        let (dying, dyingIO) = handle(other, clock: clock)
        pool.add(dying)
        dyingIO.exit(1)
        #expect(pool.take(other, now: 4) == nil && pool.discarded == 1, "a dead warm CLI is discarded, never handed out")
        #expect(pool.wanted(now: 700).isEmpty, "shapes not seen for a while retire")
        let (spare, _) = handle(clock: clock)
        pool.add(spare)
        #expect(pool.evictOne() && pool.count == 0 && !pool.evictOne(), "room is made one warm CLI at a time")
        _ = io
    }
}
