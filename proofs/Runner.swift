// Turning an obligation into Z3 problems and reading the answers.
//
//   proof      one problem per lemma, then the goal; each expected unsat:
//                outOfRange || (assumption && earlier lemmas && !(claim && requirements))
//   vacuity    assumption                                       expected sat
//   control    outOfRange || (assumption && !(mutant goal && requirements))
//                                                               expected sat
//   needed     !(claim && requirements), the assumption deleted  expected sat
//              (skipped when the assumption is always true)
//
// Every problem gets a fresh context, so its terms (and its SMT-LIB text) do not
// depend on what was built before. `unknown` (a timeout included) is never a pass.
// Problems whose SMT-LIB text is identical (e.g. the same summary obligation on
// amd64 and arm64, whose constants agree) are solved once per run: the same text is
// the same formula, so it has the same answer.

import Foundation
import Prover
import SummaryCore

/// The answer for one problem.
public enum Verdict: Sendable, Equatable, CustomStringConvertible {
    /// No counterexample exists (the solver answered unsat).
    case proved
    /// A counterexample exists (the solver answered sat).
    case refuted
    /// The solver gave up; the reason is Z3's (e.g. "timeout", "canceled").
    case unknown(String)

    public var description: String {
        switch self {
        case .proved: return "proved"
        case .refuted: return "REFUTED"
        case .unknown(let reason): return "UNKNOWN (\(reason))"
        }
    }
}

/// A counterexample: input values for which the assumption holds and a claim (the
/// goal, a lemma, or one of the code's own requirements) fails.
public struct Counterexample: Sendable {
    /// The inputs, in the obligation's order.
    public let inputs: [Input]
    /// What fails: "goal", "lemma 3", a failing `require`'s message, ...
    public let failed: String
    /// Named outputs of the code for these inputs, computed on UInt64.
    public let observations: [Observation]
    /// Whether evaluating the obligation on UInt64 with these inputs gives assumption
    /// true and goal false; nil when that replay does not apply (a lemma or a
    /// `require` fails, which would trap, or an input is out of its declared width).
    public let confirmedConcretely: Bool?

    public struct Input: Sendable, Equatable {
        public let name: String
        public let value: UInt64
    }

    public struct Observation: Sendable, Equatable {
        public let name: String
        public let value: String
    }

    /// The counterexample as Swift declarations, ready to paste into a test.
    public var swiftText: String {
        var lines = inputs.map { "let \($0.name.replacingOccurrences(of: ".", with: "_")): UInt64 = 0x\(String($0.value, radix: 16))  // \($0.value)" }
        lines += observations.map { "// \($0.name) = \($0.value)" }
        lines.append("// fails: \(failed)" + (confirmedConcretely == true ? " (confirmed on UInt64)" : ""))
        return lines.joined(separator: "\n")
    }
}

/// The result of proving (or checking) one obligation for one geometry.
public struct ProofResult: Sendable {
    /// `theorem.instance`.
    public let obligation: String
    /// The one-sentence meaning of the theorem.
    public let meaning: String
    /// The geometry's name, or "any" for a geometry-independent obligation.
    public let geometry: String
    /// The answer: `.proved` only if every part was unsat.
    public let verdict: Verdict
    /// Wall-clock seconds to build the formulas and solve them.
    public let seconds: Double
    /// How many solver problems (lemmas + goal) it took.
    public let parts: Int
    /// When every part's answer came from an identical problem solved earlier in the
    /// run: that problem's geometry.
    public let sameProblemAs: String?
    /// For `.refuted`: the counterexample.
    public let counterexample: Counterexample?

    /// True when this result is what a proof needs (unsat).
    public var isProved: Bool { verdict == .proved }
}

/// The label of a geometry in tables and file paths.
public func geometryLabel(_ g: Geometry?) -> String { g.map { $0.name.description } ?? "any" }

/// Remembers the answers to problems already solved in this run, by their text.
public final class ProofCache: @unchecked Sendable {
    // Used by one worker at a time: proveAll gives each obligation its own cache,
    // shared by that obligation's geometries, which one worker proves in order.
    var answers: [String: String] = [:]   // SMT-LIB text -> geometry label that proved it

    public init() {}
}

/// An obligation's formulas for one variant, built in a fresh context.
///
/// When the obligation declares inputs narrower than 64 bits, the claims are checked
/// on narrow variables, and a disjunct built on 64-bit copies of every input asks
/// for an input outside those widths that satisfies the assumption. Refuting
/// `outOfRange || (assumption && ...)` therefore covers every 64-bit input.
struct BuiltProblem {
    let context: Z3Context
    let names: [String]
    let inputs: [BitVec]               // as declared (narrow or 64-bit)
    let assumption: BoolExpr
    /// Each lemma with the requirements stated while evaluating it.
    let lemmas: [BoolExpr]
    /// The goal with its requirements.
    let claim: BoolExpr
    let goal: BoolExpr
    let requirements: [Requirement]
    /// 64-bit copies of the inputs, and "they satisfy the assumption but some
    /// narrowed one is out of range"; nil when no input is narrowed.
    let outOfRange: (inputs: [BitVec], formula: BoolExpr)?

