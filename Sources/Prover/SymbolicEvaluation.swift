// Path conditions and requirements collected while generic code runs on SymWord.

/// One fact the symbolic run of the code relies on (a `require`), as a formula that
/// must hold: `path condition => condition`.
public struct Requirement {
    public let formula: BoolExpr
    public let message: String
}

/// Collects what `require` states and tracks path conditions while generic
/// SummaryCore code runs on `SymWord`.
public final class SymbolicEvaluation: @unchecked Sendable {
    // Confined to the task that calls `run`; @unchecked only so it can be task-local.
    @TaskLocal static var current: SymbolicEvaluation?

    public let context: Z3Context
    var pathConditions: [SymBool] = []
    public private(set) var requirements: [Requirement] = []

    init(_ context: Z3Context) { self.context = context }

    func record(_ condition: SymBool, _ message: String) {
        var path = SymBool.constant(true)
        for c in pathConditions { path = path && c }
        let formula = path ==> condition
        if formula.knownValue == true { return }
        requirements.append(Requirement(formula: formula.expr(in: context), message: message))
    }

    /// Runs `body` (which builds terms in `context`) and returns its result with the
    /// requirements the code stated on the way.
    public static func run<R>(in context: Z3Context, _ body: () throws -> R) rethrows -> (result: R, requirements: [Requirement]) {
        let evaluation = SymbolicEvaluation(context)
        let result = try $current.withValue(evaluation) { try body() }
        return (result, evaluation.requirements)
    }
}
