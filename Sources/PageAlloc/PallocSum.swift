// Packed summaries of a bitmap region: start, max, end (mpagealloc.go).

/// A packed summary of a run of pages: free pages at the start, the longest
/// free run anywhere, free pages at the end.
///
/// Mirrors `pallocSum` in mpagealloc.go. Each field takes
/// `logMaxPackedValue` bits; the one value that needs one more bit, all three
/// fields equal to `maxPackedValue` (a fully free root entry), is encoded as
/// bit 63 alone. A summary of 0 means "no free page at all".
public struct PallocSum: Hashable, Sendable {
    public var raw: UInt64
    @inline(__always) public init(raw: UInt64) { self.raw = raw }
    public static let zero = PallocSum(raw: 0)
    static let allFreeBit: UInt64 = 1 << 63
}

/// The field width of one geometry's summaries, and the operations on them.
public struct SumLayout: Sendable, Equatable {
    /// log2 of the largest field value (`logMaxPackedValue`).
    public let logMaxPackedValue: UInt64
    public init(logMaxPackedValue: UInt64) { self.logMaxPackedValue = logMaxPackedValue }
    /// The largest field value (`maxPackedValue`).
    @inline(__always) public var maxPackedValue: UInt64 { 1 << logMaxPackedValue }
    @inline(__always) var mask: UInt64 { maxPackedValue - 1 }

    /// Mirrors packPallocSum. Fields wider than the mask are truncated, as in
    /// Go (the merge-bounds proof obligation shows that never happens).
    @inline(__always) public func pack(_ start: UInt64, _ max: UInt64, _ end: UInt64) -> PallocSum {
        if max == maxPackedValue { return PallocSum(raw: PallocSum.allFreeBit) }
        return PallocSum(raw: (start & mask) | ((max & mask) << logMaxPackedValue) | ((end & mask) << (2 * logMaxPackedValue)))
    }

    /// Mirrors pallocSum.start.
    @inline(__always) public func start(_ p: PallocSum) -> UInt64 {
        if p.raw & PallocSum.allFreeBit != 0 { return maxPackedValue }
        return p.raw & mask
    }

    /// Mirrors pallocSum.max.
    @inline(__always) public func max(_ p: PallocSum) -> UInt64 {
        if p.raw & PallocSum.allFreeBit != 0 { return maxPackedValue }
        return (p.raw >> logMaxPackedValue) & mask
    }

    /// Mirrors pallocSum.end.
    @inline(__always) public func end(_ p: PallocSum) -> UInt64 {
        if p.raw & PallocSum.allFreeBit != 0 { return maxPackedValue }
        return (p.raw >> (2 * logMaxPackedValue)) & mask
    }

    /// Mirrors pallocSum.unpack.
    @inline(__always) public func unpack(_ p: PallocSum) -> (start: UInt64, max: UInt64, end: UInt64) {
        if p.raw & PallocSum.allFreeBit != 0 { return (maxPackedValue, maxPackedValue, maxPackedValue) }
        return (p.raw & mask, (p.raw >> logMaxPackedValue) & mask, (p.raw >> (2 * logMaxPackedValue)) & mask)
    }

    /// The summary of a fully free chunk (`freeChunkSum`).
    @inline(__always) public var freeChunkSum: PallocSum {
        let n = Geometry.pallocChunkPages
        return PallocSum(raw: n | (n << logMaxPackedValue) | (n << (2 * logMaxPackedValue)))
    }

    /// Mirrors mergeSummaries: folds consecutive summaries, each covering
    /// `1 << logMaxPagesPerSum` pages, into one summary of their concatenation.
    /// `load(i)` yields child i for i in 0..<count.
    @inline(__always)
    public func merge(count: Int, logMaxPagesPerSum: UInt64, _ load: (Int) throws -> PallocSum) rethrows -> PallocSum {
        var (start, max, end) = unpack(try load(0))
        let full: UInt64 = 1 << logMaxPagesPerSum
        for i in 1..<Swift.max(count, 1) {
            let (si, mi, ei) = unpack(try load(i))
            // The running start grows only while everything so far is free.
            if start == UInt64(i) << logMaxPagesPerSum { start += si }
            // The longest run is the old one, a run across the boundary, or
            // the longest inside the new summary.
            if end + si > max { max = end + si }
            if mi > max { max = mi }
            // A fully free child extends the trailing run; otherwise its end
            // replaces it.
            if ei == full { end += full } else { end = ei }
        }
        return pack(start, max, end)
    }

    /// mergeSummaries over an array (tests and tools).
    public func merge(_ sums: [PallocSum], logMaxPagesPerSum: UInt64) -> PallocSum {
        merge(count: sums.count, logMaxPagesPerSum: logMaxPagesPerSum) { sums[$0] }
    }
}
