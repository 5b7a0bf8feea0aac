// The Swift port as an allocator under test: applies operations in process
// and reports its state as a HeapState, reading its memory the way the Go
// driver reads Go's (a summary whose page is not Ready is reported as
// unmapped, never read).

import OSMemory
import PageAlloc
import TraceFormat
import Targets

/// The port, in process.
public final class PortTarget: AllocatorUnderTest {
    public let port: PageAlloc
    public var geometry: Geometry { port.geometry }
    public let name: String
    public var coverage: CoverageCounts? { port.coverage }
    public var preferredBatch: Int { 1 }
    /// The port runs Go 1.19's scavenger (PageAlloc+Scavenge.swift) or Go
    /// 1.21+'s (PageAlloc+Scavenge121.swift), as `port.scavenger` says.
    public var supportsScavenge: Bool { true }
    public var scavengerPolicy: ScavengerPolicy { PortTarget.scavengerPolicy(port.scavenger) }
    /// Go 1.21+'s scavenger has generations; Go 1.19's has none.
    public var supportsNextGen: Bool { port.scavenger.hasChunkData }
    /// Heap-base padding is Go 1.26's.
    public var supportsPadding: Bool { port.scavenger.hasPadding }
    /// Go 1.21+'s free has no `scavenged` argument.
    public var freeTakesScavenged: Bool { !port.scavenger.hasChunkData }
    /// The port's scavenger policy, known without making a port.
    public static func scavengerPolicy(_ s: Scavenger) -> ScavengerPolicy {
        s.hasChunkData ? .chunkData : .bitmapIndex
    }
    /// The port's name in findings and on the command line: `port`, with
    /// `@1.21` or `@1.27` for a Go 1.21+ scavenger, and `:variant` for a
    /// historic bug put back.
    public static func name(_ variant: Variant, _ scavenger: Scavenger) -> String {
        "port" + (scavenger == .go119 ? "" : "@\(scavenger.rawValue)") + (variant == .faithful ? "" : ":\(variant.rawValue)")
    }
    /// The page caches of Ps 0 to 3 (Go keeps one in each P).
    public private(set) var caches = [PageCache](repeating: PageCache(), count: Operation.pageCaches)
    /// The buffers of the last snapshot, reused by the next.
    private var scratch = HeapState()
    /// The heap's own memory, kept as mheap keeps it around the page
    /// allocator: `mheap.grow` maps new memory (Prepared: it counts as
    /// scavenged), `mheap.allocSpan` makes the scavenged pages it is given
    /// Ready with sysUsed, and the port's scavengeOne releases pages with
    /// sysUnused, so releasing memory that is not Ready, or not whole OS
    /// pages, is a refused system call. Its pages are at least a runtime
    /// page (the small geometries' 64-byte pages never split one).
    public let heap: AddressSpace
    private let heapStat = SysMemStat(name: "heap")
    /// Bytes grown, and scavenged bytes the allocations reported (for
    /// `heapReleased`).
    private var grownBytes: UInt64 = 0
    private var reusedBytes: UInt64 = 0

    public init(geometry: Geometry, variant: Variant = .faithful, scavenger: Scavenger = .go119) throws {
        port = try PageAlloc(geometry: geometry, variant: variant, scavenger: scavenger)
        name = PortTarget.name(variant, scavenger)
        heap = PortTarget.heapSpace(geometry)
        port.heapMemory = heap
    }

    /// Wraps an existing port (tests and tools that build one by hand).
    public init(wrapping port: PageAlloc) {
        self.port = port
        name = PortTarget.name(port.variant, port.scavenger)
        heap = PortTarget.heapSpace(port.geometry)
        if port.start.v == 0 { port.heapMemory = heap }
    }

    static func heapSpace(_ g: Geometry) -> AddressSpace {
        AddressSpace(physPageSize: Swift.max(g.physPageSize, Geometry.pageSize), osBase: 0, addressLimit: ~0)
    }

