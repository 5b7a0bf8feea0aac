// OSMemoryStates: the runtime's OS memory abstraction (mem.go) as a state
// machine, checked twice: as its comments state the contract, and as the
// page allocator uses it.
//
// Models seed 001 (runtime/mem.go): regions are None, Reserved, Prepared or
// Ready; sysAlloc (None -> Ready), sysReserve (None -> Reserved), sysMap
// (Reserved -> Prepared), sysUsed (Prepared/Ready -> Ready, "the caller must
// provide the exact amount of Prepared memory"), sysUnused (Ready ->
// Prepared), sysFault (Ready -> Reserved), sysFree ("from any state to None",
// exact regions only), sysUnreserve (Reserved -> None, exact regions only),
// each with the accounting mem.go does: gcController.mappedReady and the
// caller's sysMemStat (which throws "sysMemStat overflow" below zero,
// mstats.go). The sysHuge* hints change no state mem.go accounts for; the
// contractWithHugePages variant adds sysHugePage/sysNoHugePage on any mapped
// range (a hint bit per unit) to show that no accounting depends on them.
//
// Fields
//   unit[k]        the state of address-space unit k (one physical page).
//   regions        the reservations the OS handed out (base, length), for the
//                  exact-region rule of sysFree/sysUnreserve.
//   mappedReady    gcController.mappedReady, in units.
//   sysStat        the sysMemStat the calls charge (one stat for all).
//   summaryMappedReady  pageAlloc.summaryMappedReady (allocator mode).
//   heapReleased   gcController.heapReleased: Prepared heap units.
//   allocated/scavenged  per heap chunk: in use, and returned to the OS.
//   breach         the first mem.go precondition a call broke (allocator mode).
//   badAccess      the first access to memory that was not Ready.
//   inexactFree    a free that did not name an exact earlier region.
//
// Two clients
//   contract       an adversary that makes every call whose precondition, as
//                  the comments state it, holds: any region, any order, on 3
//                  units.
//   allocator      the page allocator of mpagealloc.go / mpagealloc_64bit.go
//                  (Go 1.19) on a heap of 4 one-page chunks: sysInit
//                  sysReserves the summary arrays (a root level of 2 entries
//                  and a leaf level of 4, two entries per physical page:
//                  3 pages); grow(chunk), in any order (discontiguous heaps),
//                  sysReserves and sysMaps the chunk (mheap.grow, counted as
//                  released), then sysGrow maps the summary pages it needs,
//                  pruned by the pages its inUse neighbours already mapped,
//                  with sysMap + sysUsed(need, need, need), and updates the
//                  summaries; alloc sysUseds the page with the exact
//                  scavenged amount (mheap.allocSpan) and updates summaries;
//                  free updates summaries; the scavenger sysUnuseds free,
//                  unscavenged pages.
//
// Abstracted away: sizes are units (1 unit = 1 physical page); a chunk is
// one page; the summary radix tree has two levels instead of five (the
// block alignment and page rounding of sysGrow are kept, which is where
// pruning matters); the scavenge index and the 32-bit sysGrow are omitted.
// What is checked is exactly the transitions and the arithmetic of mem.go.

import ModelChecking

public struct OSMemoryStates: Model {
    public enum Variant: String, CaseIterable, Sendable {
        case contractAsCommented, contractAsAccounted, allocator
        case controlSubsetFree, controlNoPrune, controlInexactPrepared, controlSkipSysUsed
        /// The accounted contract plus sysHugePage/sysNoHugePage hints on
        /// any mapped range: hints change no state mem.go accounts for.
        case contractWithHugePages
        /// Controls on the transitions' preconditions: a client that calls
        /// sysUnused, or sysFault, on Prepared memory (mem.go: both start
        /// from Ready). Each takes bytes off mappedReady that were never on it.
        case controlUnusedPrepared, controlFaultPrepared

        public var isAllocator: Bool {
            switch self {
            case .allocator, .controlNoPrune, .controlInexactPrepared, .controlSkipSysUsed: return true
            default: return false
            }
        }

        public var summary: String {
            switch self {
            case .contractAsCommented: return "any caller obeying mem.go's comments (sysFree from any state)"
            case .contractAsAccounted: return "same, but sysFree only of Ready regions and faulted memory never mapped or released again (what the accounting assumes)"
            case .allocator: return "the page allocator's calls (Go 1.19 sysInit/sysGrow, allocSpan, scavenger)"
            case .controlSubsetFree: return "contract client that may sysFree part of a region"
            case .controlNoPrune: return "sysGrow without pruning pages its neighbours mapped"
            case .controlInexactPrepared: return "allocSpan passing nbytes, not the scavenged bytes, to sysUsed"
            case .controlSkipSysUsed: return "sysGrow maps summaries with sysMap only, then writes them"
            case .contractWithHugePages: return "accounted contract client that also gives sysHugePage/sysNoHugePage hints on mapped ranges"
            case .controlUnusedPrepared: return "accounted contract client that may sysUnused Prepared memory"
            case .controlFaultPrepared: return "accounted contract client that may sysFault Prepared memory"
            }
        }

