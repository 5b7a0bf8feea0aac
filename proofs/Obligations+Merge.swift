// Obligations about mergeSummaries: bounds, well-formedness, and correctness against
// the summary of the concatenated bitmap.

import SummaryCore

/// The children of one level-(l-1) summary: 2^levelBits[l] summaries of level l.
private func children<W: SumWord>(_ x: [W]) -> [PallocSum<W>] { x.map { PallocSum(raw: $0) } }

/// The inputs of the per-level merge obligations: one packed child summary each.
private func childNames(_ g: Geometry, _ level: Int) -> [String] { (0..<(1 << g.levelBits[level])).map { "child\($0)" } }

/// Merge bounds at one level.
struct MergeBounds: Obligation {
    let level: Int
    let theorem = "mergeBounds"
    var instance: String { "l\(level)" }
    let meaning = "Merging the 2^levelBits[l] well-formed children of a level-(l-1) summary (fields <= 2^levelLogPages[l]) gives fields <= 2^levelLogPages[l-1] <= maxPackedValue, so packPallocSum never truncates."
    let mutation = "A wholly free child extends end by twice its size (shift one too far)."

    func inputNames(_ g: Geometry) -> [String] { childNames(g, level) }

    func merged<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> SummaryFields<W> {
        let l = g.levelLogPages[level]
        return v == .original
            ? mergeSummariesUnpacked(children(x), logMaxPagesPerSum: l, g)
            : Mutants.mergeSummariesUnpacked(children(x), logMaxPagesPerSum: l, g, bug: .endShiftTooFar)
    }

    func assumption<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        all(children(x).map { wellFormed($0.unpack(g), pages: W(1) << g.levelLogPages[level]) })
    }

    func goal<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        let parentPages = W(1) << g.levelLogPages[level - 1]
        let m = merged(x, g, v)
        return m.start <= parentPages && m.max <= parentPages && m.end <= parentPages
            && parentPages <= W(g.maxPackedValue)
    }

    func observations(_ x: [UInt64], _ g: Geometry, _ v: Variant) -> [(String, String)] {
        children(x).enumerated().map { ("child\($0.offset) unpacked", fields($0.element.unpack(g))) }
            + [("merged", fields(merged(x, g, v)))]
    }
}

/// Merge well-formedness at one level.
struct MergeWellFormed: Obligation {
    let level: Int
    let theorem = "mergeWellFormed"
    var instance: String { "l\(level)" }
    let meaning = "Merging well-formed level-l children gives a well-formed level-(l-1) summary (start, end <= max; start and end runs apart unless all free), entirely free exactly when every child is; proved child by child (a lemma per prefix of the children)."
    let mutation = "The run across the boundary (end + next.start) is not considered for max."

    func inputNames(_ g: Geometry) -> [String] { childNames(g, level) }

    func merged<W: SumWord>(_ kids: [PallocSum<W>], _ g: Geometry, _ v: Variant) -> SummaryFields<W> {
        let l = g.levelLogPages[level]
        return v == .original
            ? mergeSummariesUnpacked(kids, logMaxPagesPerSum: l, g)
            : Mutants.mergeSummariesUnpacked(kids, logMaxPagesPerSum: l, g, bug: .missingBoundaryMaxUpdate)
    }

    /// The claim for the first `count` children.
    func claim<W: SumWord>(_ x: [W], count: Int, _ g: Geometry, _ v: Variant) -> W.Condition {
        let kids = Array(children(x).prefix(count))
        let childPages = W(1) << g.levelLogPages[level]
        let m = merged(kids, g, v)
        let pages = W(UInt64(count)) << g.levelLogPages[level]
        return wellFormed(m, pages: pages) && iff(m.max == pages, all(kids.map { $0.unpack(g).max == childPages }))
    }

    func assumption<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        all(children(x).map { wellFormed($0.unpack(g), pages: W(1) << g.levelLogPages[level]) })
    }

    func lemmas<W: SumWord>(_ x: [W], _ g: Geometry) -> [W.Condition] {
        (2..<x.count).map { claim(x, count: $0, g, .original) }
    }

    func goal<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        claim(x, count: x.count, g, v)
    }

    func observations(_ x: [UInt64], _ g: Geometry, _ v: Variant) -> [(String, String)] {
        children(x).enumerated().map { ("child\($0.offset) unpacked", fields($0.element.unpack(g))) }
            + [("merged", fields(merged(children(x), g, v)))]
    }
}