    /// mheap.grow's part: the new memory, reserved and mapped (Prepared).
    func mheapGrow(_ base: UInt64, _ bytes: UInt64) throws {
        guard heap.sysReserve(base, bytes) == base else {
            throw SysCallViolation(function: "sysReserve", address: base, nbytes: bytes, reason: "heap range is taken already")
        }
        try heap.sysMap(base, bytes, heapStat)
        grownBytes &+= bytes
    }

    /// mheap.allocSpan's part: pages handed out with scavenged bytes are made
    /// Ready (whole OS pages, region by region: adjacent grows are separate
    /// regions), and no longer count as released.
    func mheapUsed(_ addr: UInt64, _ npages: UInt64, scav: UInt64) throws {
        guard scav > 0, port.heapMemory === heap else { return }
        reusedBytes &+= scav
        let page = heap.physPageSize
        var lo = addr & ~(page - 1)
        let hi = (addr &+ npages &* Geometry.pageSize &+ page &- 1) & ~(page - 1)
        while lo < hi {
            guard let i = heap.regionIndex(containing: lo) else {
                throw SysCallViolation(function: "sysUsed", address: lo, nbytes: hi - lo, reason: "heap memory that was never grown")
            }
            let end = Swift.min(hi, heap.regions[i].limit)
            let prepared = heap.bytes(in: .prepared, from: lo, end - lo) ?? 0
            try heap.sysUsed(lo, end - lo, prepared: prepared)
            lo = end
        }
    }

    public func finishRun() {}

    public func run(_ ops: [TargetOp], each: (Int, TargetStep) -> Bool) {
        for (i, t) in ops.enumerated() {
            let result: OpResult
            // A Go 1.21+ scavenge changes only the chunks between where its
            // cursor was and where it is left (scavengeChunks).
            var scavenged: ClosedRange<UInt64>?
            do {
                switch t.op {
                case let .grow(base, bytes):
                    try port.grow(base, bytes)
                    if port.heapMemory != nil { try mheapGrow(base, bytes) }
                    result = .none
                case let .alloc(n):
                    let (a, s) = try port.alloc(n)
                    try mheapUsed(a, n, scav: s)
                    result = .alloc(addr: a, scav: s)
                case let .free(base, n, scavenged):
                    try port.free(base, n, scavenged: scavenged)
                    result = .none
                case let .allocRange(base, n):
                    let s = try port.allocRange(base, n)
                    try mheapUsed(base, n, scav: s)
                    result = .allocRange(scav: s)
                case let .allocToCache(p):
                    let c = try port.allocToCache()
                    caches[p] = c
                    result = .cache(base: c.base, cache: c.cache, scav: c.scav)
                case let .cacheAlloc(n, p):
                    let (a, s) = caches[p].alloc(n)
                    try mheapUsed(a, n, scav: s)
                    result = .alloc(addr: a, scav: s)
                case let .cacheFlush(p):
                    let base = caches[p].empty ? 0 : caches[p].base
                    try port.flush(&caches[p])
                    result = .flushed(base: base)
                case let .scavenge(nbytes, force):
                    // Go 1.19's scavenge has no `force`: every call is forced.
                    let before = cursorPage(force: force)
                    result = .scavenged(released: try port.scavenge(nbytes, force: force || !port.scavenger.hasChunkData))
                    if let idx = port.scavChunks, let b = before, let a = cursorPage(force: force) {
                        scavenged = scavengeChunks(cursorBefore: b, cursorAfter: a, minHeapIdx: idx.minHeapIdx)
                    }
                case .nextGen:
                    // The runner refuses it first on Go 1.19's scavenger.
                    try port.nextGen()
                    result = .none
                case let .pad(base, n):
                    try port.markRandomPaddingPages(base, n)
                    result = .none
                }
            } catch {
                _ = each(i, .failed(.from(error)))
                return
            }
            var grew = false
            if case .grow = t.op { grew = true }
            let state: HeapState? = t.snapshot == .none ? nil
                : makeState(t.snapshot, touched: scavenged ?? touchedChunks(geometry, t.op, result), grew: grew)
            if !each(i, .applied(result, state)) { return }
        }
    }

