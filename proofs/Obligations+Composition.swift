// The chain from bitmaps to the tree, as obligations: every bit-by-bit summary is
// well formed (an induction over the bitmap), mergeSummaries' loop keeps "the
// running summary is the summary of the children so far" (an induction over the
// children, with its base and its step), the result of every level packs without
// truncation, and the children of a tree entry cover exactly its pages, in order.
// proofs/README.md ("How the links compose") puts them together.

import SummaryCore

/// The facts every bit-by-bit summary of `n` bits has (combineLaw proves the first
/// by induction over the bitmap, scanWellFormed the second).
func scanFacts<W: SumWord>(_ s: SummaryFields<W>, length n: W) -> W.Condition {
    scanInvariant(s, length: n) && wellFormed(s, pages: n)
}

/// Every bit-by-bit summary is well formed.
struct ScanWellFormed: Obligation {
    let theorem = "scanWellFormed"
    let instance = ""
    let meaning = "The bit-by-bit summary of every bitmap (below 2^36 pages) is well formed: true of the empty bitmap, and appending a free or an in-use bit to a bitmap whose summary is well formed (and meets combineLaw's scan invariant) keeps it well formed (induction on the bitmap's length)."
    let geometryIndependent = true
    let mutation = "The claim asks for one page more between the start and end runs (start + end + 1 < pages), which a bitmap with a single in-use page breaks."

    func inputNames(_ g: Geometry) -> [String] { ["start", "max", "end", "length"] }
    func inputBits(_ g: Geometry) -> [Int] { Array(repeating: CombineLaw.lengthBits, count: 4) }

    func claim<W: SumWord>(_ s: SummaryFields<W>, length n: W, _ v: Variant) -> W.Condition {
        guard v == .mutant else { return wellFormed(s, pages: n) }
        return wellFormed(s, pages: n) && (s.max == n || s.start &+ s.end &+ 1 < n)
    }

    func assumption<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        let s = SummaryFields(start: x[0], max: x[1], end: x[2])
        return x[3] < W(1) << CombineLaw.lengthBits && scanInvariant(s, length: x[3]) && claim(s, length: x[3], .original)
    }

    /// The base case and the two steps.
    func parts<W: SumWord>(_ x: [W], _ v: Variant) -> [W.Condition] {
        let s = SummaryFields(start: x[0], max: x[1], end: x[2])
        return [claim(specEmpty(), length: W(0), v)] + [true, false].map { free in
            claim(specScanStep(s, length: x[3], free: W.Condition(free)), length: x[3] &+ 1, v)
        }
    }

    func lemmas<W: SumWord>(_ x: [W], _ g: Geometry) -> [W.Condition] { parts(x, .original) }

    func goal<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition { all(parts(x, v)) }

    func observations(_ x: [UInt64], _ g: Geometry, _ v: Variant) -> [(String, String)] {
        let s = SummaryFields(start: x[0], max: x[1], end: x[2])
        return [true, false].map { ("step(free: \($0))", fields(specScanStep(s, length: x[3], free: $0))) }
    }
}

/// mergeSummaries' loop by induction over the children.
///
/// Invariant after i children C_0 ... C_{i-1}: the running summary `merged` equals
/// the bit-by-bit summary of their concatenation A. The base: the loop starts from
/// the first child read back from its packed word. The step: with child C_i of
/// summary c, and ac the summary of A followed by C_i (by combineLaw,
/// combine(a, |A|, c, |C_i|)), one more iteration gives ac.
struct MergeFold: Obligation {
    let level: Int
    let theorem = "mergeFold"
    var instance: String { "l\(level)" }
    let meaning = "mergeSummaries' loop at level l computes the summary of the concatenated children, by induction over the children: base, the first child unpacked from its packed word is its summary; step, if after i children (1 <= i < 2^levelBits[l]) the running summary is the summary a of their bitmap A, then after child i (summary c, both facts of every bitmap summary, and ac = combine(a, c) as combineLaw gives for A followed by the child) it is ac. On geometries with a 32-bit uint, Go's 32-bit arithmetic gives the same numbers."
    let mutation = "A wholly free next region extends end by twice its size (shift one too far)."

