// summarize of a whole chunk, composed from its per-word facts: the first pass by
// induction over the words (`summarizeFold`, base and step), the second pass's
// per-word law max(max, interior run) at the two edges the state machine does not
// cover (`summarizeInteriorEdges`), and the end of summarize on the code as it is,
// with the per-word search replaced by that law (`summarizeFinish`).
// proofs/README.md ("How the links compose") puts them together.

import SummaryCore

/// Words per chunk (Go's pallocChunkPages / 64).
private let chunkWords = Int(Geometry.pallocChunkPages) / 64

/// The first pass's invariant after j words (n = 64j pages) whose bit-by-bit
/// summary is `a` and whose longest runs strictly inside one word are at most
/// `interior`: while no in-use page was seen, all n pages are free; after one,
/// start and cur are a's start and end, and a's max is the larger of the
/// boundary max (with cur) and `interior`.
func firstPassInvariant<W: SumWord>(_ s: SummarizeScan<W>, _ a: SummaryFields<W>, interior: W, pages n: W) -> W.Condition {
    let notSet = s.start == SummarizeScan<W>.notSetYet
    return implies(notSet, a.start == n && s.cur == n && s.max == 0 && interior == 0)
        && implies(!notSet, s.start == a.start && a.start != n && s.cur == a.end
                   && a.max == W.maximum(W.maximum(s.max, s.cur), interior))
}

/// What summarizeFirstPass.64 and summarizeEarlyExit prove of one word w, whose
/// bit-by-bit summary is c and whose longest interior run is iw (and scanFacts).
func wordFacts<W: SumWord>(_ w: W, _ c: SummaryFields<W>, interior iw: W) -> W.Condition {
    let s1 = SummarizeScan<W>().step(w)
    let allFree = s1.start == SummarizeScan<W>.notSetYet
    return iff(allFree, c.start == 64)
        && (allFree || (s1.start == c.start && s1.cur == c.end && c.max == W.maximum(W.maximum(s1.cur, s1.max), iw)))
        && iw <= 62 && implies(w == 0, iw == 0) && scanFacts(c, length: W(64))
}

/// A first-pass step with a planted bug: an all-free word counts 63 pages.
private func brokenScanStep<W: SumWord>(_ s: SummarizeScan<W>, _ x: W) -> SummarizeScan<W> {
    W.branch(x == 0, then: {
        SummarizeScan(start: s.start, max: s.max, cur: s.cur &+ 63)
    }, else: { s.step(x) }, merge: SummarizeScan.select)
}

/// The first pass by induction over the words.
struct SummarizeFold: Obligation {
    let theorem = "summarizeFold"
    let instance = ""
    let meaning = "summarize's first pass keeps its invariant word by word: base, the state before any word meets it for the empty bitmap; step, if after j < 8 words (bitmap A, summary a) it holds, then after word w (summary c, longest interior run iw, with summarizeFirstPass.64's and summarizeEarlyExit's facts about w) it holds for ac = combine(a, c) (combineLaw's summary of A followed by w) and max(interior so far, iw)."
    let mutation = "An all-free word lengthens the current run by 63 pages, not 64."
    let geometryIndependent = true

    func inputNames(_ g: Geometry) -> [String] {
        ["j", "sStart", "sMax", "sCur", "interior", "aStart", "aMax", "aEnd",
         "w", "cStart", "cMax", "cEnd", "iw", "acStart", "acMax", "acEnd"]
    }

    func inputBits(_ g: Geometry) -> [Int] {
        [3, 64, 10, 10, 10, 10, 10, 10, 64, 10, 10, 10, 10, 10, 10, 10]
    }

    struct Inputs<W: SumWord> {
        let j, interior, w, iw: W
        let s: SummarizeScan<W>
        let a, c, ac: SummaryFields<W>
        init(_ x: [W]) {
            j = x[0]
            s = SummarizeScan(start: x[1], max: x[2], cur: x[3])
            interior = x[4]
            a = SummaryFields(start: x[5], max: x[6], end: x[7])
            w = x[8]
            c = SummaryFields(start: x[9], max: x[10], end: x[11])
            iw = x[12]
            ac = SummaryFields(start: x[13], max: x[14], end: x[15])
        }
    }

