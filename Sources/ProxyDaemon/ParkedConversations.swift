import ProxyCore

/// CLIs kept after a reply, each holding a conversation that may continue: its next user turn,
/// or the results of the tool calls it waits on. At most `capacity` (the least recently parked
/// goes first); each is ended after `timeout` without its next request. A request takes the one
/// whose conversation it continues exactly, and no other: one match, one taker. What it lets go
/// of (evicted, expired) goes to `onEvict`: `CLIPool` ends it.
final class ParkedConversations {
    struct Entry {
        var identity: ConversationIdentity
        var handle: CLIHandle
        /// Tool calls the CLI waits on (empty when it waits for the next user turn).
        var pending: Set<String>
        /// The CLI's cumulative cost so far.
        var cost: Double
        var timer: any LoopTimer
        var serial: Int
    }

    private(set) var entries: [Entry] = []
    private let capacity: Int
    private let timeout: Double
    private let timers: any TimerFactory
    var onEvict: (CLIHandle) -> Void = { _ in }
    private var serial = 0
    private(set) var evictions = 0

    init(capacity: Int, timeout: Double, timers: any TimerFactory) {
        self.capacity = capacity
        self.timeout = timeout
        self.timers = timers
    }

    var count: Int { entries.count }
    var isEnabled: Bool { capacity > 0 }

    func park(_ handle: CLIHandle, identity: ConversationIdentity, pending: Set<String>, cost: Double) {
        guard isEnabled else { return onEvict(handle) }
        serial += 1
        let number = serial
        let timer = timers.timer { [weak self] in self?.expire(number) }
        timer.schedule(after: timeout)
        entries.append(Entry(identity: identity, handle: handle, pending: pending, cost: cost, timer: timer, serial: number))
        while entries.count > capacity {
            evictions += 1
            remove(at: 0)
        }
    }

    /// The parked conversation `request` continues, taken out of the registry, with how.
    func take(_ request: Conversation, key: ConversationIdentity.Key)
        -> (entry: Entry, continuation: ConversationIdentity.Continuation)? {
        for (index, entry) in entries.enumerated().reversed() {
            // A CLI no longer fit to take a turn (exited, output ended or overflowed, being stopped)
            // is never handed out; it goes when it is gone.
            guard entry.handle.process.isUsable,
                  let continuation = entry.identity.continuation(by: request, key: key, pending: entry.pending) else {
                continue
            }
            entries.remove(at: index)
            entry.timer.close()
            return (entry, continuation)
        }
        return nil
    }

    /// A parked CLI that died on its own is forgotten.
    func forget(_ handle: CLIHandle) {
        guard let index = entries.firstIndex(where: { $0.handle === handle }) else { return }
        entries[index].timer.close()
        entries.remove(at: index)
    }

    /// Room is needed, or the proxy stops: end the least recently parked (or all).
    func evictOldest() -> Bool {
        guard !entries.isEmpty else { return false }
        evictions += 1
        remove(at: 0)
        return true
    }

    func endAll() {
        while !entries.isEmpty { remove(at: 0) }
    }

    private func expire(_ number: Int) {
        guard let index = entries.firstIndex(where: { $0.serial == number }) else { return }
        evictions += 1
        remove(at: index)
    }

    private func remove(at index: Int) {
        let entry = entries.remove(at: index)
        entry.timer.close()
        onEvict(entry.handle)
    }
}

/// CLIs started before their request, for the request shapes seen recently. At most `capacity`
/// warm CLIs, one per shape, for the most recently seen shapes; a shape not seen for `retireAfter`
/// seconds is retired. A warm CLI that died while waiting is discarded, never handed out. What it
/// lets go of goes to `onEvict`.
final class WarmPool {
    private var warm: [SpawnShape: CLIHandle] = [:]
    /// Shapes by the time they were last asked for (`clock` seconds), most recent last.
    private var recent: [(shape: SpawnShape, at: Double)] = []
    private let capacity: Int
    private let retireAfter: Double
    var onEvict: (CLIHandle) -> Void = { _ in }
    private(set) var hits = 0
    private(set) var misses = 0
    private(set) var discarded = 0

    init(capacity: Int, retireAfter: Double = 600) {
        self.capacity = capacity
        self.retireAfter = retireAfter
    }

    var count: Int { warm.count }
    var isEnabled: Bool { capacity > 0 }

    /// A usable warm CLI of this shape, if one is waiting (counted as a hit or a miss).
    func take(_ shape: SpawnShape, now: Double) -> CLIHandle? {
        guard isEnabled else { return nil }
        recent.removeAll { $0.shape == shape }
        recent.append((shape, now))
        if let handle = warm.removeValue(forKey: shape) {
            if handle.process.isUsable {
                hits += 1
                return handle
            }
            discarded += 1
            onEvict(handle)
        }
        misses += 1
        return nil
    }

    /// The shapes that should have a warm CLI and have none, most recent first; retires the rest.
    func wanted(now: Double) -> [SpawnShape] {
        recent.removeAll { now - $0.at > retireAfter }
        let keep = Set(recent.suffix(capacity).map(\.shape))
        for (shape, handle) in warm where !keep.contains(shape) || !handle.process.isUsable {
            if !handle.process.isUsable { discarded += 1 }
            warm[shape] = nil
            onEvict(handle)
        }
        return recent.suffix(capacity).reversed().map(\.shape).filter { warm[$0] == nil }
    }

    func add(_ handle: CLIHandle) {
        if let old = warm.updateValue(handle, forKey: handle.shape) { onEvict(old) }
    }

    /// Room is needed: one warm CLI goes. False when there is none.
    func evictOne() -> Bool {
        guard let (shape, handle) = warm.first else { return false }
        warm[shape] = nil
        onEvict(handle)
        return true
    }

    func endAll() {
        let all = warm.values
        warm = [:]
        for handle in all { onEvict(handle) }
    }

    /// A warm CLI that is gone is forgotten.
    func forget(_ handle: CLIHandle) {
        if warm[handle.shape] === handle { warm[handle.shape] = nil }
    }
}
