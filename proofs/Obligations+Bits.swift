// Obligations about the bit tricks: findBitRange64 and summarize.

import SummaryCore

/// findBitRange64 finds the first run.
struct FindBitRange64Spec: Obligation {
    let theorem = "findBitRange64"
    let instance = ""
    let meaning = "For every word c and 1 <= n <= 64, findBitRange64(c, n) is the lowest i such that bits i..i+n-1 of c are all set, or 64 when there is none (and its unrolled loop always finishes)."
    let mutation = "Each run of ones is shrunk by n bits instead of n-1 (p := n)."
    let geometryIndependent = true

    func inputNames(_ g: Geometry) -> [String] { ["c", "n"] }
    func inputBits(_ g: Geometry) -> [Int] { [64, 7] }          // n <= 64

    func found<W: SumWord>(_ x: [W], _ v: Variant) -> W {
        v == .original ? findBitRange64(x[0], x[1]) : Mutants.findBitRange64(x[0], x[1])
    }

    func assumption<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        x[1] >= 1 && x[1] <= 64
    }

    func goal<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        found(x, v) == specFirstRun(x[0], x[1])
    }

    func observations(_ x: [UInt64], _ g: Geometry, _ v: Variant) -> [(String, String)] {
        [("findBitRange64", "\(found(x, v))"), ("first run", "\(specFirstRun(x[0], x[1]))")]
    }
}

/// summarize's first pass, over bitmaps of one or more words.
struct SummarizeFirstPass: Obligation {
    let words: Int
    let theorem = "summarizeFirstPass"
    var instance: String { "\(words * 64)" }
    var meaning: String {
        "For every \(words * 64)-page bitmap, summarize's first pass (tz/lz per word) gets start and end exactly, says all-free exactly when it is, and the longest free run is the larger of its boundary max (including the final run) and the longest run strictly inside one word: what the second pass adds."
    }
    let mutation = "After the first pass, max is not raised to the final free run (cur)."
    let geometryIndependent = true

    func inputNames(_ g: Geometry) -> [String] { (0..<words).map { "bits\($0)" } }

    func scan<W: SumWord>(_ x: [W]) -> SummarizeScan<W> {
        x.reduce(SummarizeScan<W>()) { $0.step($1) }
    }

    /// The max the first pass hands to the second (Go's `if cur > max { max = cur }`).
    func boundaryMax<W: SumWord>(_ s: SummarizeScan<W>, _ v: Variant) -> W {
        v == .original ? W.maximum(s.cur, s.max) : s.max
    }

    func assumption<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition { W.Condition(true) }

    /// Every 8 bits i of each word: the longest run in bits 0...i is the larger of the
    /// word's interior runs so far, the run at the start and the run at the end.
    func lemmas<W: SumWord>(_ x: [W], _ g: Geometry) -> [W.Condition] {
        guard words == 1 else { return [] }
        let trace = specSummaryTrace(x, bitCount: 64)
        let interior = specInteriorTrace(x[0])
        return stride(from: 7, to: 64, by: 8).map { i in
            trace[i].max == W.maximum(interior[i], W.maximum(trace[i].start, trace[i].end))
        }
    }

    func goal<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        let s = scan(x)
        let spec = specSummary(x, bitCount: words * 64)
        let n = W(UInt64(words * 64))
        let allFree = s.start == SummarizeScan<W>.notSetYet
        let interior = x.map { specInteriorRun($0) }.reduce(W(0)) { W.maximum($0, $1) }
        return iff(allFree, spec.start == n)
            && (allFree || (s.start == spec.start && s.cur == spec.end
                            && spec.max == W.maximum(boundaryMax(s, v), interior)))
    }

    func observations(_ x: [UInt64], _ g: Geometry, _ v: Variant) -> [(String, String)] {
        let s = scan(x)
        return [("first pass (start, max, cur)", "(\(s.start), \(boundaryMax(s, v)), \(s.cur))"),
                ("bit by bit", fields(specSummary(x, bitCount: words * 64)))]
    }
}

/// Why summarize may skip the second pass when max >= 62.
struct SummarizeEarlyExit: Obligation {
    let theorem = "summarizeEarlyExit"
    let instance = ""
    let meaning = "A free run strictly inside one 64-bit word is at most 62 pages long, so when the first pass already found max >= 62 the second pass cannot raise it; an all-free word has none (it has no in-use page to close a run)."
    let mutation = "The bound claimed is 61 instead of 62."
    let geometryIndependent = true

    func inputNames(_ g: Geometry) -> [String] { ["bits"] }

    func assumption<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition { W.Condition(true) }

    func goal<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        let run = specInteriorRun(x[0])
        return run <= W(v == .original ? 62 : 61) && implies(x[0] == 0, run == 0)
    }

    func observations(_ x: [UInt64], _ g: Geometry, _ v: Variant) -> [(String, String)] {
        [("interior run", "\(specInteriorRun(x[0]))")]
    }
}

/// summarize's second pass on one word: not proved within the time budget.
struct SummarizeSecondPass: Obligation {
    let theorem = "summarizeSecondPass"
    let instance = ""
    let meaning = "For every word with its lowest bit set and every max < 62, the second pass (Go's shift-and-or search inside the word, unrolled to its step bound) returns the larger of max and the longest run strictly inside the word, and finishes within the bound."
    let mutation = "After the first pass, max is not raised to the final free run (cur)."
    let geometryIndependent = true

    func inputNames(_ g: Geometry) -> [String] { ["word", "max"] }
    func inputBits(_ g: Geometry) -> [Int] { [64, 6] }

    func assumption<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        x[0] & 1 == 1 && x[1] < 62
    }

    func goal<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        let found = summarizeInteriorMax(x[0], max: x[1])
        let expected = W.maximum(x[1], specInteriorRun(x[0]))
        return v == .original ? found == expected : found == W.maximum(x[1] &+ 1, specInteriorRun(x[0]))
    }

    func observations(_ x: [UInt64], _ g: Geometry, _ v: Variant) -> [(String, String)] {
        [("second pass", "\(summarizeInteriorMax(x[0], max: x[1]))"), ("interior run", "\(specInteriorRun(x[0]))")]
    }
}
