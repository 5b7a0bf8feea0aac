// Addresses in the offset ("linearised") address space, and chunk indices.
// Two distinct types so a raw integer cannot cross address spaces by accident.

/// An address whose ordering is taken in the offset address space.
///
/// Mirrors `offAddr` in mranges.go: it stores the plain address, and compares
/// addresses after subtracting `arenaBaseOffset`, so that on amd64 the heap's
/// address space [0xffff800000000000, 2^64) ∪ [0, 2^47) is one ordered line.
public struct OffAddr: Hashable, Sendable, CustomStringConvertible {
    /// The plain address (`offAddr.a`); `addr()` in Go.
    public var a: UInt64
    public init(_ a: UInt64) { self.a = a }
    public var description: String { "0x" + String(a, radix: 16) }
}

/// A global chunk index: which 4 MiB chunk of the offset address space.
///
/// Mirrors `chunkIdx` in mpagealloc.go.
public struct ChunkIdx: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var v: UInt64
    public init(_ v: UInt64) { self.v = v }
    public static func < (l: ChunkIdx, r: ChunkIdx) -> Bool { l.v < r.v }
    public var description: String { String(v) }
}

/// The arithmetic of one geometry's offset address space: everything that
/// depends on `arenaBaseOffset` and the width of `uintptr`.
public struct OffsetSpace: Sendable, Hashable {
    public let arenaBaseOffset: UInt64
    /// All ones in the low `ptrBits` bits (`uintptrMask`).
    public let uintptrMask: UInt64
    public let heapAddrBits: UInt64

    /// Mirrors `minOffAddr`: the lowest address of the offset space.
    public var minOffAddr: OffAddr { OffAddr(arenaBaseOffset) }
    /// Mirrors `maxOffAddr`: the highest address of the offset space.
    public var maxOffAddr: OffAddr { OffAddr((((1 << heapAddrBits) - 1) &+ arenaBaseOffset) & uintptrMask) }
    /// Mirrors `maxSearchAddr`, the alias that means "no free space".
    public var maxSearchAddr: OffAddr { maxOffAddr }

    /// The linear position of `x` (its distance from `arenaBaseOffset`).
    @inline(__always) public func linear(_ x: UInt64) -> UInt64 { (x &- arenaBaseOffset) & uintptrMask }
    /// The plain address at linear position `x`.
    @inline(__always) public func unlinear(_ x: UInt64) -> UInt64 { (x &+ arenaBaseOffset) & uintptrMask }

    /// Mirrors offAddr.add.
    @inline(__always) public func add(_ l: OffAddr, _ nbytes: UInt64) -> OffAddr { OffAddr((l.a &+ nbytes) & uintptrMask) }
    /// Mirrors offAddr.sub.
    @inline(__always) public func sub(_ l: OffAddr, _ nbytes: UInt64) -> OffAddr { OffAddr((l.a &- nbytes) & uintptrMask) }
    /// Mirrors offAddr.diff.
    @inline(__always) public func diff(_ l1: OffAddr, _ l2: OffAddr) -> UInt64 { (l1.a &- l2.a) & uintptrMask }
    /// Mirrors offAddr.lessThan.
    @inline(__always) public func lessThan(_ l1: OffAddr, _ l2: OffAddr) -> Bool { linear(l1.a) < linear(l2.a) }
    /// Mirrors offAddr.lessEqual.
    @inline(__always) public func lessEqual(_ l1: OffAddr, _ l2: OffAddr) -> Bool { linear(l1.a) <= linear(l2.a) }

    /// Mirrors chunkIndex: the chunk containing plain address `p`.
    @inline(__always) public func chunkIndex(_ p: UInt64) -> ChunkIdx { ChunkIdx(linear(p) / Geometry.pallocChunkBytes) }
    /// Mirrors chunkBase: the plain address of the first byte of chunk `ci`.
    @inline(__always) public func chunkBase(_ ci: ChunkIdx) -> UInt64 { unlinear(ci.v &* Geometry.pallocChunkBytes) }
    /// Mirrors chunkPageIndex: the page of `p` within its chunk.
    @inline(__always) public func chunkPageIndex(_ p: UInt64) -> UInt64 { p % Geometry.pallocChunkBytes / Geometry.pageSize }

    /// Mirrors offAddrToLevelIndex: the summary index at a level of shift
    /// `levelShift` that covers `addr`.
    @inline(__always) public func offAddrToLevelIndex(_ levelShift: Int, _ addr: OffAddr) -> Int { Int(truncatingIfNeeded: linear(addr.a) >> UInt64(levelShift)) }
    /// Mirrors levelIndexToOffAddr: the first address covered by summary `idx`.
    @inline(__always) public func levelIndexToOffAddr(_ levelShift: Int, _ idx: Int) -> OffAddr { OffAddr(unlinear(UInt64(idx) << UInt64(levelShift))) }

    /// Mirrors addrsToSummaryRange: the summaries at a level (of shift
    /// `levelShift`) covering [base, limit), inclusive low, exclusive high.
    /// The upper bound is computed from the last byte (limit-1) so that a
    /// limit on a summary's edge does not count the next summary.
    @inline(__always) public func addrsToSummaryRange(_ levelShift: Int, _ base: UInt64, _ limit: UInt64) -> (lo: Int, hi: Int) {
        let lo = Int(truncatingIfNeeded: linear(base) >> UInt64(levelShift))
        let hi = Int(truncatingIfNeeded: linear((limit &- 1) & uintptrMask) >> UInt64(levelShift)) + 1
        return (lo, hi)
    }
}

extension OffsetSpace {
    /// The offset space of geometry `g`.
    public init(_ g: Geometry) {
        self.init(arenaBaseOffset: g.arenaBaseOffset, uintptrMask: g.uintptrMask, heapAddrBits: UInt64(g.heapAddrBits))
    }
}

extension Geometry {
    /// The port's address arithmetic for this geometry. The checker does
    /// not use it: it has its own (CheckerMath), so a slip here shows.
    public var space: OffsetSpace { OffsetSpace(self) }
    /// The sum layout for this geometry's packed summaries.
    public var sums: SumLayout { SumLayout(logMaxPackedValue: logMaxPackedValue) }
}

/// Mirrors blockAlignSummaryRange: rounds lo down and hi up to multiples of
/// a level's block width `1 << levelBits`.
@inline(__always) public func blockAlignSummaryRange(_ levelBits: Int, _ lo: Int, _ hi: Int) -> (Int, Int) {
    let e = 1 << levelBits
    return (lo & ~(e - 1), (hi + e - 1) & ~(e - 1))
}

@inline(__always) func alignUp(_ n: UInt64, _ a: UInt64) -> UInt64 { (n &+ a &- 1) & ~(a &- 1) }
@inline(__always) func alignDown(_ n: UInt64, _ a: UInt64) -> UInt64 { n & ~(a &- 1) }