    /// The page (linear address space) of the Go 1.21+ index's cursor of
    /// this kind; 0 when cleared; nil with Go 1.19's scavenger.
    func cursorPage(force: Bool) -> UInt64? {
        guard let idx = port.scavChunks else { return nil }
        let sp = port.geometry.space
        let (a, _) = force ? idx.searchAddrForce.load(sp) : idx.searchAddrBg.load(sp)
        return sp.linear(a) / Geometry.pageSize
    }

    public func snapshot(_ mode: SnapshotMode) -> TargetStep {
        .applied(.none, makeState(mode == .none ? .full : mode, touched: nil, grew: false))
    }

    /// The port's state as a snapshot. The grown chunks come from the port's
    /// own inUse (as the Go driver takes them from Go's): the runner checks
    /// that they are the chunks it expects.
    public func makeState(_ mode: SnapshotMode, touched: ClosedRange<UInt64>?, grew: Bool) -> HeapState {
        let g = port.geometry
        let sp = g.space
        // The last snapshot's buffers are reused: once the runner has judged
        // it, nothing else holds them, so filling them allocates nothing.
        var s = scratch
        scratch = HeapState()
        s.searchAddr = port.searchAddr.a
        s.start = port.start.v
        s.end = port.end.v
        s.inUse.removeAll(keepingCapacity: true)
        for r in port.inUse.ranges { s.inUse.append((r.base.a, r.limit.a)) }
        s.inUseTotalBytes = port.inUse.totalBytes
        s.summaryMappedReady = port.summaryMappedReady
        let idx = port.scavChunks
        s.scavIndexKind = idx == nil ? .chunkBitmap : .chunkData
        s.full = mode == .full
        s.mappedSummaryRanges = nil
        s.chunks.removeAll(keepingCapacity: true)
        if mode == .full || touched != nil {
            for r in port.inUse.ranges {
                var c = sp.chunkIndex(r.base.a).v
                var e = sp.linear(r.limit.a) / Geometry.pallocChunkBytes
                if mode != .full, let t = touched {
                    c = Swift.max(c, t.lowerBound)
                    e = Swift.min(e, t.upperBound + 1)
                }
                while c < e {
                    if let d = port.tryChunkOf(ChunkIdx(c)) {
                        var w = InlineArray<16, UInt64>(repeating: 0)
                        for k in 0..<8 {
                            w[k] = d.palloc.bits.block64(UInt64(k * 64))
                            w[8 + k] = d.scavenged.block64(UInt64(k * 64))
                        }
                        let entry = idx.map { $0.peek(c) } ?? port.scavIndex.peekBit(ChunkIdx(c)).map { $0 ? 1 : 0 }
                        s.chunks.append(ChunkBits(chunk: c, present: true, words: w, scavIndex: entry))
                    } else {
                        s.chunks.append(ChunkBits(chunk: c, present: false))
                    }
                    c += 1
                }
            }
        }
        // The summaries HeapState's comment names, written in place: the
        // root-level ancestors, and below the root each ancestor's block.
        let levels = g.summaryLevels
        if s.summaries.count != levels { s.summaries = [[SummaryEntry]](repeating: [], count: levels) }
        for l in 0..<levels { s.summaries[l].removeAll(keepingCapacity: true) }
        func add(_ l: Int, _ i: Int) {
            let v = port.peekSummary(level: l, index: i)
            s.summaries[l].append(SummaryEntry(index: i, mapped: v != nil, raw: v ?? 0))
        }
        if levels == 1 {
            for c in s.chunks { add(0, Int(c.chunk)) }
        } else {
            for l in 0..<(levels - 1) {
                let shift = UInt64(g.levelShift[l] - Int(Geometry.logPallocChunkBytes))
                let per = 1 << g.levelBits[l + 1]
                var last = -1
                for c in s.chunks {
                    let i = Int(c.chunk >> shift)
                    if i == last { continue }
                    last = i
                    if l == 0 { add(0, i) }
                    for j in (i * per)..<((i + 1) * per) { add(l + 1, j) }
                }
            }
        }
        s.scavIndexScalars = idx.map { x in
            let (bg, bgMarked) = x.searchAddrBg.load(sp)
            let (force, forceMarked) = x.searchAddrForce.load(sp)
            return ScavIndexScalars(gen: x.gen, searchAddrBg: bg, bgMarked: bgMarked, searchAddrForce: force,
                                    forceMarked: forceMarked, freeHWM: x.freeHWM.a, min: x.min, max: x.max,
                                    minHeapIdx: x.minHeapIdx)
        }
        s.pageCaches = caches.map { PageCacheState(base: $0.base, cache: $0.cache, scav: $0.scav) }
        s.metadataMappedBytes = nil
        if grew || mode == .full {
            s.mappedSummaryRanges = mappedSummaryRanges()
            s.metadataMappedBytes = summaryReadyBytes()
        }
        let saLeaf = sp.offAddrToLevelIndex(g.levelShift[g.summaryLevels - 1], port.searchAddr)
        s.searchAddrLeafMapped = port.peekSummary(level: g.summaryLevels - 1, index: saLeaf) != nil
        let m = port.mem
        s.simulatedMemory = SimulatedMemoryFacts(
            mappedReady: m.mappedReady, readyBytes: m.readyBytes,
            chunkL2Bytes: UInt64(port.chunkBlockCount) * UInt64(port.l2BlockBytes),
            sysStat: port.sysStat.bytes, persistentBytes: port.inUse.persistentBytes,
            heapReleased: port.heapMemory === heap ? Int64(bitPattern: grownBytes &+ port.heapReleased &- reusedBytes) : nil)
        scratch = s
        return s
    }

