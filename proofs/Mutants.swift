// The mutated twins: copies of SummaryCore's code, each with one deliberate bug of
// the kind a port can introduce (a mask one bit short, a missing max update, a wrong
// shift, a `<=` for `<`, an off-by-one). Every obligation's negative control runs
// its statement against one of these; the prover must refute it and show a
// counterexample. They live here, not in SummaryCore, so the code that runs has no
// mutation switches in it.

import SummaryCore

enum Mutants {
    /// The bugs planted in packPallocSum.
    enum PackBug {
        /// The field mask one bit short (2^(w-1) - 1 instead of 2^w - 1).
        case maskShort
        /// max shifted by w - 1, overlapping start's bits.
        case maxShiftShort
    }

    /// packPallocSum with `bug` planted.
    static func pack<W: SumWord>(_ f: SummaryFields<W>, _ g: Geometry, bug: PackBug = .maskShort) -> PallocSum<W> {
        let w = g.logMaxPackedValue
        let mask = W(bug == .maskShort ? (g.maxPackedValue >> 1) &- 1 : g.maxPackedValue &- 1)
        let packed = (f.start & mask) | ((f.max & mask) << (bug == .maxShiftShort ? w - 1 : w)) | ((f.end & mask) << (2 * w))
        return PallocSum(raw: W.select(f.max == W(g.maxPackedValue), W(1 << 63), packed))
    }

    /// (pallocSum).unpack testing bit 62 instead of bit 63 for the all-free encoding.
    static func unpack<W: SumWord>(_ p: PallocSum<W>, _ g: Geometry) -> SummaryFields<W> {
        let full = p.raw & W(1 << 62) != 0           // BUG: wrong shift
        let top = W(g.maxPackedValue)
        let mask = W(g.maxPackedValue &- 1)
        let w = g.logMaxPackedValue
        return SummaryFields(
            start: W.select(full, top, p.raw & mask),
            max: W.select(full, top, (p.raw >> w) & mask),
            end: W.select(full, top, (p.raw >> (2 * w)) & mask))
    }

    /// The bugs planted in the mergeSummaries loop body.
    enum MergeBug {
        /// A wholly free next region extends `end` by twice its size (shift one too far).
        case endShiftTooFar
        /// The run across the boundary (`end + next.start`) is not considered for max.
        case missingBoundaryMaxUpdate
        /// The next region's own `max` is not considered.
        case missingChildMaxUpdate
        /// The "running region is all free" test shifts by one bit too few.
        case startCheckWrongShift
    }

    /// mergeTwo with `bug` planted.
    static func mergeTwo<W: SumWord>(_ running: SummaryFields<W>, _ next: SummaryFields<W>,
                                     mergedCount: W, logMaxPagesPerSum l: Int, bug: MergeBug) -> SummaryFields<W> {
        var start = running.start
        var max = running.max
        var end = running.end
        let startShift = bug == .startCheckWrongShift ? l - 1 : l
        start = W.select(start == mergedCount << startShift, start &+ next.start, start)
        if bug != .missingBoundaryMaxUpdate {
            let across = end &+ next.start
            max = W.select(across > max, across, max)
        }
        if bug != .missingChildMaxUpdate {
            max = W.select(next.max > max, next.max, max)
        }
        let endShift = bug == .endShiftTooFar ? l + 1 : l
        end = W.select(next.end == W(1) << l, end &+ (W(1) << endShift), next.end)
        return SummaryFields(start: start, max: max, end: end)
    }

    /// mergeSummaries (before packing) built on the buggy mergeTwo.
    static func mergeSummariesUnpacked<W: SumWord>(_ sums: [PallocSum<W>], logMaxPagesPerSum: Int,
                                                   _ g: Geometry, bug: MergeBug) -> SummaryFields<W> {
        var merged = sums[0].unpack(g)
        for i in 1..<sums.count {
            merged = mergeTwo(merged, sums[i].unpack(g), mergedCount: W(UInt64(i)),
                              logMaxPagesPerSum: logMaxPagesPerSum, bug: bug)
        }
        return merged
    }

