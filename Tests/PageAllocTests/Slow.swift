// Slow, bit-by-bit specifications the port's fast code is compared with.
// Written from the definitions, not from Go's algorithms.

@testable import PageAlloc

struct SplitMix {
    var s: UInt64
    mutating func next() -> UInt64 {
        s &+= 0x9E37_79B9_7F4A_7C15
        var z = s
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: UInt64) -> UInt64 { next() % n }
    /// A word whose bits are set with probability about k/8, with runs.
    mutating func word(density k: UInt64) -> UInt64 {
        var w: UInt64 = 0
        for _ in 0..<3 { w |= next() }  // dense
        switch k {
        case 0: return 0
        case 1: return next() & next() & next()
        case 2: return next() & next()
        case 3: return next()
        case 4: return w
        case 5: return ~0
        default: return below(2) == 0 ? ~0 : 0
        }
    }
}

/// A bitmap as an array of booleans: true = allocated.
struct SlowBits {
    var bits: [Bool]
    init(words: [UInt64]) {
        bits = []
        for w in words { for i in 0..<64 { bits.append((w >> UInt64(i)) & 1 == 1) } }
    }
    /// (start, max, end): free pages at the start, longest free run, free pages at the end.
    var summary: (UInt64, UInt64, UInt64) {
        var start: UInt64 = 0
        while Int(start) < bits.count && !bits[Int(start)] { start += 1 }
        var end: UInt64 = 0
        while Int(end) < bits.count && !bits[bits.count - 1 - Int(end)] { end += 1 }
        var best: UInt64 = 0, cur: UInt64 = 0
        for b in bits { if b { cur = 0 } else { cur += 1; best = max(best, cur) } }
        return (start, best, end)
    }
    /// Lowest i >= from with n free pages at i, or nil.
    func firstFit(_ n: Int, from: Int = 0) -> Int? {
        var run = 0
        for i in from..<bits.count {
            if bits[i] { run = 0 } else { run += 1; if run == n { return i - n + 1 } }
        }
        return nil
    }
    func firstFree(from: Int) -> Int? { (from..<bits.count).first { !bits[$0] } }
}

/// Lowest i with bits i..<i+n of c all set, or 64.
func slowFindBitRange64(_ c: UInt64, _ n: Int) -> UInt64 {
    for i in 0...(64 - n) where (i..<(i + n)).allSatisfy({ (c >> UInt64($0)) & 1 == 1 }) { return UInt64(i) }
    return 64
}

/// Runs `body` with a PallocBits over 16 fresh words (bitmap + scavenged).
func withChunk<R>(_ words: [UInt64], _ body: (PallocData) throws -> R) rethrows -> R {
    let p = UnsafeMutablePointer<UInt64>.allocate(capacity: 16)
    defer { p.deallocate() }
    p.initialize(repeating: 0, count: 16)
    for (i, w) in words.enumerated() { p[i] = w }
    return try body(PallocData(p))
}
