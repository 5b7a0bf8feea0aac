// What a proof obligation is.
//
// An obligation is a named theorem about SummaryCore's code with a one-sentence
// meaning. Its parts are written once, generically over `SumWord`:
//
//   for all inputs:  assumption  =>  lemma 1, lemma 2, ..., goal
//
// Read on `SymWord` they become formulas: each lemma is proved under the assumption
// and the lemmas before it, then the goal under the assumption and all lemmas (a
// chain of cuts: the usual way to split one hard fact into easy steps, e.g. one per
// iteration of a loop). Every part must also satisfy the `require`s the code states
// on the way. Read on `UInt64` the same definitions replay a counterexample.
//
// Each obligation also has a mutated twin (the `mutant` variant): the goal about a
// deliberately broken copy of the code, which the prover must refute.

import SummaryCore

/// Which code a statement is about.
public enum Variant: Sendable, Equatable {
    /// SummaryCore's code, the code the allocator runs.
    case original
    /// The obligation's mutated twin (see `Obligation.mutation`).
    case mutant
}

/// A named theorem about SummaryCore's code.
public protocol Obligation: Sendable {
    /// The theorem's name, e.g. `mergeBounds`.
    var theorem: String { get }
    /// Which instance of the theorem, e.g. `l1` for level 1; empty if there is one.
    var instance: String { get }
    /// One sentence: what the theorem means.
    var meaning: String { get }
    /// One sentence: what the mutated twin changes.
    var mutation: String { get }
    /// True when the statement does not depend on the geometry (proved once, "any").
    var geometryIndependent: Bool { get }
    /// The names of the universally quantified 64-bit inputs.
    func inputNames(_ g: Geometry) -> [String]
    /// How many bits of each input the assumption allows (64 unless the assumption
    /// bounds it). Narrower inputs make smaller formulas; the proof still covers all
    /// 64-bit values, because it also shows that no input outside these widths
    /// satisfies the assumption.
    func inputBits(_ g: Geometry) -> [Int]
    /// What the inputs are assumed to satisfy. Must not call code that `require`s.
    func assumption<W: SumWord>(_ x: [W], _ g: Geometry, _ variant: Variant) -> W.Condition
    /// Intermediate facts, proved in order, each then assumed (default: none).
    func lemmas<W: SumWord>(_ x: [W], _ g: Geometry) -> [W.Condition]
    /// What the theorem claims.
    func goal<W: SumWord>(_ x: [W], _ g: Geometry, _ variant: Variant) -> W.Condition
    /// Named values worth printing next to a counterexample (outputs of the code),
    /// computed concretely.
    func observations(_ x: [UInt64], _ g: Geometry, _ variant: Variant) -> [(String, String)]
}

extension Obligation {
    /// `theorem.instance`, or `theorem` when there is one instance.
    public var name: String { instance.isEmpty ? theorem : "\(theorem).\(instance)" }

    public var geometryIndependent: Bool { false }

    public func inputBits(_ g: Geometry) -> [Int] { inputNames(g).map { _ in 64 } }

    public func lemmas<W: SumWord>(_ x: [W], _ g: Geometry) -> [W.Condition] { [] }

    public func observations(_ x: [UInt64], _ g: Geometry, _ variant: Variant) -> [(String, String)] { [] }
}

/// Formats a word the way a Swift literal would be written in a counterexample.
func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }

/// Formats summary fields as `(start, max, end)` in decimal.
func fields(_ f: SummaryFields<UInt64>) -> String { "(start: \(f.start), max: \(f.max), end: \(f.end))" }