    func assumption<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        let p = Inputs(x)
        let n = p.j << 6
        return p.j < W(UInt64(chunkWords))
            && firstPassInvariant(p.s, p.a, interior: p.interior, pages: n) && scanFacts(p.a, length: n)
            && wordFacts(p.w, p.c, interior: p.iw)
            && p.ac.equals(combine(p.a, n, p.c, W(64))) && scanFacts(p.ac, length: n &+ 64)   // combineLaw
    }

    /// The base (a fact about constants, kept as a lemma so the file states it),
    /// then the step.
    func parts<W: SumWord>(_ x: [W], _ v: Variant) -> [W.Condition] {
        let p = Inputs(x)
        let next = v == .original ? p.s.step(p.w) : brokenScanStep(p.s, p.w)
        return [firstPassInvariant(SummarizeScan<W>(), specEmpty(), interior: W(0), pages: W(0)),
                firstPassInvariant(next, p.ac, interior: W.maximum(p.interior, p.iw), pages: (p.j << 6) &+ 64)]
    }

    /// The base, then the step split by case (an all-free word; the first in-use
    /// page; a later one), which keeps each problem small for every solver.
    func lemmas<W: SumWord>(_ x: [W], _ g: Geometry) -> [W.Condition] {
        let p = Inputs(x)
        let parts = parts(x, .original)
        let notSet = p.s.start == SummarizeScan<W>.notSetYet
        return [parts[0], implies(p.w == 0, parts[1]), implies(p.w != 0 && notSet, parts[1]),
                implies(p.w != 0 && !notSet, parts[1])]
    }

    func goal<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition { all(parts(x, v)) }

    func observations(_ x: [UInt64], _ g: Geometry, _ v: Variant) -> [(String, String)] {
        let p = Inputs(x)
        let next = v == .original ? p.s.step(p.w) : brokenScanStep(p.s, p.w)
        return [("first pass after w (start, max, cur)", "(\(next.start), \(next.max), \(next.cur))")]
    }
}

/// The second pass's per-word law where the state machine does not reach.
struct SummarizeInteriorEdges: Obligation {
    enum Edge: String, Sendable { case zeroWord, max62 }
    let edge: Edge
    let theorem = "summarizeInteriorEdges"
    var instance: String { edge.rawValue }
    var meaning: String {
        switch edge {
        case .zeroWord: return "On an all-free word the second pass returns max unchanged, for every max < 64, and ends (the machine of summarize-second-pass starts from a nonzero word)."
        case .max62: return "With max = 62 the second pass returns 62 for every word, and ends within its step bound (the machine assumes max <= 61; max reaches 62 when an earlier word had an interior run of 62)."
        }
    }
    var mutation: String {
        switch edge {
        case .zeroWord: return "The claimed result is max + 1."
        case .max62: return "The claimed result is 63 (checked over the 6 steps the search needs, which keeps the twin's problem small)."
        }
    }
    let geometryIndependent = true

    func inputNames(_ g: Geometry) -> [String] { edge == .zeroWord ? ["max"] : ["word"] }
    func inputBits(_ g: Geometry) -> [Int] { edge == .zeroWord ? [6] : [64] }

