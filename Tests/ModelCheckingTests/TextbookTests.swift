// The engine against outside numbers: state counts from a closed formula or
// from SPIN on the same model, verdicts from the literature.

import Foundation
import ModelChecking
import Models
import Testing

/// Quiet, single-threaded options, no symmetry reduction (state counts are
/// pinned to the unreduced spaces), unless a test says otherwise.
let quiet: CheckOptions = {
    var o = CheckOptions(parallelism: .sequential, progress: false)
    o.symmetry = false
    return o
}()

@Suite("Textbook models")
struct TextbookTests {
    /// Reachable configurations of N philosophers are the cyclic words over
    /// {thinking, left, eating} where no eater precedes a fork holder:
    /// trace(M^N), M = [[1,1,1],[1,1,1],[1,0,0]], eigenvalues 1 +- sqrt 2,
    /// so the counts are the companion Pell numbers 2, 6, 14, 34, 82
    /// (OEIS A002203). SPIN on Promela/philosophers.pml stores the same 14
    /// and 82 states. Exactly one state deadlocks: all hold their left fork.
    @Test("dining philosophers: companion Pell state counts, one deadlock", arguments: [(3, 14), (4, 34), (5, 82)])
    func philosophers(n: Int, expectedStates: Int) {
        let result = Checker(DiningPhilosophers(n: n), options: quiet).run()
        #expect(result.states == expectedStates)
        #expect(result.complete)
        #expect(result.verdict == .deadlock)
        let deadlock = result.discovery("deadlock")
        #expect(deadlock?.stateCount == 1)
        // Shortest path to it: each philosopher takes its left fork once.
        #expect(deadlock?.trace.steps.count == n)
        #expect(deadlock?.trace.steps.allSatisfy { $0.action == "takeLeft" } == true)
        #expect(deadlock?.trace.final.filter { $0.name.hasPrefix("phase") }.count == n)
        #expect(deadlock?.trace.final.filter { $0.name.hasPrefix("phase") }.allSatisfy { $0.value == "1" } == true)
        #expect(result.unreachedExamples.isEmpty)
    }

    /// SPIN 6.5.2 on Promela/peterson.pml (-DBFS -DNOREDUCE) stores 38 states
    /// and reports no error; Peterson's algorithm is a correct mutex.
    @Test("Peterson: 38 states (SPIN's count), mutual exclusion holds")
    func peterson() {
        let result = Checker(Peterson(), options: quiet).run()
        #expect(result.states == 38)
        #expect(result.verdict == .ok)
        #expect(result.discovery("mutualExclusion") == nil)
        #expect(result.livenessSkipped == nil)
    }

    /// Peterson is starvation-free under weak fairness: process 0 always gets
    /// in. Without fairness the schedule that never runs process 0 is a
    /// counterexample, and it must come back as a lasso.
    @Test("Peterson liveness: holds under weak fairness, fails without")
    func petersonLiveness() {
        let fair = Checker(Peterson(), options: quiet).run()
        #expect(fair.discovery("P0Critical") == nil)
        var unfairOptions = quiet
        unfairOptions.fairness = .none
        let unfair = Checker(Peterson(), options: unfairOptions).run()
        let lasso = unfair.discovery("P0Critical")
        #expect(lasso?.kind == .livenessViolation)
        #expect(lasso?.trace.loopStart != nil)
        // In the loop, P0 never acts (that is what makes it unfair).
        if let trace = lasso?.trace, let start = trace.loopStart {
            #expect(trace.steps[start...].allSatisfy { $0.actor == "P1" })
            #expect(trace.steps.count > start)
        }
    }

    /// Test-then-set is not a mutex: the shortest violation lets both
    /// processes pass the test, then both set the lock and enter: 6 steps,
    /// matching SPIN's "assertion violated (ncrit==1) (at depth 6)". Expanding
    /// past violations (as pan -c0 does) stores SPIN's 52 states.
    @Test("broken mutex: violation in 6 steps; 52 states like SPIN when expanding past it")
    func brokenMutex() {
        let result = Checker(BrokenMutex(), options: quiet).run()
        #expect(result.verdict == .violates("mutualExclusion"))
        let trace = result.discovery("mutualExclusion")?.trace
        #expect(trace?.steps.count == 6)
        #expect(trace?.steps.first?.action == "await lock==0")
        #expect(trace?.steps[1].action == "await lock==0")
        #expect(trace?.final.first { $0.name == "ncrit" }?.value == "2")
        var past = quiet
        past.expandViolatingStates = true
        #expect(Checker(BrokenMutex(), options: past).run().states == 52)
    }

    /// The canary must be caught: three puts overflow a buffer of two.
    @Test("canary: off-by-one producer caught in exactly 3 steps; correct one passes")
    func canary() {
        let broken = Checker(BoundedBuffer(offByOne: true), options: quiet).run()
        #expect(broken.verdict == .violates("withinCapacity"))
        #expect(broken.discovery("withinCapacity")?.trace.steps.map(\.action) == ["put", "put", "put"])
        let correct = Checker(BoundedBuffer(offByOne: false), options: quiet).run()
        #expect(correct.verdict == .ok)
        #expect(correct.states == 3)
    }

    /// Weak fairness is per actor, not per action: a worker that may work
    /// forever is fair while it works, so the waiter may starve (lasso with
    /// only worker steps); bounding the work removes the violation.
    @Test("eventually: fair lasso found for unbounded work; bounded work passes")
    func loopingWorker() {
        let unbounded = Checker(LoopingWorker(bounded: false), options: quiet).run()
        let found = unbounded.discovery("waiterDone")
        #expect(found?.kind == .livenessViolation)
        #expect(found?.trace.loopStart == 0)
        #expect(found?.trace.steps.allSatisfy { $0.actor == "worker" && $0.action == "work" } == true)
        #expect(found?.trace.steps.count == 2)  // rounds 0 -> 1 -> 0
        let bounded = Checker(LoopingWorker(bounded: true), options: quiet).run()
        #expect(bounded.verdict == .ok)
        #expect(bounded.livenessSkipped == nil)
    }
}
