// Invariants about the radix tree of summaries and the chunk bitmaps.

import OSMemory
import PageAlloc
import Reference

/// A summary read by an invariant, or why it could not be read.
enum SumRead {
    case success(PallocSum)
    case failure(String)
}

/// Reads a summary for an invariant; a fault is reported as a violation.
func readSum(_ p: PageAlloc, _ l: Int, _ i: Int) -> SumRead {
    do { return .success(try p.readSummary(level: l, index: i)) } catch { return .failure("summary[\(l)][\(i)] unreadable: \(error)") }
}

/// The summary indices of every level above the leaves that cover `chunks`.
func ancestorIndices(_ p: PageAlloc, _ chunks: [ChunkIdx], level l: Int) -> [Int] {
    let shift = p.geometry.levelShift[l] - Int(Geometry.logPallocChunkBytes)
    var out: [Int] = []
    for c in chunks {
        let i = Int(c.v >> UInt64(shift))
        if out.last != i { out.append(i) }
    }
    return out
}

extension Invariant {
    /// From (*pageAlloc).update: the leaf summary of a chunk is the summary
    /// of its bitmap.
    public static let leaves = Invariant(
        name: "leaves",
        statement: "each grown chunk's leaf summary equals summarize() of its bitmap (mpagealloc.go, update)"
    ) { ctx in
        let p = ctx.port
        let k = p.sumLayout
        for c in ctx.chunksToCheck() {
            guard let data = p.tryChunkOf(c) else { return "grown chunk \(c) has no bitmap (missing L2 block)" }
            switch readSum(p, p.levels - 1, Int(c.v)) {
            case let .failure(e): return e
            case let .success(s):
                let want = data.palloc.summarize(k)
                if s != want { return "summary[\(p.levels - 1)][\(c)] = \(k.unpack(s)) but its bitmap summarizes to \(k.unpack(want))" }
            }
        }
        return nil
    }

    /// From (*pageAlloc).update's walk up the tree: a parent is the merge of
    /// its block of children.
    public static let merge = Invariant(
        name: "merge",
        statement: "every summary above the leaves, at mapped indices, equals mergeSummaries of its children (mpagealloc.go, update)"
    ) { ctx in
        let p = ctx.port
        let g = p.geometry
        let k = p.sumLayout
        let chunks = ctx.chunksToCheck()
        var children = [UInt64](repeating: 0, count: 1 << Geometry.summaryLevelBits)
        for l in stride(from: p.levels - 2, through: 0, by: -1) {
            let perBlock = 1 << g.levelBits[l + 1]
            for i in ancestorIndices(p, chunks, level: l) {
                for j in 0..<perBlock {
                    switch readSum(p, l + 1, i * perBlock + j) {
                    case let .failure(e): return e
                    case let .success(s): children[j] = s.raw
                    }
                }
                switch readSum(p, l, i) {
                case let .failure(e): return e
                case let .success(s):
                    let logPer = UInt64(g.levelLogPages[l + 1])
                    let want = children.withUnsafeBufferPointer { k.merge($0.baseAddress!, count: perBlock, logMaxPagesPerSum: logPer) }
                    if s != want { return "summary[\(l)][\(i)] = \(k.unpack(s)) but its children merge to \(k.unpack(want))" }
                }
            }
        }
        return nil
    }

    /// From pallocSum's comment: fields are counts of at most
    /// 2^levelLogPages[l]; start and end never exceed max; a field is full
    /// only when all three are (the region is all free).
    public static let wellFormed = Invariant(
        name: "wellFormed",
        statement: "start, end <= max <= 2^levelLogPages[l]; any field full only if all three are (mpagealloc.go, pallocSum)"
    ) { ctx in
        let p = ctx.port
        let g = p.geometry
        let k = p.sumLayout
        let chunks = ctx.chunksToCheck()
        for l in 0..<p.levels {
            let full = UInt64(1) << UInt64(g.levelLogPages[l])
            let idx = l == p.levels - 1 ? chunks.map { Int($0.v) } : ancestorIndices(p, chunks, level: l)
            for i in idx {
                switch readSum(p, l, i) {
                case let .failure(e): return e
                case let .success(s):
                    let (st, mx, en) = k.unpack(s)
                    if mx > full || st > mx || en > mx {
                        return "summary[\(l)][\(i)] = (\(st), \(mx), \(en)) breaks start, end <= max <= \(full)"
                    }
                    if (st == full || mx == full || en == full) && !(st == full && mx == full && en == full) {
                        return "summary[\(l)][\(i)] = (\(st), \(mx), \(en)) is full in one field only"
                    }
                    if st + en > full && mx != full {
                        return "summary[\(l)][\(i)] = (\(st), \(mx), \(en)): free start and end overlap"
                    }
                }
            }
        }
        return nil
    }

    /// From pallocData: a scavenged page is a free page (allocation clears
    /// the scavenged bit), and the scavenged pages are the reference's.
    public static let scavengedFree = Invariant(
        name: "scavengedFree",
        statement: "scavenged pages are free pages, and equal the reference's scavenged set (mpallocbits.go, pallocData)"
    ) { ctx in
        let p = ctx.port
        let sp = p.geometry.space
        for c in ctx.chunksToCheck() {
            guard let data = p.tryChunkOf(c) else { return "grown chunk \(c) has no bitmap (missing L2 block)" }
            let firstPage = sp.linear(sp.chunkBase(c)) / Geometry.pageSize
            let wantWords = ctx.reference.scavenged.bits(from: firstPage, words: 8)
            for w in 0..<UInt64(8) {
                let alloc = data.palloc.bits.block64(w * 64), scav = data.scavenged.block64(w * 64)
                if alloc & scav != 0 {
                    let bit = UInt64((alloc & scav).trailingZeroBitCount)
                    return "page \(h(sp.chunkBase(c) + (w * 64 + bit) * Geometry.pageSize)) is allocated and scavenged"
                }
                let want = wantWords[Int(w)]
                if scav != want {
                    return "chunk \(c) word \(w): scavenged bits \(h(scav)), reference \(h(want))"
                }
            }
        }
        return nil
    }

    /// The differential invariant: the port's bitmaps say exactly which pages
    /// the reference allocator has allocated.
    public static let allocatedPages = Invariant(
        name: "allocatedPages",
        statement: "the port's allocation bitmaps equal the reference allocator's allocated pages (differential)"
    ) { ctx in
        let p = ctx.port
        let sp = p.geometry.space
        let free = ctx.reference.free
        for c in ctx.chunksToCheck() {
            guard let data = p.tryChunkOf(c) else { return "grown chunk \(c) has no bitmap (missing L2 block)" }
            let firstPage = sp.linear(sp.chunkBase(c)) / Geometry.pageSize
            let freeWords = free.bits(from: firstPage, words: 8)
            for w in 0..<UInt64(8) {
                let got = data.palloc.bits.block64(w * 64)
                let want = ~freeWords[Int(w)]  // grown and not free: allocated
                if got != want {
                    let bit = UInt64((got ^ want).trailingZeroBitCount)
                    let page = sp.chunkBase(c) + (w * 64 + bit) * Geometry.pageSize
                    return "page \(h(page)): port says \((got >> bit) & 1 == 1 ? "allocated" : "free"), reference says \((want >> bit) & 1 == 1 ? "allocated" : "free")"
                }
            }
        }
        return nil
    }
}
