// The actions of UFFDStopTheWorld: one rule per step of each goroutine, the
// fault handler, the scheduler, and the stop-the-world. See the header of
// UFFDStopTheWorld.swift for what each actor stands for.

import ModelChecking

extension UFFDStopTheWorld {
    typealias S = State

    static func makeRules(config: Config, roles: [Role], pageOf: [Int]) -> [Rule<State>] {
        var rules: [Rule<State>] = []
        let handlerIndex = roles.firstIndex(of: .handler)
        // What queueing a fault may touch (the handler goroutine's status)
        // and what serving one writes (every reader's thread may resume).
        let wake = handlerIndex.map { ["g[\($0)].status"] } ?? []
        let served = ["pagePresent", "faultQueued"] + pageOf.indices.filter { pageOf[$0] >= 0 }.map { "g[\($0)].parked" }
        for (i, role) in roles.enumerated() {
            let actor = "G\(i + 1) \(role.rawValue)"
            let page = pageOf[i]
            // Partial-order reduction's names: Mirror's paths into State.
            let me = "g[\(i)]"
            let run = ["\(me).status", "\(me).pc", "\(me).parked"]
            func running(_ pc: PC) -> @Sendable (S) -> Bool {
                { s in s.g[i].status == .running && s.g[i].pc == pc && !s.g[i].parked }
            }
            switch role {
            case .reader where config.access == .plainLoad:
                // A plain Go load: on a missing page the kernel parks the
                // thread; the goroutine stays _Grunning and keeps its P.
                rules.append(Rule(actor, "plainLoad", when: running(.load)) { s in
                    if s.pagePresent[page] {
                        s.g[i].pc = .exit
                    } else {
                        s.g[i].parked = true
                        s.g[i].pc = .loadFaulted
                        queueFault(&s, page: page, handler: handlerIndex)
                    }
                }.accessing(reads: run + ["pagePresent[\(page)]"] + wake,
                            writes: ["\(me).pc", "\(me).parked", "faultQueued[\(page)]"] + wake))
                rules.append(Rule(actor, "faultReturns", when: running(.loadFaulted)) { s in
                    s.g[i].pc = .exit
                }.accessing(reads: run, writes: ["\(me).pc"]))
            case .reader:
                // The fix: entersyscall first, so the kernel parks a thread
                // whose goroutine is _Gsyscall and whose P is _Psyscall.
                rules.append(Rule(actor, "entersyscall", when: running(.enterSyscall)) { s in
                    let p = s.g[i].p
                    s.g[i].status = .syscall
                    // entersyscall_gcwait: with a stop pending the P goes
                    // straight to _Pgcstop.
                    s.p[p] = s.stwPending ? .gcstop : .syscall(i)
                    s.g[i].pc = .madvise
                }.accessing(reads: run + ["\(me).p", "stwPending"], writes: ["\(me).status", "p", "\(me).pc"]))
                rules.append(Rule(actor, "madvise(POPULATE_READ)", when: {
                    $0.g[i].status == .syscall && $0.g[i].pc == .madvise && !$0.g[i].parked
                }) { s in
                    if s.pagePresent[page] {
                        s.g[i].pc = .exitSyscall
                    } else {
                        s.g[i].parked = true
                        s.g[i].pc = .madviseFaulted
                        queueFault(&s, page: page, handler: handlerIndex)
                    }
                }.accessing(reads: run + ["pagePresent[\(page)]"] + wake,
                            writes: ["\(me).pc", "\(me).parked", "faultQueued[\(page)]"] + wake))
                rules.append(Rule(actor, "madviseReturns", when: {
                    $0.g[i].status == .syscall && $0.g[i].pc == .madviseFaulted && !$0.g[i].parked
                }) { s in
                    s.g[i].pc = .exitSyscall
                }.accessing(reads: run, writes: ["\(me).pc"]))
                let ignoresStop = config.exitsyscallIgnoresStop
                rules.append(Rule(actor, "exitsyscall", when: {
                    $0.g[i].status == .syscall && $0.g[i].pc == .exitSyscall
                        && !needsIdleP($0, g: i, ignoresStop: ignoresStop)
                }) { s in
                    exitSyscall(&s, g: i, ignoresStop: ignoresStop)
                    s.g[i].pc = .loadResident
                }.accessing(reads: ["\(me).status", "\(me).pc", "\(me).p", "p", "stwPending"],
                            writes: ["p", "\(me).status", "\(me).p", "\(me).pc"]))
                // exitsyscall's slow path (exitsyscall0 -> pidleget): its old P
                // is gone, so it takes an idle P, any of them (Go's idle list
                // is ordered by history, not by P number).
                for k in 0..<config.procs {
                    rules.append(Rule(actor, "exitsyscall (idle P\(k))", when: {
                        $0.g[i].status == .syscall && $0.g[i].pc == .exitSyscall && $0.p[k] == .idle
                            && needsIdleP($0, g: i, ignoresStop: ignoresStop)
                    }) { s in
                        s.p[k] = .held(i)
                        s.g[i].status = .running
                        s.g[i].p = k
                        s.g[i].pc = .loadResident
                    }.accessing(reads: ["\(me).status", "\(me).pc", "\(me).p", "p", "stwPending"],
                                writes: ["p[\(k)]", "\(me).status", "\(me).p", "\(me).pc"]))
                }
                rules.append(Rule(actor, "loadResident", when: running(.loadResident)) { s in
                    s.g[i].pc = .exit
                }.accessing(reads: run, writes: ["\(me).pc"]))
            case .releaser:
                rules.append(Rule(actor, "releaseBarrier", when: running(.releaseBarrier)) { s in
                    s.barrier = true
                    s.g[i].pc = .exit
                }.accessing(reads: run, writes: ["barrier", "\(me).pc"]))
            case .gcTrigger:
                rules += stopTheWorldRules(actor: actor, g: i, waitsForSyscalls: config.stwWaitsForSyscalls)
            case .handler:
                // UFFDIO_COPY for the lowest queued page, then wait again.
                rules.append(Rule(actor, "UFFDIO_COPY", when: {
                    $0.g[i].status == .running && $0.g[i].pc == .serve && $0.faultQueued.contains(true)
                }) { s in
                    serve(&s, page: s.faultQueued.firstIndex(of: true)!, pageOf: pageOf)
                }.accessing(reads: ["\(me).status", "\(me).pc", "faultQueued"], writes: served))
                rules.append(Rule(actor, "waitForEvent", when: {
                    $0.g[i].status == .running && $0.g[i].pc == .serve && !$0.faultQueued.contains(true)
                }) { s in
                    s.g[i].status = .waiting
                    releaseP(&s, g: i)
                }.accessing(reads: ["\(me).status", "\(me).pc", "\(me).p", "faultQueued", "stwPending"],
                            writes: ["\(me).status", "\(me).p", "p"]))
            }
            if role != .handler {
                rules.append(Rule(actor, "goexit", when: running(.exit)) { s in
                    s.g[i].status = .dead
                    s.g[i].pc = .done
                    releaseP(&s, g: i)
                }.accessing(reads: run + ["\(me).p", "stwPending"], writes: ["\(me).status", "\(me).pc", "\(me).p", "p"]))
            }
            // Asynchronous preemption: with a stop pending, a goroutine whose
            // thread executes reaches a safe point and gives up its P.
            if role != .gcTrigger {
                rules.append(Rule(actor, "safePoint", when: {
                    $0.stwPending && $0.g[i].status == .running && !$0.g[i].parked
                }) { s in
                    s.p[s.g[i].p] = .gcstop
                    s.g[i].status = .runnable
                    s.g[i].p = -1
                }.accessing(reads: ["stwPending", "\(me).status", "\(me).parked", "\(me).p"],
                            writes: ["p", "\(me).status", "\(me).p"]))
            }
            // Any idle P: pidleget pops Go's idle list, whose order is the
            // history of releases, so no P number is preferred. (Choosing the
            // lowest would also break the Ps' symmetry: an idle P that a
            // goroutine in a syscall still names as its old P would differ
            // from the others.)
            for k in 0..<config.procs {
                rules.append(Rule("scheduler", "schedule G\(i + 1) on P\(k)", when: {
                    !$0.stwPending && $0.g[i].status == .runnable && $0.p[k] == .idle
                }) { s in
                    s.p[k] = .held(i)
                    s.g[i].status = .running
                    s.g[i].p = k
                }.accessing(reads: ["stwPending", "\(me).status", "p[\(k)]"], writes: ["p[\(k)]", "\(me).status", "\(me).p"]))
            }
        }
        if config.sysmon {
            // sysmon's retake: a P that has sat in _Psyscall is handed off
            // (handoffp), to _Pgcstop when a stop is pending. Time is
            // abstracted: sysmon may retake at any moment.
            for k in 0..<config.procs {
                rules.append(Rule("sysmon", "retake P\(k)", when: { s in
                    if case .syscall = s.p[k] { return true }
                    return false
                }) { s in
                    s.p[k] = s.stwPending ? .gcstop : .idle
                }.accessing(reads: ["p[\(k)]", "stwPending"], writes: ["p[\(k)]"]))
            }
        }
        if config.handler != .inRuntime {
            let gated = config.handler == .barrierGated
            rules.append(Rule("handler (child process)", gated ? "serveAfterBarrier" : "serve", when: {
                $0.faultQueued.contains(true) && (!gated || $0.barrier)
            }) { s in
                serve(&s, page: s.faultQueued.firstIndex(of: true)!, pageOf: pageOf)
            }.accessing(reads: ["faultQueued"] + (gated ? ["barrier"] : []), writes: served))
        }
        return rules
    }

