// The scavenger's transition (mgcscavenge.go), judged on the full snapshot
// after a `scavenge` operation against the reference before it. The
// reference does not predict which pages a scavenger picks (Go 1.19's
// bitmap index and Go 1.21's density-driven index pick differently, and
// both are the target's business); it holds the target to the rules every
// scavenger must keep, then adopts the pages it released.

import Vocabulary
import Reference
import TraceFormat
import Targets
import struct SummaryCore.ScavChunkData

/// What a `scavenge` operation did, as the checker reads it.
public struct ScavengeStep {
    /// One line for `--list-invariants` (a transition check, after each scavenge).
    public static let statement = "after each scavenge (transition): no page is unscavenged, only free pages are scavenged, the released bytes are the newly scavenged pages, every newly scavenged run is whole physical pages (mgcscavenge.go; golang/go#35445); a forced scavenge that released less than asked left no free, unscavenged physical page"

    /// The pages (reference numbering) that became scavenged.
    public var newlyScavenged = IntervalSet()
    /// The first rule broken, if any: why, and the rule's name when it is
    /// one with a signature of its own (`forced`, `background`).
    public var broken: String?
    public var brokenRule: String?

    /// The rules, in the order they are checked:
    /// - no page stops being scavenged (scavenging only releases memory);
    /// - every newly scavenged page was free (never an allocated page, and
    ///   never one outside the grown chunks: only grown chunks have bits);
    /// - the released bytes are exactly the newly scavenged pages;
    /// - every run of newly scavenged pages starts and ends on a physical
    ///   page boundary (sysUnused takes whole OS pages; golang/go#35445);
    /// - `exhaustive`: a forced scavenge that released less than it was asked
    ///   for has run out of work, so no whole physical page is left free and
    ///   unscavenged (else the scavenger lost track of it: memory never
    ///   returned to the OS). Pages freed as "scavenged" (a claim the bitmap
    ///   does not record) are left out, as in `scavIndex`.
    /// - `background` (Go 1.21+'s background scavenger, with the checker's
    ///   model of the index before the scavenge): see `backgroundRule`.
    public static func judge(_ state: HeapState, geometry: Geometry, reference r: ReferenceAllocator,
                             released: UInt64, exhaustive: Bool = false,
                             background: ScavGenModel? = nil, ranOut: Bool = false) -> ScavengeStep {
        var out = ScavengeStep()
        let physPages = Swift.max(1, geometry.physPageSize / Geometry.pageSize)
        var pages: UInt64 = 0
        for c in state.chunks where c.present {
            let firstPage = c.chunk * Geometry.pallocChunkPages
            // Padding pages (Go 1.26+) were scavenged before and stay so.
            var was = r.scavenged.bits(from: firstPage, words: 8)
            if !r.padding.isEmpty {
                let pad = r.padding.bits(from: firstPage, words: 8)
                for w in 0..<8 { was[w] |= pad[w] }
            }
            let free = r.free.bits(from: firstPage, words: 8)
            let chunkBase = geometry.unlinear(c.chunk &* Geometry.pallocChunkBytes)
            var runStart: UInt64?
            for w in 0..<8 {
                let now = c.scavenged(w)
                if was[w] & ~now != 0 {
                    let bit = UInt64((was[w] & ~now).trailingZeroBitCount)
                    out.broken = "page \(h(chunkBase + (UInt64(w) * 64 + bit) * Geometry.pageSize)) was scavenged before and is not after"
                    return out
                }
                let newly = now & ~was[w]
                if newly & ~free[w] != 0 {
                    let bit = UInt64((newly & ~free[w]).trailingZeroBitCount)
                    out.broken = "page \(h(chunkBase + (UInt64(w) * 64 + bit) * Geometry.pageSize)) was scavenged but is allocated"
                    return out
                }
                pages += UInt64(newly.nonzeroBitCount)
                // Runs of newly scavenged pages, within the chunk.
                for b in 0..<UInt64(64) {
                    let i = UInt64(w) * 64 + b
                    let set = (newly >> b) & 1 == 1
                    if set && runStart == nil { runStart = i }
                    if !set, let s = runStart {
                        if let bad = misaligned(s, i, physPages, chunkBase) { out.broken = bad; return out }
                        out.newlyScavenged.insert((firstPage + s)..<(firstPage + i))
                        runStart = nil
                    }
                }
            }
            if let s = runStart {
                if let bad = misaligned(s, Geometry.pallocChunkPages, physPages, chunkBase) { out.broken = bad; return out }
                out.newlyScavenged.insert((firstPage + s)..<(firstPage + Geometry.pallocChunkPages))
            }
        }
        if pages * Geometry.pageSize != released {
            out.broken = "released \(released) bytes, but \(pages) pages (\(pages * Geometry.pageSize) bytes) became scavenged"
            return out
        }
        if exhaustive, let left = leftOver(state, geometry: geometry, reference: r) {
            out.broken = "a forced scavenge released \(released) bytes, less than asked, yet \(left) is free and unscavenged"
            out.brokenRule = "forced"
        }
        if out.broken == nil, let m = background {
            out.broken = backgroundRule(state, geometry: geometry, reference: r, model: m, newly: out.newlyScavenged,
                                        released: released, ranOut: ranOut)
            if out.broken != nil { out.brokenRule = "background" }
        }
        return out
    }

