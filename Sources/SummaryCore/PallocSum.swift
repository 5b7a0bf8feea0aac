// pallocSum: three page counts packed into one 64-bit word.
//
// A summary describes a region of pages (a chunk, or a block of chunks higher up the
// radix tree) by three counts: `start`, the free pages at its beginning; `max`, the
// longest run of free pages anywhere in it; and `end`, the free pages at its end.
// Each field takes logMaxPackedValue bits: start in bits [0, w), max in [w, 2w),
// end in [2w, 3w). A count can reach maxPackedValue = 2^w only when the whole
// region is free, and then all three are 2^w; that one case is encoded as bit 63
// alone, since 2^w itself does not fit in w bits.

/// A packed summary. Mirrors the `pallocSum` type in mpagealloc.go.
///
/// `PallocSum<UInt64>` is the allocator's summary; `PallocSum` of a symbolic word is
/// the same code read as a formula.
@frozen
public struct PallocSum<W: SumWord> {
    /// The packed 64-bit representation.
    public var raw: W

    /// Wraps an already-packed word.
    @inlinable @inline(__always)
    public init(raw: W) { self.raw = raw }
}

/// The three counts of a summary, unpacked: free pages at the start, the longest
/// free run, free pages at the end.
@frozen
public struct SummaryFields<W: SumWord> {
    public var start: W
    public var max: W
    public var end: W

    @inlinable @inline(__always)
    public init(start: W, max: W, end: W) {
        self.start = start
        self.max = max
        self.end = end
    }

    /// Field-wise `select`.
    @inlinable @inline(__always)
    public static func select(_ c: W.Condition, _ a: Self, _ b: Self) -> Self {
        SummaryFields(start: W.select(c, a.start, b.start), max: W.select(c, a.max, b.max), end: W.select(c, a.end, b.end))
    }

    /// Field-wise equality, as one condition.
    @inlinable
    public func equals(_ other: Self) -> W.Condition {
        start == other.start && max == other.max && end == other.end
    }
}

/// The one constant the packing depends on: the field width
/// (`logMaxPackedValue`). A trivial two-word value, so the allocator's hot path
/// passes it around for free; `Geometry.packing` gives a geometry's.
@frozen
public struct SumPacking: Sendable, Equatable {
    /// Go's `logMaxPackedValue`: each field holds counts up to 2^logMaxPackedValue.
    public let logMaxPackedValue: Int

    /// Checks that three fields fit below bit 63, so every shift by a field width
    /// (or twice it) is below 64.
    @inlinable
    public init(logMaxPackedValue: Int) {
        precondition(logMaxPackedValue > 0 && 3 * logMaxPackedValue <= 63, "three fields must fit below bit 63")
        self.logMaxPackedValue = logMaxPackedValue
    }

    /// Go's `maxPackedValue`, 2^logMaxPackedValue (a masking shift: `init` keeps
    /// the width below 64).
    @inlinable
    public var maxPackedValue: UInt64 { @inline(__always) get { 1 &<< UInt64(truncatingIfNeeded: logMaxPackedValue) } }
}

extension Geometry {
    /// This geometry's summary field width.
    @inlinable
    public var packing: SumPacking { @inline(__always) get { SumPacking(logMaxPackedValue: logMaxPackedValue) } }
}

extension PallocSum {
    /// Mirrors packPallocSum in mpagealloc.go.
    ///
    /// Packs three counts, each at most `maxPackedValue`. When `max` is
    /// `maxPackedValue` the region is entirely free and the result is bit 63 alone;
    /// otherwise each field is cut to logMaxPackedValue bits (callers keep them below
    /// maxPackedValue; the `mergeBounds` proof shows mergeSummaries does).
    @inlinable @inline(__always)
    public init(start: W, max: W, end: W, _ k: SumPacking) {
        let w = k.logMaxPackedValue
        let mask = W(k.maxPackedValue &- 1)
        raw = W.branch(max == W(k.maxPackedValue), then: { W(1 << 63) }, else: {
            (start & mask) | ((max & mask) &<< w) | ((end & mask) &<< (2 &* w))
        })
    }

