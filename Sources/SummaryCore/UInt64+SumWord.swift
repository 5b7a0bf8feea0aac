// The concrete interpretation: `Bool` and `UInt64`.
//
// Everything the standard library already provides (`&&`, `&+`, `<<` with Go's
// over-shift-gives-zero behaviour, `==`, `<`, ...) is used as the witness as is.
// What is added here is small and always inlined, so a generic function specialised
// for `UInt64` compiles to the same machine code as a hand-written one.

extension Bool: SumCondition {
    /// Always known.
    @inlinable
    public var knownValue: Bool? {
        @inline(__always) get { self }
    }
}

extension UInt64: SumWord {
    public typealias Condition = Bool

    /// Go's `sys.TrailingZeros64`: 64 for zero.
    @inlinable
    public var trailingZeros64: UInt64 {
        @inline(__always) get { UInt64(truncatingIfNeeded: trailingZeroBitCount) }
    }

    /// Go's `sys.LeadingZeros64`: 64 for zero.
    @inlinable
    public var leadingZeros64: UInt64 {
        @inline(__always) get { UInt64(truncatingIfNeeded: leadingZeroBitCount) }
    }

    /// `condition ? a : b`.
    @inlinable @inline(__always)
    public static func select(_ condition: Bool, _ a: UInt64, _ b: UInt64) -> UInt64 {
        condition ? a : b
    }

    /// A plain `if`; `merge` is not used.
    @inlinable @inline(__always)
    public static func branch<T>(
        _ condition: Bool,
        then: () -> T,
        else: () -> T,
        merge: (Bool, T, T) -> T
    ) -> T {
        condition ? then() : `else`()
    }

    /// A `precondition`: it stays on in every build.
    @inlinable @inline(__always)
    public static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
        precondition(condition, message())
    }
}
