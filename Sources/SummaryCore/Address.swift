// Address arithmetic: chunk indices, summary indices and the offset address space.
//
// On amd64 the heap's 48-bit addresses are sign-extended, so the heap occupies
// [0xffff800000000000, 2^64) and [0, 0x0000800000000000): two pieces that wrap
// around zero. Go subtracts arenaBaseOffset (0xffff800000000000) before indexing or
// comparing, which turns them into one contiguous range [0, 2^48). Elsewhere
// arenaBaseOffset is 0 and this changes nothing.
//
// All arithmetic here is `uintptr` arithmetic: it wraps at 2^64, or at 2^32 on
// 32-bit geometries (`Geometry.uintptr(_:)` cuts results to the pointer width).
// Ranges are half-open, [base, limit), unless a local says it is inclusive.

/// An index into the leaf level of the radix tree (one per 4 MiB chunk). Mirrors
/// the `chunkIdx` type in mpagealloc.go.
@frozen
public struct ChunkIdx<W: SumWord> {
    public var value: W

    @inlinable @inline(__always)
    public init(_ value: W) { self.value = value }
}

/// An address seen in the contiguous offset view of the address space. Mirrors the
/// `offAddr` type in mranges.go. The stored value is the virtual address; only
/// comparisons and indexing subtract arenaBaseOffset.
@frozen
public struct OffAddr<W: SumWord> {
    /// The virtual address (Go's `a`; read it with `addr`).
    public var a: W

    @inlinable @inline(__always)
    public init(_ a: W) { self.a = a }

    /// Mirrors offAddr.addr: the virtual address.
    @inlinable @inline(__always)
    public var addr: W { a }

    /// Mirrors offAddr.add: `bytes` further on (wrapping at the pointer width).
    @inlinable @inline(__always)
    public func add(_ bytes: W, _ g: Geometry) -> OffAddr {
        OffAddr(g.uintptr(a &+ bytes))
    }

    /// Mirrors offAddr.sub: `bytes` further back (wrapping at the pointer width).
    @inlinable @inline(__always)
    public func sub(_ bytes: W, _ g: Geometry) -> OffAddr {
        OffAddr(g.uintptr(a &- bytes))
    }

    /// Mirrors offAddr.diff: the bytes from `other` up to `self`.
    @inlinable @inline(__always)
    public func diff(_ other: OffAddr, _ g: Geometry) -> W {
        g.uintptr(a &- other.a)
    }

    /// The offset of this address from arenaBaseOffset, in [0, 2^heapAddrBits) for
    /// heap addresses.
    @inlinable @inline(__always)
    public func offset(_ g: Geometry) -> W {
        g.uintptr(a &- W(g.arenaBaseOffset))
    }

    /// Mirrors offAddr.lessThan in mranges.go: `self` comes before `other` in the
    /// offset address space.
    @inlinable @inline(__always)
    public func lessThan(_ other: OffAddr, _ g: Geometry) -> W.Condition {
        offset(g) < other.offset(g)
    }

    /// Mirrors offAddr.lessEqual in mranges.go.
    @inlinable @inline(__always)
    public func lessEqual(_ other: OffAddr, _ g: Geometry) -> W.Condition {
        offset(g) <= other.offset(g)
    }

    /// Mirrors offAddr.equal in mranges.go (no offset needed to compare for equality).
    @inlinable @inline(__always)
    public func equal(_ other: OffAddr) -> W.Condition {
        a == other.a
    }

    /// Mirrors minOffAddr in mranges.go: the lowest heap address, arenaBaseOffset.
    @inlinable
    public static func minOffAddr(_ g: Geometry) -> OffAddr {
        OffAddr(W(g.arenaBaseOffset))
    }

    /// Mirrors maxOffAddr in mranges.go: the highest heap address.
    @inlinable
    public static func maxOffAddr(_ g: Geometry) -> OffAddr {
        OffAddr(W((((1 << UInt64(g.heapAddrBits)) &- 1) &+ g.arenaBaseOffset) & g.uintptrMask))
    }
}

/// Mirrors chunkIndex in mpagealloc.go: the index of the chunk containing `p`.
@inlinable @inline(__always)
public func chunkIndex<W: SumWord>(_ p: W, _ g: Geometry) -> ChunkIdx<W> {
    ChunkIdx(g.uintptr(p &- W(g.arenaBaseOffset)) >> Geometry.logPallocChunkBytes)
}

/// Mirrors chunkBase in mpagealloc.go: the first address of chunk `ci`.
@inlinable @inline(__always)
public func chunkBase<W: SumWord>(_ ci: ChunkIdx<W>, _ g: Geometry) -> W {
    g.uintptr((ci.value << Geometry.logPallocChunkBytes) &+ W(g.arenaBaseOffset))
}

/// Mirrors chunkPageIndex in mpagealloc.go: the index of the page containing `p`
/// within its chunk, in [0, pallocChunkPages).
@inlinable @inline(__always)
public func chunkPageIndex<W: SumWord>(_ p: W) -> W {
    (p & W(Geometry.pallocChunkBytes &- 1)) >> Geometry.pageShift
}

/// Mirrors offAddrToLevelIndex in mpagealloc.go: the index into summary[level] of
/// the summary covering `addr`.
@inlinable @inline(__always)
public func offAddrToLevelIndex<W: SumWord>(level: Int, _ addr: OffAddr<W>, _ g: Geometry) -> W {
    addr.offset(g) >> g.levelShift[level]
}

/// Mirrors levelIndexToOffAddr in mpagealloc.go: the first address covered by
/// summary[level][index].
@inlinable @inline(__always)
public func levelIndexToOffAddr<W: SumWord>(level: Int, _ index: W, _ g: Geometry) -> OffAddr<W> {
    OffAddr(g.uintptr((index << g.levelShift[level]) &+ W(g.arenaBaseOffset)))
}

/// Mirrors addrsToSummaryRange in mpagealloc.go: the summaries at `level` that
/// cover the addresses [base, limit), as indices [lo, hi) (lo inclusive, hi
/// exclusive).
///
/// hi comes from the inclusive last address, limit-1, so a limit exactly on a
/// summary boundary does not pull in the next summary; limit may be the end of the
/// address space (0 after wrapping).
@inlinable @inline(__always)
public func addrsToSummaryRange<W: SumWord>(level: Int, base: W, limit: W, _ g: Geometry) -> (lo: W, hi: W) {
    let offset = W(g.arenaBaseOffset)
    let shift = g.levelShift[level]
    let lo = g.uintptr(base &- offset) >> shift
    let last = g.uintptr(limit &- 1)           // inclusive from here on
    let hi = (g.uintptr(last &- offset) >> shift) &+ 1
    return (lo, hi)
}

/// Mirrors blockAlignSummaryRange in mpagealloc.go: widens the index range [lo, hi)
/// at `level` outwards to whole blocks of 2^levelBits[level] entries.
@inlinable @inline(__always)
public func blockAlignSummaryRange<W: SumWord>(level: Int, lo: W, hi: W, _ g: Geometry) -> (lo: W, hi: W) {
    let blockMask = (W(1) << g.levelBits[level]) &- 1
    return (lo & ~blockMask, g.uintptr((hi &+ blockMask) & ~blockMask))
}

extension ChunkIdx: Equatable where W: Equatable {}
extension ChunkIdx: Hashable where W: Hashable {}
extension ChunkIdx: Sendable where W: Sendable {}
extension OffAddr: Equatable where W: Equatable {}
extension OffAddr: Hashable where W: Hashable {}
extension OffAddr: Sendable where W: Sendable {}
