// The seed models: each variant's verdict and state count, the shape of the
// counterexamples, and non-vacuity (the race the seed describes is reachable
// in the fixed variants too). State counts are pinned from this engine; SPIN
// counts on the twins differ by encoding (see SpinAgreementTests).

import ModelChecking
import Models
import Testing

func field(_ fields: [StateField], _ name: String) -> String? {
    fields.first { $0.name == name }?.value
}

@Suite("UFFDStopTheWorld")
struct UFFDTests {
    static let pinned: [UFFDStopTheWorld.Variant: Int] = [
        .preFix: 192, .fixed: 337, .preFixInRuntimeHandler: 439, .fixedInRuntimeHandler: 2094,
        .controlNoGC: 12, .controlNoBarrier: 255, .controlNoGCInRuntimeHandler: 57,
        .controlSTWWaitsForSyscalls: 353, .controlRunsWhileStopped: 339,
    ]

    @Test("verdict and state count", arguments: UFFDStopTheWorld.Variant.allCases)
    func verdict(variant: UFFDStopTheWorld.Variant) {
        let result = Checker(UFFDStopTheWorld(variant), options: quiet).run()
        #expect(result.verdict == variant.expected)
        #expect(result.complete)
        #expect(result.states == UFFDTests.pinned[variant])
        #expect(result.livenessSkipped == nil)
    }

    /// The deadlock: a pending stop, the reader parked in the kernel still
    /// holding its P, the child handler waiting for the barrier, and the
    /// barrier's goroutine preempted and unable to run.
    @Test("pre-fix deadlock trace shows pending stop, parked reader, waiting handler, stuck goroutine")
    func preFixTrace() throws {
        let result = Checker(UFFDStopTheWorld(.preFix), options: quiet).run()
        let trace = try #require(result.discovery("deadlock")?.trace)
        #expect(trace.steps.map(\.action) == ["plainLoad", "stopTheWorld", "safePoint"])
        let end = trace.final
        #expect(field(end, "stwPending") == "true")
        #expect(field(end, "G1 reader.status") == "running")
        #expect(field(end, "G1 reader.threadParkedInKernel") == "true")
        #expect(field(end, "P0") == "held(G1)")
        #expect(field(end, "page0.faultQueued") == "true")
        #expect(field(end, "barrierReleased") == "false")
        #expect(field(end, "G2 releaser.status") == "runnable")
        #expect(field(end, "G3 gcTrigger.pc") == "waitForStop")
    }

    @Test("in-runtime handler: deadlock leaves the handler goroutine runnable without a P")
    func inRuntimeTrace() throws {
        let result = Checker(UFFDStopTheWorld(.preFixInRuntimeHandler), options: quiet).run()
        let end = try #require(result.discovery("deadlock")?.trace.final)
        #expect(field(end, "G4 handler.status") == "runnable")
        #expect(field(end, "stwPending") == "true")
        #expect(field(end, "G1 reader.threadParkedInKernel") == "true")
    }

    /// The fixed runs reach the same race (a fault while a stop is pending)
    /// and the stop completes; every fair behaviour finishes.
    @Test("fixed variants are not vacuous", arguments: [UFFDStopTheWorld.Variant.fixed, .fixedInRuntimeHandler])
    func fixedNonVacuous(variant: UFFDStopTheWorld.Variant) {
        let result = Checker(UFFDStopTheWorld(variant), options: quiet).run()
        #expect(result.discovery("faultDuringPendingStop")?.kind == .example)
        #expect(result.discovery("worldStops")?.kind == .example)
        #expect(result.unreachedExamples.isEmpty)
        #expect(result.discovery("allFinished") == nil)
    }

