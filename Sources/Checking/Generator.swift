// Random valid operation sequences for the page allocator, drawn through a
// ChoiceSource. Validity comes from reading the reference allocator's state
// (never the port's): frees name allocated pages, alloc-ranges free ones.

import Vocabulary
import Reference
import TraceFormat
import Targets

/// The operation kinds a seed may weight (swarm testing: each seed draws
/// its own weights, some kinds off, so deep states are reached).
public enum OpKind: Int, CaseIterable, Sendable {
    case grow, alloc, freeWhole, freePartial, allocRange, exhaust
    /// The page cache mix (mpagecache.go): fill an empty P's cache, take
    /// pages from a cache, flush one.
    case cacheFill, cacheAlloc, cacheFlush
    /// The scavenger (mgcscavenge.go): release free memory to the OS; only
    /// for targets that run one.
    case scavenge
    /// The scavenger's generation moves on (gcMarkTermination's nextGen),
    /// once or several times in a row; only for Go 1.21+ targets.
    case nextGen
    /// Go 1.21+'s generations at work (only with nextGen): frees just above
    /// and just below the previous generation's highest freed page (where
    /// nextGen put the background cursor), then a background scavenge.
    case aroundCursor
    /// Go 1.21+'s density rule (only with nextGen): fill a chunk past
    /// scavChunkHiOccPages (496 of 512), move to a new generation, free it
    /// back to just around the threshold, then a background scavenge.
    case density
}

/// A plan for the heap's layout: pieces to grow, in grow order.
public struct HeapPlan: Equatable, Sendable {
    /// (base address, bytes), multiples of the chunk size.
    public var pieces: [(base: UInt64, bytes: UInt64)]
    public static func == (l: HeapPlan, r: HeapPlan) -> Bool {
        l.pieces.map(\.base) == r.pieces.map(\.base) && l.pieces.map(\.bytes) == r.pieces.map(\.bytes)
    }
}

/// Generates one run's operations.
public struct OperationGenerator<Source: ChoiceSource> {
    public var source: Source
    public let geometry: Geometry
    public private(set) var plan: HeapPlan
    /// Per-kind weights for this seed.
    public private(set) var weights: [UInt64]
    var nextPiece = 0
    /// Operations queued by a multi-step pattern.
    var queued: [Operation] = []

    static var chunkBytes: UInt64 { Geometry.pallocChunkBytes }

    /// `scavenge`: the targets run a scavenger (the weight is drawn either
    /// way, so a seed's other operations do not depend on it). `nextGen`:
    /// their scavenge index has generations; its weight is drawn only then,
    /// so every seed of the other targets draws what it always drew.
    /// Pad the heap base after the first grow (Go 1.26+ targets); drawn only then.
    let padding: Bool
    var padded = false

    public init(geometry: Geometry, source: Source, scavenge: Bool = false, nextGen: Bool = false, padding: Bool = false) {
        self.padding = padding
        self.geometry = geometry
        self.source = source
        self.plan = HeapPlan(pieces: [])
        self.weights = []
        plan = makePlan()
        for k in OpKind.allCases where k.rawValue < OpKind.cacheFill.rawValue {
            // Grows and allocs are always possible; other kinds may be off.
            weights.append(k == .grow ? self.source.draw(1...4) : (k == .alloc ? self.source.draw(2...8) : self.source.draw(0...4)))
        }
        // Half the seeds use the page caches, as the runtime does for
        // allocations below 16 pages.
        let caches = self.source.chance(1, in: 2)
        for _ in OpKind.cacheFill.rawValue...OpKind.cacheFlush.rawValue {
            weights.append(caches ? self.source.draw(1...4) : 0)
        }
        let scavengeWeight = self.source.draw(0...2)
        weights.append(scavenge ? scavengeWeight : 0)
        weights.append(nextGen ? self.source.draw(0...2) : 0)
        // Drawn only for targets with generations, after every other draw,
        // so the seeds of other targets draw what they always drew.
        weights.append(nextGen ? self.source.draw(0...2) : 0)
        weights.append(nextGen ? self.source.draw(0...1) : 0)
    }

    /// Where the heap starts, as a linear chunk index of this geometry.
    func originChunk() -> UInt64 {
        let g = geometry
        let addr: UInt64
        switch g.heapAddrBits {
        case 48, 40: addr = 0xc0_0000_0000
        case 32, 31: addr = 0x1000_0000
        default: addr = g.unlinear(Self.chunkBytes)  // small geometries: chunk 1
        }
        return g.linear(addr) / Self.chunkBytes
    }

