// Invariants about the radix tree of summaries and the chunk bitmaps, over
// the summaries and bitmaps a snapshot holds.

import Vocabulary
import Reference
import TraceFormat
import Targets

/// A reported summary, unpacked, or why it cannot be judged.
enum SumRead {
    case success(Sum3)
    case failure(String)
}

/// Reads summary l/i from the snapshot. Unmapped memory where the tree must
/// be readable is a violation; a summary the target did not report is a
/// broken snapshot, also reported.
func readSum(_ ctx: InvariantContext, _ l: Int, _ i: Int) -> SumRead {
    guard let e = ctx.state.summary(level: l, index: i) else { return .failure("summary[\(l)][\(i)] missing from the snapshot") }
    guard e.mapped else { return .failure("summary[\(l)][\(i)] unreadable: its memory is not mapped") }
    return .success(CheckerMath.unpack(e.raw, ctx.geometry))
}

/// The summary indices of level l above the leaves that cover the snapshot's chunks.
func ancestorIndices(_ ctx: InvariantContext, level l: Int) -> [Int] {
    let shift = ctx.geometry.levelShift[l] - Int(Geometry.logPallocChunkBytes)
    var out: [Int] = []
    for c in ctx.state.chunks {
        let i = Int(c.chunk >> UInt64(shift))
        if out.last != i { out.append(i) }
    }
    return out
}

extension Invariant {
    /// From (*pageAlloc).update: the leaf summary of a chunk is the summary
    /// of its bitmap.
    public static let leaves = Invariant(
        name: "leaves",
        statement: "each grown chunk's leaf summary equals the summary of its bitmap (mpagealloc.go, update)"
    ) { ctx in
        let leaf = ctx.geometry.summaryLevels - 1
        for c in ctx.state.chunks {
            guard c.present else { return .broken("grown chunk \(c.chunk) has no bitmap (missing L2 block)") }
            switch readSum(ctx, leaf, Int(c.chunk)) {
            case let .failure(e): return .broken(e)
            case let .success(s):
                let want = CheckerMath.summarize { c.alloc($0) }
                if s != want { return .broken("summary[\(leaf)][\(c.chunk)] = \(s) but its bitmap summarizes to \(want)") }
            }
        }
        return .holds
    }

    /// From (*pageAlloc).update's walk up the tree: a parent is the merge of
    /// its block of children.
    public static let merge = Invariant(
        name: "merge",
        statement: "every summary above the leaves, at mapped indices, equals the merge of its children (mpagealloc.go, update)"
    ) { ctx in
        let g = ctx.geometry
        var kids: [Sum3] = []
        for l in stride(from: g.summaryLevels - 2, through: 0, by: -1) {
            let perBlock = 1 << g.levelBits[l + 1]
            let childPages = UInt64(1) << UInt64(g.levelLogPages[l + 1])
            for i in ancestorIndices(ctx, level: l) {
                kids.removeAll(keepingCapacity: true)
                for j in 0..<perBlock {
                    switch readSum(ctx, l + 1, i * perBlock + j) {
                    case let .failure(e): return .broken(e)
                    case let .success(s): kids.append(s)
                    }
                }
                switch readSum(ctx, l, i) {
                case let .failure(e): return .broken(e)
                case let .success(s):
                    let want = CheckerMath.merge(kids, childPages: childPages)
                    if s != want { return .broken("summary[\(l)][\(i)] = \(s) but its children merge to \(want)") }
                }
            }
        }
        return .holds
    }

