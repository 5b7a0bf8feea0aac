// Symmetry reduction over things that are not actors: Go's Ps in
// UFFDStopTheWorld, and a textbook model whose liveness counterexample must be
// lifted from the quotient graph to a real execution.

import ModelChecking
import Models
import Testing

/// A token roams among interchangeable slots: the mover (the only actor
/// that can act) moves it from its slot to any other; the waiter waits for a
/// flag nobody sets. "waiterFinishes" fails under weak fairness: the mover
/// loops for ever. The slots are not actors, so the symmetry keeps fairness.
/// In the quotient the loop is one state with a self-loop; a real execution
/// has to move the token back before it repeats a state.
struct RovingToken: Model {
    struct State: Hashable, Sendable {
        var token = 0
        var waiterDone = false
        var flag = false
    }

    let slots: Int
    /// Control: a symmetry declared as permuting actors (liveness skipped).
    var claimsActors = false
    let rules: [Rule<State>]

    init(slots: Int, claimsActors: Bool = false) {
        self.slots = slots
        self.claimsActors = claimsActors
        var rules: [Rule<State>] = []
        for from in 0..<slots {
            for to in 0..<slots where to != from {
                rules.append(Rule("mover", "move \(from)->\(to)", when: { $0.token == from }) { $0.token = to })
            }
        }
        rules.append(Rule("waiter", "finish", when: { $0.flag && !$0.waiterDone }) { $0.waiterDone = true })
        self.rules = rules
    }

    var name: String { "RovingToken" }
    var initialStates: [State] { [State()] }
    var properties: [Property<State>] {
        [.eventually("waiterFinishes", doc: "the waiter finishes (it cannot: nobody sets the flag)") { $0.waiterDone }]
    }
    var symmetry: String? { "permutations of the \(slots) slots" }
    var symmetryPermutesActors: Bool { claimsActors }
    func canonical(_ s: State) -> State {
        var c = s
        c.token = 0
        return c
    }
}

/// Applies a permutation of the Ps to a UFFD state: P k becomes P perm[k].
func permuteProcs(_ s: UFFDStopTheWorld.State, _ perm: [Int]) -> UFFDStopTheWorld.State {
    var out = s
    for k in s.p.indices { out.p[perm[k]] = s.p[k] }
    for i in out.g.indices where out.g[i].p >= 0 { out.g[i].p = perm[s.g[i].p] }
    return out
}

func permutations(_ n: Int) -> [[Int]] {
    if n == 0 { return [[]] }
    return permutations(n - 1).flatMap { p in (0...p.count).map { i in var q = p; q.insert(n - 1, at: i); return q } }
}

/// Every state reachable in the model, by a plain search outside the engine;
/// like the engine, it does not go on from a state that breaks an invariant.
func reachable<M: Model>(_ model: M) -> Set<M.State> {
    var seen = Set(model.initialStates)
    var work = model.initialStates
    let invariants = model.properties.filter { $0.kind == .always }
    while let s = work.popLast() {
        if invariants.contains(where: { !$0.condition(s) }) { continue }
        for rule in model.rules where rule.isEnabled(s) {
            var t = s
            rule.apply(&t)
            if seen.insert(t).inserted { work.append(t) }
        }
    }
    return seen
}