    /// Draws a layout: 1-6 pieces separated by gaps at every scale that
    /// matters (one chunk, one summary block at each level, more than 2 GiB
    /// so leaf summary pages stay Reserved, an L1 boundary of the chunks
    /// map), in ascending, descending or mixed grow order.
    mutating func makePlan() -> HeapPlan {
        let g = geometry
        let total = g.chunkCount
        var c = originChunk()
        // Shift the start so pieces land at different offsets within blocks.
        let l1Chunks: UInt64 = 1 << UInt64(g.pallocChunksL2Bits)
        let rootChunks: UInt64 = 1 << UInt64(g.levelShift[0] - Int(Geometry.logPallocChunkBytes))
        let shifts: [UInt64] = [0, 1, 7, rootChunks &- 1, rootChunks + 3, l1Chunks &- 2, 2 * rootChunks &- 2].filter { c + $0 + total / 4 < total }
        c += shifts.isEmpty ? 0 : source.pick(shifts)
        var gaps: [UInt64] = [0, 0, 1, 2, 7, 8, 9]
        for l in 1..<g.summaryLevels { gaps.append(1 << UInt64(g.levelShift[l - 1] - Int(Geometry.logPallocChunkBytes))) }
        // Gaps that put the next piece more than 2 GiB (one leaf summary page)
        // into a later root entry, so that entry's first pages stay unmapped.
        let leafPage = g.physPageSize / Geometry.pallocSumBytes
        gaps += [513, 1024, 1536 + 5, l1Chunks, l1Chunks + 1, rootChunks * 2 + 3,
                 rootChunks + leafPage + 5, rootChunks + 2 * leafPage + 1, leafPage * 2 + 3]
        // Gaps past one OS page of the scavenge index (a byte per 8 chunks),
        // so that growths in shuffled order map its pages out of order.
        let indexPage = g.physPageSize * 8
        gaps += [indexPage + 3, 2 * indexPage + 1]
        // 1-6 pieces; 7: many small pieces (past addrRanges' first 16 and
        // 32 entries); 8: pieces at the edges of the address space.
        let count = Int(source.draw(1...8))
        if count == 7 { return order(manyPieces(from: c)) }
        if count == 8 { return order(edgePieces()) }
        var pieces: [(UInt64, UInt64)] = []
        // Sometimes scatter the pieces over consecutive root entries at random
        // offsets, the way Fuchsia maps memory (golang/go#40191).
        let scatter = g.summaryLevels > 2 && c + UInt64(count + 1) * rootChunks < total && source.chance(1, in: 3)
        for k in 0..<(scatter ? count : 0) {
            let size = source.pick([1, 1, 2, 3] as [UInt64])
            let entry = (c / rootChunks + UInt64(k)) * rootChunks
            pieces.append((entry + source.draw(0...(rootChunks - size)), size))
        }
        for _ in 0..<(scatter ? 0 : count) {
            let size = source.pick([1, 1, 1, 2, 3, 8, 9, 17] as [UInt64])
            guard c + size < total else { break }
            pieces.append((c, size))
            let room = total - (c + size)
            let fitting = gaps.filter { $0 < room / 2 }
            c += size + (fitting.isEmpty ? 0 : source.pick(fitting))
            if c >= total - 1 { break }
        }
        if pieces.isEmpty { pieces = [(1, 1)] }
        return order(pieces)
    }

    /// The plan of `pieces` (linear chunk index, chunks), grown in
    /// ascending, descending or shuffled order.
    mutating func order(_ linearPieces: [(UInt64, UInt64)]) -> HeapPlan {
        var pieces = linearPieces
        switch source.draw(0...2) {
        case 0: break
        case 1: pieces.reverse()
        default:
            for i in stride(from: pieces.count - 1, to: 0, by: -1) { pieces.swapAt(i, Int(source.draw(0...UInt64(i)))) }
        }
        return HeapPlan(pieces: pieces.map { (geometry.unlinear($0.0 * Self.chunkBytes), $0.1 * Self.chunkBytes) })
    }

    /// 17 to 40 pieces of one or two chunks with small gaps: inUse grows
    /// past the 16 entries addrRanges starts with, and past 32.
    mutating func manyPieces(from start: UInt64) -> [(UInt64, UInt64)] {
        let total = geometry.chunkCount
        var c = start
        var pieces: [(UInt64, UInt64)] = []
        for _ in 0..<Int(source.draw(17...40)) {
            let size = source.pick([1, 1, 1, 2] as [UInt64])
            guard c + size < total else { break }
            pieces.append((c, size))
            c += size + source.pick([1, 1, 2, 3, 7] as [UInt64])
        }
        return pieces.isEmpty ? [(1, 1)] : pieces
    }