    func assumption<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        edge == .zeroWord ? x[0] < 64 : W.Condition(true)
    }

    func goal<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        switch edge {
        case .zeroWord: return summarizeInteriorMax(W(0), max: x[0]) == (v == .original ? x[0] : x[0] &+ 1)
        case .max62:
            guard v == .original else { return summarizeInteriorMax(x[0], max: W(62), stepBound: 6) == 63 }
            return summarizeInteriorMax(x[0], max: W(62)) == 62
        }
    }

    /// For max = 62: the six shrinks (by 1, 2, 4, 8, 16, then the last 31) smear
    /// every interior run away, so the search is done after six steps with max 62.
    func lemmas<W: SumWord>(_ x: [W], _ g: Geometry) -> [W.Condition] {
        guard edge == .max62 else { return [] }
        var s = SummarizeInterior(word: x[0], max: W(62))
        for _ in 0..<6 { s = s.step() }
        return [s.done && s.max == 62]
    }

    func observations(_ x: [UInt64], _ g: Geometry, _ v: Variant) -> [(String, String)] {
        edge == .zeroWord ? [("result", "\(summarizeInteriorMax(0, max: x[0]))")]
            : [("after 6 steps", "\(Self.sixSteps(x[0]))")]
    }
}

extension SummarizeInteriorEdges {
    /// The search's max and whether it is done after six steps from max = 62.
    static func sixSteps(_ w: UInt64) -> String {
        var s = SummarizeInterior(word: w, max: UInt64(62))
        for _ in 0..<6 { s = s.step() }
        return "max \(s.max), done \(s.done)"
    }
}

/// The end of summarize, on the code, with the second pass's per-word search
/// replaced by its proved law.
struct SummarizeFinish: Obligation {
    let theorem = "summarizeFinish"
    let instance = ""
    let meaning = "For every chunk of 8 words: if after the first pass (the code's, over the 8 words) its invariant holds for the chunk's bit-by-bit summary a and the largest interior run of the words (each word's iw <= 62, 0 for an all-free word), then summarize's result (all-free case, the early exit at 62, and the second pass with each word's search giving max(max, iw), used only with max <= 62 where it is proved) equals a."
    let mutation = "The early exit is taken at max >= 61, where a word's interior run of 62 can still beat it."
    let geometryIndependent = true

    func inputNames(_ g: Geometry) -> [String] {
        (0..<chunkWords).map { "w\($0)" } + ["aStart", "aMax", "aEnd", "interior"] + (0..<chunkWords).map { "iw\($0)" }
    }

    func inputBits(_ g: Geometry) -> [Int] {
        Array(repeating: 64, count: chunkWords) + Array(repeating: 10, count: 4) + Array(repeating: 6, count: chunkWords)
    }

    func split<W: SumWord>(_ x: [W]) -> (words: [W], a: SummaryFields<W>, interior: W, iw: [W]) {
        let w = Array(x[0..<chunkWords])
        let a = SummaryFields(start: x[chunkWords], max: x[chunkWords + 1], end: x[chunkWords + 2])
        return (w, a, x[chunkWords + 3], Array(x[(chunkWords + 4)...]))
    }

    func assumption<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        let (words, a, interior, iw) = split(x)
        let scan = words.reduce(SummarizeScan<W>()) { $0.step($1) }
        return firstPassInvariant(scan, a, interior: interior, pages: W(Geometry.pallocChunkPages))
            && scanFacts(a, length: W(Geometry.pallocChunkPages))
            && interior == iw.reduce(W(0)) { W.maximum($0, $1) }
            && all(zip(words, iw).map { w, r in r <= 62 && implies(w == 0, r == 0) })
    }

    func summary<W: SumWord>(_ x: [W], _ v: Variant) -> SummaryFields<W> {
        let (words, _, _, iw) = split(x)
        let law: (Int, W, W) -> W = { i, _, max in
            W.require(max <= 62, "summarize: the second pass's law is used with max <= 62")
            return W.maximum(max, iw[i])
        }
        return v == .mutant ? Mutants.summarizeFinish(words, iw: iw) : summarizeUnpacked(words, interiorMax: law)
    }

    func goal<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        summary(x, v).equals(split(x).a)
    }

    func observations(_ x: [UInt64], _ g: Geometry, _ v: Variant) -> [(String, String)] {
        [("summarize (with the law)", fields(summary(x, v)))]
    }
}

