// Obligations about address arithmetic and the offset address space.

import SummaryCore

/// `x` is a heap address: a valid uintptr whose offset from arenaBaseOffset is
/// below 2^heapAddrBits.
func isHeapAddress<W: SumWord>(_ x: W, _ g: Geometry) -> W.Condition {
    x <= W(g.uintptrMask) && OffAddr(x).offset(g) < W(1) << g.heapAddrBits
}

/// chunkIndex and chunkBase are inverse.
struct ChunkIndexBaseInverse: Obligation {
    let theorem = "chunkIndexBase"
    let instance = ""
    let meaning = "chunkIndex(chunkBase(ci)) == ci for every chunk index of the heap, and for every heap address p, chunkIndex(p) is a heap chunk whose chunkBase is p rounded down to a chunk."
    let mutation = "chunkIndex divides by half a chunk (shift one bit short)."

    func inputNames(_ g: Geometry) -> [String] { ["p", "ci"] }

    func index<W: SumWord>(_ p: W, _ g: Geometry, _ v: Variant) -> ChunkIdx<W> {
        v == .original ? chunkIndex(p, g) : Mutants.chunkIndex(p, g)
    }

    func assumption<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        isHeapAddress(x[0], g) && x[1] < W(g.chunkCount)
    }

    func goal<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        let p = x[0]
        let ci = ChunkIdx(x[1])
        let pIndex = index(p, g, v)
        return index(chunkBase(ci, g), g, v).value == ci.value
            && pIndex.value < W(g.chunkCount)
            && chunkBase(pIndex, g) == p & ~W(Geometry.pallocChunkBytes &- 1)
            && chunkPageIndex(p) < W(Geometry.pallocChunkPages)
    }

    func observations(_ x: [UInt64], _ g: Geometry, _ v: Variant) -> [(String, String)] {
        let pIndex = index(x[0], g, v)
        return [("chunkIndex(p)", hex(pIndex.value)), ("chunkBase(chunkIndex(p))", hex(chunkBase(pIndex, g))),
                ("chunkIndex(chunkBase(ci))", hex(index(chunkBase(ChunkIdx(x[1]), g), g, v).value))]
    }
}

/// addrsToSummaryRange returns exactly the summaries that cover the range.
struct AddrsToSummaryRangeExact: Obligation {
    let level: Int
    let theorem = "addrsToSummaryRange"
    var instance: String { "l\(level)" }
    let meaning = "For every page-aligned heap range [base, limit), addrsToSummaryRange(l, base, limit) returns [lo, hi) such that summary j of level l covers some byte of the range exactly when lo <= j < hi, with lo < hi <= the level's summary count."
    let mutation = "hi is computed from limit instead of limit-1."

    func inputNames(_ g: Geometry) -> [String] { ["base", "limit", "j"] }

    func range<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> (lo: W, hi: W) {
        v == .original
            ? addrsToSummaryRange(level: level, base: x[0], limit: x[1], g)
            : Mutants.addrsToSummaryRange(level: level, base: x[0], limit: x[1], g)
    }

    /// The first and last (inclusive) offsets of [base, limit), computed as Go does
    /// (uintptr arithmetic); the inclusive last offset lets limit be the very end of
    /// the address space.
    func offsets<W: SumWord>(_ x: [W], _ g: Geometry) -> (first: W, last: W) {
        (OffAddr(x[0]).offset(g), OffAddr(g.uintptr(x[1] &- 1)).offset(g))
    }

    func assumption<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        let (base, limit, j) = (x[0], x[1], x[2])
        let pageMask = W(Geometry.pageSize &- 1)
        let heapSize = W(1) << g.heapAddrBits
        let (first, last) = offsets(x, g)
        return base <= W(g.uintptrMask) && limit <= W(g.uintptrMask)
            && base & pageMask == 0 && limit & pageMask == 0
            && first < heapSize && last < heapSize && first <= last
            && j < W(g.summaryCount(level: level))
    }

    func goal<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        let j = x[2]
        let shift = g.levelShift[level]
        let (first, last) = offsets(x, g)
        let (lo, hi) = range(x, g, v)
        // Summary j covers offsets [j << shift, (j+1) << shift), computed in 64 bits.
        let covers = j << shift <= last && first < (j &+ 1) << shift
        return iff(lo <= j && j < hi, covers) && lo < hi && hi <= W(g.summaryCount(level: level))
    }

    func observations(_ x: [UInt64], _ g: Geometry, _ v: Variant) -> [(String, String)] {
        let (lo, hi) = range(x, g, v)
        return [("lo", hex(lo)), ("hi", hex(hi))]
    }
}

