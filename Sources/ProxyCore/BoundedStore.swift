/// Values held under ids, oldest forgotten first once there are more than `maxCount` or their
/// sizes add up past `maxBytes`. Pure. The conversations the proxy holds for its clients
/// (Messages threads, stored Responses) live in one each, so that no client can grow the
/// daemon without bound.
package struct BoundedStore<Value> {
    private var entries: [String: (value: Value, bytes: Int)] = [:]
    /// Ids, oldest first.
    private var order: [String] = []
    private(set) var heldBytes = 0
    package let maxCount: Int
    package let maxBytes: Int

    package init(maxCount: Int, maxBytes: Int) {
        self.maxCount = maxCount
        self.maxBytes = maxBytes
    }

    package var count: Int { order.count }

    package subscript(id: String) -> Value? { entries[id]?.value }

    /// The size a value was held with (0 when none is).
    package func size(of id: String) -> Int { entries[id]?.bytes ?? 0 }

    /// Holds `value` under `id` (replacing what was there, as the newest), then forgets the
    /// oldest until the bounds hold, never the one `keeps` spares; returns what was forgotten.
    @discardableResult
    package mutating func insert(_ value: Value, id: String, bytes: Int,
                                 keeps: (Value) -> Bool = { _ in false }) -> [Value] {
        remove(id)
        entries[id] = (value, bytes)
        order.append(id)
        heldBytes += bytes
        var evicted: [Value] = []
        var index = 0
        while (order.count > maxCount || heldBytes > maxBytes) && index < order.count - 1 {
            let oldest = order[index]
            if let entry = entries[oldest], keeps(entry.value) { index += 1; continue }
            if let gone = remove(oldest) { evicted.append(gone) }
        }
        return evicted
    }

    /// Replaces the value under `id` in place (its size and age unchanged); false when none is held.
    @discardableResult
    package mutating func update(_ id: String, _ change: (inout Value) -> Void) -> Bool {
        guard var entry = entries[id] else { return false }
        change(&entry.value)
        entries[id] = entry
        return true
    }

    @discardableResult
    package mutating func remove(_ id: String) -> Value? {
        guard let entry = entries.removeValue(forKey: id) else { return nil }
        if let position = order.firstIndex(of: id) { order.remove(at: position) }
        heldBytes -= entry.bytes
        return entry.value
    }
}