/// summarize's counters in Go's 32-bit `uint`.
struct SummarizeUint32: Obligation {
    let theorem = "summarizeUint32"
    let instance = ""
    let meaning = "Where Go's uint is 32 bits (386, mips), summarize's counters (start with its sentinel ^uint(0), max, cur, the second pass's max) computed in 32 bits, the words staying uint64, give the 64-bit model's numbers: one first-pass step from every state the first pass reaches before a chunk's last word (start unset or <= 448, max and cur <= 448) on every word, with the sentinel met exactly when it is in 64 bits; and the rest of summarize (all-free case, early exit, second pass with the per-word law) from every state after 8 words."
    let mutation = "The word is cut to 32 bits before its zeros are counted (a port that took the word as a uint)."
    let geometryIndependent = true

    func inputNames(_ g: Geometry) -> [String] {
        ["sStart", "sMax", "sCur", "w", "tStart", "tMax", "tCur"] + (0..<chunkWords).map { "iw\($0)" }
    }

    func inputBits(_ g: Geometry) -> [Int] {
        [64, 10, 10, 64, 64, 10, 10] + Array(repeating: 6, count: chunkWords)
    }

    func assumption<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        let unset = SummarizeScan<W>.notSetYet
        return (x[0] == unset || x[0] <= 448) && x[1] <= 448 && x[2] <= 448
            && (x[4] == unset || x[4] <= 512) && x[5] <= 512 && x[6] <= 512
            && all(x[7...].map { $0 <= 62 })
    }

    /// A 64-bit scan state read as Go's 32-bit `uint`s.
    func narrow<W: SumWord>(_ s: SummarizeScan<W>) -> SummarizeScan<GoUint32<W>> {
        SummarizeScan(start: GoUint32(truncating: s.start), max: GoUint32(truncating: s.max), cur: GoUint32(truncating: s.cur))
    }

    /// The 32-bit numbers are the 64-bit ones cut to 32 bits.
    func same<W: SumWord>(_ wide: W, _ narrow: GoUint32<W>) -> W.Condition { narrow.w == wide & W(0xFFFF_FFFF) }

    func parts<W: SumWord>(_ x: [W], _ v: Variant) -> [W.Condition] {
        // One first-pass step.
        let s = SummarizeScan(start: x[0], max: x[1], cur: x[2])
        let w = x[3]
        let wide = s.step(w)
        let counted = v == .original ? w : w & W(0xFFFF_FFFF)
        let small = narrow(s).step(isZero: w == 0, trailingZeros: { GoUint32(truncating: counted.trailingZeros64) },
                                   leadingZeros: { GoUint32(truncating: counted.leadingZeros64) })
        let step = same(wide.start, small.start) && same(wide.max, small.max) && same(wide.cur, small.cur)
            && iff(wide.start == SummarizeScan<W>.notSetYet, small.start == SummarizeScan<GoUint32<W>>.notSetYet)
        // The rest of summarize.
        let t = SummarizeScan(start: x[4], max: x[5], cur: x[6])
        let iw = Array(x[7...])
        let tail64 = summarizeTail(t, wordCount: chunkWords) { i, m in W.maximum(m, iw[i]) }
        let tail32 = summarizeTail(narrow(t), wordCount: chunkWords) { i, m in GoUint32<W>.maximum(m, GoUint32(truncating: iw[i])) }
        let tail = same(tail64.start, tail32.start) && same(tail64.max, tail32.max) && same(tail64.end, tail32.end)
        return [step, tail]
    }

    func lemmas<W: SumWord>(_ x: [W], _ g: Geometry) -> [W.Condition] { parts(x, .original) }

    func goal<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition { all(parts(x, v)) }

    func observations(_ x: [UInt64], _ g: Geometry, _ v: Variant) -> [(String, String)] {
        let s = SummarizeScan(start: x[0], max: x[1], cur: x[2]).step(x[3])
        return [("64-bit step (start, max, cur)", "(\(s.start), \(s.max), \(s.cur))")]
    }
}
