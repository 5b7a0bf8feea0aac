// Packed summaries of a bitmap region: start, max, end (mpagealloc.go).

import struct SummaryCore.SumPacking
import struct SummaryCore.PallocSum
import func SummaryCore.mergeSummaries

/// A packed summary of a run of pages: free pages at the start, the longest
/// free run anywhere, free pages at the end.
///
/// Mirrors `pallocSum` in mpagealloc.go. Each field takes
/// `logMaxPackedValue` bits; the one value that needs one more bit, all three
/// fields equal to `maxPackedValue` (a fully free root entry), is encoded as
/// bit 63 alone. A summary of 0 means "no free page at all".
@frozen
public struct PallocSum: Hashable, Sendable {
    public var raw: UInt64
    @inlinable @inline(__always) public init(raw: UInt64) { self.raw = raw }
    public static let zero = PallocSum(raw: 0)
    static let allFreeBit: UInt64 = 1 << 63
}

/// The field width of one geometry's summaries, and the operations on them.
///
/// The operations are not written here: each one calls the generic definition in
/// SummaryCore, specialised for `UInt64`. Those definitions are the ones the
/// prover proves theorems about (proofs/), so the proofs are about this code.
public struct SumLayout: Sendable, Equatable {
    /// The proved code's view of the same constant.
    @usableFromInline let packing: SumPacking
    /// log2 of the largest field value (`logMaxPackedValue`).
    public var logMaxPackedValue: UInt64 { UInt64(packing.logMaxPackedValue) }
    public init(logMaxPackedValue: UInt64) { packing = SumPacking(logMaxPackedValue: Int(logMaxPackedValue)) }
    /// The largest field value (`maxPackedValue`).
    @inlinable @inline(__always) public var maxPackedValue: UInt64 { packing.maxPackedValue }

    /// Mirrors packPallocSum (via SummaryCore). Fields wider than the mask are
    /// truncated, as in Go (the merge-bounds proof obligation shows that never
    /// happens).
    @inlinable @inline(__always) public func pack(_ start: UInt64, _ max: UInt64, _ end: UInt64) -> PallocSum {
        PallocSum(raw: Proved(start: start, max: max, end: end, packing).raw)
    }

    /// Mirrors pallocSum.start (via SummaryCore).
    @inlinable @inline(__always) public func start(_ p: PallocSum) -> UInt64 { Proved(raw: p.raw).start(packing) }

    /// Mirrors pallocSum.max (via SummaryCore).
    @inlinable @inline(__always) public func max(_ p: PallocSum) -> UInt64 { Proved(raw: p.raw).max(packing) }

    /// Mirrors pallocSum.end (via SummaryCore).
    @inlinable @inline(__always) public func end(_ p: PallocSum) -> UInt64 { Proved(raw: p.raw).end(packing) }

    /// Mirrors pallocSum.unpack (via SummaryCore).
    @inlinable @inline(__always) public func unpack(_ p: PallocSum) -> (start: UInt64, max: UInt64, end: UInt64) {
        let f = Proved(raw: p.raw).unpack(packing)
        return (f.start, f.max, f.end)
    }

    /// The summary of a fully free chunk (`freeChunkSum`, via SummaryCore).
    @inlinable @inline(__always) public var freeChunkSum: PallocSum { PallocSum(raw: Proved.freeChunk(packing).raw) }

    /// Mirrors mergeSummaries (via SummaryCore): folds `count` consecutive
    /// summaries at `sums`, each covering `1 << logMaxPagesPerSum` pages, into
    /// one summary of their concatenation.
    @inlinable @inline(__always)
    public func merge(_ sums: UnsafePointer<UInt64>, count: Int, logMaxPagesPerSum: UInt64) -> PallocSum {
        let merged: Proved = mergeSummaries(count: count, logMaxPagesPerSum: Int(logMaxPagesPerSum), packing) {
            Proved(raw: sums[$0])
        }
        return PallocSum(raw: merged.raw)
    }

