// The symbolic interpretation of SummaryCore's `SumWord`: a 64-bit word that is
// either a known constant or a Z3 bit-vector term.
//
// Constants fold in Swift with `UInt64`'s own operations (so Go's compile-time
// constants, e.g. `maxPackedValue - 1`, stay numbers and the formulas stay small);
// as soon as one operand is a term, the operation becomes a Z3 term in that term's
// context. Generic SummaryCore code therefore needs no context argument.
//
// `require` and `branch` need to know the path: inside `branch`, a `require` only has
// to hold when the branch is taken. A `SymbolicEvaluation` (task-local while its
// `run` is executing) keeps the stack of path conditions and collects each
// requirement as `path => condition`.

import SummaryCore

/// A symbolic 64-bit word: a constant, or a Z3 bit-vector term.
///
/// A term also carries `bound`, an upper bound on its value that holds for every
/// assignment of the variables, and is kept as a bit-vector of just
/// `bitLength(bound)` bits, meaning its zero-extension to 64 bits. Summary counts are
/// at most 2^22 and shift counts at most 64, so most arithmetic in the proofs runs on
/// 7 to 25 bits instead of 64, which is what makes the merge and summarize proofs
/// fast. Bounds only ever over-approximate: additions that might wrap, subtraction,
/// complement and shifts that might overflow fall back to 64 bits with no bound, so
/// every operation is exactly Go's 64-bit one. (The tests compare this
/// interpretation against `UInt64` on random programs and inputs.)
public enum SymWord: SumWord, CustomStringConvertible {
    public typealias Condition = SymBool

    case constant(UInt64)
    /// A term with `value <= bound`; the bit-vector has `bitLength(bound)` bits.
    case term(BitVec, bound: UInt64)

    public init(_ value: UInt64) { self = .constant(value) }
    public init(integerLiteral value: UInt64) { self = .constant(value) }

    /// A free 64-bit variable called `name`.
    public static func variable(_ name: String, in context: Z3Context) -> SymWord {
        variable(name, bits: 64, in: context)
    }

    /// A free variable called `name` ranging over [0, 2^bits).
    public static func variable(_ name: String, bits: Int, in context: Z3Context) -> SymWord {
        precondition(bits >= 1 && bits <= 64, "variable width \(bits)")
        let bound: UInt64 = bits == 64 ? ~0 : (1 << UInt64(bits)) - 1
        return .term(BitVec.variable(name, width: bits, in: context), bound: bound)
    }

    /// The number of bits needed for values up to `bound` (at least 1).
    public static func bitLength(_ bound: UInt64) -> Int { Swift.max(1, 64 - bound.leadingZeroBitCount) }

    /// The context of the term, if this is a term.
    public var context: Z3Context? {
        if case .term(let t, _) = self { return t.context }
        return nil
    }

    /// An upper bound on the value.
    public var bound: UInt64 {
        switch self {
        case .constant(let v): return v
        case .term(_, let b): return b
        }
    }

    /// The bits the value needs.
    var width: Int { Self.bitLength(bound) }

    /// As a 64-bit Z3 term in `context`.
    public func bitVec(in context: Z3Context) -> BitVec { bits(64, in: context) }

    /// The value as a `width`-bit vector; `width` must be at least `self.width`.
    func bits(_ width: Int, in context: Z3Context) -> BitVec {
        switch self {
        case .constant(let v):
            precondition(Self.bitLength(v) <= width, "constant does not fit")
            return BitVec.constant(v, width: width, in: context)
        case .term(let t, _):
            precondition(t.context === context, "SymWord from another context")
            return t.zeroExtended(to: width)
        }
    }

    /// The low `width` bits of the value.
    func lowBits(_ width: Int, in context: Z3Context) -> BitVec {
        switch self {
        case .constant(let v):
            return BitVec.constant(width >= 64 ? v : v & ((1 << UInt64(width)) - 1), width: width, in: context)
        case .term(let t, _):
            return t.width > width ? t.extract(high: width - 1, low: 0) : t.zeroExtended(to: width)
        }
    }

    /// A term for `value` (whose value is at most `bound`), cut or extended to
    /// `bitLength(bound)` bits.
    static func make(_ value: BitVec, bound: UInt64) -> SymWord {
        if bound == 0 { return .constant(0) }
        let w = bitLength(bound)
        let v = value.width > w ? value.extract(high: w - 1, low: 0) : value.zeroExtended(to: w)
        return .term(v, bound: bound)
    }

    static func context(_ a: SymWord, _ b: SymWord) -> Z3Context? { a.context ?? b.context }

    public var description: String {
        switch self {
        case .constant(let v): return "0x" + String(v, radix: 16)
        case .term(let t, _): return t.description
        }
    }

    static func saturatingAdd(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (s, o) = a.addingReportingOverflow(b)
        return o ? ~0 : s
    }

    static func allOnes(_ width: Int) -> UInt64 { width >= 64 ? ~0 : (1 << UInt64(width)) - 1 }

    // MARK: Arithmetic and bits

