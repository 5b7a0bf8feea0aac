// The actions of MachWireCoalesce: the wiring thread W
// (vm_map_pageable_scan + vm_fault_wire), the unwiring thread U
// (vm_map_pageable unwire + vm_fault_unwire) and the coalescing thread C
// (vm_map_coalesce_entry). See MachWireCoalesce.swift for the mapping.

import ModelChecking

extension MachWireCoalesce {
    typealias S = State

    static func makeRules(_ variant: Variant, config: Config, regionA: Range<Int>, regionB: Range<Int>, pages: Int) -> [Rule<State>] {
        let rules = wiringRules(variant, a: regionA, machLoopTest: config.machLoopTest)
            + (variant.unwire ? unwiringRules(b: regionB) : [])
            + (variant.coalescing ? coalescingRules(pages: pages) : [])
            + (variant.waiter ? waiterRules(a: regionA) : [])
        return rules.map(declaringAccesses)
    }

    /// What each rule reads (its guard included) and writes, by Mirror's
    /// names for State's fields, for partial-order reduction.
    /// `AccessAuditTests` holds every rule to it on the reachable states.
    static func declaringAccesses(_ rule: Rule<State>) -> Rule<State> {
        let lock = ["writer", "readers"]
        let (reads, writes): ([String], [String])
        switch (rule.actor, rule.name) {
        case ("W wire", "vm_map_lock"): (reads, writes) = (["wpc"] + lock, ["writer", "wpc"])
        case ("W wire", let n) where n.hasPrefix("wired_count++"):
            (reads, writes) = (["wpc", "entries", "failedAssertion"], ["entries", "wStartEntry", "wpc", "failedAssertion"])
        case ("W wire", "vm_map_unlock (trust me)"): (reads, writes) = (["wpc", "wStartEntry"], ["writer", "wEntry", "wpc"])
        case ("W wire", "vm_fault_wire: read entry bounds"): (reads, writes) = (["wpc", "entries", "wEntry"], ["wVA", "wEnd", "wpc"])
        case ("W wire", "vm_fault_wire_fast: set busy"), ("W wire", "vm_fault_page: set busy"):
            (reads, writes) = (["wpc", "busy", "wVA"], ["busy", "wTouchedOutside", "wpc"])
        case ("W wire", "vm_fault_wire_fast: wire, PAGE_WAKEUP_DONE"): (reads, writes) = (["wpc", "wVA", "wEnd"], ["busy", "wVA", "wpc"])
        case ("W wire", "vm_fault: vm_map_lookup (read lock, unlock)"): (reads, writes) = (["wpc", "writer"], ["wpc"])
        case ("W wire", "vm_map_verify (read lock, busy held)"): (reads, writes) = (["wpc", "writer", "readers"], ["readers", "wpc"])
        case ("W wire", "wire page, vm_map_verify_done, PAGE_WAKEUP_DONE"):
            (reads, writes) = (["wpc", "readers", "wVA", "wEnd"], ["readers", "busy", "wVA", "wpc"])
        case ("W wire", let n) where n.hasPrefix("entry = entry->vme_next"): (reads, writes) = (["wpc", "entries", "wEntry"], ["wEntry", "wpc"])
        case ("W wire", let n) where n.hasPrefix("vm_map_lock"):  // the relock, with or without the fix's clearing
            (reads, writes) = (["wpc", "entries", "wStartEntry", "failedAssertion"] + lock, ["writer", "entries", "failedAssertion", "wpc"])
        case ("W wire", "vm_map_unlock"): (reads, writes) = (["wpc"], ["writer", "wpc"])
        case ("U unwire", "vm_map_lock"): (reads, writes) = (["upc"] + lock, ["writer", "upc"])
        case ("U unwire", "clip, wired_count--"): (reads, writes) = (["upc", "entries"], ["entries", "writer", "upc", "uPage", "uEnd"])
        case ("U unwire", "woken: retry"): (reads, writes) = (["upc", "entries"], ["upc"])
        case ("U unwire", "vm_fault_unwire page (waits for !busy)"): (reads, writes) = (["upc", "busy", "uPage", "uEnd"], ["uPage", "upc"])
        case ("U unwire", "vm_map_unlock"): (reads, writes) = (["upc"], ["writer", "upc"])
        case ("C coalesce", "vm_map_lock"): (reads, writes) = (["cpc"] + lock, ["writer", "cpc"])
        case ("C coalesce", "nothing to coalesce"): (reads, writes) = (["cpc", "entries"], ["cpc"])
        case ("C coalesce", let n) where n.hasPrefix("vm_map_coalesce_entry"): (reads, writes) = (["cpc", "entries"], ["entries", "cpc"])
        case ("C coalesce", "vm_map_unlock"): (reads, writes) = (["cpc", "cLeft"], ["writer", "cLeft", "cpc"])
        case ("X waiter", "vm_map_lock"): (reads, writes) = (["xpc"] + lock, ["writer", "xpc"])
        case ("X waiter", "entry in transition? wait"): (reads, writes) = (["xpc", "entries"], ["entries", "writer", "xpc"])
        case ("X waiter", "woken"): (reads, writes) = (["xpc", "entries"], ["xpc"])
        default: return rule  // undeclared: dependent on every rule (always sound)
        }
        return rule.accessing(reads: reads, writes: writes)
    }