    /// findBitRange64 removing n ones from each run instead of n-1 (p := n).
    static func findBitRange64<W: SumWord>(_ c: W, _ n: W) -> W {
        var c = c
        var p = n                                   // BUG: off by one
        var live = p > 0
        for round in 0..<7 {
            if live.knownValue == false { break }
            let k = W(1) << round
            let last = p <= k
            c = W.select(live, c & (c >> (W.select(last, p, k) & 63)), c)
            let more = live && !last
            p = W.select(more, p &- k, p)
            live = more && c != 0 && p > 0
        }
        return c.trailingZeros64
    }

    /// summarize (before packing) without the `if cur > max { max = cur }` after the
    /// first pass, so a free run at the very end never counts for max.
    static func summarizeUnpacked<W: SumWord>(_ words: [W]) -> SummaryFields<W> {
        var scan = SummarizeScan<W>()
        for x in words { scan = scan.step(x) }
        let n = W(UInt64(words.count) &* 64)
        let allFree = scan.start == SummarizeScan<W>.notSetYet
        return W.branch(allFree, then: {
            SummaryFields(start: n, max: n, end: n)
        }, else: {
            let boundaryMax = scan.max                 // BUG: missing max update with cur
            let max = W.branch(boundaryMax >= W(62), then: { boundaryMax }, else: {
                var m = boundaryMax
                for x in words { m = summarizeInteriorMax(x, max: m) }
                return m
            })
            return SummaryFields(start: scan.start, max: max, end: scan.cur)
        }, merge: SummaryFields.select)
    }

    /// summarize's end (after the first pass over `words`), with the second
    /// pass's per-word search replaced by its law (each word's largest
    /// interior run `iw`), and the early exit taken at max >= 61 instead of
    /// 62, where a word's interior run of 62 can still beat it.
    static func summarizeFinish<W: SumWord>(_ words: [W], iw: [W]) -> SummaryFields<W> {
        let scan = words.reduce(SummarizeScan<W>()) { $0.step($1) }
        let n = W(UInt64(words.count) &* 64)
        let boundaryMax = W.maximum(scan.cur, scan.max)
        var m = boundaryMax
        for r in iw { m = W.maximum(m, r) }
        let max = W.select(boundaryMax >= W(61), boundaryMax, m)  // BUG: 61 for 62
        return SummaryFields.select(scan.start == SummarizeScan<W>.notSetYet, SummaryFields(start: n, max: n, end: n),
                                    SummaryFields(start: scan.start, max: max, end: scan.cur))
    }

    /// chunkIndex dividing by half a chunk (a shift one bit short).
    static func chunkIndex<W: SumWord>(_ p: W, _ g: Geometry) -> ChunkIdx<W> {
        ChunkIdx(g.uintptr(p &- W(g.arenaBaseOffset)) >> (Geometry.logPallocChunkBytes - 1))  // BUG
    }

    /// addrsToSummaryRange taking hi from limit itself instead of from limit-1.
    static func addrsToSummaryRange<W: SumWord>(level: Int, base: W, limit: W, _ g: Geometry) -> (lo: W, hi: W) {
        let offset = W(g.arenaBaseOffset)
        let shift = g.levelShift[level]
        let lo = g.uintptr(base &- offset) >> shift
        let hi = (g.uintptr(limit &- offset) >> shift) &+ 1       // BUG: limit is exclusive
        return (lo, hi)
    }

    /// offAddr.lessThan comparing with `<=`.
    static func lessThan<W: SumWord>(_ a: OffAddr<W>, _ b: OffAddr<W>, _ g: Geometry) -> W.Condition {
        a.offset(g) <= b.offset(g)                                // BUG: <= for <
    }

    /// The combination law without the run that crosses the boundary.
    static func combine<W: SumWord>(_ a: SummaryFields<W>, _ aPages: W, _ b: SummaryFields<W>, _ bPages: W) -> SummaryFields<W> {
        SummaryFields(
            start: W.select(a.start == aPages, aPages &+ b.start, a.start),
            max: W.maximum(a.max, b.max),                         // BUG: missing a.end + b.start
            end: W.select(b.end == bPages, bPages &+ a.end, b.end))
    }
}