    /// The GC trigger: stopTheWorldWithSema, the stopped phase, and
    /// startTheWorldWithSema.
    static func stopTheWorldRules(actor: String, g i: Int, waitsForSyscalls: Bool) -> [Rule<State>] {
        let me = "g[\(i)]"
        let status = "\(me).status", pc = "\(me).pc", p = "\(me).p"
        return [
            Rule<State>(actor, "stopTheWorld", when: {
                $0.g[i].status == .running && $0.g[i].pc == .stopTheWorld
            }) { s in
                s.stwPending = true
                s.g[i].status = .waiting  // waitReasonStoppingTheWorld
                for k in s.p.indices {
                    switch s.p[k] {
                    case .syscall where waitsForSyscalls: break  // broken: waits for it
                    case .syscall, .idle: s.p[k] = .gcstop  // taken without waiting
                    case .held(let owner) where owner == i: s.p[k] = .gcstop  // its own P
                    default: break
                    }
                }
                s.g[i].pc = .waitForStop
            }.accessing(reads: [status, pc, "p"], writes: ["stwPending", status, "p", pc]),
            Rule<State>(actor, "worldStopped", when: {
                $0.g[i].pc == .waitForStop && $0.p.allSatisfy { $0 == .gcstop }
            }) { s in
                s.worldStopped = true
                s.g[i].pc = .startTheWorld
            }.accessing(reads: [pc, "p"], writes: ["worldStopped", pc]),
            Rule<State>(actor, "startTheWorld", when: { $0.g[i].pc == .startTheWorld }) { s in
                s.worldStopped = false
                s.stwPending = false
                for k in s.p.indices { s.p[k] = .idle }
                s.p[s.g[i].p] = .held(i)
                s.g[i].status = .running
                s.g[i].pc = .exit
            }.accessing(reads: [pc, p], writes: ["worldStopped", "stwPending", "p", status, pc]),
        ]
    }