    public static func &+ (lhs: SymWord, rhs: SymWord) -> SymWord {
        if case .constant(0) = rhs { return lhs }
        if case .constant(0) = lhs { return rhs }
        guard let ctx = context(lhs, rhs) else { return .constant(lhs.bound &+ rhs.bound) }
        let (sum, overflow) = lhs.bound.addingReportingOverflow(rhs.bound)
        let w = overflow ? 64 : bitLength(sum)
        return make(lhs.bits(w, in: ctx) + rhs.bits(w, in: ctx), bound: overflow ? ~0 : sum)
    }

    public static func &- (lhs: SymWord, rhs: SymWord) -> SymWord {
        if case .constant(0) = rhs { return lhs }
        guard let ctx = context(lhs, rhs) else { return .constant(lhs.bound &- rhs.bound) }
        return make(lhs.bits(64, in: ctx) - rhs.bits(64, in: ctx), bound: ~0)
    }

    public static func & (lhs: SymWord, rhs: SymWord) -> SymWord {
        guard let ctx = context(lhs, rhs) else { return .constant(lhs.bound & rhs.bound) }
        if case .constant(let m) = rhs, m & allOnes(lhs.width) == allOnes(lhs.width) { return lhs }
        if case .constant(let m) = lhs, m & allOnes(rhs.width) == allOnes(rhs.width) { return rhs }
        let bound = Swift.min(lhs.bound, rhs.bound)      // a & b <= min(a, b)
        if bound == 0 { return .constant(0) }
        let w = bitLength(bound)
        return make(lhs.lowBits(w, in: ctx) & rhs.lowBits(w, in: ctx), bound: bound)
    }

    public static func | (lhs: SymWord, rhs: SymWord) -> SymWord {
        if case .constant(0) = rhs { return lhs }
        if case .constant(0) = lhs { return rhs }
        guard let ctx = context(lhs, rhs) else { return .constant(lhs.bound | rhs.bound) }
        let w = Swift.max(lhs.width, rhs.width)           // a | b <= min(a + b, 2^w - 1)
        return make(lhs.bits(w, in: ctx) | rhs.bits(w, in: ctx),
                    bound: Swift.min(allOnes(w), saturatingAdd(lhs.bound, rhs.bound)))
    }

    public static func ^ (lhs: SymWord, rhs: SymWord) -> SymWord {
        if case .constant(0) = rhs { return lhs }
        if case .constant(0) = lhs { return rhs }
        guard let ctx = context(lhs, rhs) else { return .constant(lhs.bound ^ rhs.bound) }
        let w = Swift.max(lhs.width, rhs.width)           // a ^ b <= a | b
        return make(lhs.bits(w, in: ctx) ^ rhs.bits(w, in: ctx),
                    bound: Swift.min(allOnes(w), saturatingAdd(lhs.bound, rhs.bound)))
    }

    public static prefix func ~ (operand: SymWord) -> SymWord {
        switch operand {
        case .constant(let v): return .constant(~v)
        case .term(_, _): return make(~operand.bits(64, in: operand.context!), bound: ~0)
        }
    }

    public static func << (lhs: SymWord, count: Int) -> SymWord {
        precondition(count >= 0, "negative shift")
        if count == 0 { return lhs }
        if count >= 64 { return 0 }
        guard case .term(let t, let bound) = lhs else { return .constant(lhs.bound << UInt64(count)) }
        if bound <= ~UInt64(0) >> UInt64(count) {
            // No bit is shifted out: append zeros.
            return make(t.concat(BitVec.constant(0, width: count, in: t.context)), bound: bound << UInt64(count))
        }
        return make(lhs.bits(64, in: t.context) << BitVec.constant(UInt64(count), width: 64, in: t.context), bound: ~0)
    }

    public static func >> (lhs: SymWord, count: Int) -> SymWord {
        precondition(count >= 0, "negative shift")
        if count == 0 { return lhs }
        guard case .term(let t, let bound) = lhs else { return .constant(count >= 64 ? 0 : lhs.bound >> UInt64(count)) }
        if count >= t.width { return 0 }
        return make(t.extract(high: t.width - 1, low: count), bound: bound >> UInt64(count))
    }

    /// Swift's masking shift: the count is taken mod 64.
    public static func &<< (lhs: SymWord, count: Int) -> SymWord { lhs << (count & 63) }

    /// Swift's masking shift: the count is taken mod 64.
    public static func &>> (lhs: SymWord, count: Int) -> SymWord { lhs >> (count & 63) }

    public static func << (lhs: SymWord, count: SymWord) -> SymWord {
        if case .constant(let c) = count { return c >= 64 ? 0 : lhs << Int(c) }
        let ctx = count.context!
        return make(lhs.bits(64, in: ctx) << count.bits(64, in: ctx), bound: ~0)
    }

    public static func >> (lhs: SymWord, count: SymWord) -> SymWord {
        if case .constant(let c) = count { return c >= 64 ? 0 : lhs >> Int(c) }
        if case .constant(0) = lhs { return 0 }
        let ctx = count.context!
        // x >> c <= x; at width w >= both widths a count >= w gives 0, as it should.
        let w = Swift.max(lhs.width, count.width)
        return make(lhs.bits(w, in: ctx) >> count.bits(w, in: ctx), bound: lhs.bound)
    }