    // MARK: W, the wiring thread

    static func wiringRules(_ variant: Variant, a: Range<Int>, machLoopTest: Bool) -> [Rule<State>] {
        let fix = variant.fixApplied
        var rules: [Rule<State>] = [
            Rule("W wire", "vm_map_lock", when: { $0.wpc == .lockWrite && $0.writer == nil && $0.readers == 0 }) { s in
                s.writer = .W
                s.wpc = .wireEntries
            },
            Rule("W wire", fix ? "wired_count++, set in_transition" : "wired_count++", when: { $0.wpc == .wireEntries }) { s in
                clip(&s, at: a.lowerBound, keepUpper: true)
                clip(&s, at: a.upperBound, keepUpper: false)
                s.wStartEntry = s.entries.first { $0.start == a.lowerBound }!.id
                for k in s.entries.indices where s.entries[k].start >= a.lowerBound && s.entries[k].end <= a.upperBound {
                    s.entries[k].wired += 1
                    if fix {
                        if s.entries[k].inTransition { fail(&s, "assert(!entry->in_transition)") }
                        s.entries[k].inTransition = true
                        s.entries[k].needsWakeup = false
                    }
                }
                s.wpc = .unlock
            },
            Rule("W wire", "vm_map_unlock (trust me)", when: { $0.wpc == .unlock }) { s in
                s.writer = nil
                s.wEntry = s.wStartEntry
                s.wpc = .faultWireEntry
            },
            // vm_fault_wire reads the bounds through its entry pointer now.
            Rule("W wire", "vm_fault_wire: read entry bounds", when: { s in
                s.wpc == .faultWireEntry && s.entries.contains { $0.id == s.wEntry }
            }) { s in
                let entry = s.entries.first { $0.id == s.wEntry }!
                s.wVA = entry.start
                s.wEnd = entry.end
                s.wpc = .page
            },
            Rule("W wire", "vm_fault_wire_fast: set busy", when: { $0.wpc == .page && !$0.busy[$0.wVA] }) { s in
                setBusy(&s, a)
                s.wpc = .fastUnbusy
            },
            Rule("W wire", "vm_fault_wire_fast: wire, PAGE_WAKEUP_DONE", when: { $0.wpc == .fastUnbusy }) { s in
                s.busy[s.wVA] = false
                advance(&s)
            },
        ]
        if variant.slowPath {
            rules += [
                // The fast path gave up: vm_fault looks the address up under
                // the read lock, then vm_fault_page returns the page busy.
                Rule("W wire", "vm_fault: vm_map_lookup (read lock, unlock)", when: { $0.wpc == .page && $0.writer == nil }) { s in
                    s.wpc = .slowFaultPage
                },
                Rule("W wire", "vm_fault_page: set busy", when: { $0.wpc == .slowFaultPage && !$0.busy[$0.wVA] }) { s in
                    setBusy(&s, a)
                    s.wpc = .slowVerify
                },
                Rule("W wire", "vm_map_verify (read lock, busy held)", when: { $0.wpc == .slowVerify && $0.writer == nil }) { s in
                    s.readers += 1
                    s.wpc = .slowDone
                },
                Rule("W wire", "wire page, vm_map_verify_done, PAGE_WAKEUP_DONE", when: { $0.wpc == .slowDone }) { s in
                    s.readers -= 1
                    s.busy[s.wVA] = false
                    advance(&s)
                },
            ]
        }
        rules += [
            // for (entry = start; entry->vme_start < end; entry = entry->vme_next),
            // or as Mach writes the test: entry->vme_end <= end (unlocked).
            Rule("W wire", machLoopTest ? "entry = entry->vme_next; vme_end <= end" : "entry = entry->vme_next", when: { s in
                s.wpc == .nextEntry && s.entries.contains { $0.id == s.wEntry }
            }) { s in
                let index = s.entries.firstIndex { $0.id == s.wEntry }!
                let goesOn = index + 1 < s.entries.count
                    && (machLoopTest ? s.entries[index + 1].end <= a.upperBound : s.entries[index + 1].start < a.upperBound)
                if goesOn {
                    s.wEntry = s.entries[index + 1].id
                    s.wpc = .faultWireEntry
                } else {
                    s.wEntry = -1
                    s.wpc = .relock
                }
            },
            Rule("W wire", fix ? "vm_map_lock, clear in_transition" : "vm_map_lock", when: {
                $0.wpc == .relock && $0.writer == nil && $0.readers == 0
            }) { s in
                s.writer = .W
                if fix {
                    var index = s.entries.firstIndex { $0.id == s.wStartEntry }
                    while let k = index, k < s.entries.count, s.entries[k].end <= a.upperBound {
                        if !s.entries[k].inTransition { fail(&s, "assert(entry->in_transition)") }
                        s.entries[k].inTransition = false
                        if s.entries[k].needsWakeup { fail(&s, "assert(!entry->needs_wakeup)") }
                        index = k + 1
                    }
                }
                s.wpc = .unlockFinal
            },
            Rule("W wire", "vm_map_unlock", when: { $0.wpc == .unlockFinal }) { s in
                s.writer = nil
                s.wpc = .done
            },
        ]
        return rules
    }