    /// Ready bytes of the reservations holding the summary arrays and the
    /// scavenge index, each counted once, from the simulated OS.
    func summaryReadyBytes() -> UInt64 {
        var seen: [UInt64] = []
        var total: UInt64 = 0
        let bases = (0..<port.levels).map { port.summaryBase(level: $0) } + [port.scavChunks?.baseAddress ?? port.scavIndex?.baseAddress].compactMap { $0 }
        for base in bases {
            guard let i = port.mem.regionIndex(containing: base) else { continue }
            let rb = port.mem.regions[i].base
            if seen.contains(rb) { continue }
            seen.append(rb)
            total += port.mem.readyBytes(inRegionContaining: base) ?? 0
        }
        return total
    }

    /// Per level, the index ranges of the summary array whose pages are
    /// Ready, looked for over the block-aligned summary windows of every
    /// grown range (the whole reservation is too large to walk; the exact
    /// Ready-byte accounting covers mappings elsewhere).
    func mappedSummaryRanges() -> [[Range<Int>]] {
        let g = port.geometry
        let page = g.physPageSize
        return (0..<port.levels).map { l in
            let base = port.summaryBase(level: l)
            let cap = g.entries(level: l)
            var runs: [Range<Int>] = []
            for r in port.inUse.ranges {
                let (lo0, hi0) = g.space.addrsToSummaryRange(g.levelShift[l], r.base.a, r.limit.a)
                let (lo, hi) = blockAlignSummaryRange(g.levelBits[l], lo0, hi0)
                // Walk whole OS pages from the page holding entry lo.
                var a = (base + UInt64(lo) * 8) & ~(page - 1)
                let end = base + UInt64(Swift.min(hi, cap)) * 8
                while a < end {
                    if port.mem.state(at: a) == .ready {
                        let i0 = a <= base ? 0 : Int((a - base) / 8)
                        let i1 = Swift.min(cap, Int((a + page - base) / 8))
                        if let last = runs.last, last.upperBound >= i0 {
                            runs[runs.count - 1] = last.lowerBound..<Swift.max(last.upperBound, i1)
                        } else {
                            runs.append(i0..<i1)
                        }
                    }
                    a += page
                }
            }
            runs.sort { $0.lowerBound < $1.lowerBound }
            var merged: [Range<Int>] = []
            for r in runs {
                if let last = merged.last, last.upperBound >= r.lowerBound {
                    merged[merged.count - 1] = last.lowerBound..<Swift.max(last.upperBound, r.upperBound)
                } else { merged.append(r) }
            }
            return merged
        }
    }
}
