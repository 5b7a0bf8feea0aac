// A solver with a timeout, its answers, and models read back as Swift integers.

import CZ3

/// What a satisfiability check answered.
public enum CheckResult {
    /// The assertions have a solution.
    case sat(Model)
    /// The assertions have no solution.
    case unsat
    /// The solver gave up (timeout, resource limit, incompleteness): never a pass.
    case unknown(reason: String)
}

/// A Z3 solver over one context.
public final class Solver {
    public let context: Z3Context
    let raw: Z3_solver
    /// The time limit of each `check()`, in milliseconds (0: none).
    public let timeoutMilliseconds: UInt32
    /// Z3's resource limit (`rlimit`) of each `check()`: a count of the
    /// solver's own steps, the same on every machine, so a verdict bounded by
    /// it does not move with the machine's speed (0: none).
    public let resourceLimit: UInt32

    /// A solver for `logic` (SMT-LIB name; default quantifier-free bit-vectors) that
    /// gives up after `timeoutMilliseconds`, or after `resourceLimit` of Z3's
    /// resource units, per check (0: no such limit).
    public init(_ context: Z3Context, logic: String = "QF_BV", timeoutMilliseconds: UInt32 = 60_000, resourceLimit: UInt32 = 0) {
        self.context = context
        self.timeoutMilliseconds = timeoutMilliseconds
        self.resourceLimit = resourceLimit
        let solver = Z3_mk_solver_for_logic(context.raw, context.symbol(logic))
        context.check("Z3_mk_solver_for_logic")
        raw = solver!
        Z3_solver_inc_ref(context.raw, raw)
        context.account(1)
        let params = Z3_mk_params(context.raw)!
        Z3_params_inc_ref(context.raw, params)
        if timeoutMilliseconds > 0 { Z3_params_set_uint(context.raw, params, context.symbol("timeout"), timeoutMilliseconds) }
        if resourceLimit > 0 { Z3_params_set_uint(context.raw, params, context.symbol("rlimit"), resourceLimit) }
        Z3_solver_set_params(context.raw, raw, params)
        Z3_params_dec_ref(context.raw, params)
        context.check("Z3_solver_set_params")
    }

    deinit {
        Z3_solver_dec_ref(context.raw, raw)
        context.account(-1)
    }

    /// Adds `formula` to the assertions.
    public func assert(_ formula: BoolExpr) {
        precondition(formula.context === context, "assert: term from another context")
        Z3_solver_assert(context.raw, raw, formula.ref.raw)
        context.check("Z3_solver_assert")
    }

    /// Decides the conjunction of the assertions.
    public func check() -> CheckResult {
        let answer = Z3_solver_check(context.raw, raw)
        context.check("Z3_solver_check")
        if answer == Z3_L_TRUE {
            let model = Z3_solver_get_model(context.raw, raw)
            context.check("Z3_solver_get_model")
            return .sat(Model(context, model!))
        }
        if answer == Z3_L_FALSE { return .unsat }
        return .unknown(reason: String(cString: Z3_solver_get_reason_unknown(context.raw, raw)))
    }

    /// The resource units the last `check()` used ("rlimit count" in Z3's
    /// statistics): how a test's resource limit is chosen, and a figure
    /// that, unlike seconds, is the same on every machine.
    public var resourceCount: UInt64 {
        guard let stats = Z3_solver_get_statistics(context.raw, raw) else { return 0 }
        Z3_stats_inc_ref(context.raw, stats)
        defer { Z3_stats_dec_ref(context.raw, stats) }
        for i in 0..<Z3_stats_size(context.raw, stats) {
            guard String(cString: Z3_stats_get_key(context.raw, stats, i)) == "rlimit count" else { continue }
            if Z3_stats_is_uint(context.raw, stats, i) { return UInt64(Z3_stats_get_uint_value(context.raw, stats, i)) }
            return UInt64(Z3_stats_get_double_value(context.raw, stats, i))
        }
        return 0
    }

    /// The assertions as Z3 prints them in SMT-LIB2 (declarations, then asserts).
    public var assertionsSMTLIB2: String {
        String(cString: Z3_solver_to_string(context.raw, raw))
    }
}

/// A solution: values for the free variables.
public final class Model {
    public let context: Z3Context
    let raw: Z3_model

    init(_ context: Z3Context, _ raw: Z3_model) {
        self.context = context
        self.raw = raw
        Z3_model_inc_ref(context.raw, raw)
        context.account(1)
    }

    deinit {
        Z3_model_dec_ref(context.raw, raw)
        context.account(-1)
    }

    private func evaluate(_ term: ASTRef) -> ASTRef {
        var out: Z3_ast?
        let ok = Z3_model_eval(context.raw, raw, term.raw, true, &out)
        precondition(ok, "Z3_model_eval failed")
        return context.wrap(out, "Z3_model_eval")
    }

    /// The value of a bit-vector term of at most 64 bits under this model (variables
    /// the model leaves free count as 0).
    public func value(_ term: BitVec) -> UInt64 {
        precondition(term.width <= 64, "value: use decimalValue for \(term.width)-bit terms")
        let result = BitVec(evaluate(term.ref), width: term.width)
        guard let value = result.numeralValue else { preconditionFailure("model value of \(term) is not a numeral") }
        return value
    }

    /// The value of a bit-vector term of any width, in decimal.
    public func decimalValue(_ term: BitVec) -> String {
        let result = evaluate(term.ref)
        return String(cString: Z3_get_numeral_string(context.raw, result.raw))
    }

    /// The value of a boolean term under this model.
    public func value(_ term: BoolExpr) -> Bool {
        let result = BoolExpr(evaluate(term.ref))
        guard let value = result.constantValue else { preconditionFailure("model value of \(term) is not a boolean") }
        return value
    }
}
