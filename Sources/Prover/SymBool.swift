// The symbolic interpretation of SummaryCore's `SumCondition`: a known Bool or a
// Z3 boolean term. Constants fold; `&&` and `||` still short-circuit.

import SummaryCore

/// A symbolic truth value: a constant, or a Z3 boolean term.
public enum SymBool: SumCondition {
    case constant(Bool)
    case term(BoolExpr)

    public init(_ value: Bool) { self = .constant(value) }

    public var knownValue: Bool? {
        if case .constant(let b) = self { return b }
        return nil
    }

    /// The context of the term, if this is a term.
    public var context: Z3Context? {
        if case .term(let t) = self { return t.context }
        return nil
    }

    /// As a Z3 term in `context`.
    public func expr(in context: Z3Context) -> BoolExpr {
        switch self {
        case .constant(let b): return BoolExpr.constant(b, in: context)
        case .term(let t):
            precondition(t.context === context, "SymBool from another context")
            return t
        }
    }

    public static func && (lhs: SymBool, rhs: @autoclosure () throws -> SymBool) rethrows -> SymBool {
        switch lhs {
        case .constant(false): return lhs
        case .constant(true): return try rhs()
        case .term(let a):
            let r = try rhs()
            switch r {
            case .constant(true): return lhs
            case .constant(false): return r
            case .term(let b): return .term(a && b)
            }
        }
    }

    public static func || (lhs: SymBool, rhs: @autoclosure () throws -> SymBool) rethrows -> SymBool {
        switch lhs {
        case .constant(true): return lhs
        case .constant(false): return try rhs()
        case .term(let a):
            let r = try rhs()
            switch r {
            case .constant(false): return lhs
            case .constant(true): return r
            case .term(let b): return .term(a || b)
            }
        }
    }

    public static prefix func ! (operand: SymBool) -> SymBool {
        switch operand {
        case .constant(let b): return .constant(!b)
        case .term(let t): return .term(!t)
        }
    }

    /// `a` implies `b`.
    public static func ==> (a: SymBool, b: SymBool) -> SymBool { !a || b }

    /// `a` if and only if `b`.
    public func iff(_ other: SymBool) -> SymBool {
        switch (self, other) {
        case let (.constant(a), .constant(b)): return .constant(a == b)
        case (.constant(true), _): return other
        case (_, .constant(true)): return self
        case (.constant(false), _): return !other
        case (_, .constant(false)): return !self
        case let (.term(a), .term(b)): return .term(a == b)
        }
    }
}
