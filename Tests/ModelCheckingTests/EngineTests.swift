// The engine's own machinery: determinism across threads and visited modes,
// bounds, replay, rendering, and the SPIN output parsers.

import Foundation
import ModelChecking
import Models
import Testing
import SplitMix

@Suite("Engine")
struct EngineTests {
    /// Levels expanded on every core must give the same ids, counts and
    /// traces as one thread: Q_10 = 6726 states for ten philosophers.
    @Test("parallel expansion is identical to sequential")
    func parallelMatchesSequential() {
        let model = DiningPhilosophers(n: 10)
        let sequential = Checker(model, options: quiet).run()
        var parallelOptions = quiet
        parallelOptions.parallelism = .parallel(minimumFrontier: 1)
        let parallel = Checker(model, options: parallelOptions).run()
        #expect(sequential.states == 6726)
        #expect(parallel.states == sequential.states)
        #expect(parallel.transitions == sequential.transitions)
        #expect(parallel.maxDepth == sequential.maxDepth)
        #expect(parallel.discovery("deadlock")?.trace.path == sequential.discovery("deadlock")?.trace.path)
        #expect(parallel.render(includeTimings: false).contains("threads") == false)
        #expect(parallel.render(includeTimings: false) == sequential.render(includeTimings: false))
    }

    @Test("fingerprint mode finds the same states and traces, and skips liveness")
    func fingerprints() {
        var options = quiet
        options.visited = .fingerprints
        let exact = Checker(Peterson(), options: quiet).run()
        let hashed = Checker(Peterson(), options: options).run()
        #expect(hashed.states == exact.states)
        #expect(hashed.transitions == exact.transitions)
        #expect(hashed.livenessSkipped == "visited set stores fingerprints")
        let broken = Checker(BrokenMutex(), options: options).run()
        #expect(broken.discovery("mutualExclusion")?.trace.path
            == Checker(BrokenMutex(), options: quiet).run().discovery("mutualExclusion")?.trace.path)
    }

    @Test("the default fingerprint is deterministic and separates states")
    func fingerprintValues() {
        let model = Peterson()
        let a = Peterson.State(), b = Peterson.State(pc: [1, 0], flag: [true, false], turn: 0, ncrit: 0)
        #expect(model.fingerprint(of: a) == model.fingerprint(of: Peterson.State()))
        #expect(model.fingerprint(of: a) != model.fingerprint(of: b))
        var first = Fingerprinter(), second = Fingerprinter()
        first.combine("ab"); first.combine("c")
        second.combine("a"); second.combine("bc")
        #expect(first.value != second.value)
        // SplitMix64 reference value for seed 0 (Vigna's splitmix64.c).
        var rng = SplitMix64(seed: 0)
        #expect(rng.next() == 0xe220_a839_7b1d_cdaf)
    }

    @Test("depth bound: only depth <= 1 stored, run marked incomplete, deadlock not claimed")
    func depthBound() {
        var options = quiet
        options.maxDepth = 1
        let result = Checker(DiningPhilosophers(n: 3), options: options).run()
        #expect(result.states == 4)  // the initial state and three left forks
        #expect(result.complete == false)
        #expect(result.verdict == .ok)
        #expect(result.render(includeTimings: false).contains("incomplete"))
    }

    @Test("state cap stops insertion and marks the run incomplete")
    func stateCap() {
        var options = quiet
        options.maxStates = 5
        let result = Checker(DiningPhilosophers(n: 3), options: options).run()
        #expect(result.states == 5)
        #expect(result.complete == false)
    }

    @Test("a trace's path replays to its final state; bad paths are errors, not crashes")
    func replay() throws {
        let checker = Checker(DiningPhilosophers(n: 3), options: quiet)
        let trace = try #require(checker.run().discovery("deadlock")?.trace)
        let states = try checker.replay(path: trace.path)
        #expect(states.count == trace.steps.count + 1)
        #expect(states.last.map { s in (0..<3).map { s.phase($0) } } == [1, 1, 1])
        #expect(throws: ReplayError.malformedPath("nonsense")) { try checker.replay(path: "nonsense") }
        #expect(throws: ReplayError.noSuchInitialState(3)) { try checker.replay(path: "3:0") }
        #expect(throws: ReplayError.noSuchRule(99)) { try checker.replay(path: "0:99") }
        // Rule 1 is phil0.takeRight, not enabled before takeLeft.
        #expect(throws: ReplayError.ruleNotEnabled(step: 1, rule: "takeRight")) { try checker.replay(path: "0:1") }
    }

    @Test("trace steps name actor, action and exactly the changed fields")
    func traceRendering() throws {
        let result = Checker(DiningPhilosophers(n: 3), options: quiet).run()
        let trace = try #require(result.discovery("deadlock")?.trace)
        let first = try #require(trace.steps.first)
        #expect(first.actor == "phil0")
        #expect(first.action == "takeLeft")
        #expect(first.changes == [
            FieldChange(field: "phase[0]", before: "0", after: "1"),
            FieldChange(field: "fork[0]", before: "false", after: "true"),
        ])
        let text = trace.render(indent: "")
        #expect(text.hasPrefix("0. initial: phase[0]=0, phase[1]=0, phase[2]=0, fork[0]=false"))
        #expect(text.contains("1. [phil0] takeLeft: phase[0] 0 -> 1; fork[0] false -> true"))
        #expect(text.hasSuffix("replay: \(trace.path)"))
    }

    @Test("peak memory is read from /proc on Linux")
    func peakMemory() {
        #if os(Linux)
        let peak = ResourceUsage.peakResidentBytes()
        #expect((peak ?? 0) > 1_000_000)
        #endif
    }

    @Test("pan summary and trail parsing")
    func spinParsing() throws {
        let trail = """
          1:\tproc  4 (phil:1) phil.pml:6 (state 3)\t[((fork[i]==0))]
          1:\tproc  4 (phil:1) phil.pml:6 (state 2)\t[fork[i] = 1]
        \t\tfork[0] = 0
        \t\tfork[1] = 1
          2:\tproc  3 (phil:1) phil.pml:6 (state 3)\t[((fork[i]==0))]
        \t\tfork[0] = 1
        \t\tfork[1] = 1
        spin: trail ends after 2 steps
        """
        let steps = SpinTrail.parse(trail)
        #expect(steps.count == 2)
        #expect(steps[0] == SpinStep(number: 1, process: "phil:4", line: 6,
                                     statement: "((fork[i]==0)); fork[i] = 1",
                                     changes: ["fork[0] = 0", "fork[1] = 1"]))
        #expect(steps[1].changes == ["fork[0] = 1"])
        #expect(SpinTrail.render(steps, indent: "").hasPrefix("1. [phil:4] line 6: ((fork[i]==0)); fork[i] = 1  => fork[0] = 0, fork[1] = 1"))
    }

    @Test("a missing Promela file is a clear error")
    func missingModel() {
        #expect(throws: SpinError.modelNotFound(path: "/nonexistent.pml")) {
            try SpinRunner.verify(modelPath: "/nonexistent.pml")
        }
    }
}
