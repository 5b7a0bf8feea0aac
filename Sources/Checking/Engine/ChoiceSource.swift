// The engine's only view of randomness: integers drawn in ranges. It knows
// nothing of allocators; generators are written against this interface, and
// a run is replayed exactly by replaying its recorded choices.

import TraceFormat
import Targets
import Vocabulary
import Reference
import SplitMix

/// Where a generator's choices come from.
public protocol ChoiceSource {
    /// An integer in `range`, inclusive.
    mutating func draw(_ range: ClosedRange<UInt64>) -> UInt64
}

extension ChoiceSource {
    /// True with probability num/den.
    public mutating func chance(_ num: UInt64, in den: UInt64) -> Bool { draw(0...(den - 1)) < num }
    /// One element of a non-empty array.
    public mutating func pick<T>(_ xs: [T]) -> T {
        precondition(!xs.isEmpty, "pick from nothing")
        return xs[Int(draw(0...UInt64(xs.count - 1)))]
    }
    /// An index chosen with the given (non-negative) weights; nil if all are 0.
    public mutating func weighted(_ weights: [UInt64]) -> Int? {
        let total = weights.reduce(0, +)
        guard total > 0 else { return nil }
        var x = draw(0...(total - 1))
        for (i, w) in weights.enumerated() {
            if x < w { return i }
            x -= w
        }
        preconditionFailure("unreachable")
    }
}

/// Choices from a seeded SplitMix64, recorded so a run can be replayed.
public struct RandomChoices: ChoiceSource {
    var rng: SplitMix64
    /// Every value drawn, in order.
    public private(set) var recorded: [UInt64] = []
    public init(seed: UInt64) { rng = SplitMix64(seed: seed) }
    public mutating func draw(_ range: ClosedRange<UInt64>) -> UInt64 {
        let v = rng.int(in: range)
        recorded.append(v)
        return v
    }
}

/// Choices replayed from a recording (values clamped into each range, so a
/// recording edited by hand still gives a valid run).
public struct ReplayedChoices: ChoiceSource {
    let values: [UInt64]
    var next = 0
    public init(_ values: [UInt64]) { self.values = values }
    public mutating func draw(_ range: ClosedRange<UInt64>) -> UInt64 {
        defer { next += 1 }
        guard next < values.count else { return range.lowerBound }
        return Swift.min(Swift.max(values[next], range.lowerBound), range.upperBound)
    }
}

/// How a run ended, as the engine judges it.
public enum RunStatus: Equatable, Sendable {
    /// Nothing found.
    case passed
    /// A finding with this failure signature.
    case failed(signature: String)
}