    func inputNames(_ g: Geometry) -> [String] {
        ["i", "mergedStart", "mergedMax", "mergedEnd", "aStart", "aMax", "aEnd",
         "cStart", "cMax", "cEnd", "acStart", "acMax", "acEnd"]
    }

    func inputBits(_ g: Geometry) -> [Int] {
        // Counts up to the parent's pages, 2^levelLogPages[l-1].
        [g.levelBits[level]] + Array(repeating: g.levelLogPages[level - 1] + 1, count: 12)
    }

    struct Inputs<W: SumWord> {
        let i: W
        let merged, a, c, ac: SummaryFields<W>
        init(_ x: [W]) {
            i = x[0]
            merged = SummaryFields(start: x[1], max: x[2], end: x[3])
            a = SummaryFields(start: x[4], max: x[5], end: x[6])
            c = SummaryFields(start: x[7], max: x[8], end: x[9])
            ac = SummaryFields(start: x[10], max: x[11], end: x[12])
        }
    }

    func step<V: SumWord>(_ merged: SummaryFields<V>, _ next: SummaryFields<V>, _ i: V, _ g: Geometry, _ v: Variant) -> SummaryFields<V> {
        let l = g.levelLogPages[level]
        return v == .original
            ? mergeTwo(merged, next, mergedCount: i, logMaxPagesPerSum: l)
            : Mutants.mergeTwo(merged, next, mergedCount: i, logMaxPagesPerSum: l, bug: .endShiftTooFar)
    }

    func assumption<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        let p = Inputs(x)
        let l = g.levelLogPages[level]
        let (aPages, cPages) = (p.i << l, W(1) << l)
        return p.i >= 1 && p.i < W(1) << g.levelBits[level]
            && scanFacts(p.a, length: aPages) && scanFacts(p.c, length: cPages)
            && scanFacts(p.ac, length: aPages &+ cPages)
            && p.ac.equals(combine(p.a, aPages, p.c, cPages))      // combineLaw
            && p.merged.equals(p.a)                                 // the induction hypothesis
    }

    /// The base, the step (64-bit reading), and on 32-bit geometries the step in
    /// Go's 32-bit `uint`.
    func parts<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> [W.Condition] {
        let p = Inputs(x)
        let child = PallocSum(p.c, g).unpack(g)
        var parts = [child.equals(p.c), step(p.merged, child, p.i, g, v).equals(p.ac)]
        if g.pointerBits == 32 {
            let narrow: SummaryFields<GoUint32<W>> = step(p.merged.asGoUint32(), child.asGoUint32(), GoUint32(truncating: p.i), g, v)
            let wide: SummaryFields<W> = narrow.widened()
            parts.append(wide.equals(p.ac))
        }
        return parts
    }

    func lemmas<W: SumWord>(_ x: [W], _ g: Geometry) -> [W.Condition] { parts(x, g, .original) }

    func goal<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition { all(parts(x, g, v)) }

    func observations(_ x: [UInt64], _ g: Geometry, _ v: Variant) -> [(String, String)] {
        let p = Inputs(x)
        let child = PallocSum(p.c, g).unpack(g)
        return [("child unpacked", fields(child)), ("step", fields(step(p.merged, child, p.i, g, v))),
                ("combine(a, c)", fields(combine(p.a, p.i << UInt64(g.levelLogPages[level]), p.c, 1 << UInt64(g.levelLogPages[level]))))]
    }
}

/// packPallocSum never truncates a level's summary.
struct PackNeverTruncates: Obligation {
    let level: Int
    let theorem = "packNeverTruncates"
    var instance: String { "l\(level)" }
    let meaning = "Every summary of a level-l region (2^levelLogPages[l] pages) has each field <= maxPackedValue, and max == maxPackedValue only with all three equal, so packPallocSum keeps it whole: unpack gives it back. The two constants are solver terms (inputs pinned to the geometry's levelLogPages[l] and logMaxPackedValue), not numbers folded before the solver sees them."
    let mutation = "packPallocSum shifts max by logMaxPackedValue - 1, so it overlaps start's bits and reads back halved."

