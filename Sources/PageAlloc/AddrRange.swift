// Address ranges in the offset address space (mranges.go).

/// A half-open range [base, limit) of addresses in the offset space.
///
/// Mirrors `addrRange` in mranges.go.
public struct AddrRange: Equatable, Sendable, CustomStringConvertible {
    public var base: OffAddr
    public var limit: OffAddr
    public init(base: OffAddr, limit: OffAddr) { self.base = base; self.limit = limit }
    public static let empty = AddrRange(base: OffAddr(0), limit: OffAddr(0))
    public var description: String { "[\(base), \(limit))" }
}

extension OffsetSpace {
    /// Mirrors makeAddrRange: refuses a range whose ends lie on different
    /// sides of the arenaBaseOffset discontinuity.
    public func makeAddrRange(_ base: UInt64, _ limit: UInt64) throws -> AddrRange {
        let baseWraps = ((base &- arenaBaseOffset) & uintptrMask) >= base
        let limitWraps = ((limit &- arenaBaseOffset) & uintptrMask) >= limit
        if baseWraps != limitWraps {
            throw GoThrow("addr range base and limit are not in the same memory segment",
                          printed: ["runtime: base = 0x\(String(base, radix: 16)), limit = 0x\(String(limit, radix: 16))"])
        }
        return AddrRange(base: OffAddr(base), limit: OffAddr(limit))
    }

    /// Mirrors addrRange.size: bytes in the range, 0 if it is empty.
    public func size(_ r: AddrRange) -> UInt64 {
        guard lessThan(r.base, r.limit) else { return 0 }
        return diff(r.limit, r.base)
    }

    /// Mirrors addrRange.contains.
    public func contains(_ r: AddrRange, _ addr: UInt64) -> Bool {
        lessEqual(r.base, OffAddr(addr)) && lessThan(OffAddr(addr), r.limit)
    }

    /// Mirrors addrRange.subtract: removes `b` from `a` where they overlap.
    /// Throws "bad prune" if `b` lies strictly inside `a` (the result would
    /// be two ranges).
    public func subtract(_ a: AddrRange, _ b: AddrRange) throws -> AddrRange {
        var a = a
        if lessEqual(b.base, a.base) && lessEqual(a.limit, b.limit) {
            return AddrRange.empty
        } else if lessThan(a.base, b.base) && lessThan(b.limit, a.limit) {
            throw GoThrow("bad prune", printed: ["runtime: a = \(a), b = \(b)"])
        } else if lessThan(b.limit, a.limit) && lessThan(a.base, b.limit) {
            a.base = b.limit
        } else if lessThan(a.base, b.base) && lessThan(b.base, a.limit) {
            a.limit = b.base
        }
        return a
    }
}

/// A sorted list of disjoint, coalesced address ranges.
///
/// Mirrors `addrRanges` in mranges.go. Go allocates the backing array with
/// persistentalloc charged to a sysStat (16 entries, doubling); that charge
/// is mirrored in `persistentBytes` so the accounting can be checked.
public struct AddrRanges: Sendable, Equatable {
    public private(set) var ranges: [AddrRange] = []
    /// Sum of the sizes of all ranges (`totalBytes`).
    public private(set) var totalBytes: UInt64 = 0
    /// Capacity of the persistentalloc'd backing array, in entries.
    public private(set) var capacity = 16
    /// Bytes charged to sysStat for the backing arrays (16 bytes per entry,
    /// every array ever allocated, since persistentalloc never frees).
    public private(set) var persistentBytes: UInt64 = 16 * 16
    let space: OffsetSpace
    /// golang/go#36113 put back: a grown backing array keeps the old
    /// length, so the range being added is not counted (set by the
    /// `preFix36113` variant).
    public var growKeepsOldLength = false

    /// Mirrors (*addrRanges).init.
    public init(space: OffsetSpace) { self.space = space }

    /// Mirrors (*addrRanges).findSucc: the index of the first range whose
    /// base is strictly greater than `addr`; if `addr` is inside range i,
    /// returns i+1. Binary search down to 8 candidates, then a linear scan.
    public func findSucc(_ addr: UInt64) -> Int {
        let base = OffAddr(addr)
        let iterMax = 8
        var bot = 0, top = ranges.count
        while top - bot > iterMax {
            let i = (top - bot) / 2 + bot
            if space.contains(ranges[i], base.a) { return i + 1 }
            if space.lessThan(base, ranges[i].base) { top = i } else { bot = i + 1 }
        }
        for i in bot..<top where space.lessThan(base, ranges[i].base) { return i }
        return top
    }

    /// Mirrors (*addrRanges).findAddrGreaterEqual: the smallest address in
    /// the ranges that is >= `addr`, or nil if there is none. Like Go, it
    /// indexes ranges[0] when `addr` precedes every range, which panics on an
    /// empty list.
    public func findAddrGreaterEqual(_ addr: UInt64) throws -> UInt64? {
        let i = findSucc(addr)
        if i == 0 {
            guard !ranges.isEmpty else { throw GoPanic("index out of range [0] with length 0 (addrRanges.findAddrGreaterEqual)") }
            return ranges[0].base.a
        }
        if space.contains(ranges[i - 1], addr) { return addr }
        if i < ranges.count { return ranges[i].base.a }
        return nil
    }

    /// Mirrors (*addrRanges).contains.
    public func contains(_ addr: UInt64) -> Bool {
        let i = findSucc(addr)
        if i == 0 { return false }
        return space.contains(ranges[i - 1], addr)
    }

    /// Mirrors (*addrRanges).add: inserts `r`, which must not overlap any
    /// range, coalescing with its neighbours where they touch.
    public mutating func add(_ r: AddrRange) throws {
        let size = space.size(r)
        if size == 0 {
            throw GoThrow("attempted to add zero-sized address range", printed: ["runtime: range = {\(r.base), \(r.limit)}"])
        }
        let i = findSucc(r.base.a)
        let coalescesDown = i > 0 && ranges[i - 1].limit == r.base
        let coalescesUp = i < ranges.count && r.limit == ranges[i].base
        if coalescesUp && coalescesDown {
            ranges[i - 1].limit = ranges[i].limit
            ranges.remove(at: i)
        } else if coalescesDown {
            ranges[i - 1].limit = r.limit
        } else if coalescesUp {
            ranges[i].base = r.base
        } else {
            if ranges.count + 1 > capacity {
                capacity *= 2
                persistentBytes += UInt64(capacity) * 16
                if growKeepsOldLength {
                    // Go copies ranges[i:] to the new array's [i+1:len]:
                    // past its end when i == len, a slice bounds panic;
                    // else one range short, so the last range is lost.
                    if i == ranges.count {
                        throw GoPanic("slice bounds out of range [\(i + 1):\(i)] (addrRanges.add)")
                    }
                    ranges.insert(r, at: i)
                    ranges.removeLast()
                    totalBytes += size
                    return
                }
            }
            ranges.insert(r, at: i)
        }
        totalBytes += size
    }
}