        public var expected: Verdict {
            switch self {
            case .contractAsCommented:
                return Verdict(violated: ["mappedReadyMatchesReady", "sysStatNonNegative", "sysStatWithinOwned"])
            case .contractAsAccounted, .allocator, .contractWithHugePages: return .ok
            case .controlUnusedPrepared, .controlFaultPrepared:
                // The accounting goes wrong, and the transition's own
                // precondition check names the call.
                return Verdict(violated: ["mappedReadyMatchesReady", "callsMeetPreconditions"])
            case .controlSubsetFree: return .violates("freesExactRegions")
            case .controlNoPrune:
                return Verdict(violated: [
                    "mappedReadyMatchesReady", "summaryMappedReadyMatches", "sysStatWithinOwned", "callsMeetPreconditions",
                ])
            case .controlInexactPrepared: return Verdict(violated: ["mappedReadyMatchesReady", "callsMeetPreconditions"])
            case .controlSkipSysUsed: return .violates("accessOnlyReady")
            }
        }
    }

    public enum Mem: Sendable, Hashable { case none, reserved, prepared, ready }

    /// A region the OS handed out, and which call obtained it (sysUnreserve
    /// accepts only sysReserve's regions; sysFree accepts either).
    public struct Region: Sendable, Hashable, CustomStringConvertible {
        public enum Origin: Sendable, Hashable { case sysAlloc, sysReserve }
        public var base: Int
        public var length: Int
        public var origin: Origin
        public var description: String { "[\(base),\(base + length))\(origin == .sysAlloc ? "a" : "r")" }
    }

    public struct State: Sendable, Hashable {
        public var unit: [Mem]
        public var regions: [Region] = []
        public var mappedReady = 0
        public var sysStat = 0
        public var summaryMappedReady = 0
        public var heapReleased = 0
        public var allocated: [Bool] = []
        public var scavenged: [Bool] = []
        public var breach: String?
        public var badAccess: String?
        public var inexactFree = false
        /// Contract mode: units sysFault has put back to Reserved.
        public var faulted: [Bool] = []
        /// contractWithHugePages: units whose last hint was sysHugePage.
        public var huge: [Bool] = []
    }

    /// Contract mode: units 0..<3. Allocator mode: summary pages 0..<3
    /// (root, leaf 0, leaf 1) then heap chunks 3..<7.
    public static let contractUnits = 3
    public static let summaryPages = 3
    public static let chunks = 4
    public static let heapBase = summaryPages

    public let variant: Variant
    public let rules: [Rule<State>]

    public init(_ variant: Variant) {
        self.variant = variant
        self.rules = variant.isAllocator ? OSMemoryStates.allocatorRules(variant) : OSMemoryStates.contractRules(variant)
    }

    public var name: String { "OSMemoryStates" }

    public var initialStates: [State] {
        if variant.isAllocator {
            // sysInit: sysReserve the summary arrays (one region per level).
            var s = State(unit: Array(repeating: .none, count: OSMemoryStates.heapBase + OSMemoryStates.chunks))
            s.unit[0] = .reserved
            s.unit[1] = .reserved
            s.unit[2] = .reserved
            s.regions = [Region(base: 0, length: 1, origin: .sysReserve), Region(base: 1, length: 2, origin: .sysReserve)]
            s.allocated = Array(repeating: false, count: OSMemoryStates.chunks)
            s.scavenged = Array(repeating: false, count: OSMemoryStates.chunks)
            return [s]
        }
        var s = State(unit: Array(repeating: .none, count: OSMemoryStates.contractUnits))
        s.faulted = Array(repeating: false, count: OSMemoryStates.contractUnits)
        if variant == .contractWithHugePages { s.huge = Array(repeating: false, count: OSMemoryStates.contractUnits) }
        return [s]
    }

    /// The contract client may stop at any point, so every state is a
    /// legitimate end (no deadlocks); the allocator always has an action.
    public func isTerminal(_ s: State) -> Bool { !variant.isAllocator }