    /// What Go 1.21+'s background scavenger (`(*pageAlloc).scavenge` with
    /// force false) may do, from `find`, `shouldScavenge` and
    /// `scavengeOne`, judged with the checker's model `m` of the index as
    /// it was before the scavenge:
    /// - it searches down from `searchAddrBg` only: in the cursor's chunk
    ///   at and below the 64-page word that holds the cursor's page
    ///   (findScavengeCandidate starts at word searchIdx/64), below it whole
    ///   chunks. So it releases no page above that word;
    /// - it takes only chunks the density rule allows: fewer than
    ///   `scavChunkHiOccPages` (496) pages in use, and, when the chunk was
    ///   touched in this generation, fewer than that at the generation's
    ///   start (`lastInUse`) too. So it releases nothing in a dense chunk;
    /// - it stops early only when `find` has nothing left. So if it released
    ///   less than asked, no whole physical page that is free and
    ///   unscavenged remains at or below the cursor in a chunk the density
    ///   rule allows.
    /// What it may leave behind: pages above the cursor (freed in this
    /// generation: the next `nextGen` raises the cursor to them), pages in
    /// dense chunks, and parts of physical pages.
    static func backgroundRule(_ state: HeapState, geometry: Geometry, reference r: ReferenceAllocator, model m: ScavGenModel,
                               newly: IntervalSet, released: UInt64, ranOut: Bool) -> String? {
        // The density rule is SummaryCore's shouldScavenge (proved:
        // scavChunkDensity), read on the model's counts.
        func allowed(_ chunk: UInt64) -> Bool {
            let c = m.chunk(chunk)
            let d = ScavChunkData<UInt64>(inUse: UInt64(c.inUse), lastInUse: UInt64(c.lastInUse), gen: UInt64(c.gen),
                                          flags: ScavChunkData<UInt64>.hasFree)
            return d.shouldScavenge(currGen: UInt64(m.gen), force: false)
        }
        let cursor = m.bgCursor
        // The highest page the search reaches: the end of the cursor's word.
        let top = cursor / 64 * 64 + 63
        for iv in newly.intervals {
            if iv.upperBound - 1 > top || cursor == 0 {
                let p = Swift.max(iv.lowerBound, cursor == 0 ? iv.lowerBound : top + 1)
                return "a background scavenge released page \(h(r.address(p))) above its cursor searchAddrBg \(h(r.address(cursor))) (cleared: 0x\(String(r.address(0), radix: 16)))"
            }
            var p = iv.lowerBound
            while p < iv.upperBound {
                let c = p / Geometry.pallocChunkPages
                if !allowed(c) {
                    let d = m.chunk(c)
                    return "a background scavenge released page \(h(r.address(p))) in chunk \(c), which the density rule skips (inUse \(d.inUse), lastInUse \(d.lastInUse), gen \(d.gen) of \(m.gen))"
                }
                p = (c + 1) * Geometry.pallocChunkPages
            }
        }
        guard ranOut, cursor != 0 else { return nil }
        let k = geometry.pagesPerPhysPage
        for c in state.chunks where c.present && allowed(c.chunk) {
            let firstPage = c.chunk * Geometry.pallocChunkPages
            guard firstPage <= top else { break }
            if let p = c.firstFreeUnscavenged(physPages: k, where: { firstPage + $0 + UInt64(k) - 1 <= top }) {
                return "a background scavenge released \(released) bytes, less than asked, yet page \(h(r.address(firstPage + p))) at or below its cursor \(h(r.address(cursor))) is free and unscavenged in a chunk the density rule allows"
            }
        }
        return nil
    }

    /// The first whole physical page that is free and unscavenged in the
    /// snapshot's bitmaps (not claimed as freed scavenged), if any.
    static func leftOver(_ state: HeapState, geometry: Geometry, reference r: ReferenceAllocator) -> String? {
        let k = geometry.pagesPerPhysPage
        for c in state.chunks where c.present {
            let firstPage = c.chunk * Geometry.pallocChunkPages
            guard let page = c.firstFreeUnscavenged(physPages: k, claimed: r.freedAsScavenged.bits(from: firstPage, words: 8)) else { continue }
            let addr = geometry.unlinear((firstPage + page) * Geometry.pageSize)
            return k == 1 ? "page \(h(addr))" : "the physical page at \(h(addr)) (\(k) pages)"
        }
        return nil
    }

    /// The pages (reference numbering) the snapshot shows scavenged that
    /// the reference holds free and not yet scavenged: what a scavenge did,
    /// whatever rule it broke.
    static func observedScavenged(_ state: HeapState, reference r: ReferenceAllocator) -> IntervalSet {
        var out = IntervalSet()
        for c in state.chunks where c.present {
            let firstPage = c.chunk * Geometry.pallocChunkPages
            let free = r.free.bits(from: firstPage, words: 8)
            let was = r.scavenged.bits(from: firstPage, words: 8)
            for w in 0..<8 {
                let newly = c.scavenged(w) & free[w] & ~was[w]
                for b in 0..<UInt64(64) where (newly >> b) & 1 == 1 {
                    let p = firstPage + UInt64(w) * 64 + b
                    out.insert(p..<(p + 1))
                }
            }
        }
        return out
    }

    /// A run [s, e) of pages in a chunk that is not whole physical pages.
    static func misaligned(_ s: UInt64, _ e: UInt64, _ physPages: UInt64, _ chunkBase: UInt64) -> String? {
        guard s % physPages != 0 || e % physPages != 0 else { return nil }
        return "scavenged run [\(h(chunkBase + s * Geometry.pageSize)), \(h(chunkBase + e * Geometry.pageSize))) is not aligned to the \(physPages * Geometry.pageSize)-byte physical page"
    }
}
