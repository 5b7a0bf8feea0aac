// Invariants about the per-P page caches (mpagecache.go).

import Vocabulary
import Reference
import TraceFormat
import Targets

extension Invariant {
    /// From mpagecache.go's `pageCache` and allocToCache: a cache owns a
    /// 64-page aligned block of one chunk; the pages free in it are marked
    /// allocated in the chunk's bitmap and not scavenged there (their
    /// scavenged marks travel in the cache, and only for pages it holds);
    /// no two caches hold the same page; and every cache holds what the
    /// reference's cache holds.
    public static let pageCache = Invariant(
        name: "pageCache",
        statement: "a page cache's free pages are allocated and unscavenged in their chunk, its scav bits are a subset of its free bits and the block's padding pages (Go 1.26+), caches are disjoint and equal the reference's (mpagecache.go, allocToCache)"
    ) { ctx in
        guard let caches = ctx.state.pageCaches else { return .notApplicable("the target does not report its page caches") }
        guard caches.count == ctx.reference.caches.count else {
            return .broken("the target reports \(caches.count) page caches, the reference keeps \(ctx.reference.caches.count)")
        }
        let g = ctx.geometry
        let blockBytes = 64 * Geometry.pageSize
        for (p, c) in caches.enumerated() {
            let want = ctx.reference.caches[p]
            if c.cache != want.free || c.scav != want.scav || (c.cache != 0 && c.base != ctx.reference.address(want.firstPage)) {
                return .broken("P \(p)'s cache is (\(h(c.base)), free \(h(c.cache)), scav \(h(c.scav))), the reference's (\(h(ctx.reference.address(want.firstPage))), free \(h(want.free)), scav \(h(want.scav)))")
            }
            guard c.cache != 0 else { continue }
            // allocToCache copies the block's scavenged bits whole: padding
            // pages, allocated and scavenged, are in them (Go 1.26+).
            let pad = ctx.reference.padding.isEmpty ? 0 : ctx.reference.padding.bits(from: ctx.reference.page(c.base), words: 1)[0]
            if c.scav & ~c.cache & ~pad != 0 {
                return .broken("P \(p)'s cache marks scavenged pages it does not hold: scav \(h(c.scav)), free \(h(c.cache))")
            }
            if g.linear(c.base) % blockBytes != 0 {
                return .broken("P \(p)'s cache base \(h(c.base)) is not aligned to \(h(blockBytes))")
            }
            for q in 0..<p where caches[q].cache != 0 && caches[q].base == c.base && caches[q].cache & c.cache != 0 {
                return .broken("P \(q) and P \(p) both hold pages \(h(caches[q].cache & c.cache)) of block \(h(c.base))")
            }
            // The block's word of the chunk's bitmaps, when the snapshot has the chunk.
            let linear = g.linear(c.base)
            guard let chunk = ctx.state.chunk(linear / Geometry.pallocChunkBytes), chunk.present else { continue }
            let w = Int(linear % Geometry.pallocChunkBytes / blockBytes)
            if ~chunk.alloc(w) & c.cache != 0 {
                return .broken("P \(p)'s cache holds pages \(h(~chunk.alloc(w) & c.cache)) of block \(h(c.base)) that the chunk's bitmap says are free")
            }
            if chunk.scavenged(w) & c.cache != 0 {
                return .broken("P \(p)'s cache holds pages \(h(chunk.scavenged(w) & c.cache)) of block \(h(c.base)) that are still marked scavenged in the chunk")
            }
        }
        return .holds
    }
}
