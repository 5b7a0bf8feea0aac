// Bit-vector and boolean terms, with Swift operators.
//
// Arithmetic wraps modulo 2^width; comparisons are unsigned unless named otherwise
// (`slt`); shifts by `width` or more give 0 (SMT-LIB's bvshl/bvlshr).

import CZ3

/// A bit-vector term of a fixed width.
public struct BitVec: CustomStringConvertible {
    public let ref: ASTRef
    /// The width in bits.
    public let width: Int

    init(_ ref: ASTRef, width: Int) {
        self.ref = ref
        self.width = width
    }

    public var context: Z3Context { ref.context }
    public var description: String { ref.smtlib2 }

    /// A free variable called `name`.
    public static func variable(_ name: String, width: Int, in context: Z3Context) -> BitVec {
        let sort = context.bitVecSort(width)
        return BitVec(context.wrap(Z3_mk_const(context.raw, context.symbol(name), sort), "Z3_mk_const \(name)"), width: width)
    }

    /// The constant `value`, cut to `width` bits.
    public static func constant(_ value: UInt64, width: Int, in context: Z3Context) -> BitVec {
        let sort = context.bitVecSort(width)
        let masked = width >= 64 ? value : value & ((1 << UInt64(width)) - 1)
        return BitVec(context.wrap(Z3_mk_unsigned_int64(context.raw, masked, sort), "Z3_mk_unsigned_int64"), width: width)
    }

    private func same(_ other: BitVec, _ op: String) {
        precondition(context === other.context, "\(op): terms from different contexts")
        precondition(width == other.width, "\(op): widths \(width) and \(other.width) differ")
    }

    private typealias Binary = (Z3_context?, Z3_ast?, Z3_ast?) -> Z3_ast?

    private func binary(_ other: BitVec, _ op: String, _ make: Binary) -> BitVec {
        same(other, op)
        return BitVec(context.wrap(make(context.raw, ref.raw, other.ref.raw), op), width: width)
    }

    private func compare(_ other: BitVec, _ op: String, _ make: Binary) -> BoolExpr {
        same(other, op)
        return BoolExpr(context.wrap(make(context.raw, ref.raw, other.ref.raw), op))
    }

    public static func + (a: BitVec, b: BitVec) -> BitVec { a.binary(b, "bvadd", Z3_mk_bvadd) }
    public static func - (a: BitVec, b: BitVec) -> BitVec { a.binary(b, "bvsub", Z3_mk_bvsub) }
    public static func * (a: BitVec, b: BitVec) -> BitVec { a.binary(b, "bvmul", Z3_mk_bvmul) }
    public static func & (a: BitVec, b: BitVec) -> BitVec { a.binary(b, "bvand", Z3_mk_bvand) }
    public static func | (a: BitVec, b: BitVec) -> BitVec { a.binary(b, "bvor", Z3_mk_bvor) }
    public static func ^ (a: BitVec, b: BitVec) -> BitVec { a.binary(b, "bvxor", Z3_mk_bvxor) }
    /// Left shift; a count >= width gives 0.
    public static func << (a: BitVec, b: BitVec) -> BitVec { a.binary(b, "bvshl", Z3_mk_bvshl) }
    /// Logical right shift; a count >= width gives 0.
    public static func >> (a: BitVec, b: BitVec) -> BitVec { a.binary(b, "bvlshr", Z3_mk_bvlshr) }

    public static prefix func ~ (a: BitVec) -> BitVec {
        BitVec(a.context.wrap(Z3_mk_bvnot(a.context.raw, a.ref.raw), "bvnot"), width: a.width)
    }

