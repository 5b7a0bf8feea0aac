// The project's one PRNG and integer mixer: same seed, same numbers, on
// every machine. The generator, the benchmarks, the model checker's
// fingerprints and the tests all draw from it.

/// SplitMix64 (Steele, Lea, Flood 2014): a 64-bit state advanced by a
/// constant and mixed. Never seeded from hashValue or the clock.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// The SplitMix64 finaliser: a bijection on UInt64.
    @inlinable
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `range`, by rejection (no modulo bias), so the
    /// sequence does not depend on the standard library's algorithm.
    public mutating func int(in range: ClosedRange<UInt64>) -> UInt64 {
        let span = range.upperBound &- range.lowerBound
        if span == .max { return next() }
        let n = span + 1
        let limit = UInt64.max - (UInt64.max % n)
        while true {
            let x = next()
            if x < limit { return range.lowerBound + x % n }
        }
    }

    /// True with probability num/den.
    public mutating func chance(_ num: UInt64, in den: UInt64) -> Bool { int(in: 0...(den - 1)) < num }
}
