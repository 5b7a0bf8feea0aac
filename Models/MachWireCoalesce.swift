// MachWireCoalesce: GNU Mach's vm_map_pageable_scan wiring with the map
// unlocked, against entry coalescence and an unwiring thread.
//
// Models seed 004 (Sergey Bugaev, "[PATCH 3/3] vm: Mark entries as
// in-transition while wiring down", bug-hurd, April 2024). On the kernel map,
// vm_map_pageable_scan raises the wired counts of the region's entries, then
// unlocks the map ("HACK HACK HACK HACK") and calls vm_fault_wire through a
// pointer to the entry. Another thread coalesces that entry with its
// neighbour (equal wired counts, neither in transition), so vm_fault_wire
// walks into the neighbour's pages; it sets busy on a page that the unwiring
// thread is about to unwire and then waits for the map's read lock in
// vm_map_verify, while the unwiring thread holds the write lock waiting for
// busy to clear (the patch's seven steps). The fix marks the entries
// in_transition before unlocking (which inhibits coalescence), clears the
// mark after relocking and asserts needs_wakeup was never set.
//
// Actors and fields
//   entries       the map's entries in address order: [start, end), wired
//                 (wired_count), inTransition, needsWakeup, and an id that
//                 stands for the entry object's address (clipping keeps the
//                 object for one part and allocates a new one for the other).
//   writer/readers the map lock (lock_t): one writer or any number of readers.
//   busy[page]    the page's busy bit (PAGE_BUSY / PAGE_WAKEUP_DONE).
//   W             wires region A = [0,1): lock write, wired_count++ (fixed:
//                 set in_transition), unlock, vm_fault_wire(entry) page by
//                 page over the bounds it reads through the entry pointer
//                 (fast path: busy, enter, unbusy, no map lock; slow path when
//                 the fast path gives up: vm_map_lookup under the read lock,
//                 vm_fault_page sets busy, vm_map_verify takes the read lock
//                 while busy is held, then unlock and unbusy), follow
//                 vme_next while inside A, relock (fixed: clear and assert).
//   U             unwires region B = [1,2), wired earlier: lock write, wait
//                 out in-transition entries (setting needs_wakeup), clip to
//                 B, wired_count--, and vm_fault_unwire each page whose entry
//                 reached zero, waiting for busy to clear, all under the
//                 write lock; then unlock.
//   C             another kernel thread allocating nearby: under the write
//                 lock, vm_map_coalesce_entry on any adjacent pair that
//                 passes its guard (adjacent, equal wired counts, neither in
//                 transition, same properties), or nothing.
//   D = [2,3)     a third wired allocation, so coalescing and clipping have
//                 more than one choice.
//
// Abstracted away, and why the bug survives
//   One page per region; objects, offsets, protections and the pmap are
//   reduced to an equal "properties" tag (coalescence needs them equal, and
//   they are); the fast path's reasons to give up are a nondeterministic
//   choice; vm_map_verify's timestamp check is not modelled (the deadlock is
//   in taking the lock, before the check). Extension of an entry to cover a
//   new allocation has the same effect on W's entry as coalescence and is
//   covered by it. The deadlock needs: W's entry changing under it while the
//   map is unlocked, W holding busy while taking the read lock, and U holding
//   the write lock while waiting for busy; all are kept.

import ModelChecking

public struct MachWireCoalesce: Model {
    public enum Variant: String, CaseIterable, Sendable {
        case preFix, fixed, controlNoCoalescing, controlFastPathOnly, controlNoUnwire
        /// Control on the fix's assertion: the fix, plus a misbehaving
        /// thread X that waits on W's in-transition entry (setting
        /// needs_wakeup), so `assert(!needs_wakeup)` fires.
        case controlWaiterOnWiredEntry

        public var fixApplied: Bool { self == .fixed || self == .controlWaiterOnWiredEntry }
        public var waiter: Bool { self == .controlWaiterOnWiredEntry }
        public var coalescing: Bool { self != .controlNoCoalescing }
        public var slowPath: Bool { self != .controlFastPathOnly }
        public var unwire: Bool { self != .controlNoUnwire }

        public var expected: Verdict { expected(entries: 3, coalesces: 1) }