    init(_ obligation: any Obligation, _ g: Geometry, _ variant: Variant, lemmas withLemmas: Bool) {
        let context = Z3Context()
        let names = obligation.inputNames(g)
        let bits = obligation.inputBits(g)
        precondition(bits.count == names.count && bits.allSatisfy { (1...64).contains($0) }, "\(obligation.name): bad input widths")
        let variables = zip(names, bits).map { SymWord.variable($0, bits: $1, in: context) }

        func evaluate(_ body: () -> SymBool) -> (BoolExpr, [Requirement]) {
            let (condition, requirements) = SymbolicEvaluation.run(in: context, body)
            return (condition.expr(in: context), requirements)
        }
        let (assumption, assumptionRequirements) = evaluate { obligation.assumption(variables, g, variant) }
        precondition(assumptionRequirements.isEmpty, "\(obligation.name): the assumption must not call code that requires")
        self.context = context
        self.names = names
        self.inputs = variables.map { if case .term(let t, _) = $0 { t } else { preconditionFailure("input is not a term") } }
        self.assumption = assumption
        // A lemma is a fact about terms; the `require`s met while building it belong
        // to the goal's code and are proved with the goal.
        self.lemmas = withLemmas
            ? SymbolicEvaluation.run(in: context) { obligation.lemmas(variables, g) }.result.map { $0.expr(in: context) }
            : []
        let (goal, requirements) = evaluate { obligation.goal(variables, g, variant) }
        self.goal = goal
        self.requirements = requirements
        self.claim = BoolExpr.all([goal] + requirements.map(\.formula))
        if bits.allSatisfy({ $0 == 64 }) {
            outOfRange = nil
        } else {
            let wide = names.map { SymWord.variable("\($0).wide", in: context) }
            let (wideAssumption, wideRequirements) = evaluate { obligation.assumption(wide, g, variant) }
            precondition(wideRequirements.isEmpty, "\(obligation.name): the assumption must not call code that requires")
            var out = SymBool.constant(false)
            for (w, b) in zip(wide, bits) where b < 64 {
                out = out || w >= SymWord(1 << UInt64(b))
            }
            outOfRange = (wide.map { $0.bitVec(in: context) }, wideAssumption && out.expr(in: context))
        }
    }

    /// The problems to refute, in order: one per lemma, then the goal.
    var parts: [(label: String, negated: BoolExpr)] {
        var result: [(String, BoolExpr)] = []
        var known = [assumption]
        for (i, lemma) in lemmas.enumerated() {
            result.append(("lemma \(i + 1)", BoolExpr.all(known + [!lemma])))
            known.append(lemma)
        }
        result.append(("goal", BoolExpr.all(known + [!claim])))
        return result.map { part in (part.0, outOfRange.map { $0.formula || part.1 } ?? part.1) }
    }

    /// A solver holding one part.
    func solver(_ negated: BoolExpr, timeoutMilliseconds: UInt32, resourceLimit: UInt32 = 0) -> Solver {
        let solver = Solver(context, timeoutMilliseconds: timeoutMilliseconds, resourceLimit: resourceLimit)
        solver.assert(negated)
        return solver
    }
}

/// Proves and checks obligations.
public struct Runner: Sendable {
    /// The time limit for each solver call (0: none).
    public var timeoutMilliseconds: UInt32
    /// Z3's resource limit for each solver call (0: none): deterministic,
    /// the same count on every machine (`Solver.resourceLimit`).
    public var resourceLimit: UInt32

    public init(timeoutMilliseconds: UInt32 = 60_000, resourceLimit: UInt32 = 0) {
        self.timeoutMilliseconds = timeoutMilliseconds
        self.resourceLimit = resourceLimit
    }

    /// The runner of tests and of CI: bounded by Z3's resource count, not
    /// by seconds, so a verdict is the same on a loaded machine. The most
    /// any call of the catalog used (obligations, mutated twins, vacuity and
    /// assumption checks; `verify prove --controls --resource-report`, Z3
    /// 4.8.12) is 37.7 million units, a mutated twin of
    /// mergeMatchesBitmap.8x8; the limit is ten times that. The wall clock
    /// is only an outer guard, far above the slowest call (seconds).
    public static let deterministic = Runner(timeoutMilliseconds: 600_000, resourceLimit: 400_000_000)

    /// Where each solver call's resource count goes, when someone asks.
    public var resourceLog: ResourceLog?