    public static func == (a: BitVec, b: BitVec) -> BoolExpr { a.compare(b, "=", Z3_mk_eq) }
    public static func != (a: BitVec, b: BitVec) -> BoolExpr { !(a == b) }
    public static func < (a: BitVec, b: BitVec) -> BoolExpr { a.compare(b, "bvult", Z3_mk_bvult) }
    public static func <= (a: BitVec, b: BitVec) -> BoolExpr { a.compare(b, "bvule", Z3_mk_bvule) }
    public static func > (a: BitVec, b: BitVec) -> BoolExpr { a.compare(b, "bvugt", Z3_mk_bvugt) }
    public static func >= (a: BitVec, b: BitVec) -> BoolExpr { a.compare(b, "bvuge", Z3_mk_bvuge) }

    /// Signed less-than.
    public func slt(_ other: BitVec) -> BoolExpr { compare(other, "bvslt", Z3_mk_bvslt) }

    /// Bits [low, high] (inclusive) as a `high - low + 1`-bit vector.
    public func extract(high: Int, low: Int) -> BitVec {
        precondition(0 <= low && low <= high && high < width, "extract [\(high):\(low)] of \(width) bits")
        return BitVec(context.wrap(Z3_mk_extract(context.raw, UInt32(high), UInt32(low), ref.raw), "extract"), width: high - low + 1)
    }

    /// `self` as the high bits and `low` as the low bits.
    public func concat(_ low: BitVec) -> BitVec {
        precondition(context === low.context, "concat: terms from different contexts")
        return BitVec(context.wrap(Z3_mk_concat(context.raw, ref.raw, low.ref.raw), "concat"), width: width + low.width)
    }

    /// Zero-extended to `newWidth` bits.
    public func zeroExtended(to newWidth: Int) -> BitVec {
        precondition(newWidth >= width, "zero-extend to fewer bits")
        if newWidth == width { return self }
        return BitVec(context.wrap(Z3_mk_zero_ext(context.raw, UInt32(newWidth - width), ref.raw), "zero_ext"), width: newWidth)
    }

    /// `condition ? a : b`.
    public static func ite(_ condition: BoolExpr, _ a: BitVec, _ b: BitVec) -> BitVec {
        a.same(b, "ite")
        precondition(condition.context === a.context, "ite: terms from different contexts")
        return BitVec(a.context.wrap(Z3_mk_ite(a.context.raw, condition.ref.raw, a.ref.raw, b.ref.raw), "ite"), width: a.width)
    }

    /// The same term after Z3's simplifier (a numeral when the term is closed).
    public func simplified() -> BitVec {
        BitVec(context.wrap(Z3_simplify(context.raw, ref.raw), "simplify"), width: width)
    }

    /// This term with each `from` variable replaced by the matching `to` term.
    public func substituting(_ pairs: [(from: BitVec, to: BitVec)]) -> BitVec {
        BitVec(substitute(ref, pairs), width: width)
    }

    /// The value if this term is a numeral of at most 64 bits.
    public var numeralValue: UInt64? {
        guard width <= 64, Z3_is_numeral_ast(context.raw, ref.raw) else { return nil }
        var value: UInt64 = 0
        guard Z3_get_numeral_uint64(context.raw, ref.raw, &value) else { return nil }
        return value
    }
}

/// A boolean term.
public struct BoolExpr: CustomStringConvertible {
    public let ref: ASTRef

    init(_ ref: ASTRef) { self.ref = ref }

    public var context: Z3Context { ref.context }
    public var description: String { ref.smtlib2 }

    /// The constant `value`.
    public static func constant(_ value: Bool, in context: Z3Context) -> BoolExpr {
        BoolExpr(context.wrap(value ? Z3_mk_true(context.raw) : Z3_mk_false(context.raw), "Z3_mk_true/false"))
    }

    /// A free boolean variable called `name`.
    public static func variable(_ name: String, in context: Z3Context) -> BoolExpr {
        BoolExpr(context.wrap(Z3_mk_const(context.raw, context.symbol(name), context.boolSort()), "Z3_mk_const \(name)"))
    }