    func inputNames(_ g: Geometry) -> [String] { ["start", "max", "end", "logPages", "logMaxPackedValue"] }

    func inputBits(_ g: Geometry) -> [Int] {
        Array(repeating: g.levelLogPages[level] + 1, count: 3) + [7, 7]
    }

    func pack<W: SumWord>(_ f: SummaryFields<W>, _ g: Geometry, _ v: Variant) -> PallocSum<W> {
        v == .original ? PallocSum(f, g) : Mutants.pack(f, g, bug: .maxShiftShort)
    }

    func assumption<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        let s = SummaryFields(start: x[0], max: x[1], end: x[2])
        return x[3] == W(UInt64(g.levelLogPages[level])) && x[4] == W(UInt64(g.logMaxPackedValue))
            && scanFacts(s, length: W(1) << x[3])
    }

    func goal<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        let s = SummaryFields(start: x[0], max: x[1], end: x[2])
        let top = W(1) << x[4]
        return s.start <= top && s.max <= top && s.end <= top
            && implies(s.max == top, s.start == top && s.end == top)
            && pack(s, g, v).unpack(g).equals(s)
    }

    func observations(_ x: [UInt64], _ g: Geometry, _ v: Variant) -> [(String, String)] {
        let s = SummaryFields(start: x[0], max: x[1], end: x[2])
        return [("packed", hex(pack(s, g, v).raw)), ("unpacked", fields(pack(s, g, v).unpack(g)))]
    }
}

/// The children of a tree entry cover its pages, in order.
struct ChildRegions: Obligation {
    let level: Int
    let theorem = "childRegions"
    var instance: String { "l\(level)" }
    let meaning = "Child j (0 <= j < 2^levelBits[l]) of entry e of level l-1, which update and find index as entry (e << levelBits[l]) + j of level l, starts j level-l regions into its parent (levelIndexToOffAddr), for every e and j (uintptr arithmetic wraps alike on both sides), a level-l region is 2^levelLogPages[l] pages, and the region after the last child is the parent's next entry: the parent's pages are its children's, concatenated in order."
    let mutation = "Children indexed from e << (levelBits[l] - 1)."

    func inputNames(_ g: Geometry) -> [String] { ["e", "j"] }

    func childIndex<W: SumWord>(_ e: W, _ j: W, _ g: Geometry, _ v: Variant) -> W {
        (e << (v == .original ? g.levelBits[level] : g.levelBits[level] - 1)) &+ j
    }

    /// None: uintptr arithmetic wraps the same way on both sides, so the claim holds
    /// for every e and j, in range or not.
    func assumption<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition { W.Condition(true) }

    func goal<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        let (e, j) = (x[0], x[1])
        let parent = levelIndexToOffAddr(level: level - 1, e, g)
        let child = levelIndexToOffAddr(level: level, childIndex(e, j, g, v), g)
        let regionBytes = W(1) << g.levelShift[level]
        let regionPages = regionBytes >> Geometry.pageShift
        let lastChildEnd = levelIndexToOffAddr(level: level, childIndex(e, W(1) << g.levelBits[level], g, v), g)
        return child.a == g.uintptr(parent.a &+ (j << g.levelShift[level]))
            && regionPages == W(1) << g.levelLogPages[level]
            && lastChildEnd.a == levelIndexToOffAddr(level: level - 1, e &+ 1, g).a
    }

    func observations(_ x: [UInt64], _ g: Geometry, _ v: Variant) -> [(String, String)] {
        [("parent", hex(levelIndexToOffAddr(level: level - 1, x[0], g).a)),
         ("child", hex(levelIndexToOffAddr(level: level, childIndex(x[0], x[1], g, v), g).a))]
    }
}
