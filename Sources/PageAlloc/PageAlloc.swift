// The page allocator's state, its construction, and its access paths to
// metadata (summary arrays in simulated memory, the sparse chunks map).

// The port speaks the shared vocabulary (Geometry, Variant, Scavenger...);
// its clients get it with it.
@_exported import Vocabulary
import OSMemory
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Variant {
    /// The variants that put Go 1.14's scavengeOne fast path in front of
    /// Go 1.19's.
    var hasFastPath14: Bool { self == .preFixScavSummary14 || self == .preFixScavInUse14 || self == .scavFastPath14 }
}

/// One level of the radix tree: Go's `[]pallocSum` whose backing array is a
/// reservation in simulated memory. `len` is the slice length (raised by
/// sysGrow), `cap` the whole reservation.
struct SummaryLevel {
    var view: PageView
    var len: Int
    let cap: Int
    let level: Int
    /// This level's `levelBits`, `levelShift` and `levelLogPages`, kept
    /// beside its memory so a walk of the tree reads one record per level.
    let bits: Int
    let shift: Int
    let logPages: Int

    init(view: PageView, len: Int, cap: Int, level: Int, geometry g: Geometry) {
        // The reservation covers the whole capacity: a slice check against
        // cap bounds every access inside the view (the InBounds accesses).
        precondition(UInt64(cap) * Geometry.pallocSumBytes <= view.nbytes, "summary level larger than its reservation")
        self.view = view
        self.len = len
        self.cap = cap
        self.level = level
        bits = g.levelBits[level]
        shift = g.levelShift[level]
        logPages = g.levelLogPages[level]
    }

    /// `summary[l][i]`: Go bounds-checks against len, then the load may fault.
    @inline(__always) func at(_ i: Int) throws -> PallocSum {
        guard i >= 0 && i < len else { throw GoPanic("index out of range [\(i)] with length \(len) (summary[\(level)])") }
        return PallocSum(raw: try view.load64(UInt64(i) &* 8, context: "summary[\(level)][\(i)]"))
    }

    /// `summary[l][i] = v`, with the same checks.
    @inline(__always) func set(_ i: Int, _ v: PallocSum) throws {
        guard i >= 0 && i < len else { throw GoPanic("index out of range [\(i)] with length \(len) (summary[\(level)])") }
        try view.store64(UInt64(i) &* 8, v.raw, context: "summary[\(level)][\(i)]")
    }

    /// `if summary[l][i] != v { summary[l][i] = v }`, saying whether it
    /// changed: the bounds check and the fault of `at`, one page lookup.
    @inline(__always) func setIfChanged(_ i: Int, _ v: PallocSum) throws -> Bool {
        guard i >= 0 && i < len else { throw GoPanic("index out of range [\(i)] with length \(len) (summary[\(level)])") }
        // i < len <= cap, and the reservation covers cap entries.
        return try view.storeIfChanged64InBounds(UInt64(i) &* 8, v.raw, context: "summary[\(level)][\(i)]")
    }

    /// Element i of a slice expression `summary[l][lo:hi]` taken past len:
    /// Go only checks hi against cap, so the load alone may fault.
    @inline(__always) func inSlice(_ i: Int) throws -> PallocSum {
        guard i >= 0 && i < cap else { throw GoPanic("slice bounds out of range [:\(i + 1)] with capacity \(cap) (summary[\(level)])") }
        return PallocSum(raw: try view.load64(UInt64(i) &* 8, context: "summary[\(level)][\(i)]"))
    }

    /// Checks a slice expression `summary[l][lo:hi]` as Go does (hi <= cap).
    @inline(__always) func checkSlice(_ lo: Int, _ hi: Int) throws {
        guard lo >= 0 && lo <= hi && hi <= cap else {
            throw GoPanic("slice bounds out of range [\(lo):\(hi)] with capacity \(cap) (summary[\(level)])")
        }
    }
}

