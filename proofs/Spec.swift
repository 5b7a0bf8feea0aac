// Specifications: what the code should compute, said the slow and obvious way.
//
// These are written independently of Go's algorithms (one bit at a time, no bit
// tricks) and generically, so the same definition is the proofs' specification and,
// on UInt64, can be tested against a third, plain-Swift reference.

import SummaryCore

/// One step of the bit-by-bit summary: the summary of n bits `s`, followed by one
/// more bit (`free` or in use). The start grows only while every bit so far is free
/// (start == n); the end counts the free bits since the last in-use one; max is the
/// longest end seen.
public func specScanStep<W: SumWord>(_ s: SummaryFields<W>, length n: W, free: W.Condition) -> SummaryFields<W> {
    let end = W.select(free, s.end &+ 1, 0)
    return SummaryFields(
        start: W.select(free && s.start == n, s.start &+ 1, s.start),
        max: W.maximum(s.max, end),
        end: end)
}

/// The summary of an empty bitmap.
public func specEmpty<W: SumWord>() -> SummaryFields<W> { SummaryFields(start: 0, max: 0, end: 0) }

/// The summary of a bitmap, scanning one bit at a time (a fold of `specScanStep`
/// from `specEmpty`). Bit i of the bitmap is bit i % 64 of `words[i / 64]`; 1 is an
/// in-use page, 0 a free one. With `window`, only bits in [lo, hi) are scanned.
public func specSummary<W: SumWord>(_ words: [W], bitCount: Int, window: (lo: W, hi: W)? = nil) -> SummaryFields<W> {
    specSummaryTrace(words, bitCount: bitCount, window: window).last!
}

/// `specSummary` after each bit: element i summarises bits 0...i.
public func specSummaryTrace<W: SumWord>(_ words: [W], bitCount: Int, window: (lo: W, hi: W)? = nil) -> [SummaryFields<W>] {
    precondition(bitCount > 0 && words.count * 64 >= bitCount, "specSummary: \(bitCount) bits in \(words.count) words")
    var trace: [SummaryFields<W>] = []
    var s: SummaryFields<W> = specEmpty()
    var n: W = 0
    for i in 0..<bitCount {
        let free = ((words[i / 64] >> (i % 64)) & 1) == 0
        if let window {
            let inWindow = W(UInt64(i)) >= window.lo && W(UInt64(i)) < window.hi
            s = SummaryFields.select(inWindow, specScanStep(s, length: n, free: free), s)
            n = W.select(inWindow, n &+ 1, n)
        } else {
            s = specScanStep(s, length: W(UInt64(i)), free: free)
        }
        trace.append(s)
    }
    return trace
}

/// What every summary of n bits satisfies (an invariant of `specScanStep`): start,
/// end <= max <= n, and start == n exactly when end == n exactly when max == n
/// (all free).
public func scanInvariant<W: SumWord>(_ s: SummaryFields<W>, length n: W) -> W.Condition {
    s.start <= s.max && s.end <= s.max && s.max <= n
        && iff(s.start == n, s.end == n) && iff(s.max == n, s.start == n)
}

/// The first run of `n` set bits in `c`, as the English says it: the lowest i with
/// i + n <= 64 such that bits i, i+1, ..., i+n-1 of c are all set; 64 if there is
/// none. (Tests check this against a plain loop over the bits.)
public func specFirstRun<W: SumWord>(_ c: W, _ n: W) -> W {
    let mask = W.select(n >= 64, ~0, (W(1) << n) &- 1)     // n ones
    var result: W = 64
    for i in stride(from: 63, through: 0, by: -1) {
        let fits = W(UInt64(i)) &+ n <= 64 && ((c >> i) & mask) == mask
        result = W.select(fits, W(UInt64(i)), result)
    }
    return result
}

/// The longest run of free (0) bits of `x` that has an in-use (1) bit on both sides
/// within the word, scanning one bit at a time; 0 if there is none.
public func specInteriorRun<W: SumWord>(_ x: W) -> W {
    specInteriorTrace(x).last!
}

/// `specInteriorRun` after each bit: element i counts runs closed by bit i or below.
public func specInteriorTrace<W: SumWord>(_ x: W) -> [W] {
    var trace: [W] = []
    var seenOne = W.Condition(false)
    var run: W = 0                      // free bits ending at bit i-1 (built as in specScanStep)
    var best: W = 0
    for i in 0..<64 {
        let free = ((x >> i) & 1) == 0
        best = W.select(!free && seenOne, W.maximum(best, run), best)
        run = W.select(free, run &+ 1, 0)
        seenOne = seenOne || !free
        trace.append(best)
    }
    return trace
}

/// The summary of two adjacent regions, of `aPages` and `bPages` pages, from their
/// summaries: a region's start only extends into the next if it is entirely free,
/// likewise the end backwards; the longest run is in one of them or crosses the
/// boundary (a's end followed by b's start).
public func combine<W: SumWord>(_ a: SummaryFields<W>, _ aPages: W, _ b: SummaryFields<W>, _ bPages: W) -> SummaryFields<W> {
    SummaryFields(
        start: W.select(a.start == aPages, aPages &+ b.start, a.start),
        max: W.maximum(W.maximum(a.max, b.max), a.end &+ b.start),
        end: W.select(b.end == bPages, bPages &+ a.end, b.end))
}

/// What every summary of a region of `pages` pages satisfies: start, end <= max <=
/// pages; the region is entirely free (all three equal pages) or not at all (none
/// does); and if it is not entirely free, the start and end runs are separated by
/// at least one in-use page.
public func wellFormed<W: SumWord>(_ f: SummaryFields<W>, pages: W) -> W.Condition {
    let full = f.max == pages
    return f.start <= f.max && f.end <= f.max && f.max <= pages
        && iff(full, f.start == pages) && iff(full, f.end == pages)
        && (full || f.start &+ f.end < pages)
}

/// A triple `packPallocSum` accepts: start, end <= max <= maxPackedValue, and
/// max == maxPackedValue only for the entirely free region (all three equal).
public func validTriple<W: SumWord>(_ f: SummaryFields<W>, _ g: Geometry) -> W.Condition {
    let top = W(g.maxPackedValue)
    return f.start <= f.max && f.end <= f.max && f.max <= top
        && implies(f.max == top, f.start == top && f.end == top)
}

/// `a => b`.
public func implies<C: SumCondition>(_ a: C, _ b: @autoclosure () -> C) -> C { !a || b() }

/// `a <=> b`.
public func iff<C: SumCondition>(_ a: C, _ b: C) -> C { (a && b) || (!a && !b) }

/// All of `conditions` (true for none).
public func all<C: SumCondition>(_ conditions: [C]) -> C {
    conditions.reduce(C(true)) { $0 && $1 }
}