    // MARK: Comparisons

    /// `lhs < rhs` (strict) or `lhs <= rhs`, folded from the bounds when they decide it.
    static func less(_ lhs: SymWord, _ rhs: SymWord, orEqual: Bool) -> SymBool {
        switch (lhs, rhs) {
        case let (.constant(a), .constant(b)): return .constant(orEqual ? a <= b : a < b)
        case let (_, .constant(b)) where orEqual ? lhs.bound <= b : lhs.bound < b: return .constant(true)
        case let (.constant(a), _) where orEqual ? a > rhs.bound : a >= rhs.bound: return .constant(false)
        default:
            let ctx = context(lhs, rhs)!
            let w = Swift.max(lhs.width, rhs.width)
            let (a, b) = (lhs.bits(w, in: ctx), rhs.bits(w, in: ctx))
            return .term(orEqual ? a <= b : a < b)
        }
    }

    public static func == (lhs: SymWord, rhs: SymWord) -> SymBool {
        switch (lhs, rhs) {
        case let (.constant(a), .constant(b)): return .constant(a == b)
        case let (_, .constant(b)) where b > lhs.bound: return .constant(false)
        case let (.constant(a), _) where a > rhs.bound: return .constant(false)
        default:
            let ctx = context(lhs, rhs)!
            let w = Swift.max(lhs.width, rhs.width)
            return .term(lhs.bits(w, in: ctx) == rhs.bits(w, in: ctx))
        }
    }

    public static func != (lhs: SymWord, rhs: SymWord) -> SymBool { !(lhs == rhs) }
    public static func < (lhs: SymWord, rhs: SymWord) -> SymBool { less(lhs, rhs, orEqual: false) }
    public static func <= (lhs: SymWord, rhs: SymWord) -> SymBool { less(lhs, rhs, orEqual: true) }
    public static func > (lhs: SymWord, rhs: SymWord) -> SymBool { less(rhs, lhs, orEqual: false) }
    public static func >= (lhs: SymWord, rhs: SymWord) -> SymBool { less(rhs, lhs, orEqual: true) }

    // MARK: Bit counts

    /// Go's TrailingZeros64 as a chain of if-then-else over the bits, lowest first:
    /// bit 0 set gives 0, else bit 1 set gives 1, ..., no bit set gives 64.
    public var trailingZeros64: SymWord {
        switch self {
        case .constant(let v): return .constant(v.trailingZeros64)
        case .term(let t, _):
            let ctx = t.context
            var result = BitVec.constant(64, width: 7, in: ctx)
            for i in stride(from: t.width - 1, through: 0, by: -1) {
                let bit = t.extract(high: i, low: i) == BitVec.constant(1, width: 1, in: ctx)
                result = BitVec.ite(bit, BitVec.constant(UInt64(i), width: 7, in: ctx), result)
            }
            return .term(result, bound: 64)
        }
    }

    /// Go's LeadingZeros64 as a chain of if-then-else over the bits, highest first
    /// (bits above the term's width are zero).
    public var leadingZeros64: SymWord {
        switch self {
        case .constant(let v): return .constant(v.leadingZeros64)
        case .term(let t, _):
            let ctx = t.context
            var result = BitVec.constant(64, width: 7, in: ctx)
            for i in 0..<t.width {
                let bit = t.extract(high: i, low: i) == BitVec.constant(1, width: 1, in: ctx)
                result = BitVec.ite(bit, BitVec.constant(UInt64(63 - i), width: 7, in: ctx), result)
            }
            return .term(result, bound: 64)
        }
    }

    // MARK: Control

    public static func select(_ condition: SymBool, _ a: SymWord, _ b: SymWord) -> SymWord {
        switch condition {
        case .constant(let c): return c ? a : b
        case .term(let c):
            if case let (.constant(x), .constant(y)) = (a, b), x == y { return a }
            let w = Swift.max(a.width, b.width)
            return make(BitVec.ite(c, a.bits(w, in: c.context), b.bits(w, in: c.context)), bound: Swift.max(a.bound, b.bound))
        }
    }

    public static func branch<T>(
        _ condition: SymBool,
        then: () -> T,
        else: () -> T,
        merge: (SymBool, T, T) -> T
    ) -> T {
        if let known = condition.knownValue { return known ? then() : `else`() }
        let evaluation = SymbolicEvaluation.current
        evaluation?.pathConditions.append(condition)
        let a = then()
        evaluation?.pathConditions.removeLast()
        evaluation?.pathConditions.append(!condition)
        let b = `else`()
        evaluation?.pathConditions.removeLast()
        return merge(condition, a, b)
    }

    public static func require(_ condition: SymBool, _ message: @autoclosure () -> String) {
        guard let evaluation = SymbolicEvaluation.current else {
            if condition.knownValue == true { return }
            preconditionFailure("symbolic require outside SymbolicEvaluation.run: \(message())")
        }
        evaluation.record(condition, message())
    }
}
