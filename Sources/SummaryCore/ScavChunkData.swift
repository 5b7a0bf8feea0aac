// Go 1.21+'s per-chunk scavenge index entry (mgcscavenge.go: scavChunkData,
// unpackScavChunkData, pack, alloc, free, shouldScavenge), written once over
// `SumWord` so that the prover proves the code the checker runs (the
// checker decodes Go's index words with it; a port of Go 1.27's scavenger
// would run it too).
//
// The packed word: bits 0-15 the pages in use (`inUse`, a uint16), bits
// 16-25 the in-use count at the start of the chunk's generation
// (`lastInUse`, logScavChunkInUseMax = 10 bits: a chunk has 512 pages),
// bits 26-31 the flags (6 bits; bit 0 `scavChunkHasFree`), bits 32-63 the
// generation (a uint32).

/// One chunk's scavenge index entry, unpacked. Mirrors `scavChunkData`.
@frozen
public struct ScavChunkData<W: SumWord> {
    /// Pages allocated in the chunk (Go's uint16 `inUse`).
    public var inUse: W
    /// `inUse` at the start of the chunk's generation (10 bits when packed).
    public var lastInUse: W
    /// The generation of the chunk's last alloc or free (Go's uint32 `gen`).
    public var gen: W
    /// `scavChunkFlags` (6 bits when packed).
    public var flags: W

    @inlinable @inline(__always)
    public init(inUse: W, lastInUse: W, gen: W, flags: W) {
        self.inUse = inUse
        self.lastInUse = lastInUse
        self.gen = gen
        self.flags = flags
    }

    /// `logScavChunkInUseMax`: bits enough for 0...pallocChunkPages.
    @inlinable public static var logInUseMax: Int { Int(Geometry.logPallocChunkPages) + 1 }
    /// `scavChunkInUseMask`.
    @inlinable public static var inUseMask: W { W((1 << UInt64(logInUseMax)) - 1) }
    /// `scavChunkFlagsMask` (scavChunkMaxFlags = 6).
    @inlinable public static var flagsMask: W { W((1 << 6) - 1) }
    /// `scavChunkHasFree`: the chunk may hold free, unscavenged pages.
    @inlinable public static var hasFree: W { W(1) }
    /// `scavChunkHiOccPages`: uint16(0.96875 * pallocChunkPages), a chunk
    /// at least this full is dense (the background scavenger skips it).
    /// 0.96875 is 31/32, so the product is exact: 496.
    @inlinable public static var hiOccPages: W { W(Geometry.pallocChunkPages * 31 / 32) }

    /// Mirrors unpackScavChunkData.
    @inlinable @inline(__always)
    public init(packed sc: W) {
        inUse = sc & W(0xFFFF)
        lastInUse = (sc >> 16) & W(0xFFFF) & Self.inUseMask
        gen = (sc >> 32) & W(0xFFFF_FFFF)
        flags = (sc >> (16 + Self.logInUseMax)) & W(0xFF) & Self.flagsMask
    }

    /// Mirrors scavChunkData.pack.
    @inlinable @inline(__always)
    public var packed: W {
        (inUse & W(0xFFFF)) | ((lastInUse & W(0xFFFF)) << 16)
            | ((flags & W(0xFF)) << (16 + Self.logInUseMax)) | ((gen & W(0xFFFF_FFFF)) << 32)
    }

    /// Mirrors scavChunkFlags.isEmpty.
    @inlinable @inline(__always)
    public var isEmpty: W.Condition { flags & Self.hasFree == W(0) }

    /// Mirrors scavChunkData.alloc (Go throws when inUse + npages exceeds a
    /// chunk; callers here state that as their assumption): the first touch
    /// in a new generation saves inUse in lastInUse; a full chunk has
    /// nothing to scavenge.
    @inlinable @inline(__always)
    public mutating func alloc(_ npages: W, newGen: W) {
        let newGeneration = gen != newGen
        lastInUse = W.select(newGeneration, inUse, lastInUse)
        gen = newGen & W(0xFFFF_FFFF)
        inUse = (inUse &+ npages) & W(0xFFFF)
        flags = W.select(inUse == W(Geometry.pallocChunkPages), flags & ~Self.hasFree, flags)
    }

    /// Mirrors scavChunkData.free (Go throws when npages exceeds inUse):
    /// the same generation step, and the chunk may hold free pages again.
    @inlinable @inline(__always)
    public mutating func free(_ npages: W, newGen: W) {
        let newGeneration = gen != newGen
        lastInUse = W.select(newGeneration, inUse, lastInUse)
        gen = newGen & W(0xFFFF_FFFF)
        inUse = (inUse &- npages) & W(0xFFFF)
        flags = flags | Self.hasFree
    }

    /// Mirrors scavChunkData.shouldScavenge: nothing when the chunk is
    /// marked empty; everything else when forced; otherwise only chunks
    /// below the density threshold now, and, if touched in this
    /// generation, at its start too.
    @inlinable @inline(__always)
    public func shouldScavenge(currGen: W, force: Bool) -> W.Condition {
        if force { return !isEmpty }
        let dense = inUse >= Self.hiOccPages || (gen == currGen && lastInUse >= Self.hiOccPages)
        return !isEmpty && !dense
    }
}
