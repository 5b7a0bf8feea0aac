// Invariants about the scavenger's bookkeeping (mgcscavenge.go).

import Vocabulary
import Reference
import TraceFormat
import Targets
import struct SummaryCore.ScavChunkData

extension Invariant {
    /// From mgcscavenge.go's `scavengeIndex`: the scavenger finds work only
    /// through the index, so a chunk holding a free page that is not
    /// scavenged must be marked there, or the page is never returned to the
    /// OS. Go 1.19/1.20 keep one bit per chunk (set by free, cleared only by
    /// the scavenger); Go 1.21+ keep a `scavChunkData` whose count of
    /// allocated pages must also equal the chunk's bitmap, and whose
    /// `scavChunkHasFree` flag plays the bit's part. Pages freed with Go
    /// 1.19's `scavenged: true` (a claim the runtime never makes and the
    /// bitmap does not record) are left out of the first rule, by the
    /// reference's record of them. Where a physical page is several pages
    /// (16 KiB on loong64, 64 KiB on some arm64 and ppc64le kernels), the
    /// rule is about whole free, unscavenged physical pages: the scavenger
    /// releases nothing smaller and unmarks a chunk that has no such page.
    /// A target without an index: not applicable.
    public static let scavIndex = Invariant(
        name: "scavIndex",
        statement: "a chunk with a free, unscavenged page is marked in the scavenge index; Go 1.21+: its allocated-page count equals the bitmap's (mgcscavenge.go, scavengeIndex)"
    ) { ctx in
        let s = ctx.state
        let kind = s.scavIndexKind
        if kind == .none { return .notApplicable("the target has no scavenge index") }
        for c in s.chunks where c.present {
            guard let e = c.scavIndex else {
                return .broken("chunk \(c.chunk) is grown but its scavenge index entry is not mapped")
            }
            let firstPage = c.chunk * Geometry.pallocChunkPages
            var allocated = 0
            var anyUnscavengedFree = false
            for w in 0..<8 {
                allocated += c.alloc(w).nonzeroBitCount
                if ~c.alloc(w) & ~c.scavenged(w) != 0 { anyUnscavengedFree = true }
            }
            let marked: Bool
            switch kind {
            case .chunkBitmap:
                marked = e & 1 != 0
            case .chunkData:
                // Decoded by SummaryCore's ScavChunkData (proved: proofs/,
                // scavChunkUnpackPack and scavChunkPackRoundTrip).
                let d = ScavChunkData<UInt64>(packed: e)
                let inUse = Int(d.inUse)
                if inUse != allocated {
                    return .broken("chunk \(c.chunk): the scavenge index counts \(inUse) allocated pages, the bitmap \(allocated)")
                }
                marked = !d.isEmpty
            case .none:
                marked = true
            }
            guard anyUnscavengedFree && !marked else { continue }
            // Only now (rarely) look at the pages freed as "scavenged", and at
            // what a scavenger can take: whole physical pages (an aligned
            // block of physPageSize/pageSize pages, all free and unscavenged),
            // since it releases nothing smaller and may unmark a chunk whose
            // free memory is only parts of physical pages.
            let claimed = ctx.reference.freedAsScavenged.bits(from: firstPage, words: 8)
            let k = ctx.geometry.pagesPerPhysPage
            if let page = c.firstFreeUnscavenged(physPages: k, claimed: claimed) {
                let addr = ctx.geometry.unlinear((firstPage + page) * Geometry.pageSize)
                let what = k == 1 ? "free unscavenged page" : "free unscavenged physical page (\(k) pages)"
                return .broken("chunk \(c.chunk) holds \(what) \(h(addr)) but its scavenge index entry \(h(e)) does not mark it")
            }
        }
        return .holds
    }
}

extension Invariant {
    /// From the runtime's accounting around the page allocator (mheap.go's
    /// grow and allocSpan, mgcscavenge.go's scavengeOne): the heap bytes it
    /// counts as released must be exactly the pages marked scavenged, in the
    /// chunks' bitmaps and in the page caches. Grown memory is released and
    /// all scavenged; scavengeOne adds what it marks; an allocation subtracts
    /// the scavenged bytes it reports. Two counts are held to the bits: the
    /// checker's own, from the operations' results (every target), and the
    /// port's simulated `heapReleased` where it keeps one. On a snapshot of
    /// every chunk only. (An allocation that reports more scavenged bytes
    /// than its pages held is judged at once, as a memory-safety finding of
    /// this invariant: Runner.judgeScavCount.)
    public static let heapReleased = Invariant(
        name: "heapReleased",
        statement: "bytes counted as released (grown + released by scavenges - scavenged bytes reported by allocations, from the results; and the port's own count) == scavenged pages in the bitmaps and caches; no allocation reports more scavenged bytes than its pages held (mheap.go, mgcscavenge.go; full snapshots)"
    ) { ctx in
        let s = ctx.state
        let counts = [("counted from the results", ctx.releasedFromResults),
                      ("counted by the port's heapReleased", s.simulatedMemory?.heapReleased)]
            .compactMap { name, v in v.map { (name, $0) } }
        guard !counts.isEmpty else { return .notApplicable("no count of released bytes (a run with no results judged)") }
        guard s.full else { return .notApplicable("needs every chunk (full snapshots only)") }
        var pages = 0
        for c in s.chunks where c.present {
            for w in 0..<8 { pages += c.scavenged(w).nonzeroBitCount }
        }
        for pc in s.pageCaches ?? [] { pages += (pc.cache & pc.scav).nonzeroBitCount }
        let marked = Int64(pages) * Int64(Geometry.pageSize)
        for (name, released) in counts where released != marked {
            return .broken("\(released) bytes \(name) as released, but \(pages) pages (\(marked) bytes) are marked scavenged")
        }
        return .holds
    }
}
