// summarize's second pass, tied to its proof.
//
// The second pass (Go's search for a longer free run strictly inside one word) is
// proved in proofs/summarize-second-pass/ on a state machine written in SMT-LIB:
// an initial state, three transitions (a last shrink by p, a shrink by k that
// doubles k, a harvest of the lowest surviving zero run), an eight-part invariant
// preserved by each, and glue to the specification and the step bound. Those files
// state the transitions as equations, read from SecondPassMachine's table (through
// transitions.txt); the obligations here evaluate the same table and prove that
// SummaryCore's code, one `SummarizeInterior.step()` at a time, takes exactly
// those transitions, so the proof there is about the code that runs.
//
// The one place where code and machine differ: when max is 0 the code enters its
// shrink loop with p == 0 and spends one step leaving it (Go's `for p > 0` does not
// run at all). `summarizeStep.shrinkZero` shows that step changes nothing else; it
// can only happen first (a harvest leaves p >= 1, lemma K_a there), so the code
// needs at most one step more than the machine's 25: 26 <= stepBound (30).

import SummaryCore

/// Which step of the second pass.
enum SummarizeStepKind: String, Sendable, CaseIterable {
    /// `SummarizeInterior(word:max:)`: the machine's initial state (`init_*` files).
    case start
    /// A shrink with 1 <= p <= k: the last shift of the inner loop (`smfinal_*`).
    case shrinkFinal
    /// A shrink with p > k: shift by k, p -= k, k doubles (`smdouble_*`).
    case shrinkDouble
    /// A shrink with p == 0 (only when max is 0 at the start): leaves the loop.
    case shrinkZero
    /// The harvest: skip the ones, measure the zeros above them (`harv_*`).
    case harvest
    /// Once done, a step changes nothing (the machine has returned).
    case finished
}

/// One step of SummaryCore's `SummarizeInterior` is the proof's transition.
struct SummarizeStep: Obligation {
    let kind: SummarizeStepKind
    var theorem: String { "summarizeStep" }
    var instance: String { kind.rawValue }
    let geometryIndependent = true

    var meaning: String {
        switch kind {
        case .start: return "For every word and max < 64, the second pass starts from x = word >> tz(word), p = max, k = 1, and is done exactly when x & (x+1) == 0: the machine's initial state."
        case .shrinkFinal: return "From a shrinking state with 1 <= p <= k <= 32 and x not yet a mask, one step gives x | x >> p with k and max unchanged, leaves the shrink loop, and is done exactly when the result is a mask: the machine's smfinal transition."
        case .shrinkDouble: return "From a shrinking state with 1 <= k < p <= 62 and x not yet a mask, one step gives x | x >> k, p - k, 2k, max unchanged, stays in the shrink loop, and is done exactly when the result is a mask: the machine's smdouble transition."
        case .shrinkZero: return "From a shrinking state with p == 0 and x not a mask, one step changes only the loop flag: the machine, which never enters the loop with p == 0, takes no transition."
        case .harvest: return "From a harvesting state with x not a mask, one step computes j1 = tz(^x), y = x >> j1, j2 = tz(y), x' = y >> j2, p' = j2, max' = max + j2, k unchanged, back to shrinking, done exactly when x' is a mask: the machine's harv transition."
        case .finished: return "A state that is done is left unchanged by a step: after the machine returns, the unrolled code keeps its answer."
        }
    }

    var mutation: String {
        switch kind {
        case .start: return "The claimed start state has p = max + 1."
        case .shrinkFinal: return "The claimed shift is by k instead of p."
        case .shrinkDouble: return "The claimed k is not doubled."
        case .shrinkZero: return "The claimed step also stays in the loop."
        case .harvest: return "The claimed max is max + j2 + 1 (the model mutant of harv_I4_mut.smt2)."
        case .finished: return "The claimed state after the step has max + 1."
        }
    }

    func inputNames(_ g: Geometry) -> [String] {
        kind == .start ? ["word", "max"] : ["x", "p", "k", "max"]
    }

    func inputBits(_ g: Geometry) -> [Int] {
        kind == .start ? [64, 6] : [64, 6, 6, 6]
    }

    static func isMask<W: SumWord>(_ x: W) -> W.Condition { x & (x &+ 1) == 0 }

    /// Both true or both false.
    static func same<C: SumCondition>(_ a: C, _ b: C) -> C { (a && b) || (!a && !b) }