    static func setBusy(_ s: inout State, _ a: Range<Int>) {
        s.busy[s.wVA] = true
        if !a.contains(s.wVA) { s.wTouchedOutside = true }
    }

    /// Next page of the entry, or on to the next entry.
    static func advance(_ s: inout State) {
        s.wVA += 1
        s.wpc = s.wVA < s.wEnd ? .page : .nextEntry
    }

    static func fail(_ s: inout State, _ assertion: String) {
        if s.failedAssertion == nil { s.failedAssertion = assertion }
    }

    // MARK: U, the unwiring thread

    static func unwiringRules(b: Range<Int>) -> [Rule<State>] {
        [
            Rule("U unwire", "vm_map_lock", when: { $0.upc == .lockWrite && $0.writer == nil && $0.readers == 0 }) { s in
                s.writer = .U
                s.upc = .clipAndUnwire
            },
            Rule("U unwire", "clip, wired_count--", when: { $0.upc == .clipAndUnwire }) { s in
                let overlapping = s.entries.indices.filter { s.entries[$0].start < b.upperBound && s.entries[$0].end > b.lowerBound }
                if let k = overlapping.first(where: { s.entries[$0].inTransition }) {
                    // vm_map_entry_wait: ask for a wakeup and sleep unlocked.
                    s.entries[k].needsWakeup = true
                    s.writer = nil
                    s.upc = .waitTransition
                    return
                }
                clip(&s, at: b.lowerBound, keepUpper: true)
                clip(&s, at: b.upperBound, keepUpper: false)
                var firstZero = b.upperBound
                for k in s.entries.indices where s.entries[k].start >= b.lowerBound && s.entries[k].end <= b.upperBound {
                    s.entries[k].wired -= 1
                    if s.entries[k].wired == 0 { firstZero = min(firstZero, s.entries[k].start) }
                }
                s.uPage = firstZero
                s.uEnd = b.upperBound
                s.upc = firstZero < b.upperBound ? .unwirePage : .unlock
            },
            Rule("U unwire", "woken: retry", when: { s in
                s.upc == .waitTransition && !s.entries.contains {
                    $0.inTransition && $0.start < b.upperBound && $0.end > b.lowerBound
                }
            }) { s in
                s.upc = .lockWrite
            },
            // vm_fault_unwire under the write lock: vm_fault_page sleeps on a
            // busy page.
            Rule("U unwire", "vm_fault_unwire page (waits for !busy)", when: { $0.upc == .unwirePage && !$0.busy[$0.uPage] }) { s in
                s.uPage += 1
                if s.uPage >= s.uEnd { s.upc = .unlock }
            },
            Rule("U unwire", "vm_map_unlock", when: { $0.upc == .unlock }) { s in
                s.writer = nil
                s.upc = .done
            },
        ]
    }