/// offAddr comparisons follow the heap's address order.
struct OffAddrOrder: Obligation {
    let theorem = "offAddrOrder"
    let instance = ""
    let meaning = "For heap addresses a and b, offAddr lessThan and lessEqual agree with the heap's address order: signed order of the sign-extended addresses when arenaBaseOffset is in the upper half (amd64, across the wrap at zero), unsigned order otherwise."
    let mutation = "lessThan compares with <= instead of <."

    func inputNames(_ g: Geometry) -> [String] { ["a", "b"] }

    /// a before b in the heap: with the sign bit flipped, unsigned order is signed order.
    static func before<W: SumWord>(_ a: W, _ b: W, _ g: Geometry) -> W.Condition {
        let signExtended = g.arenaBaseOffset >> 63 == 1
        return signExtended ? (a ^ W(1 << 63)) < (b ^ W(1 << 63)) : a < b
    }

    func lessThan<W: SumWord>(_ a: W, _ b: W, _ g: Geometry, _ v: Variant) -> W.Condition {
        v == .original ? OffAddr(a).lessThan(OffAddr(b), g) : Mutants.lessThan(OffAddr(a), OffAddr(b), g)
    }

    func assumption<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        isHeapAddress(x[0], g) && isHeapAddress(x[1], g)
    }

    func goal<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        let (a, b) = (x[0], x[1])
        let before = Self.before(a, b, g)
        return iff(lessThan(a, b, g, v), before)
            && iff(OffAddr(a).lessEqual(OffAddr(b), g), before || a == b)
            && OffAddr<W>.minOffAddr(g).lessEqual(OffAddr(a), g)
            && OffAddr(a).lessEqual(OffAddr<W>.maxOffAddr(g), g)
    }

    func observations(_ x: [UInt64], _ g: Geometry, _ v: Variant) -> [(String, String)] {
        [("lessThan(a, b)", "\(lessThan(x[0], x[1], g, v))"), ("a before b", "\(Self.before(x[0], x[1], g))")]
    }
}

/// The geometry's constants satisfy Go's relations.
struct GeometryConstants: Obligation {
    let theorem = "geometryConstants"
    let instance = ""
    let meaning = "The geometry's table satisfies Go's constants equation (summaryL0Bits + (summaryLevels-1)*3 + logPallocChunkBytes == heapAddrBits), the levelShift and levelLogPages formulas, and init's check levelLogPages[0] <= logMaxPackedValue, with three fields below bit 63."
    let mutation = "The table's levelLogPages[0] is three too large (a level added to the root's page count but not to logMaxPackedValue)."

    func inputNames(_ g: Geometry) -> [String] {
        ["heapAddrBits", "summaryLevels", "logMaxPackedValue"]
            + (0..<g.summaryLevels).flatMap { ["levelBits\($0)", "levelShift\($0)", "levelLogPages\($0)"] }
    }

    /// The table as written in the geometry (or with the mutant's typo).
    func table(_ g: Geometry, _ v: Variant) -> [UInt64] {
        var values = [g.heapAddrBits, g.summaryLevels, g.logMaxPackedValue]
        for l in 0..<g.summaryLevels {
            let logPages = g.levelLogPages[l] + (v == .mutant && l == 0 ? 3 : 0)
            values += [g.levelBits[l], g.levelShift[l], logPages]
        }
        return values.map { UInt64($0) }
    }

    func assumption<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        all(zip(x, table(g, v)).map { $0 == W($1) })
    }

    func goal<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        let (heapAddrBits, levels, logMax) = (x[0], x[1], x[2])
        func bits(_ l: Int) -> W { x[3 + 3 * l] }
        func shift(_ l: Int) -> W { x[4 + 3 * l] }
        func logPages(_ l: Int) -> W { x[5 + 3 * l] }
        let below = levels &- 1                                  // levels below the root
        let times3 = { (w: W) in (w << 1) &+ w }
        let logChunkBytes = W(UInt64(Geometry.logPallocChunkBytes))
        let summaryL0Bits = heapAddrBits &- logChunkBytes &- times3(below)
        var goal = levels == W(UInt64(g.summaryLevels))        // the table has one row per level
            && bits(0) == summaryL0Bits
            && summaryL0Bits &+ times3(below) &+ logChunkBytes == heapAddrBits
            && summaryL0Bits <= heapAddrBits                      // summaryL0Bits >= 0
            && logMax == W(UInt64(Geometry.logPallocChunkPages)) &+ times3(below)
            && logPages(0) <= logMax                              // (*pageAlloc).init's check
            && times3(logMax) <= 63
        var covered: W = 0
        for l in 0..<g.summaryLevels {
            covered = covered &+ bits(l)
            if l > 0 { goal = goal && bits(l) == W(UInt64(Geometry.summaryLevelBits)) }
            goal = goal && shift(l) == heapAddrBits &- covered
                && logPages(l) == shift(l) &- W(UInt64(Geometry.pageShift))
        }
        return goal
    }
}