@Suite("Symmetry over non-actors")
struct SymmetryTests {
    /// For every variant at 2, 3 and 4 Ps, with and without sysmon: the
    /// reduced run stores one state per orbit of the full space (counted
    /// outside the engine), gives the seed's verdict like the full run, still
    /// checks liveness, and finds every counterexample the full run finds,
    /// at the same length, as a replayable execution.
    @Test("UFFD's Ps: one state per orbit, same verdicts and shortest counterexamples, liveness kept",
          arguments: UFFDStopTheWorld.Variant.allCases)
    func uffdProcs(variant: UFFDStopTheWorld.Variant) throws {
        var fullTotal = 0, reducedTotal = 0
        for procs in 2...4 {
            for sysmon in [false, true] {
                let model = UFFDStopTheWorld(variant, procs: procs, sysmon: sysmon)
                let full = Checker(model, options: quiet).run()
                var on = quiet
                on.symmetry = true
                let reduced = Checker(model, options: on).run()
                let states = reachable(model)
                #expect(states.count == full.states)
                #expect(reduced.states == Set(states.map(model.canonical)).count)
                #expect(reduced.states <= full.states)
                fullTotal += full.states
                reducedTotal += reduced.states
                #expect(reduced.symmetry == "permutations of the \(procs) Ps")
                #expect(reduced.verdict == full.verdict)
                #expect(reduced.verdict == variant.expected(procs: procs, sysmon: sysmon))
                #expect(reduced.livenessSkipped == nil && full.livenessSkipped == nil)
                let key = { (d: Discovery) in "\(d.kind) \(d.property)" }
                #expect(reduced.discoveries.map(key).sorted() == full.discoveries.map(key).sorted())
                for found in reduced.discoveries {
                    let twin = try #require(full.discoveries.first { key($0) == key(found) })
                    if found.kind != .example {
                        #expect(found.trace.steps.count == twin.trace.steps.count, "\(variant) procs=\(procs) sysmon=\(sysmon) \(key(found))")
                    }
                    #expect(throws: Never.self) { try Checker(model).replay(path: found.trace.path) }
                }
            }
        }
        // In controlNoGC no goroutine ever waits for a P (the two start on
        // one each and only exit), so no choice among idle Ps arises and no
        // orbit has two reachable members; everywhere else the reduction bites.
        if variant == .controlNoGC { #expect(reducedTotal == fullTotal) } else { #expect(reducedTotal < fullTotal) }
    }

    /// The canonical form is a function of the orbit: every permutation of
    /// the Ps of every reachable state canonicalises alike. Control: a
    /// canonical form that sorts the Ps by status only (ignoring which
    /// goroutine names an idle or stopped P as its own) fails the same check.
    @Test("UFFD's canonical form is invariant under every permutation of the Ps; a weaker one is caught")
    func uffdCanonical() {
        let model = UFFDStopTheWorld(.controlRunsWhileStopped, procs: 3, sysmon: true)
        let perms = permutations(3)
        #expect(perms.count == 6)
        func statusOnly(_ s: UFFDStopTheWorld.State) -> UFFDStopTheWorld.State {
            func rank(_ p: UFFDStopTheWorld.PStatus) -> Int {
                switch p {
                case .idle: return 0
                case .gcstop: return 1
                case .held(let g): return 2 + 2 * g
                case .syscall(let g): return 3 + 2 * g
                }
            }
            let order = s.p.indices.sorted { (rank(s.p[$0]), $0) < (rank(s.p[$1]), $1) }
            var inverse = [Int](repeating: 0, count: order.count)
            for (slot, old) in order.enumerated() { inverse[old] = slot }
            return permuteProcs(s, inverse)
        }
        var brokenCaught = false
        for s in reachable(model) {
            for perm in perms {
                let t = permuteProcs(s, perm)
                #expect(model.canonical(t) == model.canonical(s))
                if statusOnly(t) != statusOnly(s) { brokenCaught = true }
            }
        }
        #expect(brokenCaught)
    }

    /// The quotient's liveness counterexample is a self-loop on one state;
    /// lifted, it is a real lasso: it replays, and its loop ends in the state
    /// it starts from, after moving the token away and back.
    @Test("a liveness counterexample found in the quotient is lifted to a real lasso")
    func liftedLasso() throws {
        let model = RovingToken(slots: 3)
        var on = quiet
        on.symmetry = true
        let reduced = Checker(model, options: on).run()
        #expect(reduced.states == 1)
        #expect(reduced.livenessSkipped == nil)
        let trace = try #require(reduced.discovery("waiterFinishes")?.trace)
        let loopStart = try #require(trace.loopStart)
        let states = try Checker(model).replay(path: trace.path)
        #expect(states.count == trace.steps.count + 1)
        #expect(states[loopStart] == states.last)
        #expect(trace.steps.count - loopStart == 2)
        #expect(trace.steps.allSatisfy { $0.actor == "mover" })
        let full = Checker(model, options: quiet).run()
        #expect(full.states == 3 && full.discovery("waiterFinishes") != nil)
        // Control: a symmetry that permutes actors skips liveness, and says so.
        let actors = Checker(RovingToken(slots: 3, claimsActors: true), options: on).run()
        #expect(actors.discovery("waiterFinishes") == nil)
        #expect(actors.livenessSkipped?.contains("symmetry") == true)
    }
}

/// The engine benchmark's rows, at a small size: the philosophers in both
/// engines with the same count, and a reductions-on row for every model that
/// declares a symmetry, storing fewer states than the row without.
@Suite("Engine benchmark", .enabled(if: SpinRunner.isInstalled, "SPIN not installed (apt-get install -y spin gcc)"))
struct BenchmarkRowsTests {
    @Test("rows: philosophers agree with SPIN; reductions-on rows store fewer states")
    func rows() throws {
        let result = try runBenchmark(philosophers: 4, parallelism: .sequential)
        let names = result.rows.map(\.model)
        #expect(result.rows[0].swift.states == result.rows[0].spin?.statesStored)
        for reduced in result.rows where reduced.model.hasSuffix(", reductions on") {
            let base = String(reduced.model.dropLast(", reductions on".count))
            let full = try #require(result.rows.first { $0.model == base }, "\(base) has no row")
            #expect(reduced.swift.states < full.swift.states, "\(reduced.model)")
            #expect(reduced.swift.symmetry != nil && full.swift.symmetry == nil)
            #expect(reduced.swift.verdict == full.swift.verdict)
        }
        #expect(names.contains("UFFDStopTheWorld/fixedInRuntimeHandler, reductions on"))
        #expect(names.contains("UFFDStopTheWorld/fixedInRuntimeHandler [procs=4 sysmon=1], reductions on"))
        #expect(!names.contains("MachWireCoalesce/preFix, reductions on"))
    }
}