    /// The machine's transition `t` from the state (x, p, k, max) of the inputs,
    /// with `replacing`'s expressions in place of the table's (the mutated twin).
    func machine<W: SumWord>(_ t: String, _ x: [W], replacing: [String: String] = [:]) -> (values: [String: W], guard: W.Condition) {
        SecondPassMachine.step(t, from: ["x": x[0], "p": x[1], "k": x[2], "mx": x[3]], replacing: replacing)
    }

    func assumption<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        switch kind {
        // start and finished hold for every input of their widths (the
        // assumption-deletion control found that word != 0 and max <= 61,
        // once assumed here, carried nothing): only the widths remain.
        case .start: return x[1] < 64
        // The transitions' guards come from the machine's table; the bounds are
        // implied by the machine's invariant.
        case .shrinkFinal: return !Self.isMask(x[0]) && machine("smfinal", x).guard && x[2] <= 32 && x[3] <= 62
        case .shrinkDouble: return !Self.isMask(x[0]) && machine("smdouble", x).guard && x[2] >= 1 && x[1] <= 62 && x[2] <= 32 && x[3] <= 62
        case .shrinkZero: return !Self.isMask(x[0]) && x[1] == 0 && x[2] <= 32 && x[3] <= 62
        // The machine harvests with p = 0 (its guard); the code ignores p there, and
        // this holds for every p.
        case .harvest: return !Self.isMask(x[0]) && x[1] <= 62 && x[2] <= 32 && x[3] <= 62
        case .finished: return x[1] < 64 && x[2] < 64 && x[3] < 64
        }
    }

    func state<W: SumWord>(_ x: [W], shrinking: Bool, done: Bool) -> SummarizeInterior<W> {
        SummarizeInterior(x: x[0], p: x[1], k: x[2], max: x[3],
                          shrinking: W.Condition(shrinking), done: W.Condition(done))
    }

    func goal<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        let broken = v == .mutant
        switch kind {
        case .start:
            let s = SummarizeInterior(word: x[0], max: x[1])
            let m = SecondPassMachine.step("init", from: ["w": x[0], "mi": x[1]],
                                           replacing: broken ? ["p": "(bvadd mi (_ bv1 64))"] : [:]).values
            return s.x == m["x"]! && s.p == m["p"]! && s.k == m["k"]! && s.max == m["mx"]!
                && s.shrinking && Self.same(s.done, Self.isMask(m["x"]!))
        case .shrinkFinal:
            // The code leaves p as it is after the last shift (the machine sets it to
            // 0); the harvest that follows never reads it.
            let r = state(x, shrinking: true, done: false).step()
            let m = machine("smfinal", x, replacing: broken ? ["sh": "k"] : [:]).values
            return r.x == m["x2"]! && r.k == m["k2"]! && r.max == x[3] && !r.shrinking && Self.same(r.done, Self.isMask(m["x2"]!))
        case .shrinkDouble:
            let r = state(x, shrinking: true, done: false).step()
            let m = machine("smdouble", x, replacing: broken ? ["k2": "k"] : [:]).values
            return r.x == m["x2"]! && r.p == m["p2"]! && r.k == m["k2"]! && r.max == x[3]
                && r.shrinking && Self.same(r.done, Self.isMask(m["x2"]!))
        case .shrinkZero:
            let r = state(x, shrinking: true, done: false).step()
            return r.x == x[0] && r.k == x[2] && r.max == x[3] && (broken ? r.shrinking : !r.shrinking) && !r.done
        case .harvest:
            let r = state(x, shrinking: false, done: false).step()
            let m = machine("harv", x, replacing: broken ? ["mx2": "(bvadd (bvadd mx j2) (_ bv1 64))"] : [:]).values
            return r.x == m["x2"]! && r.p == m["p2"]! && r.k == x[2] && r.max == m["mx2"]!
                && r.shrinking && Self.same(r.done, Self.isMask(m["x2"]!))
        case .finished:
            let s = state(x, shrinking: false, done: true)
            let r = s.step()
            return r.x == s.x && r.p == s.p && r.k == s.k && r.max == (broken ? x[3] &+ 1 : x[3]) && r.done
        }
    }

    func observations(_ x: [UInt64], _ g: Geometry, _ v: Variant) -> [(String, String)] {
        if kind == .start {
            let s = SummarizeInterior(word: x[0], max: x[1])
            return [("x", hex(s.x)), ("p", "\(s.p)"), ("done", "\(s.done)")]
        }
        let r = state(x, shrinking: kind != .harvest, done: kind == .finished).step()
        return [("x'", hex(r.x)), ("p'", "\(r.p)"), ("k'", "\(r.k)"), ("max'", "\(r.max)"),
                ("shrinking'", "\(r.shrinking)"), ("done'", "\(r.done)")]
    }
}
