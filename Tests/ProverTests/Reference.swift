// A slow, plain reference for the summary functions, written from their English
// definitions one bit at a time, independently of Go's algorithms and of the specs
// in proofs/Spec.swift; and the deterministic inputs the tests draw.

import SplitMix
import SummaryCore

/// The tests' draws from the project's PRNG.
extension SplitMix64 {
    /// A value in [0, bound).
    mutating func below(_ bound: UInt64) -> UInt64 { next() % bound }

    /// A word of varied density: sparse, dense, half, runs, or a single run of ones.
    mutating func word() -> UInt64 {
        switch below(8) {
        case 0: return next() & next() & next()
        case 1: return next() | next() | next()
        case 2: return 0
        case 3: return ~0
        case 4:
            let lo = below(64), len = below(64 - lo) + 1
            let ones: UInt64 = len == 64 ? ~0 : ((1 << len) - 1) << lo
            return below(2) == 0 ? ones : ~ones
        default: return next()
        }
    }
}

enum Reference {
    /// Is page i in use (bit set)?
    static func inUse(_ words: [UInt64], _ i: Int) -> Bool {
        (words[i / 64] >> UInt64(i % 64)) & 1 == 1
    }

    /// (start, max, end) of the first `bits` pages: free pages before the first used
    /// one, the longest stretch of free pages, free pages after the last used one.
    static func summary(_ words: [UInt64], bits: Int) -> SummaryFields<UInt64> {
        var start = 0
        while start < bits && !inUse(words, start) { start += 1 }
        var end = 0
        while end < bits && !inUse(words, bits - 1 - end) { end += 1 }
        var longest = 0
        var i = 0
        while i < bits {
            if inUse(words, i) { i += 1; continue }
            var j = i
            while j < bits && !inUse(words, j) { j += 1 }
            longest = Swift.max(longest, j - i)
            i = j
        }
        return SummaryFields(start: UInt64(start), max: UInt64(longest), end: UInt64(end))
    }

    /// The lowest i with bits i..<i+n of c all set, or 64.
    static func firstRun(_ c: UInt64, _ n: Int) -> UInt64 {
        var i = 0
        while i + n <= 64 {
            var all = true
            for j in i..<(i + n) where (c >> UInt64(j)) & 1 == 0 { all = false; break }
            if all { return UInt64(i) }
            i += 1
        }
        return 64
    }

    /// The longest stretch of 0 bits with a 1 bit below and above it in the word.
    static func interiorRun(_ x: UInt64) -> UInt64 {
        let ones = (0..<64).filter { (x >> UInt64($0)) & 1 == 1 }
        var best = 0
        for (a, b) in zip(ones, ones.dropFirst()) { best = Swift.max(best, b - a - 1) }
        return UInt64(best)
    }

    /// Offset of `p` from arenaBaseOffset, computed in 128 bits and reduced to the
    /// pointer width.
    static func offset(_ p: UInt64, _ g: Geometry) -> UInt128 {
        let modulus = UInt128(1) << UInt128(g.pointerBits)
        return (UInt128(p) + modulus - UInt128(g.arenaBaseOffset) % modulus) % modulus
    }

    /// The heap's order: on amd64 by signed value (sign-extended addresses), else unsigned.
    static func before(_ a: UInt64, _ b: UInt64, _ g: Geometry) -> Bool {
        g.arenaBaseOffset >> 63 == 1 ? Int64(bitPattern: a) < Int64(bitPattern: b) : a < b
    }
}
