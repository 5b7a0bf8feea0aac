// Evaluating symbolic words and conditions at concrete inputs (for tests and replay).

extension SymWord {
    /// The value of this word when each variable in `assignment` (made by
    /// `variable(_:bits:in:)`) has the given value: Z3 substitutes and simplifies.
    /// Lets tests compare the symbolic reading of generic code with the concrete one.
    public func value(at assignment: [(variable: SymWord, value: UInt64)]) -> UInt64 {
        switch self {
        case .constant(let v): return v
        case .term(let t, _):
            let pairs = Self.substitutionPairs(assignment)
            guard let v = t.substituting(pairs).simplified().numeralValue else {
                preconditionFailure("value(at:): the assignment leaves a variable free in \(t)")
            }
            return v
        }
    }

    static func substitutionPairs(_ assignment: [(variable: SymWord, value: UInt64)]) -> [(from: BitVec, to: BitVec)] {
        assignment.map { pair in
            guard case .term(let v, _) = pair.variable else { preconditionFailure("not a variable") }
            precondition(pair.value <= pair.variable.bound, "value \(pair.value) outside the variable's width")
            return (v, BitVec.constant(pair.value, width: v.width, in: v.context))
        }
    }
}

extension SymBool {
    /// The value of this condition when each variable in `assignment` has the given value.
    public func value(at assignment: [(variable: SymWord, value: UInt64)]) -> Bool {
        switch self {
        case .constant(let b): return b
        case .term(let t):
            guard let b = t.substituting(SymWord.substitutionPairs(assignment)).simplified().constantValue else {
                preconditionFailure("value(at:): the assignment leaves a variable free in \(t)")
            }
            return b
        }
    }
}