    /// Pieces at the bottom of the offset space (chunk 1: chunk 0 is Go's
    /// "not grown" sentinel), at its top, and at the usual origin. On amd64
    /// the bottom lies below the arenaBaseOffset wrap (addresses from
    /// 0xffff800000400000) and the origin above it, so offset order and
    /// address order differ. On 32-bit geometries the topmost chunk ends at
    /// 2^32 (golang/go#35954), which the reference refuses unless the
    /// preFix35954 variant is on; the chunk below it stays valid.
    mutating func edgePieces() -> [(UInt64, UInt64)] {
        let total = geometry.chunkCount
        var pieces: [(UInt64, UInt64)] = [(1, source.pick([1, 2] as [UInt64]))]
        let origin = originChunk()
        if origin > 3 && origin + 2 < total - 4 { pieces.append((origin, 1)) }
        if total > 8 {
            pieces.append((total - 3, 1))
            pieces.append((total - 1, 1))
        }
        return pieces
    }

    /// Allocation sizes biased to the edges.
    mutating func allocSize(_ r: ReferenceAllocator) -> UInt64 {
        let runs = r.free.intervals.map { UInt64($0.count) }
        let largest = runs.max() ?? 0
        switch source.draw(0...9) {
        case 0...3: return source.pick([1, 1, 2, 63, 64, 65, 511, 512, 513] as [UInt64])
        case 4: return source.pick([1024, 1025, 1536, 4096] as [UInt64])
        case 5: return largest + 1  // more than any free run: must fail
        case 6: return Swift.max(largest, 1)  // exactly the largest run
        default: return source.draw(1...600)
        }
    }

    /// The next operation, valid for the reference's current state.
    public mutating func next(_ r: ReferenceAllocator) -> Operation {
        if !queued.isEmpty { return queued.removeFirst() }
        if padding, !padded, let base = r.padBase {
            // mheap.grow pads a random page count below a chunk.
            padded = true
            return .pad(base: base, npages: source.chance(1, in: 4) ? source.pick([1, 63, 64, 65, 511] as [UInt64]) : source.draw(1...511))
        }
        if r.grown.isEmpty, nextPiece < plan.pieces.count { return growNext(r) }
        var w = weights
        if nextPiece >= plan.pieces.count { w[OpKind.grow.rawValue] = 0 }
        let allocated = r.freeable
        if allocated.isEmpty {
            w[OpKind.freeWhole.rawValue] = 0
            w[OpKind.freePartial.rawValue] = 0
        }
        if r.free.isEmpty { w[OpKind.allocRange.rawValue] = 0 }
        let fillable = r.caches.indices.filter { r.caches[$0].free == 0 }
        if fillable.isEmpty { w[OpKind.cacheFill.rawValue] = 0 }
        switch OpKind(rawValue: source.weighted(w) ?? OpKind.alloc.rawValue)! {
        case .grow:
            return growNext(r)
        case .alloc:
            return .alloc(npages: allocSize(r))
        case .freeWhole:
            let run = source.pick(allocated.intervals)
            return .free(base: r.address(run.lowerBound), npages: UInt64(run.count), scavenged: source.chance(1, in: 8))
        case .freePartial:
            let run = source.pick(allocated.intervals)
            let lo = run.lowerBound + source.draw(0...UInt64(run.count - 1))
            let n = source.draw(1...Swift.min(run.upperBound - lo, 600))
            return .free(base: r.address(lo), npages: n, scavenged: source.chance(1, in: 8))
        case .allocRange:
            let run = source.pick(r.free.intervals)
            let lo = run.lowerBound + source.draw(0...UInt64(run.count - 1))
            let n = source.draw(1...Swift.min(run.upperBound - lo, 600))
            return .allocRange(base: r.address(lo), npages: n)
        case .exhaust:
            // Take a region page by page, then ask for a large run.
            let n = Swift.min(UInt64(r.free.intervals.first?.count ?? 1), source.pick([3, 64, 200, 511] as [UInt64]))
            queued = Array(repeating: .alloc(npages: 1), count: Int(n) - 1) + [.alloc(npages: source.pick([12, 65, 513, 600] as [UInt64]))]
            return .alloc(npages: 1)
        case .cacheFill:
            return .allocToCache(p: source.pick(fillable))
        case .cacheAlloc:
            let n = source.chance(1, in: 2) ? 1 : source.draw(1...Operation.maxCacheAllocPages)
            return .cacheAlloc(npages: n, p: Int(source.draw(0...UInt64(Operation.pageCaches - 1))))
        case .cacheFlush:
            return .cacheFlush(p: Int(source.draw(0...UInt64(Operation.pageCaches - 1))))
        case .scavenge:
            // A page, a physical page or two, a huge page, a chunk, everything.
            let n = source.pick([8 << 10, 64 << 10, 2 << 20, 4 << 20, 1 << 40] as [UInt64]) &+ (source.chance(1, in: 4) ? 4096 : 0)
            return .scavenge(nbytes: n, force: source.chance(1, in: 2))
        case .nextGen:
            // GC cycles often pass with little allocation between them:
            // sometimes two or three in a row.
            let extra = source.chance(1, in: 4) ? Int(source.draw(1...2)) : 0
            queued = Array(repeating: .nextGen, count: extra)
            return .nextGen
        case .aroundCursor:
            queued = aroundCursor(r, allocated)
            return queued.isEmpty ? .nextGen : queued.removeFirst()
        case .density:
            queued = density(r)
            return queued.isEmpty ? .alloc(npages: allocSize(r)) : queued.removeFirst()
        }
    }