    /// `PallocSum(start:max:end:_:)` of a `SummaryFields`.
    @inlinable @inline(__always)
    public init(_ fields: SummaryFields<W>, _ k: SumPacking) {
        self.init(start: fields.start, max: fields.max, end: fields.end, k)
    }

    /// True when this is the all-free encoding (bit 63 set).
    @inlinable @inline(__always)
    public func isAllFree() -> W.Condition {
        raw & W(1 << 63) != 0
    }

    /// Mirrors (pallocSum).start in mpagealloc.go: free pages at the start.
    @inlinable @inline(__always)
    public func start(_ k: SumPacking) -> W {
        W.select(isAllFree(), W(k.maxPackedValue), raw & W(k.maxPackedValue &- 1))
    }

    /// Mirrors (pallocSum).max in mpagealloc.go: the longest free run.
    @inlinable @inline(__always)
    public func max(_ k: SumPacking) -> W {
        W.select(isAllFree(), W(k.maxPackedValue), (raw &>> k.logMaxPackedValue) & W(k.maxPackedValue &- 1))
    }

    /// Mirrors (pallocSum).end in mpagealloc.go: free pages at the end.
    @inlinable @inline(__always)
    public func end(_ k: SumPacking) -> W {
        W.select(isAllFree(), W(k.maxPackedValue), (raw &>> (2 &* k.logMaxPackedValue)) & W(k.maxPackedValue &- 1))
    }

    /// Mirrors (pallocSum).unpack in mpagealloc.go: all three counts.
    @inlinable @inline(__always)
    public func unpack(_ k: SumPacking) -> SummaryFields<W> {
        let top = W(k.maxPackedValue)
        let mask = W(k.maxPackedValue &- 1)
        let w = k.logMaxPackedValue
        return W.branch(isAllFree(), then: {
            SummaryFields(start: top, max: top, end: top)
        }, else: {
            SummaryFields(start: raw & mask, max: (raw &>> w) & mask, end: (raw &>> (2 &* w)) & mask)
        }, merge: SummaryFields.select)
    }

    /// Mirrors freeChunkSum in mpagealloc.go: the summary of an entirely free chunk,
    /// pallocChunkPages in every field.
    @inlinable @inline(__always)
    public static func freeChunk(_ k: SumPacking) -> PallocSum {
        let n = Geometry.pallocChunkPages
        let w = k.logMaxPackedValue
        return PallocSum(raw: W(n | (n &<< w) | (n &<< (2 &* w))))
    }
}

// The same, given a whole geometry (the prover's and the tests' spelling).
extension PallocSum {
    @inlinable @inline(__always)
    public init(start: W, max: W, end: W, _ g: Geometry) { self.init(start: start, max: max, end: end, g.packing) }
    @inlinable @inline(__always)
    public init(_ fields: SummaryFields<W>, _ g: Geometry) { self.init(fields, g.packing) }
    @inlinable @inline(__always)
    public func start(_ g: Geometry) -> W { start(g.packing) }
    @inlinable @inline(__always)
    public func max(_ g: Geometry) -> W { max(g.packing) }
    @inlinable @inline(__always)
    public func end(_ g: Geometry) -> W { end(g.packing) }
    @inlinable @inline(__always)
    public func unpack(_ g: Geometry) -> SummaryFields<W> { unpack(g.packing) }
    @inlinable @inline(__always)
    public static func freeChunk(_ g: Geometry) -> PallocSum { freeChunk(g.packing) }
}

extension PallocSum: Equatable where W: Equatable {}
extension PallocSum: Hashable where W: Hashable {}
extension PallocSum: Sendable where W: Sendable {}
extension SummaryFields: Equatable where W: Equatable {}
extension SummaryFields: Sendable where W: Sendable {}
