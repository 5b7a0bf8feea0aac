// OSMemoryStates: where mem.go's comments and its accounting disagree, and
// the page allocator staying inside the part of the contract that works.

import ModelChecking
import Models
import Testing

@Suite("OSMemoryStates")
struct OSMemoryStatesTests {
    static let pinned: [OSMemoryStates.Variant: Int] = [
        .contractAsCommented: 4750, .contractAsAccounted: 1003, .allocator: 256,
        .controlSubsetFree: 1316, .controlNoPrune: 43, .controlInexactPrepared: 512, .controlSkipSysUsed: 5,
        .contractWithHugePages: 7103, .controlUnusedPrepared: 1942, .controlFaultPrepared: 1942,
    ]

    /// sysHugePage/sysNoHugePage: reachable on Ready memory, and no
    /// accounting property depends on them (the variant is ok).
    @Test("huge-page hints are reachable and change no accounting")
    func hugePageHints() throws {
        let result = Checker(OSMemoryStates(.contractWithHugePages), options: quiet).run()
        #expect(result.verdict == .ok && result.complete)
        #expect(result.discovery("hugeHintOnReady")?.kind == .example)
        #expect(OSMemoryStates(.contractWithHugePages).rules.contains { $0.name == "sysHugePage0..<3" })
        #expect(!OSMemoryStates(.contractAsAccounted).rules.contains { $0.name.hasPrefix("sysHugePage") })
    }

    /// The precondition controls: the counterexample ends with the
    /// offending call on Prepared memory.
    @Test("sysUnused and sysFault of Prepared memory: the trace names the call", arguments: [
        (OSMemoryStates.Variant.controlUnusedPrepared, "sysUnused(prepared)"), (.controlFaultPrepared, "sysFault(prepared)"),
    ])
    func preparedControls(variant: OSMemoryStates.Variant, call: String) throws {
        let result = Checker(OSMemoryStates(variant), options: quiet).run()
        let trace = try #require(result.discovery("mappedReadyMatchesReady")?.trace)
        #expect(trace.steps.last?.action.hasPrefix(call) == true, "\(trace.steps.map(\.action))")
    }

    @Test("verdict and state count", arguments: OSMemoryStates.Variant.allCases)
    func verdict(variant: OSMemoryStates.Variant) {
        let result = Checker(OSMemoryStates(variant), options: quiet).run()
        #expect(result.verdict == variant.expected)
        #expect(result.complete)
        #expect(result.states == OSMemoryStatesTests.pinned[variant])
    }

    /// Finding 1: sysFree says "from any state", but always takes n off
    /// mappedReady and sysStat: freeing a Reserved region drives both to -n
    /// (and sysMemStat.add throws).
    @Test("contract as commented: sysReserve then sysFree breaks the accounting")
    func freeFromAnyState() throws {
        let result = Checker(OSMemoryStates(.contractAsCommented), options: quiet).run()
        let trace = try #require(result.discovery("mappedReadyMatchesReady")?.trace)
        #expect(trace.steps.map(\.action) == ["sysReserve0..<1", "sysFree0..<1"])
        #expect(field(trace.final, "mappedReady") == "-1")
        #expect(result.discovery("sysStatNonNegative")?.trace.steps.count == 2)
    }

    /// Finding 2: sysFault takes memory off mappedReady but leaves it in
    /// sysStat, so mapping it again (allowed: it is Reserved) counts it twice.
    @Test("contract as commented: sysFault then sysMap counts the memory twice")
    func faultThenMap() throws {
        let result = Checker(OSMemoryStates(.contractAsCommented), options: quiet).run()
        let trace = try #require(result.discovery("sysStatWithinOwned")?.trace)
        #expect(trace.steps.map(\.action) == ["sysAlloc0..<1", "sysFault0..<1", "sysMap0..<1"])
        #expect(field(trace.final, "sysStat") == "2")
    }

    @Test("the allocator's use is clean and not vacuous")
    func allocator() {
        let result = Checker(OSMemoryStates(.allocator), options: quiet).run()
        #expect(result.verdict == .ok)
        #expect(result.unreachedExamples.isEmpty)  // heap fully grown; scavenged page reused
    }

    @Test("each control breaks the invariant it targets, with the shortest trace", arguments: [
        (OSMemoryStates.Variant.controlSubsetFree, "freesExactRegions", 2),
        (.controlNoPrune, "callsMeetPreconditions", 2),
        (.controlInexactPrepared, "mappedReadyMatchesReady", 4),
        (.controlSkipSysUsed, "accessOnlyReady", 1),
    ])
    func controls(variant: OSMemoryStates.Variant, invariant: String, steps: Int) {
        let result = Checker(OSMemoryStates(variant), options: quiet).run()
        #expect(result.discovery(invariant)?.kind == .invariantViolation)
        #expect(result.discovery(invariant)?.trace.steps.count == steps)
    }

    /// sysGrow's arithmetic on the small geometry: which summary pages a
    /// chunk needs, and addrRange.subtract's cases (mranges.go).
    @Test("summary page arithmetic and subtract")
    func arithmetic() {
        #expect(OSMemoryStates.summaryUnits(level: 0, chunks: 0..<1) == 0..<1)
        #expect(OSMemoryStates.summaryUnits(level: 0, chunks: 3..<4) == 0..<1)
        #expect(OSMemoryStates.summaryUnits(level: 1, chunks: 0..<1) == 1..<2)
        #expect(OSMemoryStates.summaryUnits(level: 1, chunks: 3..<4) == 2..<3)
        #expect(OSMemoryStates.summaryUnits(level: 1, chunks: 1..<3) == 1..<3)
        var s = OSMemoryStates(.allocator).initialStates[0]
        #expect(OSMemoryStates.subtract(1..<3, 0..<4, &s).isEmpty)
        #expect(OSMemoryStates.subtract(1..<3, 0..<2, &s) == 2..<3)
        #expect(OSMemoryStates.subtract(1..<3, 2..<4, &s) == 1..<2)
        #expect(OSMemoryStates.subtract(1..<3, 5..<6, &s) == 1..<3)
        #expect(s.breach == nil)
        _ = OSMemoryStates.subtract(0..<4, 1..<2, &s)
        #expect(s.breach == "bad prune")
    }

    @Test("invariants fire by name on corrupted states")
    func invariantsFire() {
        let model = OSMemoryStates(.allocator)
        let good = model.initialStates[0]
        func holds(_ name: String, _ state: OSMemoryStates.State) -> Bool {
            model.properties.first { $0.name == name }!.condition(state)
        }
        let corruptions: [(String, (inout OSMemoryStates.State) -> Void)] = [
            ("mappedReadyMatchesReady", { $0.mappedReady = 1 }),
            ("heapReleasedMatchesPrepared", { $0.heapReleased = 1 }),
            ("summaryMappedReadyMatches", { $0.summaryMappedReady = 1 }),
            ("sysStatNonNegative", { $0.sysStat = -1 }),
            ("sysStatWithinOwned", { $0.sysStat = 4 }),
            ("freesExactRegions", { $0.inexactFree = true }),
            ("accessOnlyReady", { $0.badAccess = "test" }),
            ("callsMeetPreconditions", { $0.breach = "test" }),
        ]
        for (name, corrupt) in corruptions {
            var bad = good
            corrupt(&bad)
            #expect(holds(name, good), "\(name) holds initially")
            #expect(!holds(name, bad), "\(name) fires")
        }
    }
}