/// `p.summary` itself: the levels, root first, in one unsafe buffer that
/// lives as long as the allocator, so the walks up and down the tree read a
/// level in place, without copying it or checking an array's bounds (a level
/// index always comes from a loop over the levels, as in Go).
struct SummaryLevels {
    let base: UnsafeMutablePointer<SummaryLevel>
    let capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        base = UnsafeMutablePointer<SummaryLevel>.allocate(capacity: capacity)
    }

    mutating func append(_ level: SummaryLevel) {
        precondition(count < capacity, "more summary levels than the geometry has")
        (base + count).initialize(to: level)
        count += 1
    }

    subscript(_ l: Int) -> SummaryLevel {
        @inline(__always) unsafeAddress {
            assert(l >= 0 && l < count, "summary level out of range")
            return UnsafePointer(base + l)
        }
        @inline(__always) nonmutating unsafeMutableAddress {
            assert(l >= 0 && l < count, "summary level out of range")
            return base + l
        }
    }

    func deallocate() {
        base.deinitialize(count: count)
        base.deallocate()
    }
}

/// The page allocator, ported from runtime/mpagealloc.go (Go 1.18).
///
/// Mirrors `pageAlloc`. All summary reads and writes go through the
/// simulated `AddressSpace`, so touching a summary whose page is not Ready
/// throws a `Fault`; `throw(...)` in Go becomes a thrown `GoThrow`, and
/// compiler-inserted bounds checks become `GoPanic`.
public final class PageAlloc {
    public let geometry: Geometry
    public let variant: Variant
    /// Which Go version's scavenger (and scavenge index) the port runs.
    public let scavenger: Scavenger
    /// The simulated OS memory holding the metadata.
    public let mem: AddressSpace
    /// Mirrors `p.sysStat`: what the allocator's metadata mappings cost.
    public let sysStat: SysMemStat

    let space: OffsetSpace
    let sums: SumLayout
    /// Index of the leaf level (`len(p.summary)-1`).
    let leaf: Int
    let levelBits: [Int]
    let levelShift: [Int]
    let levelLogPages: [Int]
    let l1Shift: UInt64
    /// pallocChunksL1Bits != 0: the chunks map has a first level.
    let hasL1: Bool
    let l2Mask: UInt64

    /// Mirrors `p.summary`: the radix tree, one array per level.
    var summary: SummaryLevels

    /// Mirrors `p.chunks`: the L1 array of pointers to L2 blocks of
    /// `pallocData` (16 words each). nil where no L2 block exists.
    var chunks: [UnsafeMutablePointer<UInt64>?]
    /// Simulated address of each L2 block (for fault reports and accounting).
    public private(set) var chunkBlockAddress: [UInt64?]
    /// How many L2 blocks of the chunks map exist.
    public private(set) var chunkBlockCount = 0

