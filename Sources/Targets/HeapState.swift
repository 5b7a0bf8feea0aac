// The state of an allocator under test as the invariants see it: one value
// type, filled by the port (PortTarget) or by a Go runtime (the driver's
// snapshot over the pipe). The invariants judge it with the checker's own
// code; nothing here calls back into the target.

import TraceFormat

/// One summary as the target reported it: its index at its level, whether
/// its memory was readable, and the packed pallocSum word when it was.
public struct SummaryEntry: Equatable, Sendable {
    public var index: Int
    public var mapped: Bool
    public var raw: UInt64
    public init(index: Int, mapped: Bool, raw: UInt64) {
        self.index = index
        self.mapped = mapped
        self.raw = raw
    }
}

/// The alloc and scavenged bitmaps of one chunk (Go's `pallocData`), held
/// inline so that a snapshot does not allocate per chunk.
public struct ChunkBits: Equatable, Sendable {
    /// The chunk index (Go's `chunkIdx`, offset address space).
    public var chunk: UInt64
    /// False when the target has no bitmap for the chunk (a missing L2 block).
    public var present: Bool
    /// 8 words of pallocBits, then 8 words of scavenged bits.
    public var words: InlineArray<16, UInt64>
    /// The chunk's scavenge index entry as the target stores it (see
    /// `ScavIndexKind`); nil when the target has no index or the entry's
    /// memory is not mapped.
    public var scavIndex: UInt64?
    public init(chunk: UInt64, present: Bool, words: InlineArray<16, UInt64> = InlineArray(repeating: 0), scavIndex: UInt64? = nil) {
        self.chunk = chunk
        self.present = present
        self.words = words
        self.scavIndex = scavIndex
    }
    @inlinable
    public func alloc(_ w: Int) -> UInt64 { words[w] }
    @inlinable
    public func scavenged(_ w: Int) -> UInt64 { words[8 + w] }

    public static func == (a: ChunkBits, b: ChunkBits) -> Bool {
        guard a.chunk == b.chunk && a.present == b.present && a.scavIndex == b.scavIndex else { return false }
        for i in 0..<16 where a.words[i] != b.words[i] { return false }
        return true
    }
}

/// How the target keeps its scavenge index (mgcscavenge.go,
/// `scavengeIndex`), which decides how `ChunkBits.scavIndex` reads.
public enum ScavIndexKind: Equatable, Sendable {
    /// The target has none.
    case none
    /// Go 1.19, 1.20: one bit per chunk, set when the chunk may hold free
    /// pages that are not scavenged.
    case chunkBitmap
    /// Go 1.21+: a packed `scavChunkData` per chunk: bits 0-15 the count of
    /// allocated pages, the flags (bit 0 `scavChunkHasFree`) at bit
    /// 16 + logPallocChunkPages + 1, the generation in bits 32-63.
    case chunkData
}

/// The scalar state of Go 1.21+'s scavenge index (mgcscavenge.go,
/// `scavengeIndex`), as the target stores it.
public struct ScavIndexScalars: Equatable, Sendable {
    /// `gen`: the generation, raised once per GC cycle by `nextGen`.
    public var gen: UInt32
    /// `searchAddrBg`, `searchAddrForce`: the cursors the background and the
    /// forced scavenger search down from, as raw addresses (a cleared
    /// cursor reads as `minOffAddr`'s address), and their mark bits.
    public var searchAddrBg: UInt64
    public var bgMarked: Bool
    public var searchAddrForce: UInt64
    public var forceMarked: Bool
    /// `freeHWM`: the highest page freed in this generation (raw address;
    /// `minOffAddr`'s when none was).
    public var freeHWM: UInt64
    /// `min`, `max`: the entries of the index whose memory is mapped
    /// [min, max) (64-bit platforms); `minHeapIdx`: the lowest chunk the
    /// heap has grown into, where `find` stops.
    public var min: UInt64
    public var max: UInt64
    public var minHeapIdx: UInt64
    public init(gen: UInt32, searchAddrBg: UInt64, bgMarked: Bool, searchAddrForce: UInt64, forceMarked: Bool,
                freeHWM: UInt64, min: UInt64, max: UInt64, minHeapIdx: UInt64) {
        self.gen = gen
        self.searchAddrBg = searchAddrBg
        self.bgMarked = bgMarked
        self.searchAddrForce = searchAddrForce
        self.forceMarked = forceMarked
        self.freeHWM = freeHWM
        self.min = min
        self.max = max
        self.minHeapIdx = minHeapIdx
    }
}

/// One P's page cache as the target holds it (Go's `pageCache`).
public struct PageCacheState: Equatable, Sendable {
    /// The block's base address (meaningful while `cache` is not 0).
    public var base: UInt64
    /// Bit i: page i of the block is free in the cache.
    public var cache: UInt64
    /// Bit i: page i is free in the cache and scavenged.
    public var scav: UInt64
    public init(base: UInt64, cache: UInt64, scav: UInt64) {
        self.base = base
        self.cache = cache
        self.scav = scav
    }
}

