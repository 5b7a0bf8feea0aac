// Does this layer give back every Z3 reference it takes? Two measures, over many
// rounds of the prover's kind of work:
//
// * in one long-lived context, `Z3Context.liveHandles` (this layer's own count of
//   the references it holds) must be back at its post-warm-up value after the
//   rounds: exact, and blind to anything else running in the process;
// * with a fresh context per round, as the prover works (one context per
//   problem), Z3's own estimate of the bytes it has allocated
//   (Z3_get_estimated_alloc_size, process-wide, kept in per-thread chunks of
//   about 100 KB) must be back within `toleranceBytes` of where it started.
//
// Inside one long-lived context Z3's estimate does creep up (about 18 KB per round
// of this workload, all of it returned when the context is deleted; a plain C
// program that only creates, checks and releases solvers shows the same creep),
// so bytes are judged per context, not inside one.
//
// `injectLeak` is the negative control: each round keeps the objects it made, as a
// forgotten `dec_ref` would, and both measures must then report a leak.

import CZ3
import SummaryCore

/// One round of the work the prover does with Z3: fresh variables, the
/// findBitRange64 formula built by SummaryCore's code, a solver with a timeout, a
/// satisfiable query whose model is read back, and a valid claim checked unsat.
/// Returns what it made, so a caller can keep it alive (the injected leak).
/// `i` (not negative) names the variables and picks the query.
public func z3WorkRound(_ ctx: Z3Context, _ i: Int) -> [AnyObject] {
    precondition(i >= 0, "round numbers are not negative")
    let x = SymWord.variable("x", in: ctx)
    let n = SymWord.variable("n", bits: 7, in: ctx)
    let (r, requirements) = SymbolicEvaluation.run(in: ctx) { findBitRange64(x, n) }
    let target = UInt64(i % 64)
    let sat = Solver(ctx, timeoutMilliseconds: 10_000)
    let result = r.bitVec(in: ctx)
    for q in requirements { sat.assert(q.formula) }
    sat.assert((r == SymWord(target)).expr(in: ctx))
    var kept: [AnyObject] = [sat, result.ref]
    if case .sat(let model) = sat.check() {
        precondition(model.value(result) == target, "the model does not satisfy the query")
        kept.append(model)
    } else {
        preconditionFailure("findBitRange64(x, n) == \(target) should be satisfiable")
    }
    // A valid claim: the result is at most 64.
    let unsat = Solver(ctx, timeoutMilliseconds: 10_000)
    unsat.assert(!(r <= SymWord(64)).expr(in: ctx))
    guard case .unsat = unsat.check() else { preconditionFailure("findBitRange64(x, n) <= 64 should be valid") }
    kept.append(unsat)
    return kept
}

/// The figures of a leak check.
public struct LeakCheckReport: Sendable {
    public let rounds: Int
    /// `liveHandles` of the long-lived context after the warm-up and after the rounds.
    public let handlesAfterWarmup: Int
    public let handlesAtEnd: Int
    /// Z3's estimated allocation inside the long-lived context, after the warm-up
    /// and after the rounds (reported, not judged: see the file comment).
    public let z3BytesInContextStart: UInt64
    public let z3BytesInContextEnd: UInt64
    /// Z3's estimated allocation before and after the rounds of fresh contexts.
    public let z3BytesBefore: UInt64
    public let z3BytesAfter: UInt64
    /// The tolerance on Z3's figure (its estimate moves in per-thread chunks).
    public let toleranceBytes: UInt64

    public var z3Growth: Int64 { Int64(bitPattern: z3BytesAfter &- z3BytesBefore) }
    /// No leak: handles balanced and Z3's allocation back within the tolerance.
    public var clean: Bool { handlesAtEnd == handlesAfterWarmup && z3Growth <= Int64(clamping: toleranceBytes) }
}

/// Runs `rounds` rounds of `z3WorkRound` in one context (after `warmup` rounds),
/// then `rounds` rounds each in a fresh context, calling
/// `progress(roundsDone, z3Bytes, liveHandles)` as it goes (the handle count is
/// the long-lived context's, or the round's own context's).
public func z3LeakCheck(
    rounds: Int,
    warmup: Int = 5,
    injectLeak: Bool = false,
    toleranceBytes: UInt64 = 1 << 20,
    progress: (Int, UInt64, Int) -> Void = { _, _, _ in }
) -> LeakCheckReport {
    var leaked: [AnyObject] = []
    // One long-lived context: the handle count.
    let ctx = Z3Context()
    for i in 0..<warmup { _ = z3WorkRound(ctx, 1_000_000 + i) }
    let handles0 = ctx.liveHandles
    let inStart = Z3_get_estimated_alloc_size()
    for i in 0..<rounds {
        let made = z3WorkRound(ctx, i)
        if injectLeak { leaked.append(contentsOf: made) }
        progress(i + 1, Z3_get_estimated_alloc_size(), ctx.liveHandles)
    }
    let handles1 = ctx.liveHandles
    let inEnd = Z3_get_estimated_alloc_size()
    // A fresh context per round: Z3's bytes.
    for i in 0..<warmup {
        let c = Z3Context()
        _ = z3WorkRound(c, 2_000_000 + i)
    }
    let before = Z3_get_estimated_alloc_size()
    for i in 0..<rounds {
        let c = Z3Context()
        let made = z3WorkRound(c, i)
        if injectLeak { leaked.append(contentsOf: made) }
        progress(rounds + i + 1, Z3_get_estimated_alloc_size(), c.liveHandles)
    }
    let after = Z3_get_estimated_alloc_size()
    withExtendedLifetime((ctx, leaked)) {}
    return LeakCheckReport(
        rounds: rounds, handlesAfterWarmup: handles0, handlesAtEnd: handles1,
        z3BytesInContextStart: inStart, z3BytesInContextEnd: inEnd,
        z3BytesBefore: before, z3BytesAfter: after, toleranceBytes: toleranceBytes)
}