    /// Mirrors `p.searchAddr`. Every free page is at or above it, and
    /// `inUse.contains(searchAddr)` holds unless it equals maxSearchAddr.
    public internal(set) var searchAddr: OffAddr
    /// Mirrors `p.start`, `p.end`: the chunk indices the allocator knows,
    /// [start, end). start == 0 means "not grown yet".
    public internal(set) var start = ChunkIdx(0)
    public internal(set) var end = ChunkIdx(0)
    /// Mirrors `p.inUse`: the address ranges passed to grow.
    public internal(set) var inUse: AddrRanges
    /// Mirrors `p.scav.scavLWM` and `p.scav.freeHWM`.
    public internal(set) var scavLWM: OffAddr
    public internal(set) var freeHWM = OffAddr(0)
    /// Bytes of summary memory made Ready (`p.summaryMappedReady`), the
    /// scavenge index's included.
    public internal(set) var summaryMappedReady: UInt64 = 0
    /// Mirrors `p.scav.index` (Go 1.19's bitmap of chunks to scavenge).
    public internal(set) var scavIndex: ScavengeIndex! {
        didSet { scavIndexRef = Unmanaged.passUnretained(scavIndex) }
    }
    /// The same index without reference counting, for the hot path (free):
    /// the allocator owns it for its whole life.
    var scavIndexRef: Unmanaged<ScavengeIndex>?
    /// Mirrors `p.scav.index` of Go 1.21+ (the scavChunkData index), when
    /// `scavenger` is one of those; nil with Go 1.19's.
    public internal(set) var scavChunks: ScavChunkIndex? {
        didSet { scavChunksRef = scavChunks.map { Unmanaged.passUnretained($0) } }
    }
    /// The same without reference counting, for the hot paths (alloc,
    /// free): the allocator owns it for its whole life.
    var scavChunksRef: Unmanaged<ScavChunkIndex>?
    /// The heap's own memory, when someone plays mheap's part (PortTarget
    /// does): scavengeOne then releases what it scavenges with sysUnused
    /// and counts it, as the runtime's allocator does. nil is Go's test
    /// allocator (`p.test`): no sysUnused.
    public var heapMemory: AddressSpace?
    /// Mirrors the bytes scavengeOne adds to `gcController.heapReleased`.
    public internal(set) var heapReleased: UInt64 = 0
    /// Mirrors `physHugePageSize`: 2 MiB, as Linux reports with transparent
    /// huge pages on (Go reads it from the host, qemu-user included).
    public var physHugePageSize: UInt64 = 2 << 20
    /// Go 1.14's scavenger address (variants with its fast path only): the
    /// byte just below the last run scavenged.
    var scavAddr14: UInt64?
    /// Branch counts for campaigns and tests.
    public var coverage: CoverageCounts { tally.counts }
    /// Where the marks are counted (see CoverageTally).
    let tally: CoverageTally
    /// Room for one block of sibling summaries read across an OS page boundary.
    let scratch = UnsafeMutablePointer<UInt64>.allocate(capacity: 1 << Geometry.summaryLevelBits)

    /// Mirrors (*pageAlloc).init followed by sysInit.
    public init(geometry g: Geometry, variant: Variant = .faithful, scavenger: Scavenger = .go119, mem: AddressSpace? = nil) throws {
        // init's check on the root level's page count.
        if UInt64(g.levelLogPages[0]) > g.logMaxPackedValue {
            throw GoThrow("root level max pages doesn't fit in summary",
                          printed: ["runtime: root level max pages = \(1 << g.levelLogPages[0])",
                                    "runtime: summary max pages = \(1 << g.logMaxPackedValue)"])
        }
        geometry = g
        self.variant = variant
        self.scavenger = scavenger
        self.mem = mem ?? AddressSpace(physPageSize: g.physPageSize,
                                       osBase: g.ptrBits == 64 ? 0x7f00_0000_0000 : 0xa000_0000,
                                       addressLimit: g.ptrBits == 64 ? 1 << 48 : 1 << 32)
        sysStat = SysMemStat(name: "pageAlloc")
        space = g.space
        sums = g.sums
        leaf = g.summaryLevels - 1
        levelBits = g.levelBits
        levelShift = g.levelShift
        levelLogPages = g.levelLogPages
        l1Shift = UInt64(g.pallocChunksL2Bits)
        hasL1 = g.pallocChunksL1Bits != 0
        l2Mask = (1 << UInt64(g.pallocChunksL2Bits)) - 1
        summary = SummaryLevels(capacity: g.summaryLevels)
        chunks = Array(repeating: nil, count: 1 << g.pallocChunksL1Bits)
        chunkBlockAddress = Array(repeating: nil, count: 1 << g.pallocChunksL1Bits)
        searchAddr = g.space.maxSearchAddr
        scavLWM = g.space.maxSearchAddr
        inUse = AddrRanges(space: g.space)
        inUse.growKeepsOldLength = variant == .preFix36113
        tally = CoverageTally(levels: g.summaryLevels)
        // inUse's backing array comes from persistentalloc charged to sysStat.
        sysStat.add(Int64(inUse.persistentBytes))
        try sysInit()
    }

    deinit {
        for block in chunks { block?.deallocate() }
        scratch.deallocate()
        summary.deallocate()
    }

    /// Words in one L2 block of the chunks map.
    var l2BlockWords: Int { (1 << Int(l1Shift)) * 2 * wordsPerChunk }

