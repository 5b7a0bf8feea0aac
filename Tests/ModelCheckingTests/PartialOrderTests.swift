import Testing
import Models
import ModelChecking

/// Partial-order reduction keeps every verdict and the length of every
/// shortest counterexample, and stores fewer states where processes have
/// local steps.
@Suite("Partial-order reduction")
struct PartialOrderTests {
    func run<M: Model>(_ model: M, por: Bool, proviso: Bool = true) -> CheckResult {
        var options = CheckOptions(parallelism: .sequential, progress: false)
        options.partialOrder = por
        options.partialOrderCycleProviso = proviso
        options.symmetry = false
        return Checker(model, options: options).run()
    }

    /// Same verdict, same examples, same shortest counterexample lengths
    /// (an example's path may be longer); returns the (full, reduced) state
    /// counts.
    @discardableResult
    func compare<M: Model>(_ model: M) -> (full: Int, reduced: Int) {
        let full = run(model, por: false), reduced = run(model, por: true)
        #expect(full.verdict == reduced.verdict, "\(model.name)")
        #expect(full.complete && reduced.complete)
        #expect(full.unreachedExamples == reduced.unreachedExamples, "\(model.name)")
        #expect(full.discoveries.map(\.property) == reduced.discoveries.map(\.property), "\(model.name)")
        for (a, b) in zip(full.discoveries, reduced.discoveries) {
            if a.kind == .example {
                #expect(a.trace.steps.count <= b.trace.steps.count, "\(model.name) \(a.property)")
            } else {
                #expect(a.trace.steps.count == b.trace.steps.count, "\(model.name) \(a.property): \(a.trace.steps.count) vs \(b.trace.steps.count) steps")
            }
        }
        #expect(reduced.states <= full.states, "\(model.name)")
        #expect(full.partialOrder == nil)
        return (full.states, reduced.states)
    }

    @Test("lock-order deadlock: found with and without reduction, at the same shortest length, in fewer states", arguments: [1, 3, 6])
    func lockOrder(_ work: Int) {
        let (full, reduced) = compare(LockOrder(work: work))
        #expect(reduced < full, "work \(work): \(reduced) vs \(full)")
        let r = run(LockOrder(work: work), por: true)
        #expect(r.verdict.deadlock)
        #expect(r.discovery("deadlock")?.trace.steps.count == 2 * work + 2)
        #expect(r.partialOrder?.hasPrefix("ample sets:") == true)
    }

    @Test("local counters: the invariant holds, the broken variant's violation and the example are kept; states grow linearly, not as steps^n")
    func localCounters() {
        for (n, steps) in [(2, 3), (3, 4), (4, 5)] {
            let (full, reduced) = compare(LocalCounters(n: n, steps: steps))
            #expect(reduced < full)
            compare(LocalCounters(n: n, steps: steps, broken: true))
            #expect(run(LocalCounters(n: n, steps: steps, broken: true), por: true).verdict.violated == ["doneBounded"])
        }
        // 4 processes of 5 steps: 6^4 * 2^4-ish states in full, a few dozen reduced.
        let (full, reduced) = compare(LocalCounters(n: 4, steps: 5))
        #expect(full > 1_000 && reduced < 100, "\(full) vs \(reduced)")
    }

    @Test("textbook models without declarations: unchanged, and the run says why")
    func undeclared() {
        compare(BrokenMutex())
        compare(BoundedBuffer(offByOne: true))
        compare(BoundedBuffer(offByOne: false))
        compare(DiningPhilosophers(n: 4))
        #expect(run(BrokenMutex(), por: true).partialOrder == "off (no rule declares its accesses)")
        #expect(run(Peterson(), por: true).partialOrder?.hasPrefix("off (the model has liveness properties") == true)
    }

    @Test("the cycle proviso: without it the looping process hides the violation (the ignoring problem); with it, found")
    func ignoring() {
        #expect(run(IgnoringLoop(), por: false).verdict.violated == ["neverBad"])
        #expect(run(IgnoringLoop(), por: true).verdict.violated == ["neverBad"])
        // Negative control: the proviso is what finds it.
        #expect(run(IgnoringLoop(), por: true, proviso: false).verdict.violated.isEmpty)
    }
}
