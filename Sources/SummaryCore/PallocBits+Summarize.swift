// summarize: the summary (start, max, end) of a bitmap of pages, 1 = in use,
// 0 = free, bit i of word j being page 64*j + i.
//
// Go does it in two passes over the 64-bit words (see (*pallocBits).summarize):
//
// 1. A scan that only looks at each word's trailing and leading zeros. It finds
//    `start`, `end`, and every free run that touches a word boundary, so `max` is
//    right except for runs that sit strictly inside one word.
// 2. Unless max is already >= 62 (no run inside one word can then be longer), each
//    word is searched for interior runs longer than max, with a shift-and-or trick.
//
// Both passes are written once here. The entry points are `summarize` and
// `summarizeUnpacked`; their per-word steps (`SummarizeScan`, `SummarizeInterior`,
// `summarizeInteriorMax`) are public too, so proofs can state facts about each step
// and build mutated twins from them.

/// The state of pass 1 between words: Go's `start`, `max`, `cur` in
/// (*pallocBits).summarize, with `start == notSetYet` until the first in-use page.

@frozen
public struct SummarizeScan<W: SumWord> {
    /// Go's `notSetYet`, the sentinel for "no in-use page seen yet".
    @inlinable public static var notSetYet: W { W(~0) }

    public var start: W
    public var max: W
    /// Free pages since the last in-use page.
    public var cur: W

    /// The state before the first word.
    @inlinable @inline(__always)
    public init() {
        start = Self.notSetYet
        max = 0
        cur = 0
    }

    @inlinable @inline(__always)
    public init(start: W, max: W, cur: W) {
        self.start = start
        self.max = max
        self.cur = cur
    }

    /// Field-wise `select`.
    @inlinable @inline(__always)
    public static func select(_ c: W.Condition, _ a: Self, _ b: Self) -> Self {
        Self(start: W.select(c, a.start, b.start), max: W.select(c, a.max, b.max), cur: W.select(c, a.cur, b.cur))
    }

    /// Mirrors the body of the first loop of (*pallocBits).summarize in
    /// mpallocbits.go: takes in the next 64 pages.
    ///
    /// An all-free word only lengthens the current run. Otherwise the run ends at the
    /// word's first in-use page (its trailing zeros): that closes `start` if it was
    /// still open and may raise `max`; the word's leading zeros start the next run.
    @inlinable @inline(__always)
    public func step(_ x: W) -> Self {
        step(isZero: x == 0, trailingZeros: { x.trailingZeros64 }, leadingZeros: { x.leadingZeros64 })
    }

    /// The same step from what it needs of the word: whether it is all free, and
    /// its trailing and leading zeros (Go's `uint(sys.TrailingZeros64(x))`). The
    /// word is a `uint64` in Go and the counters are `uint`s, so the proofs can
    /// read the counters in Go's 32-bit `uint` while the word stays 64-bit.
    @inlinable @inline(__always)
    public func step(isZero: W.Condition, trailingZeros: () -> W, leadingZeros: () -> W) -> Self {
        W.branch(isZero, then: {
            Self(start: start, max: max, cur: cur &+ 64)
        }, else: {
            let closed = cur &+ trailingZeros()
            return Self(
                start: W.select(start == Self.notSetYet, closed, start),
                max: W.select(closed > max, closed, max),
                cur: leadingZeros())
        }, merge: Self.select)
    }
}

/// The state of Go's interior search in one word (the body of the `outer:` loop of
/// (*pallocBits).summarize), flattened into steps so it can be unrolled.

@frozen
public struct SummarizeInterior<W: SumWord> {
    /// The word, shifted and or-ed as the search goes.
    public var x: W
    /// Zeros still to shrink every zero run by.
    public var p: W
    /// The shortest run of ones in x (Go's k).
    public var k: W
    /// The longest free run found so far.
    public var max: W
    /// In the inner shrinking loop (true) or about to measure the lowest zero run (false).
    public var shrinking: W.Condition
    /// No zeros left below the top of x: this word is finished.
    public var done: W.Condition