    /// Mirrors chunkIdx.l1.
    @inline(__always) func l1(_ ci: ChunkIdx) -> Int { hasL1 ? Int(truncatingIfNeeded: ci.v &>> l1Shift) : 0 }
    /// Mirrors chunkIdx.l2.
    @inline(__always) func l2(_ ci: ChunkIdx) -> Int { hasL1 ? Int(truncatingIfNeeded: ci.v & l2Mask) : Int(truncatingIfNeeded: ci.v) }

    /// Mirrors (*pageAlloc).chunkOf: the bitmap data of chunk `ci`. A missing
    /// L2 block is a nil-pointer dereference in Go: a `Fault` here.
    @inline(__always) func chunkOf(_ ci: ChunkIdx) throws -> PallocData {
        let i1 = l1(ci), i2 = l2(ci)
        guard i1 < chunks.count else { throw GoPanic("index out of range [\(i1)] with length \(chunks.count) (chunks L1, chunk \(ci))") }
        guard i2 <= Int(l2Mask) else { throw GoPanic("index out of range [\(i2)] with length \(l2Mask + 1) (chunks L2, chunk \(ci))") }
        guard let block = chunks[i1] else {
            throw Fault(address: UInt64(i2) * Geometry.pallocDataBytes, state: .none, access: .read,
                        context: "chunkOf(\(ci)): nil L2 block chunks[\(i1)]")
        }
        return PallocData(block + i2 * 2 * wordsPerChunk)
    }

    /// Creates L2 block `i1` of the chunks map, mirroring the sysAlloc in grow.
    func allocChunksBlock(_ i1: Int) throws {
        let nbytes = UInt64(l2BlockWords) * 8
        guard let addr = mem.sysAlloc(nbytes, sysStat) else { throw GoThrow("pageAlloc: out of memory") }
        // calloc: the host OS gives zero pages lazily, like fresh sysAlloc memory.
        guard let raw = calloc(l2BlockWords, 8) else { preconditionFailure("host out of memory") }
        chunks[i1] = raw.bindMemory(to: UInt64.self, capacity: l2BlockWords)
        chunkBlockAddress[i1] = addr
        chunkBlockCount += 1
        tally.hit(.growNewChunksBlock)
    }
}

// MARK: - Read-only views for invariants, tools and tests.

extension PageAlloc {
    /// The number of summary levels.
    public var levels: Int { summary.count }
    /// Go's `len(p.summary[l])`.
    public func summaryLen(level l: Int) -> Int { summary[l].len }
    /// The simulated address of `summary[l][0]`.
    public func summaryBase(level l: Int) -> UInt64 { summary[l].view.baseAddress }
    /// Reads `summary[l][i]` as the allocator would (may throw a Fault).
    public func readSummary(level l: Int, index i: Int) throws -> PallocSum { try summary[l].inSlice(i) }
    /// The raw `summary[l][i]` when its memory is Ready, nil when it is not
    /// (or lies outside the reservation): for snapshots, never faulting.
    public func peekSummary(level l: Int, index i: Int) -> UInt64? {
        guard i >= 0 && i < summary[l].cap else { return nil }
        return summary[l].view.peek64(UInt64(i) &* 8)
    }
    /// Overwrites `summary[l][i]`: for negative-control tests only.
    public func corruptSummary(level l: Int, index i: Int, _ v: PallocSum) throws { try summary[l].set(i, v) }
    /// Overwrites searchAddr: for negative-control tests only.
    public func corruptSearchAddr(_ a: OffAddr) { searchAddr = a }
    /// Mirrors tryChunkOf: chunk `ci`'s data if its L2 block exists.
    public func tryChunkOf(_ ci: ChunkIdx) -> PallocData? {
        let i1 = l1(ci)
        guard i1 < chunks.count, chunks[i1] != nil, l2(ci) <= Int(l2Mask) else { return nil }
        return try? chunkOf(ci)
    }
    /// Bytes of one L2 block of the chunks map.
    public var l2BlockBytes: Int { l2BlockWords * 8 }
    /// Overwrites p.end: for negative-control tests only.
    public func corruptEnd(_ e: ChunkIdx) { end = e }
    /// The summary layout of this geometry.
    public var sumLayout: SumLayout { sums }
}
