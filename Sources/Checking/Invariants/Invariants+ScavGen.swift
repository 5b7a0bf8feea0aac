// Invariants about Go 1.21+'s scavenge index beyond its flags
// (mgcscavenge.go: scavengeIndex, scavChunkData; mpagealloc_64bit.go:
// scavengeIndex.sysGrow): the generations, the cursors, the high-water mark
// and the index's extent, each held against the checker's own model
// (Reference's ScavGenModel) or the reference's heap, never against the
// target's methods. (That the padding pages of Go 1.26+ stay allocated and
// scavenged is scavengedFree's.)

import Vocabulary
import Reference
import TraceFormat
import Targets
import struct SummaryCore.ScavChunkData

extension Invariant {
    /// From scavChunkData.alloc/free: the first alloc or free of a chunk in
    /// a new generation saves the chunk's in-use count as `lastInUse` and
    /// takes the new generation. The density rule (shouldScavenge) reads
    /// both, so a wrong one changes which chunks the background scavenger
    /// skips.
    public static let scavGen = Invariant(
        name: "scavGen",
        statement: "Go 1.21+: the index's generation, and each chunk's lastInUse and gen, equal the checker's model of scavChunkData.alloc/free and nextGen (mgcscavenge.go)"
    ) { ctx in
        let s = ctx.state
        guard s.scavIndexKind == .chunkData, let sc = s.scavIndexScalars else {
            return .notApplicable("needs a scavChunkData index (Go 1.21+)")
        }
        let model = ctx.reference.scavGen
        if sc.gen != model.gen {
            return .broken("the index is at generation \(sc.gen), the model at \(model.gen) (one per next-gen)")
        }
        for c in s.chunks where c.present {
            guard let e = c.scavIndex else { continue }  // scavIndex reports an unmapped entry
            let d = ScavChunkData<UInt64>(packed: e)
            let last = d.lastInUse
            let gen = UInt32(truncatingIfNeeded: d.gen)
            let m = model.chunk(c.chunk)
            if last != UInt64(m.lastInUse) || gen != m.gen {
                return .broken("chunk \(c.chunk): scavChunkData has lastInUse \(last) gen \(gen), the model lastInUse \(m.lastInUse) gen \(m.gen) (entry \(h(e)))")
            }
        }
        return .holds
    }

    /// From scavengeIndex.free, nextGen and find: every free raises the
    /// forced cursor and the high-water mark to its last page; nextGen
    /// raises the background cursor to the high-water mark and clears the
    /// mark; only the scavengers' own `find` lowers a cursor (the runner
    /// adopts where a scavenge left it, after checking that it did not
    /// rise). And what the forced cursor is for: a forced scavenge searches
    /// only at and below it, so no free, unscavenged whole physical page
    /// may lie above it.
    public static let scavCursors = Invariant(
        name: "scavCursors",
        statement: "Go 1.21+: freeHWM, searchAddrBg and searchAddrForce equal the checker's model (free raises, nextGen moves, only find lowers); no free, unscavenged physical page lies above searchAddrForce (mgcscavenge.go)"
    ) { ctx in
        let s = ctx.state
        guard s.scavIndexKind == .chunkData, let sc = s.scavIndexScalars else {
            return .notApplicable("needs a scavChunkData index (Go 1.21+)")
        }
        let r = ctx.reference
        let m = r.scavGen
        func addr(_ page: UInt64) -> String { h(r.address(page)) }
        if r.page(sc.freeHWM) != m.freeHWM {
            return .broken("freeHWM is \(h(sc.freeHWM)), the model \(addr(m.freeHWM)) (the highest page freed in generation \(m.gen))")
        }
        if r.page(sc.searchAddrForce) != m.forceCursor {
            return .broken("searchAddrForce is \(h(sc.searchAddrForce)), the model \(addr(m.forceCursor))")
        }
        if r.page(sc.searchAddrBg) != m.bgCursor {
            return .broken("searchAddrBg is \(h(sc.searchAddrBg)), the model \(addr(m.bgCursor))")
        }
        let force = r.page(sc.searchAddrForce)
        let k = ctx.geometry.pagesPerPhysPage
        for c in s.chunks where c.present {
            let firstPage = c.chunk * Geometry.pallocChunkPages
            guard firstPage + Geometry.pallocChunkPages - 1 > force else { continue }
            if let p = c.firstFreeUnscavenged(physPages: k, where: { firstPage + $0 > force }) {
                return .broken("free unscavenged page \(addr(firstPage + p)) lies above searchAddrForce \(h(sc.searchAddrForce)): no forced scavenge will find it")
            }
        }
        return .holds
    }

    /// From scavengeIndex.grow and sysGrow (64-bit): `minHeapIdx` is the
    /// lowest chunk the heap has grown into (find never searches below
    /// it), and the index's mapped entries [min, max) run from the lowest
    /// grown chunk to the highest, rounded out to whole physical pages of
    /// entries. On 32-bit layouts the index is allocated whole at init:
    /// min 1, max the number of chunks.
    public static let scavExtent = Invariant(
        name: "scavExtent",
        statement: "Go 1.21+: minHeapIdx is the lowest grown chunk; the index's mapped entries [min, max) are the grown chunks' span rounded out to physical pages (64-bit; 1 and every chunk on 32-bit) (mgcscavenge.go, mpagealloc_64bit.go, mpagealloc_32bit.go)"
    ) { ctx in
        let s = ctx.state
        guard s.scavIndexKind == .chunkData, let sc = s.scavIndexScalars else {
            return .notApplicable("needs a scavChunkData index (Go 1.21+)")
        }
        let grown = ctx.reference.grown.intervals
        guard let first = grown.first, let last = grown.last else { return .holds }
        let lo = first.lowerBound / Geometry.pallocChunkPages
        let hi = (last.upperBound - 1) / Geometry.pallocChunkPages + 1
        if sc.minHeapIdx != lo {
            return .broken("minHeapIdx is chunk \(sc.minHeapIdx), but the lowest grown chunk is \(lo): find stops at minHeapIdx")
        }
        let (wantMin, wantMax): (UInt64, UInt64)
        if ctx.geometry.layout == .sparse64 {
            let per = Swift.max(1, ctx.geometry.physPageSize / 8)
            wantMin = lo / per * per
            wantMax = (hi + per - 1) / per * per
        } else {
            // mpagealloc_32bit.go's sysInit: the index is allocated whole,
            // min = 1 ("the 0th chunk is never going to be mapped for the
            // heap"), max = every chunk of the address space.
            (wantMin, wantMax) = (1, ctx.geometry.chunkCount)
        }
        if sc.min != wantMin || sc.max != wantMax {
            return .broken("the index maps entries [\(sc.min), \(sc.max)), the grown chunks [\(lo), \(hi)) need [\(wantMin), \(wantMax))")
        }
        return .holds
    }
}