    /// mergeSummaries for the one block width Go uses below the root
    /// (1 << summaryLevelBits = 8 children): the same fold with a constant
    /// trip count, which the compiler unrolls.
    ///
    /// Go compiles `logMaxPackedValue` and each level's `levelLogPages` as
    /// constants for its GOARCH; here they are the geometry's, known only at
    /// run time. So the usual sizes (21-bit fields on the 64-bit layout,
    /// 18-bit on the 32-bit one, children of 2^9 to 2^18 pages) each get the
    /// same fold with its constants written in, which turns the fold's shifts
    /// and compares into immediates. Any other size takes the general fold.
    /// Every copy is the one SummaryCore definition the proofs are about.
    @_transparent
    public func merge8(_ sums: UnsafePointer<UInt64>, logMaxPagesPerSum: UInt64) -> PallocSum {
        switch (packing.logMaxPackedValue, logMaxPagesPerSum) {
        case (21, 9): return SumLayout.merge8P21L9(sums)
        case (21, 12): return SumLayout.merge8P21L12(sums)
        case (21, 15): return SumLayout.merge8P21L15(sums)
        case (21, 18): return SumLayout.merge8P21L18(sums)
        case (18, 9): return SumLayout.merge8P18L9(sums)
        case (18, 12): return SumLayout.merge8P18L12(sums)
        case (18, 15): return SumLayout.merge8P18L15(sums)
        default: return mergeAnySize(sums, count: 8, logMaxPagesPerSum: logMaxPagesPerSum)
        }
    }

    // One function per size, each small enough for the compiler to unroll
    // its fold completely (inlined together into one caller, they were left
    // as loops).
    @inline(never) @usableFromInline static func merge8P21L9(_ s: UnsafePointer<UInt64>) -> PallocSum { merge8(s, 9, SumPacking(logMaxPackedValue: 21)) }
    @inline(never) @usableFromInline static func merge8P21L12(_ s: UnsafePointer<UInt64>) -> PallocSum { merge8(s, 12, SumPacking(logMaxPackedValue: 21)) }
    @inline(never) @usableFromInline static func merge8P21L15(_ s: UnsafePointer<UInt64>) -> PallocSum { merge8(s, 15, SumPacking(logMaxPackedValue: 21)) }
    @inline(never) @usableFromInline static func merge8P21L18(_ s: UnsafePointer<UInt64>) -> PallocSum { merge8(s, 18, SumPacking(logMaxPackedValue: 21)) }
    @inline(never) @usableFromInline static func merge8P18L9(_ s: UnsafePointer<UInt64>) -> PallocSum { merge8(s, 9, SumPacking(logMaxPackedValue: 18)) }
    @inline(never) @usableFromInline static func merge8P18L12(_ s: UnsafePointer<UInt64>) -> PallocSum { merge8(s, 12, SumPacking(logMaxPackedValue: 18)) }
    @inline(never) @usableFromInline static func merge8P18L15(_ s: UnsafePointer<UInt64>) -> PallocSum { merge8(s, 15, SumPacking(logMaxPackedValue: 18)) }

    /// The fold of 8 summaries with its sizes as arguments that the callers
    /// above pass as literals.
    @inlinable @inline(__always)
    static func merge8(_ sums: UnsafePointer<UInt64>, _ logMaxPagesPerSum: Int, _ k: SumPacking) -> PallocSum {
        let merged: Proved = mergeSummaries(count: 8, logMaxPagesPerSum: logMaxPagesPerSum, k) { Proved(raw: sums[$0]) }
        return PallocSum(raw: merged.raw)
    }

    /// The general fold, kept out of line so that the constants it would
    /// hoist do not crowd the registers of the walk that calls it.
    @inline(never)
    public func mergeAnySize(_ sums: UnsafePointer<UInt64>, count: Int, logMaxPagesPerSum: UInt64) -> PallocSum {
        merge(sums, count: count, logMaxPagesPerSum: logMaxPagesPerSum)
    }

    /// mergeSummaries over an array (tests and tools).
    public func merge(_ sums: [PallocSum], logMaxPagesPerSum: UInt64) -> PallocSum {
        precondition(!sums.isEmpty, "mergeSummaries of nothing")
        return sums.map(\.raw).withUnsafeBufferPointer { merge($0.baseAddress!, count: sums.count, logMaxPagesPerSum: logMaxPagesPerSum) }
    }
}

/// SummaryCore's generic summary, read on `UInt64`: the proved definition.
@usableFromInline typealias Proved = SummaryCore.PallocSum<UInt64>
