// The Swift layer over libz3: answers, models, timeouts, SMT-LIB text, ownership.

import Prover
import SummaryCore
import Testing

@Suite("Z3 layer")
struct Z3LayerTests {
    @Test("sat with a model read back as Swift integers")
    func satModel() throws {
        let ctx = Z3Context()
        let x = BitVec.variable("x", width: 64, in: ctx)
        let y = BitVec.variable("y", width: 16, in: ctx)
        let solver = Solver(ctx)
        solver.assert(x + BitVec.constant(1, width: 64, in: ctx) == BitVec.constant(0, width: 64, in: ctx))
        solver.assert(y.zeroExtended(to: 64) == x >> BitVec.constant(48, width: 64, in: ctx))
        guard case .sat(let model) = solver.check() else { Issue.record("expected sat"); return }
        #expect(model.value(x) == UInt64.max)
        #expect(model.value(y) == 0xffff)
        #expect(model.decimalValue(x.concat(y)) == "1208925819614629174706175")   // 2^80 - 1
    }

    @Test("unsat")
    func unsat() {
        let ctx = Z3Context()
        let x = BitVec.variable("x", width: 8, in: ctx)
        let solver = Solver(ctx)
        solver.assert(x < x || x.slt(x))
        if case .unsat = solver.check() {} else { Issue.record("expected unsat") }
        #expect(solver.assertionsSMTLIB2.contains("(declare-fun x () (_ BitVec 8))"))
    }

    @Test("a solver that reaches its resource limit answers unknown, the same on every machine; without the limit it answers")
    func resourceLimit() {
        let ctx = Z3Context()
        let a = BitVec.variable("a", width: 32, in: ctx)
        let b = BitVec.variable("b", width: 32, in: ctx)
        func problem(_ s: Solver) {
            s.assert(a * b == BitVec.constant(0xdead_beef, width: 32, in: ctx)
                     && a > BitVec.constant(1, width: 32, in: ctx) && b > BitVec.constant(1, width: 32, in: ctx))
        }
        let limited = Solver(ctx, timeoutMilliseconds: 0, resourceLimit: 1_000)
        problem(limited)
        if case .unknown = limited.check() {} else { Issue.record("expected unknown within 1,000 resource units") }
        let free = Solver(ctx, timeoutMilliseconds: 0)
        problem(free)
        if case .sat = free.check() {} else { Issue.record("expected sat without a limit") }
        // The count the limit is measured in is read back, and more than the limit that stopped it.
        #expect(free.resourceCount > 1_000)
    }

    @Test("a solver that runs out of time answers unknown")
    func timeout() {
        // A 48-bit multiplication inverse is far beyond 1 ms.
        let ctx = Z3Context()
        let a = BitVec.variable("a", width: 48, in: ctx)
        let b = BitVec.variable("b", width: 48, in: ctx)
        let product = a * b
        let solver = Solver(ctx, timeoutMilliseconds: 1)
        solver.assert(product == BitVec.constant(0xdead_beef_cafe, width: 48, in: ctx)
                      && a > BitVec.constant(1, width: 48, in: ctx) && b > BitVec.constant(1, width: 48, in: ctx)
                      && a < b)
        if case .unknown(let reason) = solver.check() {
            #expect(reason.contains("timeout") || reason.contains("canceled"), "\(reason)")
        } else {
            Issue.record("expected unknown within 1 ms")
        }
    }

    @Test("constants fold in Swift; terms stay narrow but mean their 64-bit values")
    func symWordFolding() {
        let ctx = Z3Context()
        let folded: SymWord = (SymWord(5) &+ 7) << 2
        #expect(folded.bound == 48)
        if case .constant(48) = folded {} else { Issue.record("expected a constant") }
        let x = SymWord.variable("x", bits: 8, in: ctx)
        let sum = x &+ x                     // at most 510: 9 bits
        #expect(sum.bound == 510)
        #expect((x & 0x0f).bound == 0x0f)
        #expect((x &- 1).bound == UInt64.max)  // might wrap: back to 64 bits
        #expect((x <= 255).knownValue == true) // decided by the bound
        #expect((x == 256).knownValue == false)
        #expect(sum.value(at: [(x, 200)]) == 400)
        #expect((x &- 201).value(at: [(x, 200)]) == UInt64.max)
    }

    @Test("requirements inside a branch hold only on that path")
    func pathConditions() {
        let ctx = Z3Context()
        let x = SymWord.variable("x", bits: 8, in: ctx)
        let (result, requirements) = SymbolicEvaluation.run(in: ctx) {
            SymWord.branch(x < 10, then: {
                SymWord.require(x < 10, "only on the then path")
                return x
            }, else: { 0 })
        }
        #expect(requirements.count == 1)
        // path => condition is valid.
        let solver = Solver(ctx)
        solver.assert(!requirements[0].formula)
        if case .unsat = solver.check() {} else { Issue.record("the recorded requirement should be valid") }
        #expect(result.value(at: [(x, 3)]) == 3 && result.value(at: [(x, 30)]) == 0)
    }

    @Test("contexts, terms, solvers and models are released (create and drop many)")
    func ownership() {
        var answered = 0
        for i in 0..<200 {
            let ctx = Z3Context()
            let x = SymWord.variable("x", in: ctx)
            let n = SymWord.variable("n", bits: 7, in: ctx)
            let (r, _) = SymbolicEvaluation.run(in: ctx) { findBitRange64(x, n) }
            let solver = Solver(ctx)
            solver.assert((r == SymWord(UInt64(i % 64))).expr(in: ctx))
            if case .sat(let model) = solver.check() {
                #expect(model.value(r.bitVec(in: ctx)) == UInt64(i % 64))
                answered += 1
            }
        }
        #expect(answered == 200)
    }

    @Test("every Z3 reference taken is given back: 100 rounds of prover work leave liveHandles where it was")
    func handlesBalance() {
        let ctx = Z3Context()
        _ = z3WorkRound(ctx, 1_000)   // caches the sorts
        let base = ctx.liveHandles
        #expect(base > 0)          // the cached sorts are counted
        for i in 0..<100 {
            let made = z3WorkRound(ctx, i)
            #expect(ctx.liveHandles > base, "round \(i): what the round returned is still held")
            _ = made
        }
        #expect(ctx.liveHandles == base)
        // Negative control: keeping what rounds made, as a forgotten dec_ref would,
        // is seen, and grows with every round.
        var kept: [AnyObject] = []
        for i in 0..<10 { kept += z3WorkRound(ctx, 100 + i) }
        let leaking = ctx.liveHandles
        #expect(leaking >= base + 10 * 3)
        kept.removeAll()
        #expect(ctx.liveHandles == base)
    }

    // Z3's byte estimate is process-wide and other tests use Z3 in parallel, so
    // here only the handle count decides (tolerance unlimited); `verify prove
    // --leak-check` (run by CI, alone in its process) judges the bytes as well.
    @Test("the leak check passes on the real layer and reports an injected leak")
    func leakCheckControl() {
        let clean = z3LeakCheck(rounds: 10, warmup: 2, toleranceBytes: ~0)
        #expect(clean.clean)
        let leaky = z3LeakCheck(rounds: 5, warmup: 2, injectLeak: true, toleranceBytes: ~0)
        #expect(!leaky.clean)
        #expect(leaky.handlesAtEnd >= leaky.handlesAfterWarmup + 5 * 3)
    }
}