    public var properties: [Property<State>] {
        let owned = variant.isAllocator ? OSMemoryStates.summaryPages : OSMemoryStates.contractUnits
        var out: [Property<State>] = [
            .always("mappedReadyMatchesReady", doc: "gcController.mappedReady equals the Ready bytes (mem.go's accounting)") { s in
                s.mappedReady == s.unit.filter { $0 == .ready }.count
            }.reading(["mappedReady", "unit"]),
        ]
        if variant.isAllocator {
            out.append(.always("heapReleasedMatchesPrepared", doc: "gcController.heapReleased equals the Prepared (scavenged) heap bytes") { s in
                s.heapReleased == s.unit[OSMemoryStates.heapBase...].filter { $0 == .prepared }.count
            }.reading(["heapReleased", "unit"]))
            out.append(.always("summaryMappedReadyMatches", doc: "pageAlloc.summaryMappedReady equals the Ready summary bytes") { s in
                s.summaryMappedReady == s.unit[0..<OSMemoryStates.summaryPages].filter { $0 == .ready }.count
            }.reading(["summaryMappedReady", "unit"]))
        }
        out += [
            .always("sysStatNonNegative", doc: "no sysMemStat.add takes a stat below zero (mstats.go throws \"sysMemStat overflow\")") {
                $0.sysStat >= 0 && $0.heapReleased >= 0
            }.reading(["sysStat", "heapReleased"]),
            .always("sysStatWithinOwned", doc: "a sysMemStat never counts more bytes than the runtime owns (it measures mapped address space)") { s in
                s.sysStat <= s.unit.prefix(owned).filter { $0 != .none }.count
            }.reading(["sysStat", "unit"]),
            .always("freesExactRegions", doc: "sysFree/sysUnreserve only name an exact region an earlier sysAlloc/sysReserve returned") {
                !$0.inexactFree
            }.reading(["inexactFree"]),
            .always("accessOnlyReady", doc: "memory is read or written only while Ready (Reserved faults, Prepared is undefined)") {
                $0.badAccess == nil
            }.reading(["badAccess"]),
            .always("callsMeetPreconditions", doc: "every mem.go call the allocator makes meets the precondition its comment states") {
                $0.breach == nil
            }.reading(["breach"]),
        ]
        if variant.isAllocator {
            out.append(.sometimes("heapFullyGrown", doc: "every chunk can be grown") { s in
                s.unit[OSMemoryStates.heapBase...].allSatisfy { $0 != .none }
            }.reading(["unit"]))
            out.append(.sometimes("scavengedPageReused", doc: "a scavenged page can be allocated again") { s in
                s.allocated.indices.contains { s.allocated[$0] } && s.heapReleased > 0
            }.reading(["allocated", "heapReleased"]))
        } else {
            out.append(.sometimes("everyStateUsed", doc: "Reserved, Prepared and Ready units coexist") { s in
                Set(s.unit).isSuperset(of: [.reserved, .prepared, .ready])
            }.reading(["unit"]))
        }
        if variant == .contractWithHugePages {
            out.append(.sometimes("hugeHintOnReady", doc: "a Ready unit can carry the sysHugePage hint (the hints are reachable, not vacuous)") { s in
                s.unit.indices.contains { s.unit[$0] == .ready && s.huge[$0] }
            }.reading(["unit", "huge"]))
        }
        return out
    }

    public func fields(of s: State) -> [StateField] {
        var out: [StateField] = []
        for (k, unit) in s.unit.enumerated() {
            let name: String
            if variant.isAllocator {
                name = k == 0 ? "summary.root" : k < OSMemoryStates.heapBase ? "summary.leaf\(k - 1)" : "heap.chunk\(k - OSMemoryStates.heapBase)"
            } else {
                name = "unit\(k)"
            }
            out.append(StateField(name, "\(unit)"))
        }
        out.append(StateField("regions", s.regions.map(\.description).joined(separator: " ")))
        out.append(StateField("mappedReady", "\(s.mappedReady)"))
        out.append(StateField("sysStat", "\(s.sysStat)"))
        if variant.isAllocator {
            out.append(StateField("summaryMappedReady", "\(s.summaryMappedReady)"))
            out.append(StateField("heapReleased", "\(s.heapReleased)"))
            out.append(StateField("allocated", s.allocated.map { $0 ? "1" : "0" }.joined()))
            out.append(StateField("scavenged", s.scavenged.map { $0 ? "1" : "0" }.joined()))
        }
        if let breach = s.breach { out.append(StateField("breach", breach)) }
        if let bad = s.badAccess { out.append(StateField("badAccess", bad)) }
        if s.inexactFree { out.append(StateField("inexactFree", "true")) }
        if s.faulted.contains(true) {
            out.append(StateField("faulted", s.faulted.map { $0 ? "1" : "0" }.joined()))
        }
        if s.huge.contains(true) {
            out.append(StateField("hugeHint", s.huge.map { $0 ? "1" : "0" }.joined()))
        }
        return out
    }
}