        /// The expected verdict at a map size. With an entry below A (four
        /// entries) a coalesce can merge W's entry into the one below it:
        /// the merge frees the entry W's vm_fault_wire points to (the
        /// use-after-free the fix also prevents), and W, holding a dangling
        /// pointer, must go no further (the search stops at the violation).
        /// That needs only coalescing and an unmarked entry, so the
        /// fast-path-only and no-unwire controls show it too, without the
        /// lock deadlock; the fix's in_transition mark inhibits it. More
        /// coalescing rounds add interleavings, not verdicts.
        public func expected(entries: Int, coalesces: Int) -> Verdict {
            switch self {
            case .controlWaiterOnWiredEntry: return .violates("fixAssertionsHold")
            case .fixed, .controlNoCoalescing: return .ok
            case .preFix: return entries == 4 ? Verdict(deadlock: true, violated: ["entryReferenceValid"]) : .deadlock
            case .controlFastPathOnly, .controlNoUnwire: return entries == 4 ? .violates("entryReferenceValid") : .ok
            }
        }

        public var summary: String {
            switch self {
            case .preFix: return "wiring with the map unlocked, entries not marked"
            case .fixed: return "entries marked in_transition while unlocked"
            case .controlNoCoalescing: return "no coalescing thread"
            case .controlFastPathOnly: return "vm_fault_wire_fast never gives up (no read lock under busy)"
            case .controlNoUnwire: return "no unwiring thread"
            case .controlWaiterOnWiredEntry: return "fixed, plus a thread that waits on W's in-transition entry"
            }
        }

        /// -D flags selecting this variant in Models/spin/mach.pml.
        public var spinDefines: [String] {
            switch self {
            case .preFix: return []
            case .fixed: return ["FIXED"]
            case .controlNoCoalescing: return ["NO_COALESCE"]
            case .controlFastPathOnly: return ["FAST_ONLY"]
            case .controlNoUnwire: return ["NO_UNWIRE"]
            case .controlWaiterOnWiredEntry: return []  // no twin
            }
        }
    }

    public struct Entry: Sendable, Hashable, CustomStringConvertible {
        public var id: Int
        public var start: Int
        public var end: Int
        public var wired: Int
        public var inTransition = false
        public var needsWakeup = false

        public var description: String {
            "e\(id)[\(start),\(end)) wired=\(wired)" + (inTransition ? " in_transition" : "") + (needsWakeup ? " needs_wakeup" : "")
        }
    }

    public enum Thread: Int, Sendable, Hashable { case W = 0, U = 1, C = 2, X = 3 }

    public enum WPC: Sendable, Hashable {
        case lockWrite, wireEntries, unlock, faultWireEntry, page, fastUnbusy
        case slowFaultPage, slowVerify, slowDone, nextEntry, relock, unlockFinal, done
    }

    public enum UPC: Sendable, Hashable {
        case lockWrite, clipAndUnwire, waitTransition, unwirePage, unlock, done
    }

    public enum CPC: Sendable, Hashable { case lockWrite, coalesce, unlock, done }

    public enum XPC: Sendable, Hashable { case lockWrite, check, sleeping, done }

    /// The map's size and the threads' repetitions (`--param`).
    public struct Config: Sendable, Equatable {
        /// 3: A, B, D as in the seed. 4: a wired entry Z below A as well, so
        /// W's entry is not always the lowest and a coalesce can free it.
        public var entries = 3
        /// How many times C takes the lock to coalesce (each: one merge or
        /// nothing).
        public var coalesces = 1
        /// Pass 2's loop test on the next entry: false, `vme_start < end`
        /// (the Promela twin's form); true, Mach's `vme_end <= end`, an
        /// unlocked read of the next entry.
        public var machLoopTest = false
        public init(entries: Int = 3, coalesces: Int = 1, machLoopTest: Bool = false) {
            self.entries = entries
            self.coalesces = coalesces
            self.machLoopTest = machLoopTest
        }
    }

    public struct State: Sendable, Hashable {
        public var entries: [Entry]
        public var busy: [Bool]
        public var writer: Thread?
        public var readers = 0
        public var wpc = WPC.lockWrite
        /// The entry pointer vm_fault_wire was given (an entry id), the
        /// first entry of the region, and the page loop [va, end).
        public var wEntry = -1
        public var wStartEntry = -1
        public var wVA = 0
        public var wEnd = 0
        public var upc = UPC.lockWrite
        public var uPage = 0
        public var uEnd = 0
        public var cpc = CPC.lockWrite
        /// Coalescing rounds C has left after the current one.
        public var cLeft = 0
        public var xpc = XPC.done
        /// The first assertion of the fix that failed, if any.
        public var failedAssertion: String?
        /// W has set busy on a page outside region A.
        public var wTouchedOutside = false
    }

