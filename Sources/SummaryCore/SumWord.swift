// The word protocol that lets one definition of the summary code run twice:
// on `UInt64` in the allocator, and on Z3 bit-vector terms in the prover.
//
// The rules that make that possible:
//
// * Arithmetic wraps (`&+`, `&-`), as Go's `uint64`/`uintptr` arithmetic does.
// * Shifts follow Go: shifting by 64 or more gives 0 (Z3's `bvshl`/`bvlshr` agree).
//   Shifts by a geometry constant that is always below 64 are written `&<<`/`&>>`
//   (count mod 64, as in Swift), which is the same there and costs no range check.
// * Comparisons return `Condition`, not `Bool`, so a symbolic comparison can stay
//   symbolic. Data-dependent choices use `select(_:_:_:)`, or `branch` when a whole
//   piece of state depends on the choice.
// * A loop whose trip count depends on data is written with a fixed upper bound and
//   a `live` condition; the concrete interpretation leaves it early through
//   `Condition.knownValue`, the symbolic one unrolls it to the bound, and a final
//   `require` turns "the bound was enough" into a proof obligation.
//
// Only fixed-width 64-bit words are modelled: Go's `pallocSum` is a `uint64`, and
// 32-bit `uintptr` arithmetic is modelled by masking (see `Geometry.uintptr(_:)`).

/// A truth value that may be known (`Bool`) or symbolic (a Z3 boolean term).
///
/// `&&` and `||` keep Swift's shape (the right operand is an autoclosure), so `Bool`
/// conforms with its own operators and stays short-circuiting.
public protocol SumCondition: SendableMetatype {
    /// The constant `value`.
    init(_ value: Bool)

    /// Conjunction. The right operand is evaluated only when it can matter.
    static func && (lhs: Self, rhs: @autoclosure () throws -> Self) rethrows -> Self

    /// Disjunction. The right operand is evaluated only when it can matter.
    static func || (lhs: Self, rhs: @autoclosure () throws -> Self) rethrows -> Self

    /// Negation.
    static prefix func ! (operand: Self) -> Self

    /// The value when it is known without a solver: always for `Bool`, and for a
    /// symbolic condition only when it folded to a constant. Loops use it to stop
    /// early on the concrete path.
    var knownValue: Bool? { get }
}

/// A 64-bit machine word as Go's summary code uses it: wrapping arithmetic,
/// bitwise operations, Go-style shifts, comparisons that return a `Condition`,
/// and `select` in place of a data-dependent `if`.
///
/// `UInt64` conforms (in this module, fully inlinable); the prover's symbolic word
/// conforms in the `Prover` module. Generic code written against this protocol is
/// the code that runs *and* the code that is proven.
public protocol SumWord: ExpressibleByIntegerLiteral, SendableMetatype where IntegerLiteralType == UInt64 {
    /// What a comparison returns: `Bool` for `UInt64`.
    associatedtype Condition: SumCondition

    /// The constant `value`.
    init(_ value: UInt64)

    /// Wrapping addition (Go's `+` on `uint64`).
    static func &+ (lhs: Self, rhs: Self) -> Self
    /// Wrapping subtraction (Go's `-` on `uint64`).
    static func &- (lhs: Self, rhs: Self) -> Self
    /// Bitwise and.
    static func & (lhs: Self, rhs: Self) -> Self
    /// Bitwise or.
    static func | (lhs: Self, rhs: Self) -> Self
    /// Bitwise exclusive or.
    static func ^ (lhs: Self, rhs: Self) -> Self
    /// Bitwise complement (Go's `^x`).
    static prefix func ~ (operand: Self) -> Self

    /// Left shift by a constant; `count >= 64` gives 0. `count` must not be negative.
    static func << (lhs: Self, count: Int) -> Self
    /// Logical right shift by a constant; `count >= 64` gives 0. `count` must not be negative.
    static func >> (lhs: Self, count: Int) -> Self
    /// Left shift by a constant taken mod 64 (Swift's `&<<`). Used where the count is
    /// a geometry constant below 64 (a field width, twice it, a level's page log;
    /// the `geometryConstants` proof bounds them), so it means what Go's `<<`
    /// means, and the concrete reading needs no range check.
    static func &<< (lhs: Self, count: Int) -> Self
    /// Logical right shift by a constant taken mod 64 (Swift's `&>>`); see `&<<`.
    static func &>> (lhs: Self, count: Int) -> Self
    /// Left shift by a word; a count of 64 or more gives 0, as in Go.
    static func << (lhs: Self, count: Self) -> Self
    /// Logical right shift by a word; a count of 64 or more gives 0, as in Go.
    static func >> (lhs: Self, count: Self) -> Self

    /// Equality.
    static func == (lhs: Self, rhs: Self) -> Condition
    /// Inequality.
    static func != (lhs: Self, rhs: Self) -> Condition
    /// Unsigned less-than.
    static func < (lhs: Self, rhs: Self) -> Condition
    /// Unsigned less-or-equal.
    static func <= (lhs: Self, rhs: Self) -> Condition
    /// Unsigned greater-than.
    static func > (lhs: Self, rhs: Self) -> Condition
    /// Unsigned greater-or-equal.
    static func >= (lhs: Self, rhs: Self) -> Condition

    /// The number of trailing zero bits, 64 for zero (Go's `sys.TrailingZeros64`).
    var trailingZeros64: Self { get }
    /// The number of leading zero bits, 64 for zero (Go's `sys.LeadingZeros64`).
    var leadingZeros64: Self { get }

    /// `condition ? a : b` without a data-dependent branch in the symbolic reading.
    static func select(_ condition: Condition, _ a: Self, _ b: Self) -> Self

    /// Runs `then` when `condition` holds and `else` when it does not. The concrete
    /// reading is a plain `if`; the symbolic reading runs both sides (each under its
    /// path condition, so `require`s inside are conditional) and combines them with
    /// `merge`, which must act like `select` on every part of `T`.
    static func branch<T>(
        _ condition: Condition,
        then: () -> T,
        else: () -> T,
        merge: (Condition, T, T) -> T
    ) -> T

    /// States a fact the code relies on (Go's "n must be > 0", or "this unrolled
    /// loop has finished"). Concretely it is a `precondition`; symbolically it
    /// becomes part of what the prover must show.
    static func require(_ condition: Condition, _ message: @autoclosure () -> String)
}

extension SumWord {
    /// The larger of `a` and `b` (unsigned).
    @inlinable @inline(__always)
    public static func maximum(_ a: Self, _ b: Self) -> Self {
        select(a > b, a, b)
    }

    /// `branch` for a single word.
    @inlinable @inline(__always)
    public static func branch(_ condition: Condition, then: () -> Self, else: () -> Self) -> Self {
        branch(condition, then: then, else: `else`, merge: { c, a, b in select(c, a, b) })
    }
}