    /// `--param procs=N --param sysmon=0|1`: every variant at every size
    /// reaches the verdict `expected(procs:sysmon:)` derives from the seed
    /// (three ways to stall, see UFFDStopTheWorld.Variant.expected), with a
    /// complete search. With one P: the plain load deadlocks with or without
    /// a GC (the reader keeps the only P), the fix is ok only with sysmon.
    @Test("verdicts at every GOMAXPROCS, with and without sysmon", arguments: [1, 2, 3, 4])
    func parameterGrid(procs: Int) {
        for sysmon in [false, true] {
            for variant in UFFDStopTheWorld.Variant.allCases {
                let result = Checker(UFFDStopTheWorld(variant, procs: procs, sysmon: sysmon), options: quiet).run()
                #expect(result.verdict == variant.expected(procs: procs, sysmon: sysmon), "\(variant) procs=\(procs) sysmon=\(sysmon)")
                #expect(result.complete)
            }
        }
        #expect(UFFDStopTheWorld.Variant.fixed.expected(procs: 1, sysmon: true) == .ok)
        #expect(UFFDStopTheWorld.Variant.fixed.expected(procs: 1, sysmon: false) == .deadlock)
        #expect(UFFDStopTheWorld.Variant.controlNoGC.expected(procs: 1, sysmon: true) == .deadlock)
    }

    /// With one P and sysmon, the fixed run's P is retaken while the reader
    /// is in its syscall: the path that only sysmon opens.
    @Test("one P, fixed: sysmon's retake is on the way to the end")
    func singlePUsesRetake() throws {
        let model = UFFDStopTheWorld(.fixed, procs: 1, sysmon: true)
        #expect(model.initialStates.count == 3)  // any of the three goroutines may start
        #expect(model.rules.contains { $0.name == "retake P0" })
        let noSysmon = Checker(UFFDStopTheWorld(.fixed, procs: 1, sysmon: false), options: quiet).run()
        let end = try #require(noSysmon.discovery("deadlock")?.trace.final)
        #expect(field(end, "P0")?.hasPrefix("syscall") == true)
    }

    /// The broken runtimes: the stop that waits for a syscall deadlocks
    /// with the parked reader's P still in _Psyscall; the exitsyscall that
    /// ignores the stop runs the reader in a stopped world.
    @Test("broken-runtime controls: the traces show the mechanism")
    func brokenRuntimes() throws {
        let waits = Checker(UFFDStopTheWorld(.controlSTWWaitsForSyscalls), options: quiet).run()
        let end = try #require(waits.discovery("deadlock")?.trace.final)
        #expect(field(end, "stwPending") == "true")
        #expect(field(end, "P0") == "syscall(G1)")
        #expect(field(end, "G1 reader.threadParkedInKernel") == "true")
        let runs = Checker(UFFDStopTheWorld(.controlRunsWhileStopped), options: quiet).run()
        let bad = try #require(runs.discovery("nothingRunsWhileStopped")?.trace)
        #expect(bad.steps.last?.action == "exitsyscall")
        #expect(field(bad.final, "worldStopped") == "true")
        #expect(field(bad.final, "G1 reader.status") == "running")
    }

    @Test("invariants fire by name on corrupted states")
    func invariantsFire() throws {
        let model = UFFDStopTheWorld(.fixed)
        let good = model.initialStates[0]
        func holds(_ name: String, _ state: UFFDStopTheWorld.State) -> Bool {
            model.properties.first { $0.name == name }!.condition(state)
        }
        var lostP = good
        lostP.p[0] = .idle  // G1 is running but its P is idle
        #expect(holds("pOwnership", good) && !holds("pOwnership", lostP))
        var runningInStop = good
        runningInStop.worldStopped = true  // G1 still running
        #expect(holds("nothingRunsWhileStopped", good) && !holds("nothingRunsWhileStopped", runningInStop))
        var readMissing = good
        readMissing.g[0].pc = .done  // finished reading a page never served
        #expect(holds("readsSeeResidentPages", good) && !holds("readsSeeResidentPages", readMissing))
    }
}

@Suite("MachWireCoalesce")
struct MachTests {
    static let pinned: [MachWireCoalesce.Variant: Int] = [
        .preFix: 263, .fixed: 150, .controlNoCoalescing: 53, .controlFastPathOnly: 193, .controlNoUnwire: 82,
        .controlWaiterOnWiredEntry: 445,
    ]

