// Depth-first search and bitstate storage against the exact breadth-first
// search: the same reachable states and verdicts on the textbook models and
// the seed models, a bounded depth-first search that covers what
// breadth-first covers, and a bitstate filter too small for its model that
// omits states and says so in its collision estimate.

import ModelChecking
import Models
import Testing

@Suite("Search modes: depth-first, bitstate")
struct SearchModeTests {
    func options(_ order: SearchOrder, _ visited: VisitedMode = .states, log2Bits: Int = 20, depth: Int? = nil) -> CheckOptions {
        var o = CheckOptions(maxDepth: depth, visited: visited, parallelism: .sequential, progress: false)
        o.order = order
        o.bitstateLog2Bits = log2Bits
        o.symmetry = false
        return o
    }

    @Test("depth-first reaches the breadth-first states and verdicts on the textbook models")
    func textbookDepthFirst() {
        for n in 3...6 {
            let bfs = Checker(DiningPhilosophers(n: n), options: quiet).run()
            let dfs = Checker(DiningPhilosophers(n: n), options: options(.depthFirst)).run()
            #expect(dfs.states == bfs.states && dfs.verdict == bfs.verdict && dfs.order == .depthFirst, "n=\(n)")
            #expect(dfs.discovery("deadlock")?.stateCount == 1)
        }
        let peterson = Checker(Peterson(), options: options(.depthFirst)).run()
        #expect(peterson.states == 38 && peterson.verdict == .ok && peterson.livenessSkipped == nil)
        let broken = Checker(BrokenMutex(), options: options(.depthFirst)).run()
        #expect(broken.verdict == Checker(BrokenMutex(), options: quiet).run().verdict && !broken.verdict.isOK)
    }

    /// Breadth-first runs record the state graph as they search; depth-first
    /// runs rebuild it afterwards by expanding every stored state again.
    /// Liveness must answer the same on both.
    @Test("liveness on the graph recorded during breadth-first search agrees with the graph rebuilt after depth-first search")
    func recordedGraph() {
        func agree<M: Model>(_ model: M, fails: Bool) {
            let bfs = Checker(model, options: options(.breadthFirst)).run()
            let dfs = Checker(model, options: options(.depthFirst)).run()
            #expect(bfs.livenessSkipped == nil && dfs.livenessSkipped == nil, "\(model.name)")
            let live = { (r: CheckResult) in r.discoveries.filter { $0.kind == .livenessViolation } }
            #expect(live(bfs).map(\.property) == live(dfs).map(\.property), "\(model.name)")
            #expect(live(bfs).map { $0.trace.loopStart != nil } == live(dfs).map { $0.trace.loopStart != nil }, "\(model.name)")
            #expect(live(bfs).isEmpty != fails, "\(model.name)")
        }
        agree(Peterson(), fails: false)
        agree(LoopingWorker(bounded: false), fails: true)
        agree(LoopingWorker(bounded: true), fails: false)
        agree(RovingToken(slots: 3), fails: true)
        agree(LockHog(base: MachWireCoalesce(.fixed)), fails: true)
        agree(MachWireCoalesce(.fixed), fails: false)
        agree(UFFDStopTheWorld(.fixedInRuntimeHandler), fails: false)
    }

    @Test("depth-first: every seed model's verdict and state count equal breadth-first's", arguments: ["UFFDStopTheWorld", "MachWireCoalesce", "OSMemoryStates"])
    func seedModelsDepthFirst(model: String) throws {
        let bfs = try runModels(names: [model], options: options(.breadthFirst))
        let dfs = try runModels(names: [model], options: options(.depthFirst))
        for (b, d) in zip(bfs, dfs) {
            #expect(d.passed && d.actual == b.actual && d.result.states == b.result.states, "\(model)/\(b.variant)")
        }
    }

    /// Bounded: a state first met deep is searched again when met on a
    /// shorter path, so the bounded depth-first search covers the same
    /// states as breadth-first to that depth.
    @Test("bounded depth-first covers what bounded breadth-first covers")
    func boundedDepthFirst() throws {
        for depth in [3, 5] {
            let bfs = try runModels(names: ["PageAllocSmallScope"], variant: "preFix40191", maxDepth: depth, options: options(.breadthFirst))[0]
            let dfs = try runModels(names: ["PageAllocSmallScope"], variant: "preFix40191", maxDepth: depth, options: options(.depthFirst))[0]
            #expect(dfs.result.states == bfs.result.states && dfs.actual == bfs.actual, "depth \(depth)")
        }
    }