    @inlinable @inline(__always)
    public init(x: W, p: W, k: W, max: W, shrinking: W.Condition, done: W.Condition) {
        self.x = x
        self.p = p
        self.k = k
        self.max = max
        self.shrinking = shrinking
        self.done = done
    }

    /// Field-wise `select`.
    @inlinable @inline(__always)
    public static func select(_ c: W.Condition, _ a: Self, _ b: Self) -> Self {
        Self(x: W.select(c, a.x, b.x), p: W.select(c, a.p, b.p), k: W.select(c, a.k, b.k),
             max: W.select(c, a.max, b.max),
             shrinking: (c && a.shrinking) || (!c && b.shrinking),
             done: (c && a.done) || (!c && b.done))
    }

    /// True when x has no 0 bit below its highest 0 run at the top (`x&(x+1) == 0`).
    @inlinable @inline(__always)
    public static func noInteriorZeros(_ x: W) -> W.Condition {
        x & (x &+ 1) == 0
    }

    /// Mirrors the start of the `outer:` loop body: drop the word's trailing zeros
    /// (no longer than max) and start shrinking zero runs by max.
    @inlinable @inline(__always)
    public init(word: W, max: W) {
        let x = word >> (word.trailingZeros64 & 63)
        self.init(x: x, p: max, k: 1, max: max, shrinking: W.Condition(true), done: Self.noInteriorZeros(x))
    }

    /// Mirrors one round of the inner `for p > 0` loop. When p <= k (this includes
    /// p == 0, where the shift by 0 changes nothing) shift by p and leave the loop;
    /// otherwise shift by k, which doubles the shortest run of ones.
    @inlinable @inline(__always)
    public func shrinkStep() -> Self {
        W.branch(p <= k, then: {
            let x = self.x | (self.x >> (p & 63))
            return Self(x: x, p: p, k: k, max: max, shrinking: W.Condition(false), done: Self.noInteriorZeros(x))
        }, else: {
            let x = self.x | (self.x >> (k & 63))
            return Self(x: x, p: p &- k, k: k << 1, max: max, shrinking: W.Condition(true), done: Self.noInteriorZeros(x))
        }, merge: Self.select)
    }

    /// Mirrors the tail of the `outer:` loop's `for` body: the lowest zero run left
    /// after shrinking is how much longer than max the longest run is so far; drop the
    /// ones and zeros below it and shrink the rest by that much more.
    @inlinable @inline(__always)
    public func harvestStep() -> Self {
        let ones = (~x).trailingZeros64
        let x1 = x >> (ones & 63)
        let zeros = x1.trailingZeros64
        let x2 = x1 >> (zeros & 63)
        return Self(x: x2, p: zeros, k: k, max: max &+ zeros, shrinking: W.Condition(true),
                    done: Self.noInteriorZeros(x2))
    }

    /// One step of the flattened loop: a shrink round or a harvest; nothing once done.
    @inlinable @inline(__always)
    public func step() -> Self {
        let next = W.branch(shrinking, then: { shrinkStep() }, else: { harvestStep() }, merge: Self.select)
        return Self.select(done, self, next)
    }

    /// Steps that suffice for one word. Counting: k doubles at most 6 times (it stays
    /// <= 64); every harvest measures a run longer than every run below it, and runs
    /// of 1, 2, ..., 10 zeros with their separating ones need more than 64 bits, so
    /// there are at most 9 harvests, each after one last shrink; 6 + 9 + 9 + 1 = 25.
    /// The concrete reading stops as soon as `done` and traps (a `require`) if the
    /// bound is ever reached without it. Proved: the state machine of
    /// proofs/summarize-second-pass exits within 25 transitions (`inv_bound`), and
    /// the `summarizeStep.*` obligations show each step of this code is one of its
    /// transitions, plus at most one idle first step when max is 0: 26 <= 30.
    public static var stepBound: Int { 30 }
}