    /// One solver call, its resource count logged.
    func check(_ solver: Solver, _ what: @autoclosure () -> String) -> CheckResult {
        let answer = solver.check()
        resourceLog?.add(what(), solver.resourceCount)
        return answer
    }

    /// The geometry used to evaluate a geometry-independent obligation.
    static func geometry(_ g: Geometry?) -> Geometry { g ?? .amd64 }

    /// The standalone SMT-LIB2 files of the proof: (relative path, text), one per
    /// lemma and one for the goal, each expected to be unsat.
    public func smtlibFiles(_ obligation: any Obligation, _ g: Geometry?) -> [(path: String, text: String)] {
        let problem = BuiltProblem(obligation, Self.geometry(g), .original, lemmas: true)
        return problem.parts.map { part in
            let path = SMTLIB.relativePath(obligation, geometry: geometryLabel(g), part: part.label)
            let text = SMTLIB.file(obligation, geometry: geometryLabel(g), part: part.label,
                                   assertions: problem.solver(part.negated, timeoutMilliseconds: timeoutMilliseconds, resourceLimit: resourceLimit).assertionsSMTLIB2)
            return (path, text)
        }
    }

    /// Proves `obligation` for `g` (nil for a geometry-independent one): every part
    /// must be unsat. With `emitDirectory`, each part's SMT-LIB file is written there;
    /// with `cache`, parts identical to ones proved earlier are not solved again.
    public func prove(_ obligation: any Obligation, _ g: Geometry?, emitDirectory: String? = nil,
                      cache: ProofCache? = nil) throws -> ProofResult {
        let clock = ContinuousClock()
        let start = clock.now
        let geometry = Self.geometry(g)
        let label = geometryLabel(g)
        let problem = BuiltProblem(obligation, geometry, .original, lemmas: true)
        var verdict = Verdict.proved
        var counterexample: Counterexample?
        var reusedFrom: [String] = []
        let parts = problem.parts
        for part in parts {
            let solver = problem.solver(part.negated, timeoutMilliseconds: timeoutMilliseconds, resourceLimit: resourceLimit)
            let needText = emitDirectory != nil || cache != nil
            let assertions = needText ? solver.assertionsSMTLIB2 : ""
            if let emitDirectory {
                try SMTLIB.write(SMTLIB.file(obligation, geometry: label, part: part.label, assertions: assertions),
                                 to: emitDirectory,
                                 relativePath: SMTLIB.relativePath(obligation, geometry: label, part: part.label))
            }
            if let cache, let earlier = cache.answers[assertions] {
                reusedFrom.append(earlier)
                continue
            }
            switch check(solver, "\(obligation.name) [\(label)] \(part.label)") {
            case .unsat:
                cache?.answers[assertions] = label
            case .unknown(let reason):
                verdict = .unknown("\(part.label): \(reason)")
            case .sat(let model):
                verdict = .refuted
                counterexample = Self.counterexample(obligation, geometry, .original, problem, model, failedPart: part.label)
            }
            if verdict != .proved { break }
        }
        return ProofResult(obligation: obligation.name, meaning: obligation.meaning, geometry: label,
                           verdict: verdict, seconds: seconds(since: start, clock), parts: parts.count,
                           sameProblemAs: reusedFrom.count == parts.count ? reusedFrom.first : nil,
                           counterexample: counterexample)
    }

    /// Runs the obligation's mutated twin: it passes when `.refuted` with a
    /// counterexample.
    public func refuteMutant(_ obligation: any Obligation, _ g: Geometry?) -> ProofResult {
        let clock = ContinuousClock()
        let start = clock.now
        let geometry = Self.geometry(g)
        let problem = BuiltProblem(obligation, geometry, .mutant, lemmas: false)
        let part = problem.parts[0]
        let verdict: Verdict
        var counterexample: Counterexample?
        switch check(problem.solver(part.negated, timeoutMilliseconds: timeoutMilliseconds, resourceLimit: resourceLimit),
                     "\(obligation.name) [\(geometryLabel(g))] mutated twin") {
        case .unsat: verdict = .proved
        case .unknown(let reason): verdict = .unknown(reason)
        case .sat(let model):
            verdict = .refuted
            counterexample = Self.counterexample(obligation, geometry, .mutant, problem, model, failedPart: part.label)
        }
        return ProofResult(obligation: obligation.name, meaning: obligation.meaning, geometry: geometryLabel(g),
                           verdict: verdict, seconds: seconds(since: start, clock), parts: 1, sameProblemAs: nil,
                           counterexample: counterexample)
    }