    // MARK: C, the coalescing thread

    static func coalescingRules(pages: Int) -> [Rule<State>] {
        var rules: [Rule<State>] = [
            Rule("C coalesce", "vm_map_lock", when: { $0.cpc == .lockWrite && $0.writer == nil && $0.readers == 0 }) { s in
                s.writer = .C
                s.cpc = .coalesce
            },
            Rule("C coalesce", "nothing to coalesce", when: { s in
                s.cpc == .coalesce && !s.entries.indices.dropLast().contains { canCoalesce(s, $0) }
            }) { s in
                s.cpc = .unlock
            },
        ]
        for k in 0..<(pages - 1) {
            rules.append(Rule("C coalesce", "vm_map_coalesce_entry(#\(k), #\(k + 1))", when: {
                $0.cpc == .coalesce && canCoalesce($0, k)
            }) { s in
                // prev->vme_end = entry->vme_end; vm_map_entry_unlink(entry)
                s.entries[k].end = s.entries[k + 1].end
                s.entries.remove(at: k + 1)
                s.cpc = .unlock
            })
        }
        rules.append(Rule("C coalesce", "vm_map_unlock", when: { $0.cpc == .unlock }) { s in
            s.writer = nil
            if s.cLeft > 0 {
                s.cLeft -= 1
                s.cpc = .lockWrite  // another allocation nearby, another coalesce
            } else {
                s.cpc = .done
            }
        })
        return rules
    }

    // MARK: X, a misbehaving waiter (control)

    /// A thread that, under the write lock, finds an entry of region A in
    /// transition and waits for it (vm_map_entry_wait: needs_wakeup, sleep
    /// unlocked), as the fix says nobody does on these entries.
    static func waiterRules(a: Range<Int>) -> [Rule<State>] {
        [
            Rule("X waiter", "vm_map_lock", when: { $0.xpc == .lockWrite && $0.writer == nil && $0.readers == 0 }) { s in
                s.writer = .X
                s.xpc = .check
            },
            Rule("X waiter", "entry in transition? wait", when: { $0.xpc == .check }) { s in
                if let k = s.entries.firstIndex(where: { $0.inTransition && $0.start < a.upperBound && $0.end > a.lowerBound }) {
                    s.entries[k].needsWakeup = true
                    s.writer = nil
                    s.xpc = .sleeping
                } else {
                    s.writer = nil
                    s.xpc = .done
                }
            },
            Rule("X waiter", "woken", when: { s in
                s.xpc == .sleeping && !s.entries.contains { $0.inTransition && $0.start < a.upperBound && $0.end > a.lowerBound }
            }) { s in
                s.xpc = .done
            },
        ]
    }

    /// vm_map_coalesce_entry's guard for entries k and k+1.
    static func canCoalesce(_ s: State, _ k: Int) -> Bool {
        guard k + 1 < s.entries.count else { return false }
        let prev = s.entries[k], next = s.entries[k + 1]
        return prev.end == next.start && prev.wired == next.wired && !prev.inTransition && !next.inTransition
    }

    /// vm_map_clip_start (`keepUpper: true`) or vm_map_clip_end
    /// (`keepUpper: false`) at `address`, if it falls strictly inside an
    /// entry. The entry object (its id) stays with the upper part for
    /// clip_start (a new entry is linked before it) and with the lower part
    /// for clip_end (a new entry is linked after it); the new entry gets the
    /// smallest free id.
    static func clip(_ s: inout State, at address: Int, keepUpper: Bool) {
        guard let k = s.entries.firstIndex(where: { $0.start < address && address < $0.end }) else { return }
        let used = Set(s.entries.map(\.id))
        let fresh = (0...).first { !used.contains($0) }!
        var lower = s.entries[k], upper = s.entries[k]
        lower.end = address
        upper.start = address
        if keepUpper { lower.id = fresh } else { upper.id = fresh }
        s.entries[k] = upper
        s.entries.insert(lower, at: k)
    }
}