/// Mirrors the `outer:` loop body of (*pallocBits).summarize for one word: the
/// longest free run strictly inside the word if it beats `max`, else `max`. Expects
/// max < 62 and a non-zero word, as Go's caller guarantees. Proved in two parts
/// (proofs/README.md): the `summarizeStep.*` obligations tie each step to the state
/// machine of proofs/summarize-second-pass, whose files prove that machine returns
/// max(max, longest interior run). The direct one-formula statement
/// (`summarizeSecondPass`, `prove --extended`) still times out.

@inlinable
public func summarizeInteriorMax<W: SumWord>(_ word: W, max: W, stepBound: Int = SummarizeInterior<W>.stepBound) -> W {
    var s = SummarizeInterior(word: word, max: max)
    for _ in 0..<stepBound {
        if s.done.knownValue == true { break }
        s = s.step()
    }
    W.require(s.done, "summarize: interior search did not end within \(stepBound) steps")
    return s.max
}

/// Mirrors (*pallocBits).summarize in mpallocbits.go, stopping before the final
/// packPallocSum: the (start, max, end) of the pages in `words`, 64 per word.
///
/// A chunk is 8 words; any non-empty number works. An entirely free bitmap of n
/// pages gives (n, n, n).
@inlinable
public func summarizeUnpacked<W: SumWord, C: Collection>(_ words: C) -> SummaryFields<W> where C.Element == W {
    summarizeUnpacked(words, interiorMax: { _, word, max in summarizeInteriorMax(word, max: max) })
}

/// `summarizeUnpacked` with the second pass's search of word i given as
/// `interiorMax(i, word, max)` (the code passes `summarizeInteriorMax`). The
/// proofs pass the search's proved law instead, so the rest of summarize is
/// proved on the code as it is.
@inlinable
public func summarizeUnpacked<W: SumWord, C: Collection>(_ words: C, interiorMax: (Int, W, W) -> W) -> SummaryFields<W> where C.Element == W {
    precondition(!words.isEmpty, "summarize of no words")
    let list = Array(words)
    var scan = SummarizeScan<W>()
    for x in list {
        scan = scan.step(x)
    }
    return summarizeTail(scan, wordCount: list.count) { i, m in interiorMax(i, list[i], m) }
}

/// The rest of (*pallocBits).summarize after its first pass: the all-free case,
/// the early exit at 62, and the second pass, with word i's search given as
/// `interiorMax(i, max)`. Only counters (Go's `uint`s) here, so the proofs can read
/// it in Go's 32-bit `uint` too.
@inlinable
public func summarizeTail<W: SumWord>(_ scan: SummarizeScan<W>, wordCount: Int, interiorMax: (Int, W) -> W) -> SummaryFields<W> {
    let n = W(UInt64(wordCount) &* 64)
    let allFree = scan.start == SummarizeScan<W>.notSetYet
    return W.branch(allFree, then: {
        SummaryFields(start: n, max: n, end: n)
    }, else: {
        let boundaryMax = W.maximum(scan.cur, scan.max)
        // A run inside one word is at most 62 long (it has an in-use page on each side).
        let max = W.branch(boundaryMax >= W(64 - 2), then: { boundaryMax }, else: {
            var m = boundaryMax
            for i in 0..<wordCount {
                m = interiorMax(i, m)
            }
            return m
        })
        return SummaryFields(start: scan.start, max: max, end: scan.cur)
    }, merge: SummaryFields.select)
}

/// Mirrors (*pallocBits).summarize in mpallocbits.go: the packed summary of the
/// pages in `words` (a chunk's 8 words in the allocator).
@inlinable
public func summarize<W: SumWord, C: Collection>(_ words: C, _ g: Geometry) -> PallocSum<W> where C.Element == W {
    PallocSum(summarizeUnpacked(words), g)
}