/// mergeSummaries agrees with the summary of the concatenated bitmap.
struct MergeMatchesBitmap: Obligation {
    let childCount: Int
    let pagesPerChild: Int
    let theorem = "mergeMatchesBitmap"
    var instance: String { "\(childCount)x\(pagesPerChild)" }
    var meaning: String {
        "For every bitmap of \(childCount) regions of \(pagesPerChild) pages, mergeSummaries of the regions' packed summaries equals the summary of the whole bitmap computed bit by bit; proved region by region (a lemma per prefix)."
    }
    let mutation = "The next region's own max is not considered."

    var logPagesPerChild: Int { pagesPerChild.trailingZeroBitCount }
    var wordCount: Int { (childCount * pagesPerChild + 63) / 64 }

    func inputNames(_ g: Geometry) -> [String] { (0..<wordCount).map { "bits\($0)" } }

    /// Child i's pages as one word (pagesPerChild <= 64, children never straddle words).
    func childWord<W: SumWord>(_ x: [W], _ i: Int) -> W {
        let bit = i * pagesPerChild
        let word = x[bit / 64] >> (bit % 64)
        return pagesPerChild == 64 ? word : word & ((W(1) << pagesPerChild) &- 1)
    }

    /// The packed summaries of the first `count` children.
    func sums<W: SumWord>(_ x: [W], count: Int, _ g: Geometry) -> [PallocSum<W>] {
        (0..<count).map { PallocSum(specSummary([childWord(x, $0)], bitCount: pagesPerChild), g) }
    }

    func merged<W: SumWord>(_ x: [W], count: Int, _ g: Geometry, _ v: Variant) -> SummaryFields<W> {
        v == .original
            ? mergeSummariesUnpacked(sums(x, count: count, g), logMaxPagesPerSum: logPagesPerChild, g)
            : Mutants.mergeSummariesUnpacked(sums(x, count: count, g), logMaxPagesPerSum: logPagesPerChild, g, bug: .missingChildMaxUpdate)
    }

    /// The claim for the first `count` children.
    func claim<W: SumWord>(_ x: [W], count: Int, _ g: Geometry, _ v: Variant) -> W.Condition {
        merged(x, count: count, g, v).equals(specSummary(x, bitCount: count * pagesPerChild))
    }

    func assumption<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        precondition(pagesPerChild.nonzeroBitCount == 1 && pagesPerChild <= 64, "pagesPerChild must be a power of two <= 64")
        return W.Condition(true)
    }

    func lemmas<W: SumWord>(_ x: [W], _ g: Geometry) -> [W.Condition] {
        (1..<childCount).map { claim(x, count: $0, g, .original) }
    }

    func goal<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        claim(x, count: childCount, g, v)
    }

    func observations(_ x: [UInt64], _ g: Geometry, _ v: Variant) -> [(String, String)] {
        [("merged", fields(merged(x, count: childCount, g, v))),
         ("summary", fields(specSummary(x, bitCount: childCount * pagesPerChild)))]
    }
}

/// The loop body of mergeSummaries is the combination law.
struct MergeTwoLaw: Obligation {
    let level: Int
    let theorem = "mergeTwoLaw"
    var instance: String { "l\(level)" }
    let meaning = "One step of mergeSummaries at level l (running summary of i regions, 1 <= i < 2^levelBits[l], then one more) computes exactly `combine`, the summary of two adjacent regions, and, for well-formed inputs, a well-formed summary of the i+1 regions (the fold's invariant; that the step equals `combine` alone holds for any input)."
    let mutation = "The running-region-is-all-free test shifts by one bit too few."

    func inputNames(_ g: Geometry) -> [String] { ["i", "runStart", "runMax", "runEnd", "nextStart", "nextMax", "nextEnd"] }

    func parts<W: SumWord>(_ x: [W]) -> (run: SummaryFields<W>, next: SummaryFields<W>) {
        (SummaryFields(start: x[1], max: x[2], end: x[3]), SummaryFields(start: x[4], max: x[5], end: x[6]))
    }

    func step<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> SummaryFields<W> {
        let l = g.levelLogPages[level]
        let (run, next) = parts(x)
        return v == .original
            ? mergeTwo(run, next, mergedCount: x[0], logMaxPagesPerSum: l)
            : Mutants.mergeTwo(run, next, mergedCount: x[0], logMaxPagesPerSum: l, bug: .startCheckWrongShift)
    }