    /// `--param entries=3|4 coalesces=1|2 looptest=0|1`: every variant at
    /// every size reaches `expected(entries:coalesces:)`, completely, and
    /// under weak fairness the wiring finishes wherever the verdict is ok.
    @Test("verdicts at every map size, coalescing count and loop-test form", arguments: [3, 4])
    func parameterGrid(entries: Int) {
        for coalesces in [1, 2] {
            for loopTest in [false, true] {
                for variant in MachWireCoalesce.Variant.allCases {
                    let config = MachWireCoalesce.Config(entries: entries, coalesces: coalesces, machLoopTest: loopTest)
                    let result = Checker(MachWireCoalesce(variant, config: config), options: quiet).run()
                    let label = "\(variant) entries=\(entries) coalesces=\(coalesces) looptest=\(loopTest)"
                    #expect(result.verdict == variant.expected(entries: entries, coalesces: coalesces), "\(label)")
                    #expect(result.complete, "\(label)")
                    if result.verdict.isOK { #expect(result.livenessSkipped == nil && result.discovery("wiringFinishes") == nil, "\(label)") }
                }
            }
        }
    }

    /// With Z below A, C merges W's entry into Z while W is unlocked: the
    /// entry vm_fault_wire points to is unlinked and freed.
    @Test("four entries: a coalesce frees the entry W holds (use after free)")
    func useAfterFree() throws {
        let result = Checker(MachWireCoalesce(.controlFastPathOnly, config: .init(entries: 4)), options: quiet).run()
        let trace = try #require(result.discovery("entryReferenceValid")?.trace)
        let actions = trace.steps.map(\.action)
        let unlock = try #require(actions.firstIndex(of: "vm_map_unlock (trust me)"))
        let merge = try #require(actions.firstIndex(of: "vm_map_coalesce_entry(#0, #1)"))
        #expect(unlock < merge && merge == actions.count - 1)
        #expect(field(trace.final, "W.entry") == "e0")
        #expect(field(trace.final, "map.entries")?.contains("e0[") == false)
        // The fix's mark inhibits the merge at this size too.
        #expect(Checker(MachWireCoalesce(.fixed, config: .init(entries: 4, coalesces: 2)), options: quiet).run().verdict == .ok)
    }

    /// A thread that waits on W's in-transition entry sets needs_wakeup:
    /// the fix's `assert(!entry->needs_wakeup)` fires when W clears the mark.
    @Test("a waiter on the wired entry makes assert(!needs_wakeup) fire")
    func waiterControl() throws {
        let result = Checker(MachWireCoalesce(.controlWaiterOnWiredEntry), options: quiet).run()
        let trace = try #require(result.discovery("fixAssertionsHold")?.trace)
        #expect(trace.steps.map(\.action).contains("entry in transition? wait"))
        #expect(field(trace.final, "failedAssertion") == "assert(!entry->needs_wakeup)")
    }

    /// The liveness property: in the fixed model every weakly fair run
    /// lets the wiring finish; it is checked, not skipped.
    @Test("fixed: the wiring finishes under weak fairness")
    func wiringFinishes() {
        let result = Checker(MachWireCoalesce(.fixed), options: quiet).run()
        #expect(result.livenessSkipped == nil)
        #expect(result.discovery("wiringFinishes") == nil)
        #expect(MachWireCoalesce(.fixed).properties.contains { $0.name == "wiringFinishes" })
        // Negative control: a thread that takes and drops the map lock for
        // ever can starve W (W's lock step is enabled only between its
        // rounds, so weak fairness does not force it): the property fires.
        let starved = Checker(LockHog(base: MachWireCoalesce(.fixed)), options: quiet).run()
        #expect(starved.discovery("wiringFinishes")?.kind == .livenessViolation)
    }

    @Test("verdict and state count", arguments: MachWireCoalesce.Variant.allCases)
    func verdict(variant: MachWireCoalesce.Variant) {
        let result = Checker(MachWireCoalesce(variant), options: quiet).run()
        #expect(result.verdict == variant.expected)
        #expect(result.complete)
        #expect(result.states == MachTests.pinned[variant])
        #expect(result.discovery("allDone")?.kind == .example)
    }

    /// The patch's seven steps: W unlocks and calls vm_fault_wire; the entry
    /// is coalesced with the neighbour U is about to unwire; W sets busy on
    /// that page and waits for the read lock in vm_map_verify; U holds the
    /// write lock waiting for busy.
    @Test("pre-fix deadlock follows the patch's steps")
    func preFixTrace() throws {
        let result = Checker(MachWireCoalesce(.preFix), options: quiet).run()
        let trace = try #require(result.discovery("deadlock")?.trace)
        let actions = trace.steps.map(\.action)
        let unlock = try #require(actions.firstIndex(of: "vm_map_unlock (trust me)"))
        let coalesce = try #require(actions.firstIndex(of: "vm_map_coalesce_entry(#0, #1)"))
        let bounds = try #require(actions.firstIndex(of: "vm_fault_wire: read entry bounds"))
        #expect(unlock < coalesce && coalesce < bounds)
        let end = trace.final
        #expect(field(end, "map.lock") == "write(U)")
        #expect(field(end, "W.pc") == "slowVerify")
        #expect(field(end, "page1.busy") == "true")
        #expect(field(end, "U.pc") == "unwirePage")
        #expect(field(end, "U.page") == "1")
        #expect(result.discovery("wireLeavesRegion")?.kind == .example)
    }

    /// The fix stops the entry from changing: W never touches B's page, and
    /// the patch's asserts hold on every path.
    @Test("fixed: W stays in its region and the asserts hold")
    func fixed() {
        let result = Checker(MachWireCoalesce(.fixed), options: quiet).run()
        #expect(result.discovery("fixAssertionsHold") == nil)
        #expect(result.unreachedExamples == ["wireLeavesRegion"])
        // Without coalescing the entry cannot grow either.
        #expect(Checker(MachWireCoalesce(.controlNoCoalescing), options: quiet).run().unreachedExamples == ["wireLeavesRegion"])
        // Fast path only: W still wanders into B (the entry changed), but
        // never waits for the lock with busy held, so no deadlock.
        let fast = Checker(MachWireCoalesce(.controlFastPathOnly), options: quiet).run()
        #expect(fast.discovery("wireLeavesRegion")?.kind == .example)
        #expect(fast.verdict == .ok)
    }

    @Test("invariants fire by name on corrupted states")
    func invariantsFire() {
        let model = MachWireCoalesce(.fixed)
        let good = model.initialStates[0]
        func holds(_ name: String, _ state: MachWireCoalesce.State) -> Bool {
            model.properties.first { $0.name == name }!.condition(state)
        }
        var failed = good
        failed.failedAssertion = "assert(!entry->needs_wakeup)"
        #expect(holds("fixAssertionsHold", good) && !holds("fixAssertionsHold", failed))
        var dangling = good
        dangling.wEntry = 7
        #expect(holds("entryReferenceValid", good) && !holds("entryReferenceValid", dangling))
        var both = good
        both.writer = .U
        both.readers = 1
        #expect(holds("lockWellFormed", good) && !holds("lockWellFormed", both))
    }
}

/// The fixed Mach model plus a thread that locks and unlocks the map for
/// ever: the wiring-finishes property's negative control.
struct LockHog: Model {
    let base: MachWireCoalesce
    var name: String { "MachWireCoalesce+LockHog" }
    var initialStates: [MachWireCoalesce.State] { base.initialStates }
    var rules: [Rule<MachWireCoalesce.State>] {
        base.rules + [
            Rule("H hog", "lock", when: { $0.writer == nil && $0.readers == 0 && $0.cpc == .done }) { $0.writer = .X },
            Rule("H hog", "unlock", when: { $0.writer == .X }) { $0.writer = nil },
        ]
    }
    var properties: [Property<MachWireCoalesce.State>] { base.properties }
    func isTerminal(_ s: MachWireCoalesce.State) -> Bool { base.isTerminal(s) }
    func fields(of s: MachWireCoalesce.State) -> [StateField] { base.fields(of: s) }
    func fingerprint(of s: MachWireCoalesce.State) -> UInt64 { base.fingerprint(of: s) }
}
