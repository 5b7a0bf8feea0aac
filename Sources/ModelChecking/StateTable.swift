import Foundation

// The visited set: an open-addressing hash table from a state (or its 64-bit
// fingerprint) to a dense id. Ids are assigned in insertion order, which the
// checker keeps deterministic, so ids are the same on every run.

/// What the search needs from its visited set: insert a key, getting whether
/// it is new and its dense id; look one up; count; bytes held.
@usableFromInline
protocol VisitedSet: Sendable {
    associatedtype Key: Hashable & Sendable
    init()
    mutating func insert(_ key: Key, hash: Int) -> (inserted: Bool, id: Int)
    func find(_ key: Key, hash: Int) -> Int?
    var count: Int { get }
    var approximateBytes: Int { get }
}

// The table's code is inlinable so that a search specialised for a model in
// another module (the Models library) specialises the table too: unspecialised,
// every probe compared keys through value witnesses (a third of the search's
// time on the philosophers benchmark, measured with perf).

/// Maps keys to dense ids `0..<count`, storing each key once.
///
/// `hash` values come from the caller: Swift's per-process `hashValue` is fine
/// here because it only chooses slots; whether a key is new, and which id it
/// gets, does not depend on it.
@usableFromInline
struct StateTable<Key: Hashable & Sendable>: VisitedSet {
    /// id -> key, in insertion order.
    @usableFromInline private(set) var keys: [Key] = []
    /// Slot -> id + 1 (0 marks an empty slot). Capacity is a power of two.
    @usableFromInline var slots: [UInt32]
    @usableFromInline var mask: Int

    @inlinable init() { self.init(capacity: 1 << 12) }

    @inlinable init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        mask = size - 1
    }

    @inlinable var count: Int { keys.count }

    /// Looks `key` up; inserts it with the next id if absent.
    @inlinable mutating func insert(_ key: Key, hash: Int) -> (inserted: Bool, id: Int) {
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
    @inlinable func find(_ key: Key, hash: Int) -> Int? {
        var slot = hash & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { return nil }
            if keys[Int(entry) - 1] == key { return Int(entry) - 1 }
            slot = (slot + 1) & mask
        }
    }

    @usableFromInline mutating func grow() {
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
    @usableFromInline var approximateBytes: Int { slots.count * 4 + keys.count * MemoryLayout<Key>.stride }
}

/// SPIN's bitstate (supertrace) storage: a Bloom filter of `1 << log2Bits`
/// bits over 64-bit state fingerprints, `hashes` bits per state. A state all
/// of whose bits are already set counts as visited, so a collision silently
/// omits a state (and what only it leads to); the run reports the expected
/// number of omitted states, summed over insertions (the chance that a new
/// state's bits are all set already is about (set bits / bits)^hashes).
/// Ids are still dense, for the parents a trace needs.
struct BitstateTable: VisitedSet {
    typealias Key = UInt64
    static let defaultLog2Bits = 27  // 16 MiB
    let log2Bits: Int
    let hashes: Int
    private var words: [UInt64]
    private(set) var count = 0
    private(set) var setBits = 0
    /// Sum over insertions of the probability that the state was wrongly
    /// taken for visited (expected omitted states).
    private(set) var expectedOmitted = 0.0

    init() { self.init(log2Bits: BitstateTable.defaultLog2Bits, hashes: 3) }

    init(log2Bits: Int, hashes: Int) {
        precondition((6...40).contains(log2Bits) && (1...8).contains(hashes))
        self.log2Bits = log2Bits
        self.hashes = hashes
        words = [UInt64](repeating: 0, count: 1 << (log2Bits - 6))
    }

    var bits: Int { 1 << log2Bits }

    /// Bit positions by double hashing of the fingerprint (Kirsch-Mitzenmacher).
    @inline(__always) private func position(_ key: UInt64, _ i: Int) -> Int {
        let h1 = key, h2 = (key >> 32 | key << 32) &* 0x9E37_79B9_7F4A_7C15 | 1
        return Int(truncatingIfNeeded: (h1 &+ UInt64(i) &* h2) & UInt64(bits - 1))
    }

    mutating func insert(_ key: UInt64, hash: Int) -> (inserted: Bool, id: Int) {
        if find(key, hash: hash) != nil { return (false, -1) }
        expectedOmitted += pow(Double(setBits) / Double(bits), Double(hashes))
        for i in 0..<hashes {
            let p = position(key, i)
            let mask: UInt64 = 1 << UInt64(p & 63)
            if words[p >> 6] & mask == 0 {
                words[p >> 6] |= mask
                setBits += 1
            }
        }
        count += 1
        return (true, count - 1)
    }

    /// -1 ("visited, id unknown") when every bit is set, else nil.
    func find(_ key: UInt64, hash: Int) -> Int? {
        for i in 0..<hashes {
            let p = position(key, i)
            if words[p >> 6] & (1 << UInt64(p & 63)) == 0 { return nil }
        }
        return -1
    }

    var approximateBytes: Int { words.count * 8 }
}
