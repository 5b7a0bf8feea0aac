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
    @inline(__always) public var maxPackedValue: UInt64 { 1 &<< logMaxPackedValue }
    @inline(__always) var mask: UInt64 { maxPackedValue &- 1 }

    /// Mirrors packPallocSum. Fields wider than the mask are truncated, as in
    /// Go (the merge-bounds proof obligation shows that never happens).
    @inline(__always) public func pack(_ start: UInt64, _ max: UInt64, _ end: UInt64) -> PallocSum {
        if max == maxPackedValue { return PallocSum(raw: PallocSum.allFreeBit) }
        let m = mask
        return PallocSum(raw: (start & m) | ((max & m) &<< logMaxPackedValue) | ((end & m) &<< (2 &* logMaxPackedValue)))
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

    /// Mirrors pallocSum.unpack. (Shifts are by logMaxPackedValue and twice
    /// it, both below 64, so masking shifts compute what Go's shifts do.)
    @inline(__always) public func unpack(_ p: PallocSum) -> (start: UInt64, max: UInt64, end: UInt64) {
        if p.raw & PallocSum.allFreeBit != 0 { return (maxPackedValue, maxPackedValue, maxPackedValue) }
        let m = mask
        return (p.raw & m, (p.raw &>> logMaxPackedValue) & m, (p.raw &>> (2 &* logMaxPackedValue)) & m)
    }

    /// The summary of a fully free chunk (`freeChunkSum`).
    @inline(__always) public var freeChunkSum: PallocSum {
        let n = Geometry.pallocChunkPages
        return PallocSum(raw: n | (n << logMaxPackedValue) | (n << (2 * logMaxPackedValue)))
    }

    /// Mirrors mergeSummaries: folds `count` consecutive summaries at `sums`,
    /// each covering `1 << logMaxPagesPerSum` pages, into one summary of their
    /// concatenation.
    @inline(__always)
    public func merge(_ sums: UnsafePointer<UInt64>, count: Int, logMaxPagesPerSum: UInt64) -> PallocSum {
        let m = mask, full = maxPackedValue
        // unpack, written out so the loop stays one straight-line body.
        @inline(__always) func fields(_ raw: UInt64) -> (UInt64, UInt64, UInt64) {
            if raw & PallocSum.allFreeBit != 0 { return (full, full, full) }
            return (raw & m, (raw &>> logMaxPackedValue) & m, (raw &>> (2 &* logMaxPackedValue)) & m)
        }
        var (start, max, end) = fields(sums[0])
        let perSum: UInt64 = 1 &<< logMaxPagesPerSum
        var i = 1
        while i < count {
            let (si, mi, ei) = fields(sums[i])
            // The running start grows only while everything so far is free.
            if start == UInt64(i) &<< logMaxPagesPerSum { start &+= si }
            // The longest run is the old one, a run across the boundary, or
            // the longest inside the new summary.
            if end &+ si > max { max = end &+ si }
            if mi > max { max = mi }
            // A fully free child extends the trailing run; otherwise its end
            // replaces it.
            if ei == perSum { end &+= perSum } else { end = ei }
            i += 1
        }
        return pack(start, max, end)
    }

    /// mergeSummaries for the one block width Go uses below the root
    /// (1 << summaryLevelBits = 8 children): the same fold with a constant
    /// trip count, which the compiler unrolls.
    @inline(__always)
    public func merge8(_ sums: UnsafePointer<UInt64>, logMaxPagesPerSum: UInt64) -> PallocSum {
        merge(sums, count: 8, logMaxPagesPerSum: logMaxPagesPerSum)
    }

    /// mergeSummaries over an array (tests and tools).
    public func merge(_ sums: [PallocSum], logMaxPagesPerSum: UInt64) -> PallocSum {
        precondition(!sums.isEmpty, "mergeSummaries of nothing")
        return sums.map(\.raw).withUnsafeBufferPointer { merge($0.baseAddress!, count: sums.count, logMaxPagesPerSum: logMaxPagesPerSum) }
    }
}