    /// Checks that the obligation's assumption has a solution: it passes when
    /// `.refuted`, i.e. a satisfying input exists (given as the "counterexample").
    public func checkVacuity(_ obligation: any Obligation, _ g: Geometry?) -> ProofResult {
        let clock = ContinuousClock()
        let start = clock.now
        let geometry = Self.geometry(g)
        let problem = BuiltProblem(obligation, geometry, .original, lemmas: false)
        let verdict: Verdict
        var witness: Counterexample?
        switch check(problem.solver(problem.assumption, timeoutMilliseconds: timeoutMilliseconds, resourceLimit: resourceLimit),
                     "\(obligation.name) [\(geometryLabel(g))] vacuity") {
        case .sat(let model):
            verdict = .refuted
            witness = Counterexample(
                inputs: zip(problem.names, problem.inputs).map { .init(name: $0, value: model.value($1)) },
                failed: "nothing (a witness that the assumption is satisfiable)", observations: [], confirmedConcretely: nil)
        case .unsat: verdict = .proved
        case .unknown(let reason): verdict = .unknown(reason)
        }
        return ProofResult(obligation: obligation.name, meaning: obligation.meaning, geometry: geometryLabel(g),
                           verdict: verdict, seconds: seconds(since: start, clock), parts: 1, sameProblemAs: nil,
                           counterexample: witness)
    }

    /// The assumption-deletion control: the goal without the assumption must
    /// fail for some input, or the assumption carries nothing and the theorem
    /// is weaker than it reads. Passes when `.refuted` (the goal alone has a
    /// counterexample, given as the witness). `.proved` means the goal holds
    /// with the assumption deleted. An obligation whose assumption is always
    /// true has nothing to delete: `nil`.
    public func checkAssumptionNeeded(_ obligation: any Obligation, _ g: Geometry?) -> ProofResult? {
        let clock = ContinuousClock()
        let start = clock.now
        let geometry = Self.geometry(g)
        let problem = BuiltProblem(obligation, geometry, .original, lemmas: false)
        if case .unsat = check(problem.solver(!problem.assumption, timeoutMilliseconds: timeoutMilliseconds, resourceLimit: resourceLimit),
                               "\(obligation.name) [\(geometryLabel(g))] assumption always true?") { return nil }
        let verdict: Verdict
        var witness: Counterexample?
        switch check(problem.solver(!problem.claim, timeoutMilliseconds: timeoutMilliseconds, resourceLimit: resourceLimit),
                     "\(obligation.name) [\(geometryLabel(g))] assumption deleted") {
        case .sat(let model):
            verdict = .refuted
            witness = Counterexample(
                inputs: zip(problem.names, problem.inputs).map { .init(name: $0, value: model.value($1)) },
                failed: "the goal, with the assumption deleted", observations: [], confirmedConcretely: nil)
        case .unsat: verdict = .proved
        case .unknown(let reason): verdict = .unknown(reason)
        }
        return ProofResult(obligation: obligation.name, meaning: obligation.meaning, geometry: geometryLabel(g),
                           verdict: verdict, seconds: seconds(since: start, clock), parts: 1, sameProblemAs: nil,
                           counterexample: witness)
    }

    static func counterexample(_ obligation: any Obligation, _ g: Geometry, _ variant: Variant,
                               _ problem: BuiltProblem, _ model: Model, failedPart: String) -> Counterexample {
        if let outOfRange = problem.outOfRange, model.value(outOfRange.formula) {
            return Counterexample(
                inputs: zip(problem.names, outOfRange.inputs).map { .init(name: $0, value: model.value($1)) },
                failed: "an input outside its declared width \(obligation.inputBits(g)) satisfies the assumption",
                observations: [], confirmedConcretely: nil)
        }
        let values = problem.inputs.map { model.value($0) }
        let inputs = zip(problem.names, values).map { Counterexample.Input(name: $0, value: $1) }
        if failedPart != "goal" {
            return Counterexample(inputs: inputs, failed: failedPart, observations: [], confirmedConcretely: nil)
        }
        if let failedRequirement = problem.requirements.first(where: { !model.value($0.formula) }) {
            return Counterexample(inputs: inputs, failed: "require: \(failedRequirement.message)", observations: [],
                                  confirmedConcretely: nil)
        }
        let confirmed = obligation.assumption(values, g, variant) && !obligation.goal(values, g, variant)
        return Counterexample(
            inputs: inputs, failed: "goal",
            observations: obligation.observations(values, g, variant).map { .init(name: $0.0, value: $0.1) },
            confirmedConcretely: confirmed)
    }
}

func seconds(since start: ContinuousClock.Instant, _ clock: ContinuousClock) -> Double {
    let d = clock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

/// The resource units each solver call used (`verify prove --resource-report`).
public final class ResourceLog: @unchecked Sendable {
    private let lock = NSLock()
    public private(set) var entries: [(call: String, units: UInt64)] = []
    public init() {}
    func add(_ call: String, _ units: UInt64) {
        lock.lock()
        entries.append((call, units))
        lock.unlock()
    }
}
