// Merging the summaries of consecutive regions into the summary of their union:
// how a parent summary in the radix tree is computed from its 2^levelBits children.

/// Mirrors the loop body of mergeSummaries in mpagealloc.go: folds one more summary
/// into a running one.
///
/// `running` summarises the first `mergedCount` regions, each of 2^logMaxPagesPerSum
/// pages; `next` summarises the region right after them. Returns the summary of the
/// `mergedCount + 1` regions together:
/// * `start` grows by `next.start` only if the running region is entirely free
///   (its start spans all mergedCount << logMaxPagesPerSum pages);
/// * `max` is the largest of the running max, `next.max`, and the run that crosses
///   the boundary, `running.end + next.start`;
/// * `end` grows by a whole region if `next` is entirely free, else is `next.end`.
///
/// `logMaxPagesPerSum` is a level's page log, below 64 (at most logMaxPackedValue).
@inlinable @inline(__always)
public func mergeTwo<W: SumWord>(
    _ running: SummaryFields<W>,
    _ next: SummaryFields<W>,
    mergedCount: W,
    logMaxPagesPerSum: Int
) -> SummaryFields<W> {
    var start = running.start
    var max = running.max
    var end = running.end
    let regionPages = W(1) &<< logMaxPagesPerSum

    // The next region's start only extends a running region that is all free.
    start = W.branch(start == mergedCount &<< logMaxPagesPerSum, then: { start &+ next.start }, else: { start })

    // The run across the boundary, then the next region's own longest run.
    let across = end &+ next.start
    max = W.select(across > max, across, max)
    max = W.select(next.max > max, next.max, max)

    // A wholly free next region extends the running end; otherwise its end is the end.
    end = W.branch(next.end == regionPages, then: { end &+ regionPages }, else: { next.end })
    return SummaryFields(start: start, max: max, end: end)
}

/// Mirrors mergeSummaries in mpagealloc.go, stopping before the final
/// packPallocSum: the merged counts of the `count` consecutive summaries
/// `summary(0)`, ..., `summary(count - 1)`, each describing at most
/// 2^logMaxPagesPerSum pages. The one fold every reading uses: the prover (over a
/// collection, below) and the allocator (reading its simulated memory, through
/// `mergeSummaries(count:...)`). Always inlined, so with a constant `count` (8
/// below the root) the loop unrolls.
@inlinable @inline(__always)
public func mergeSummariesUnpacked<W: SumWord>(
    count: Int,
    logMaxPagesPerSum: Int,
    _ k: SumPacking,
    _ summary: (Int) -> PallocSum<W>
) -> SummaryFields<W> {
    precondition(count > 0, "mergeSummaries of no summaries")
    var merged = summary(0).unpack(k)
    var i = 1
    while i < count {
        merged = mergeTwo(merged, summary(i).unpack(k), mergedCount: W(UInt64(truncatingIfNeeded: i)), logMaxPagesPerSum: logMaxPagesPerSum)
        i &+= 1
    }
    return merged
}

/// `mergeSummariesUnpacked(count:...)` of a collection of summaries.
@inlinable
public func mergeSummariesUnpacked<W: SumWord, C: Collection>(
    _ sums: C,
    logMaxPagesPerSum: Int,
    _ g: Geometry
) -> SummaryFields<W> where C.Element == PallocSum<W> {
    let all = Array(sums)
    return mergeSummariesUnpacked(count: all.count, logMaxPagesPerSum: logMaxPagesPerSum, g.packing) { all[$0] }
}

/// Mirrors mergeSummaries in mpagealloc.go, for the allocator's hot path: the
/// summaries are read through `summary(i)`.
@inlinable @inline(__always)
public func mergeSummaries<W: SumWord>(
    count: Int,
    logMaxPagesPerSum: Int,
    _ k: SumPacking,
    _ summary: (Int) -> PallocSum<W>
) -> PallocSum<W> {
    PallocSum(mergeSummariesUnpacked(count: count, logMaxPagesPerSum: logMaxPagesPerSum, k, summary), k)
}

/// Mirrors mergeSummaries in mpagealloc.go.
///
/// Merges consecutive summaries, each describing a region of at most
/// 2^logMaxPagesPerSum pages, into the summary of their concatenation. In the radix
/// tree the inputs are the 2^levelBits[l] children of one level-(l-1) entry and
/// logMaxPagesPerSum is levelLogPages[l]. `sums` must not be empty.
@inlinable
public func mergeSummaries<W: SumWord, C: Collection>(
    _ sums: C,
    logMaxPagesPerSum: Int,
    _ g: Geometry
) -> PallocSum<W> where C.Element == PallocSum<W> {
    PallocSum(mergeSummariesUnpacked(sums, logMaxPagesPerSum: logMaxPagesPerSum, g), g)
}