    private static func nary(_ terms: [BoolExpr], _ op: String,
                             _ make: (Z3_context?, UInt32, UnsafePointer<Z3_ast?>?) -> Z3_ast?) -> BoolExpr {
        precondition(!terms.isEmpty, "\(op) of no terms")
        let context = terms[0].context
        precondition(terms.allSatisfy { $0.context === context }, "\(op): terms from different contexts")
        let raws: [Z3_ast?] = terms.map { $0.ref.raw }
        let made = raws.withUnsafeBufferPointer { make(context.raw, UInt32($0.count), $0.baseAddress) }
        return BoolExpr(context.wrap(made, op))
    }

    /// The conjunction of `terms` (not empty).
    public static func all(_ terms: [BoolExpr]) -> BoolExpr { terms.count == 1 ? terms[0] : nary(terms, "and", Z3_mk_and) }
    /// The disjunction of `terms` (not empty).
    public static func any(_ terms: [BoolExpr]) -> BoolExpr { terms.count == 1 ? terms[0] : nary(terms, "or", Z3_mk_or) }

    public static func && (a: BoolExpr, b: BoolExpr) -> BoolExpr { all([a, b]) }
    public static func || (a: BoolExpr, b: BoolExpr) -> BoolExpr { any([a, b]) }
    public static prefix func ! (a: BoolExpr) -> BoolExpr {
        BoolExpr(a.context.wrap(Z3_mk_not(a.context.raw, a.ref.raw), "not"))
    }
    /// `a` implies `b`.
    public static func ==> (a: BoolExpr, b: BoolExpr) -> BoolExpr {
        precondition(a.context === b.context, "=>: terms from different contexts")
        return BoolExpr(a.context.wrap(Z3_mk_implies(a.context.raw, a.ref.raw, b.ref.raw), "=>"))
    }
    /// `a` if and only if `b`.
    public static func == (a: BoolExpr, b: BoolExpr) -> BoolExpr {
        precondition(a.context === b.context, "=: terms from different contexts")
        return BoolExpr(a.context.wrap(Z3_mk_eq(a.context.raw, a.ref.raw, b.ref.raw), "="))
    }

    /// `condition ? a : b`.
    public static func ite(_ condition: BoolExpr, _ a: BoolExpr, _ b: BoolExpr) -> BoolExpr {
        precondition(condition.context === a.context && a.context === b.context, "ite: terms from different contexts")
        return BoolExpr(a.context.wrap(Z3_mk_ite(a.context.raw, condition.ref.raw, a.ref.raw, b.ref.raw), "ite"))
    }

    /// The same term after Z3's simplifier.
    public func simplified() -> BoolExpr {
        BoolExpr(context.wrap(Z3_simplify(context.raw, ref.raw), "simplify"))
    }

    /// This term with each `from` variable replaced by the matching `to` term.
    public func substituting(_ pairs: [(from: BitVec, to: BitVec)]) -> BoolExpr {
        BoolExpr(substitute(ref, pairs))
    }

    /// The value if this term is `true` or `false`.
    public var constantValue: Bool? {
        let value = Z3_get_bool_value(context.raw, ref.raw)
        if value == Z3_L_TRUE { return true }
        if value == Z3_L_FALSE { return false }
        return nil
    }
}

infix operator ==> : LogicalDisjunctionPrecedence

/// Z3_substitute over counted references.
private func substitute(_ term: ASTRef, _ pairs: [(from: BitVec, to: BitVec)]) -> ASTRef {
    let context = term.context
    for pair in pairs {
        precondition(pair.from.context === context && pair.to.context === context, "substitute: terms from different contexts")
        precondition(pair.from.width == pair.to.width, "substitute: widths differ")
    }
    let from: [Z3_ast?] = pairs.map { $0.from.ref.raw }
    let to: [Z3_ast?] = pairs.map { $0.to.ref.raw }
    let result = from.withUnsafeBufferPointer { f in
        to.withUnsafeBufferPointer { t in
            Z3_substitute(context.raw, term.raw, UInt32(pairs.count), f.baseAddress, t.baseAddress)
        }
    }
    return context.wrap(result, "Z3_substitute")
}
