// The visited set: an open-addressing hash table from a state (or its 64-bit
// fingerprint) to a dense id. Ids are assigned in insertion order, which the
// checker keeps deterministic, so ids are the same on every run.

/// Maps keys to dense ids `0..<count`, storing each key once.
///
/// `hash` values come from the caller: Swift's per-process `hashValue` is fine
/// here because it only chooses slots; whether a key is new, and which id it
/// gets, does not depend on it.
struct StateTable<Key: Hashable> {
    /// id -> key, in insertion order.
    private(set) var keys: [Key] = []
    /// Slot -> id + 1 (0 marks an empty slot). Capacity is a power of two.
    private var slots: [UInt32]
    private var mask: Int

    init(capacity: Int = 1 << 12) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        mask = size - 1
    }

    var count: Int { keys.count }

    /// Looks `key` up; inserts it with the next id if absent.
    mutating func insert(_ key: Key, hash: Int) -> (inserted: Bool, id: Int) {
        if (keys.count + 1) * 4 > slots.count * 3 { grow() }
        var slot = hash & mask
        while true {
            let entry = slots[slot]
            if entry == 0 {
                precondition(keys.count < Int(UInt32.max), "StateTable: more than 2^32 states")
                keys.append(key)
                slots[slot] = UInt32(keys.count)
                return (true, keys.count - 1)
            }
            if keys[Int(entry) - 1] == key { return (false, Int(entry) - 1) }
            slot = (slot + 1) & mask
        }
    }

    /// The id of `key`, or nil.
    func find(_ key: Key, hash: Int) -> Int? {
        var slot = hash & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { return nil }
            if keys[Int(entry) - 1] == key { return Int(entry) - 1 }
            slot = (slot + 1) & mask
        }
    }

    private mutating func grow() {
        let size = slots.count * 2
        var fresh = [UInt32](repeating: 0, count: size)
        let freshMask = size - 1
        for (index, key) in keys.enumerated() {
            var slot = key.hashValue & freshMask
            while fresh[slot] != 0 { slot = (slot + 1) & freshMask }
            fresh[slot] = UInt32(index + 1)
        }
        slots = fresh
        mask = freshMask
    }

    /// Approximate bytes held, for reports.
    var approximateBytes: Int { slots.count * 4 + keys.count * MemoryLayout<Key>.stride }
}