    /// The fault is queued to the handler; a handler goroutine blocked on
    /// the uffd descriptor becomes runnable (it still needs a P to run).
    static func queueFault(_ s: inout State, page: Int, handler: Int?) {
        s.faultQueued[page] = true
        if let handler, s.g[handler].status == .waiting { s.g[handler].status = .runnable }
    }

    /// The page becomes resident and every thread parked on it resumes.
    static func serve(_ s: inout State, page: Int, pageOf: [Int]) {
        s.pagePresent[page] = true
        s.faultQueued[page] = false
        for g in s.g.indices where pageOf[g] == page { s.g[g].parked = false }
    }

    /// The goroutine leaves its P: to _Pgcstop if a stop is pending
    /// (gcstopm), else idle.
    static func releaseP(_ s: inout State, g: Int) {
        let p = s.g[g].p
        s.p[p] = s.stwPending ? .gcstop : .idle
        s.g[g].p = -1
    }

    /// exitsyscall finds its old P gone and an idle P to take: the case the
    /// per-P rules "exitsyscall (idle Pk)" carry out.
    static func needsIdleP(_ s: State, g: Int, ignoresStop: Bool) -> Bool {
        let old = s.g[g].p
        if ignoresStop, s.p[old] == .gcstop || s.p[old] == .syscall(g) { return false }
        if s.p[old] == .syscall(g) { return false }
        return !s.stwPending && s.p.contains(.idle)
    }

    /// exitsyscall's other cases: reacquire the old P if still _Psyscall,
    /// never while a stop is pending; otherwise (a stop pending, or no idle
    /// P) exitsyscall0 makes the goroutine runnable and its M stops.
    ///
    /// With a stop pending and its P still in _Psyscall (only a stop that
    /// waits for syscalls leaves it there) the P goes to _Pgcstop. The
    /// broken `ignoresStop` takes the old P back even from _Pgcstop.
    static func exitSyscall(_ s: inout State, g: Int, ignoresStop: Bool = false) {
        let old = s.g[g].p
        if ignoresStop, s.p[old] == .gcstop || s.p[old] == .syscall(g) {
            s.p[old] = .held(g)
            s.g[g].status = .running
        } else if s.stwPending, s.p[old] == .syscall(g) {
            s.p[old] = .gcstop
            s.g[g].status = .runnable
            s.g[g].p = -1
        } else if !s.stwPending, s.p[old] == .syscall(g) {
            s.p[old] = .held(g)
            s.g[g].status = .running
        } else {
            precondition(!needsIdleP(s, g: g, ignoresStop: ignoresStop), "exitsyscall: the per-P rules take an idle P")
            s.g[g].status = .runnable
            s.g[g].p = -1
        }
    }
}