    /// Region A, wired by W; region B, unwired by U (one page each); with
    /// four entries everything moves up a page above the entry Z.
    public let regionA: Range<Int>
    public let regionB: Range<Int>
    public let pages: Int

    public let variant: Variant
    public let config: Config
    public let rules: [Rule<State>]

    public init(_ variant: Variant, config: Config = Config()) {
        precondition((3...4).contains(config.entries) && config.coalesces >= 1)
        self.variant = variant
        self.config = config
        let below = config.entries - 3
        regionA = below..<(below + 1)
        regionB = (below + 1)..<(below + 2)
        pages = config.entries
        self.rules = MachWireCoalesce.makeRules(variant, config: config, regionA: regionA, regionB: regionB, pages: pages)
    }

    public var name: String { "MachWireCoalesce" }

    public var initialStates: [State] {
        let a = regionA.lowerBound
        var entries = [
            Entry(id: 0, start: a, end: a + 1, wired: 0),  // A, about to be wired
            Entry(id: 1, start: a + 1, end: a + 2, wired: 1),  // B, wired, about to be unwired
            Entry(id: 2, start: a + 2, end: a + 3, wired: 1),  // D, wired by someone else
        ]
        if config.entries == 4 { entries.insert(Entry(id: 3, start: 0, end: 1, wired: 1), at: 0) }  // Z, wired
        return [State(
            entries: entries,
            busy: Array(repeating: false, count: pages),
            upc: variant.unwire ? .lockWrite : .done,
            cpc: variant.coalescing ? .lockWrite : .done,
            cLeft: variant.coalescing ? config.coalesces - 1 : 0,
            xpc: variant.waiter ? .lockWrite : .done)]
    }

    public func isTerminal(_ s: State) -> Bool {
        s.wpc == .done && s.upc == .done && s.cpc == .done && s.xpc == .done
    }

    public var properties: [Property<State>] {
        [
            .always("fixAssertionsHold", doc: "the patch's asserts: !in_transition when marking, in_transition and !needs_wakeup when clearing") {
                $0.failedAssertion == nil
            }.reading(["failedAssertion"]),
            .always("entryReferenceValid", doc: "the entry W's vm_fault_wire points to is still linked in the map (no use after free)") { s in
                s.wEntry < 0 || s.entries.contains { $0.id == s.wEntry }
            }.reading(["wEntry", "entries"]),
            .always("lockWellFormed", doc: "the map lock has either one writer or readers, never both") { s in
                s.writer == nil || s.readers == 0
            }.reading(["writer", "readers"]),
            .sometimes("wireLeavesRegion", doc: "W's vm_fault_wire sets busy on a page outside the region it owns (the entry changed under it)") {
                $0.wTouchedOutside
            }.reading(["wTouchedOutside"]),
            .sometimes("allDone", doc: "all threads can finish") { self.isTerminal($0) }.reading(["wpc", "upc", "cpc", "xpc"]),
            .eventually("wiringFinishes", doc: "under weak fairness the wiring thread W finishes (vm_map_pageable_scan returns)") {
                $0.wpc == .done
            },
        ]
    }

    public func fields(of s: State) -> [StateField] {
        var out = [StateField("map.lock", s.writer.map { "write(\($0))" } ?? (s.readers > 0 ? "read(\(s.readers))" : "free"))]
        out.append(StateField("map.entries", s.entries.map(\.description).joined(separator: " ")))
        for page in s.busy.indices { out.append(StateField("page\(page).busy", "\(s.busy[page])")) }
        out.append(StateField("W.pc", "\(s.wpc)"))
        out.append(StateField("W.entry", s.wEntry < 0 ? "-" : "e\(s.wEntry)"))
        out.append(StateField("W.pages", s.wEntry < 0 ? "-" : "va=\(s.wVA) end=\(s.wEnd)"))
        out.append(StateField("U.pc", "\(s.upc)"))
        out.append(StateField("U.page", "\(s.uPage)"))
        out.append(StateField("C.pc", "\(s.cpc)"))
        if config.coalesces > 1 { out.append(StateField("C.roundsLeft", "\(s.cLeft)")) }
        if variant.waiter { out.append(StateField("X.pc", "\(s.xpc)")) }
        if let failed = s.failedAssertion { out.append(StateField("failedAssertion", failed)) }
        return out
    }
}