    func assumption<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        let l = g.levelLogPages[level]
        let (run, next) = parts(x)
        return x[0] >= 1 && x[0] < W(1) << g.levelBits[level]
            && wellFormed(run, pages: x[0] << l) && wellFormed(next, pages: W(1) << l)
    }

    func goal<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        let l = g.levelLogPages[level]
        let (run, next) = parts(x)
        let merged = step(x, g, v)
        return merged.equals(combine(run, x[0] << l, next, W(1) << l))
            && wellFormed(merged, pages: (x[0] &+ 1) << l)
    }

    func observations(_ x: [UInt64], _ g: Geometry, _ v: Variant) -> [(String, String)] {
        let l = g.levelLogPages[level]
        let (run, next) = parts(x)
        return [("step", fields(step(x, g, v))), ("combine", fields(combine(run, x[0] << UInt64(l), next, 1 << UInt64(l))))]
    }
}

/// The combination law, for bitmaps of every length.
struct CombineLaw: Obligation {
    let theorem = "combineLaw"
    let instance = ""
    let meaning = "For bitmaps A and B of any lengths (below 2^36 pages), the summary of A followed by B is combine(summary A, summary B): it holds for an empty B, and appending a free or an in-use bit to B commutes with combine (induction on B's length over the bit-by-bit summary step, whose invariant is preserved)."
    let geometryIndependent = true
    let mutation = "combine leaves out the run across the boundary (a.end + b.start)."

    /// Lengths below 2^36 pages: more than any heap (2^48 bytes is 2^35 pages).
    static let lengthBits = 36

    func inputNames(_ g: Geometry) -> [String] { ["aStart", "aMax", "aEnd", "aLength", "bStart", "bMax", "bEnd", "bLength"] }
    func inputBits(_ g: Geometry) -> [Int] { Array(repeating: Self.lengthBits, count: 8) }

    func combined<W: SumWord>(_ a: SummaryFields<W>, _ aPages: W, _ b: SummaryFields<W>, _ bPages: W, _ v: Variant) -> SummaryFields<W> {
        v == .original ? combine(a, aPages, b, bPages) : Mutants.combine(a, aPages, b, bPages)
    }

    func assumption<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        let limit = W(1) << Self.lengthBits
        return x[3] < limit && x[7] < limit
            && scanInvariant(SummaryFields(start: x[0], max: x[1], end: x[2]), length: x[3])
            && scanInvariant(SummaryFields(start: x[4], max: x[5], end: x[6]), length: x[7])
    }

    /// The parts of the claim: the base case, then the step and the invariant for a
    /// free and for an in-use appended bit.
    func parts<W: SumWord>(_ x: [W], _ v: Variant) -> [W.Condition] {
        let a = SummaryFields(start: x[0], max: x[1], end: x[2])
        let b = SummaryFields(start: x[4], max: x[5], end: x[6])
        let (aPages, bPages) = (x[3], x[7])
        var parts = [combined(a, aPages, specEmpty(), 0, v).equals(a) && scanInvariant(specEmpty(), length: W(0))]
        for free in [true, false] {
            let bNext = specScanStep(b, length: bPages, free: W.Condition(free))
            parts.append(combined(a, aPages, bNext, bPages &+ 1, v)
                .equals(specScanStep(combined(a, aPages, b, bPages, v), length: aPages &+ bPages, free: W.Condition(free))))
            parts.append(scanInvariant(bNext, length: bPages &+ 1))
        }
        return parts
    }

    /// Each part on its own (they are independent; split only to keep each problem small).
    func lemmas<W: SumWord>(_ x: [W], _ g: Geometry) -> [W.Condition] { parts(x, .original) }

    func goal<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition { all(parts(x, v)) }

    func observations(_ x: [UInt64], _ g: Geometry, _ v: Variant) -> [(String, String)] {
        let a = SummaryFields(start: x[0], max: x[1], end: x[2])
        let b = SummaryFields(start: x[4], max: x[5], end: x[6])
        return [true, false].flatMap { free in
            [("combine(a, step(b, free: \(free)))", fields(combined(a, x[3], specScanStep(b, length: x[7], free: free), x[7] + 1, v))),
             ("step(combine(a, b), free: \(free))", fields(specScanStep(combined(a, x[3], b, x[7], v), length: x[3] + x[7], free: free)))]
        }
    }
}