    /// From pallocSum's comment: fields are counts of at most
    /// 2^levelLogPages[l]; start and end never exceed max; a field is full
    /// only when all three are (the region is all free).
    public static let wellFormed = Invariant(
        name: "wellFormed",
        statement: "start, end <= max <= 2^levelLogPages[l]; any field full only if all three are (mpagealloc.go, pallocSum)"
    ) { ctx in
        let g = ctx.geometry
        let leaf = g.summaryLevels - 1
        for l in 0..<g.summaryLevels {
            let full = UInt64(1) << UInt64(g.levelLogPages[l])
            let idx = l == leaf ? ctx.state.chunks.map { Int($0.chunk) } : ancestorIndices(ctx, level: l)
            for i in idx {
                switch readSum(ctx, l, i) {
                case let .failure(e): return .broken(e)
                case let .success(s):
                    let (st, mx, en) = (s.start, s.max, s.end)
                    if mx > full || st > mx || en > mx {
                        return .broken("summary[\(l)][\(i)] = (\(st), \(mx), \(en)) breaks start, end <= max <= \(full)")
                    }
                    if (st == full || mx == full || en == full) && !(st == full && mx == full && en == full) {
                        return .broken("summary[\(l)][\(i)] = (\(st), \(mx), \(en)) is full in one field only")
                    }
                    if st + en > full && mx != full {
                        return .broken("summary[\(l)][\(i)] = (\(st), \(mx), \(en)): free start and end overlap")
                    }
                }
            }
        }
        return .holds
    }

    /// From pallocData: a scavenged page is a free page (allocation clears
    /// the scavenged bit), and the scavenged pages are the reference's;
    /// the one exception is Go 1.26+'s heap-base padding, allocated and
    /// scavenged for good (markRandomPaddingPages).
    public static let scavengedFree = Invariant(
        name: "scavengedFree",
        statement: "scavenged pages are free pages, and equal the reference's scavenged set; padding pages (Go 1.26+) are allocated and scavenged (mpallocbits.go, pallocData, markRandomPaddingPages)"
    ) { ctx in
        let g = ctx.geometry
        for c in ctx.state.chunks {
            guard c.present else { return .broken("grown chunk \(c.chunk) has no bitmap (missing L2 block)") }
            let chunkBase = g.unlinear(c.chunk &* Geometry.pallocChunkBytes)
            let firstPage = c.chunk * Geometry.pallocChunkPages
            let wantWords = ctx.reference.scavenged.bits(from: firstPage, words: 8)
            let padWords = ctx.reference.padding.isEmpty ? [UInt64](repeating: 0, count: 8) : ctx.reference.padding.bits(from: firstPage, words: 8)
            func page(_ w: Int, _ bits: UInt64) -> String {
                h(chunkBase + (UInt64(w) * 64 + UInt64(bits.trailingZeroBitCount)) * Geometry.pageSize)
            }
            for w in 0..<8 {
                let alloc = c.alloc(w), scav = c.scavenged(w), pad = padWords[w]
                if alloc & scav & ~pad != 0 {
                    return .broken("page \(page(w, alloc & scav & ~pad)) is allocated and scavenged")
                }
                if pad & ~(alloc & scav) != 0 {
                    return .broken("padding page \(page(w, pad & ~(alloc & scav))) is not allocated and scavenged")
                }
                if scav & ~pad != wantWords[w] {
                    return .broken("chunk \(c.chunk) word \(w): scavenged bits \(h(scav & ~pad)) outside padding, reference \(h(wantWords[w]))")
                }
            }
        }
        return .holds
    }

    /// The differential invariant: the target's bitmaps say exactly which
    /// pages the reference allocator has allocated.
    public static let allocatedPages = Invariant(
        name: "allocatedPages",
        statement: "the target's allocation bitmaps equal the reference allocator's allocated pages (differential)"
    ) { ctx in
        let g = ctx.geometry
        let free = ctx.reference.free
        for c in ctx.state.chunks {
            guard c.present else { return .broken("grown chunk \(c.chunk) has no bitmap (missing L2 block)") }
            let chunkBase = g.unlinear(c.chunk &* Geometry.pallocChunkBytes)
            let freeWords = free.bits(from: c.chunk * Geometry.pallocChunkPages, words: 8)
            for w in 0..<8 {
                let got = c.alloc(w)
                let want = ~freeWords[w]  // grown and not free: allocated
                if got != want {
                    let bit = UInt64((got ^ want).trailingZeroBitCount)
                    let page = chunkBase + (UInt64(w) * 64 + bit) * Geometry.pageSize
                    return .broken("page \(h(page)): target says \((got >> bit) & 1 == 1 ? "allocated" : "free"), reference says \((want >> bit) & 1 == 1 ? "allocated" : "free")")
                }
            }
        }
        return .holds
    }
}