/// Accounting only the simulated OS memory can state exactly (port only).
public struct SimulatedMemoryFacts: Equatable, Sendable {
    /// `gcController.mappedReady` as the allocator kept it.
    public var mappedReady: Int64
    /// Bytes actually in the Ready state.
    public var readyBytes: UInt64
    /// Bytes of the chunks map's L2 blocks.
    public var chunkL2Bytes: UInt64
    /// `p.sysStat` as the allocator kept it.
    public var sysStat: Int64
    /// Bytes of inUse's persistentalloc'd backing array.
    public var persistentBytes: UInt64
    /// `gcController.heapReleased` as the runtime keeps it around the page
    /// allocator: grown memory counts as released, scavengeOne adds what it
    /// releases, an allocation subtracts the scavenged bytes it reports.
    public var heapReleased: Int64?
    public init(mappedReady: Int64, readyBytes: UInt64, chunkL2Bytes: UInt64, sysStat: Int64, persistentBytes: UInt64,
                heapReleased: Int64? = nil) {
        self.mappedReady = mappedReady
        self.readyBytes = readyBytes
        self.chunkL2Bytes = chunkL2Bytes
        self.sysStat = sysStat
        self.persistentBytes = persistentBytes
        self.heapReleased = heapReleased
    }
}

/// A snapshot of the allocator's state after one operation.
///
/// `chunks` lists the grown chunks the snapshot covers (all of them when
/// `full`, else those the operation touched), ascending. `summaries[l]`
/// holds, ascending: at the root level the chunks' ancestors; below it, each
/// ancestor's whole block of children, which holds the chunks' own leaves
/// and their ancestors at that level. Both producers report this set; an
/// invariant that needs a summary the target left out reports it missing.
public struct HeapState: Equatable, Sendable {
    /// `p.searchAddr` (a raw address).
    public var searchAddr: UInt64 = 0
    /// `p.start`, `p.end` (chunk indices).
    public var start: UInt64 = 0
    public var end: UInt64 = 0
    /// `p.inUse.ranges` as raw [base, limit) addresses, in the target's order.
    public var inUse: [(base: UInt64, limit: UInt64)] = []
    /// `p.inUse.totalBytes`, when the target has it.
    public var inUseTotalBytes: UInt64?
    /// `p.summaryMappedReady`, when the target has it.
    public var summaryMappedReady: UInt64?
    /// Whether this snapshot covers every grown chunk.
    public var full = false
    /// Per level, the summaries reported.
    public var summaries: [[SummaryEntry]] = []
    /// Per level, the index ranges [lo, hi) of the summary array whose memory
    /// is mapped readable: reported after a grow and in full snapshots.
    public var mappedSummaryRanges: [[Range<Int>]]?
    /// The chunks reported.
    public var chunks: [ChunkBits] = []
    /// Whether the summary memory of searchAddr's leaf entry is mapped.
    public var searchAddrLeafMapped: Bool?
    /// The simulated OS's exact accounting (the port only).
    public var simulatedMemory: SimulatedMemoryFacts?
    /// How `ChunkBits.scavIndex` is to be read.
    public var scavIndexKind: ScavIndexKind = .none
    /// Bytes the OS (not the allocator's own accounting) has mapped Ready in
    /// the summary arrays, plus in the scavenge index's store where the
    /// target counts it in summaryMappedReady. Reported with the mapped
    /// summary ranges (after a grow, in full snapshots).
    public var metadataMappedBytes: UInt64?
    /// The page caches of Ps 0 to 3, when the target reports them.
    public var pageCaches: [PageCacheState]?
    /// Go 1.21+: the scavenge index's generation, cursors and extent.
    public var scavIndexScalars: ScavIndexScalars?

    public init() {}

    public static func == (a: HeapState, b: HeapState) -> Bool {
        a.searchAddr == b.searchAddr && a.start == b.start && a.end == b.end
            && a.inUse.elementsEqual(b.inUse, by: { $0.base == $1.base && $0.limit == $1.limit })
            && a.inUseTotalBytes == b.inUseTotalBytes && a.summaryMappedReady == b.summaryMappedReady
            && a.full == b.full && a.summaries == b.summaries && a.mappedSummaryRanges == b.mappedSummaryRanges
            && a.chunks == b.chunks && a.searchAddrLeafMapped == b.searchAddrLeafMapped && a.simulatedMemory == b.simulatedMemory
            && a.scavIndexKind == b.scavIndexKind && a.metadataMappedBytes == b.metadataMappedBytes
            && a.pageCaches == b.pageCaches && a.scavIndexScalars == b.scavIndexScalars
    }

    // The invariants call these lookups per chunk and per summary, from
    // another module: inlinable, so that a ChunkBits is not copied out.
    /// The reported summary `l`/`i`, found by binary search.
    @inlinable
    public func summary(level l: Int, index i: Int) -> SummaryEntry? {
        guard l < summaries.count else { return nil }
        let es = summaries[l]
        var lo = 0, hi = es.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if es[mid].index < i { lo = mid + 1 } else { hi = mid }
        }
        return lo < es.count && es[lo].index == i ? es[lo] : nil
    }

    /// The reported chunk `c`, found by binary search.
    @inlinable
    public func chunk(_ c: UInt64) -> ChunkBits? {
        var lo = 0, hi = chunks.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if chunks[mid].chunk < c { lo = mid + 1 } else { hi = mid }
        }
        return lo < chunks.count && chunks[lo].chunk == c ? chunks[lo] : nil
    }
}