    /// Frees of single pages just above and just below the highest page
    /// freed in the previous generation (where nextGen put the background
    /// cursor), in its chunk (above it in the same 64-page word, in the
    /// next word, further up; below likewise), then a small background
    /// scavenge: the pages the cursor's generation may and may not take.
    /// It reads `previousFreeHWM`, not the cursor itself: a scavenger moves
    /// the cursor, and the operations of a seed must not depend on the
    /// target's scavenger.
    mutating func aroundCursor(_ r: ReferenceAllocator, _ allocated: IntervalSet) -> [Operation] {
        let cursor = r.scavGen.previousFreeHWM
        guard cursor != 0 else { return [] }
        let chunk = cursor / Geometry.pallocChunkPages
        let lo = chunk * Geometry.pallocChunkPages, hi = lo + Geometry.pallocChunkPages
        var ops: [Operation] = []
        var freed = IntervalSet()
        for d in [1, 63 - cursor % 64, 64, 65, 200, 511] as [UInt64] where source.chance(1, in: 2) {
            for p in [cursor &+ d, cursor &- d] where p >= lo && p < hi && p != cursor {
                guard allocated.contains(p), !freed.contains(p) else { continue }
                freed.insert(p..<(p + 1))
                ops.append(.free(base: r.address(p), npages: 1, scavenged: false))
            }
        }
        guard !ops.isEmpty else { return [] }
        ops.append(.scavenge(nbytes: source.pick([8 << 10, 64 << 10] as [UInt64]), force: false))
        return ops
    }

    /// Fills a chunk holding free pages up to 496 + d pages in use (d in
    /// -1...2) with alloc-ranges of its free runs, moves to a new
    /// generation, frees single pages back to around the threshold, and
    /// scavenges in the background.
    mutating func density(_ r: ReferenceAllocator) -> [Operation] {
        let per = Geometry.pallocChunkPages
        let withFree = r.free.intervals.map { $0.lowerBound / per }
        guard !withFree.isEmpty else { return [] }
        let chunk = source.pick(withFree)
        let lo = chunk * per, hi = lo + per
        let hiOcc = per * 31 / 32
        var inUse = per - r.free.count(in: lo..<hi)
        let target = hiOcc + source.draw(0...3) - 1
        var ops: [Operation] = []
        var mine: [UInt64] = []  // pages these alloc-ranges take
        for iv in r.free.intervals where iv.upperBound > lo && iv.lowerBound < hi && inUse < target {
            let a = Swift.max(iv.lowerBound, lo)
            let n = Swift.min(Swift.min(iv.upperBound, hi) - a, target - inUse)
            ops.append(.allocRange(base: r.address(a), npages: n))
            mine += Array(a..<(a + n))
            inUse += n
        }
        guard !ops.isEmpty else { return [] }
        ops.append(.nextGen)
        // Back to just below, at, or just above the threshold.
        let after = hiOcc + source.draw(0...2) - 1
        var k = 0
        while inUse > after, k < mine.count {
            ops.append(.free(base: r.address(mine[mine.count - 1 - k]), npages: 1, scavenged: false))
            inUse -= 1
            k += 1
        }
        ops.append(.scavenge(nbytes: source.pick([8 << 10, 2 << 20] as [UInt64]), force: source.chance(1, in: 4)))
        return ops
    }

    /// The next piece of the plan that the reference accepts (a piece at an
    /// edge may not be valid under every variant); an alloc if none is.
    mutating func growNext(_ r: ReferenceAllocator) -> Operation {
        while nextPiece < plan.pieces.count {
            let p = plan.pieces[nextPiece]
            nextPiece += 1
            if (try? r.validateGrow(p.base, p.bytes)) != nil { return .grow(base: p.base, bytes: p.bytes) }
        }
        return .alloc(npages: 1)
    }
}
