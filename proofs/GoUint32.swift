// Go's `uint` on a 32-bit platform (the geometries with 32-bit pointers: 386, mips), read
// through any `SumWord`: every arithmetic result is cut to its low 32 bits, as Go's
// 32-bit `uint` arithmetic wraps at 2^32. Comparisons, selection and the loop
// machinery pass through unchanged.
//
// The summary fields (`start`, `max`, `end`) and the loop counter of mergeSummaries
// are `uint` in Go, so on a 32-bit platform Go computes them in 32 bits, while the
// packed word (`pallocSum`) stays a `uint64`. The obligations read SummaryCore's
// generic code once on `SymWord` (64 bits) and once on `GoUint32<SymWord>` (Go's
// 32 bits) and prove the two give the same numbers: that is what makes the 64-bit
// model exact on the 32-bit geometries.

import SummaryCore

/// A `W` kept below 2^32 after every operation that could carry it past: Go's
/// 32-bit `uint`.
struct GoUint32<W: SumWord>: SumWord {
    typealias Condition = W.Condition

    /// The value, always below 2^32.
    let w: W

    static var mask: W { W(0xFFFF_FFFF) }

    /// Go's `uint(x)` conversion from a 64-bit value: keeps the low 32 bits.
    init(truncating value: W) { w = value & Self.mask }

    init(_ value: UInt64) { w = W(value & 0xFFFF_FFFF) }
    init(integerLiteral value: UInt64) { self.init(value) }

    static func &+ (lhs: Self, rhs: Self) -> Self { Self(truncating: lhs.w &+ rhs.w) }
    static func &- (lhs: Self, rhs: Self) -> Self { Self(truncating: lhs.w &- rhs.w) }
    static func & (lhs: Self, rhs: Self) -> Self { Self(truncating: lhs.w & rhs.w) }
    static func | (lhs: Self, rhs: Self) -> Self { Self(truncating: lhs.w | rhs.w) }
    static func ^ (lhs: Self, rhs: Self) -> Self { Self(truncating: lhs.w ^ rhs.w) }
    static prefix func ~ (operand: Self) -> Self { Self(truncating: ~operand.w) }

    // A shift of a 32-bit value by 32 or more gives 0 in Go; on the 64-bit word,
    // cutting the result to 32 bits gives the same.
    static func << (lhs: Self, count: Int) -> Self { Self(truncating: lhs.w << count) }
    static func >> (lhs: Self, count: Int) -> Self { Self(truncating: lhs.w >> count) }
    // `&<<`/`&>>` take a geometry constant below 64 (SumWord's contract). Go
    // shifts a 32-bit uint by 32 to 63 to 0, which the plain shifts above
    // give; masking the count by 31, as Swift's UInt32 would, would not.
    static func &<< (lhs: Self, count: Int) -> Self {
        precondition((0..<64).contains(count), "GoUint32: shift count \(count) outside 0..<64")
        return lhs << count
    }
    static func &>> (lhs: Self, count: Int) -> Self {
        precondition((0..<64).contains(count), "GoUint32: shift count \(count) outside 0..<64")
        return lhs >> count
    }
    static func << (lhs: Self, count: Self) -> Self { Self(truncating: lhs.w << count.w) }
    static func >> (lhs: Self, count: Self) -> Self { Self(truncating: lhs.w >> count.w) }

    static func == (lhs: Self, rhs: Self) -> Condition { lhs.w == rhs.w }
    static func != (lhs: Self, rhs: Self) -> Condition { lhs.w != rhs.w }
    static func < (lhs: Self, rhs: Self) -> Condition { lhs.w < rhs.w }
    static func <= (lhs: Self, rhs: Self) -> Condition { lhs.w <= rhs.w }
    static func > (lhs: Self, rhs: Self) -> Condition { lhs.w > rhs.w }
    static func >= (lhs: Self, rhs: Self) -> Condition { lhs.w >= rhs.w }

    // Go's sys.TrailingZeros64/LeadingZeros64 take a uint64: of the value widened.
    var trailingZeros64: Self { Self(truncating: w.trailingZeros64) }
    var leadingZeros64: Self { Self(truncating: w.leadingZeros64) }

    static func select(_ condition: Condition, _ a: Self, _ b: Self) -> Self {
        Self(unchecked: W.select(condition, a.w, b.w))
    }

    static func branch<T>(_ condition: Condition, then: () -> T, else: () -> T, merge: (Condition, T, T) -> T) -> T {
        W.branch(condition, then: then, else: `else`, merge: merge)
    }

    static func require(_ condition: Condition, _ message: @autoclosure () -> String) {
        W.require(condition, message())
    }

    /// A value already below 2^32 (a choice between two such values).
    private init(unchecked w: W) { self.w = w }
}

extension SummaryFields {
    /// The fields as Go's 32-bit `uint`s (`uint(x)` of each).
    func asGoUint32() -> SummaryFields<GoUint32<W>> {
        SummaryFields<GoUint32<W>>(start: GoUint32(truncating: start), max: GoUint32(truncating: max), end: GoUint32(truncating: end))
    }
}

extension SummaryFields {
    /// The 64-bit words of 32-bit `uint` fields.
    func widened<V: SumWord>() -> SummaryFields<V> where W == GoUint32<V> {
        SummaryFields<V>(start: start.w, max: max.w, end: end.w)
    }
}