    @Test("bitstate with room to spare: exact counts, tiny collision estimate; liveness is not claimed")
    func bitstateRoomy() throws {
        let exact = Checker(DiningPhilosophers(n: 8), options: quiet).run()
        let bits = Checker(DiningPhilosophers(n: 8), options: options(.breadthFirst, .bitstate, log2Bits: 24)).run()
        #expect(bits.states == exact.states && bits.verdict == exact.verdict)
        let report = try #require(bits.bitstate)
        #expect(report.bits == 1 << 24 && report.hashes == 3 && report.setBits > 0)
        #expect(report.expectedOmitted < 0.01)
        #expect(Checker(Peterson(), options: options(.depthFirst, .bitstate)).run().livenessSkipped == "visited set is a bitstate filter")
        #expect(bits.render().contains("bitstate: 2^24 bits"))
    }

    /// Negative control: 2^10 bits for about a thousand states. Collisions
    /// omit states, and the estimate says that many were expected.
    @Test("bitstate too small: states are omitted and the estimate says so")
    func bitstateCrowded() throws {
        let exact = Checker(DiningPhilosophers(n: 8), options: quiet).run()
        let bits = Checker(DiningPhilosophers(n: 8), options: options(.breadthFirst, .bitstate, log2Bits: 10)).run()
        let report = try #require(bits.bitstate)
        #expect(bits.states < exact.states)
        #expect(report.expectedOmitted > 1)
        #expect(Double(report.setBits) / Double(report.bits) > 0.5)
    }

    /// Symmetry reduction on the ring of philosophers: one state per orbit
    /// under rotation (counted here by canonicalising every state of the
    /// full space), the same verdict, and the same shortest deadlock length.
    @Test("symmetry: one state per rotation orbit, same verdict and shortest counterexample", arguments: [3, 4, 5, 6, 7, 8])
    func symmetry(n: Int) throws {
        let model = DiningPhilosophers(n: n)
        let full = Checker(model, options: quiet).run()
        var on = quiet
        on.symmetry = true
        let reduced = Checker(model, options: on).run()
        // Orbits of the full space: reach every state, canonicalise.
        let seen = reachable(model)
        #expect(seen.count == full.states)
        #expect(reduced.states == Set(seen.map(model.canonical)).count)
        #expect(reduced.states < full.states)
        #expect(reduced.verdict == full.verdict && reduced.symmetry == "rotations of \(n) philosophers")
        #expect(reduced.discovery("deadlock")?.trace.steps.count == full.discovery("deadlock")?.trace.steps.count)
        // The trace is a real execution: each step is one enabled rule.
        let trace = try #require(reduced.discovery("deadlock")?.trace)
        #expect(trace.steps.allSatisfy { $0.action == "takeLeft" })
    }

    /// The canonical form is a function of the orbit: all rotations of a
    /// state canonicalise alike; a model without a declared symmetry is not
    /// reduced (and its liveness is still checked).
    @Test("symmetry: canonical form is rotation-invariant; undeclared models are untouched")
    func symmetryControls() {
        let model = DiningPhilosophers(n: 6)
        var s = model.initialStates[0]
        s.setPhase(1, 1); s.setFork(1, true); s.setPhase(4, 2); s.setFork(4, true); s.setFork(5, true)
        var r = s
        for _ in 0..<6 {
            #expect(model.canonical(r) == model.canonical(s))
            r = model.rotated(r)
        }
        #expect(r == s)
        var on = quiet
        on.symmetry = true
        let peterson = Checker(Peterson(), options: on).run()
        #expect(peterson.symmetry == nil && peterson.states == 38 && peterson.livenessSkipped == nil)
        let mach = Checker(MachWireCoalesce(.fixed), options: on).run()
        #expect(mach.symmetry == nil && mach.states == Checker(MachWireCoalesce(.fixed), options: quiet).run().states)
    }
}
