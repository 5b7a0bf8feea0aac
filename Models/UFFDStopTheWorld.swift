// UFFDStopTheWorld: the Go runtime's stop-the-world against a goroutine whose
// thread is parked by the kernel in a userfaultfd (UFFD) page fault.
//
// Models seed 003 (the UFFD test-harness pull request "pre-fault
// uffd-registered pages via madvise to eliminate STW-deadlock class"): a plain
// Go load of a UFFD-missing page parks the OS thread in the kernel while the
// runtime still sees the goroutine as _Grunning on its P, so a concurrent
// stop-the-world waits for a safe point that never comes; the fix faults the
// page in through madvise(MADV_POPULATE_READ), a syscall, so the goroutine is
// in _Gsyscall (its P in _Psyscall, which the stop-the-world takes without
// waiting) while the kernel parks the thread.
//
// Actors and fields
//   g[i].status   _Grunning / _Grunnable / _Gwaiting / _Gsyscall / _Gdead.
//   g[i].p        the P the goroutine runs on (or last ran on, in a syscall).
//   g[i].pc       where the goroutine is in its program (see `PC`).
//   g[i].parked   its OS thread is parked in the kernel in a UFFD fault: it
//                 executes nothing, so it can reach no safe point.
//   p[k]          held(g) (running g), syscall(g) (_Psyscall), gcstop
//                 (_Pgcstop) or idle.
//   stwPending    sched.gcwaiting: a stop-the-world has begun; nothing is
//                 scheduled and exitsyscall gets no P while it is set.
//   worldStopped  every P is in _Pgcstop and the GC's stopped phase runs.
//   pagePresent   the UFFD-registered page is resident.
//   faultQueued   a fault on the page is queued to the UFFD handler.
//   barrier       the test's barrier has been released.
//   G1 reader     reads a UFFD-missing page: pre-fix by a plain load, fixed
//                 by entersyscall + madvise(MADV_POPULATE_READ) + exitsyscall
//                 and then the plain load of the now-resident page.
//   G2            two-process harness: the test goroutine that releases the
//                 barrier gating the fault handler. In-runtime-handler
//                 variants: a second reader of a second page.
//   G3 gcTrigger  allocates and triggers one stop-the-world: sets the pending
//                 flag, stops its own P, takes every P in _Psyscall (without
//                 waiting for its goroutine) and every idle P, then waits for
//                 each held P to stop at its goroutine's safe point, runs the
//                 stopped phase, and starts the world again.
//   handler       the UFFD fault handler: the child process of the two-process
//                 harness, serving a fault only after the barrier is released;
//                 or (in-runtime variants) a goroutine of this runtime, woken
//                 by the fault, that needs a P to issue UFFDIO_COPY.
//   scheduler     puts a runnable goroutine on an idle P (any: Go's idle
//                 list is ordered by history) when no stop-the-world is
//                 pending.
//
// Symmetry: the Ps are interchangeable. No rule or property names a P by
// number except through the state (every per-P rule exists for every P), so
// permuting the Ps maps behaviours to behaviours. The Ps are not actors, so
// weak fairness survives the reduction and liveness is checked under it.
//
// Abstracted away, and why the bug survives
//   Ms are implicit (one per running or syscall goroutine). Sysmon's retake
//   of Ps in _Psyscall is modelled when asked (`--param sysmon=1`; on by
//   default with fewer Ps than goroutines to run, i.e. procs < 3): with
//   enough Ps it changes no seed verdict (the stop-the-world takes such Ps
//   anyway and other Ps run the other goroutines), but with few Ps it is
//   the only way a goroutine in a syscall lets the others run. With fewer
//   Ps than goroutines, the goroutines that start on a P are any choice
//   (one initial state per choice): the scheduler may start them in any
//   order.
//   Sysmon's preemption of long-running goroutines is left out: no
//   goroutine here runs long without blocking. Async preemption is the
//   `safePoint` action, enabled whenever a stop is pending and the
//   goroutine's thread is not parked. One GC cycle, one page per reader,
//   GOMAXPROCS=3 by default (`--param procs=N`, 1 to 4). The stop-the-world's steps over Ps in
//   _Psyscall and idle Ps are one atomic step (in Go they run under
//   sched.lock). The deadlock needs only: a goroutine that holds a P and
//   cannot reach a safe point, a pending stop that waits for that P, and a
//   fault whose service needs something the pending stop forbids; all three
//   are kept exactly.
//
// Variants: preFix, fixed (two-process harness); preFixInRuntimeHandler,
// fixedInRuntimeHandler; controls noGC and noBarrier (each removes one
// ingredient and must remove the deadlock) and noGCInRuntimeHandler; two
// broken runtimes: a stop-the-world that waits for syscalls (the fix's
// mechanism removed: deadlock) and an exitsyscall that runs in a stopped
// world (nothingRunsWhileStopped must fire).

import ModelChecking

public struct UFFDStopTheWorld: Model {
    /// How the reader touches the UFFD-missing page.
    public enum Access: String, Sendable { case plainLoad, madvisePopulate }

    /// What serves the fault.
    public enum Handler: String, Sendable {
        /// Two-process harness: a child process serves once the barrier,
        /// released by test goroutine G2, is open.
        case barrierGated
        /// Control: the child serves at once (no barrier).
        case ungated
        /// A goroutine of this runtime that needs a P.
        case inRuntime
    }

    public enum Variant: String, CaseIterable, Sendable {
        case preFix, fixed, preFixInRuntimeHandler, fixedInRuntimeHandler
        case controlNoGC, controlNoBarrier, controlNoGCInRuntimeHandler
        /// Control on the fix's mechanism: the fixed access, but a broken
        /// stop-the-world that waits for goroutines in syscalls instead of
        /// taking their Ps. The fix relies on exactly that rule, so the
        /// deadlock must come back.
        case controlSTWWaitsForSyscalls
        /// Control on the properties: the fixed access, but a broken
        /// exitsyscall that takes its old P back even from a stopped world.
        /// `nothingRunsWhileStopped` must catch it.
        case controlRunsWhileStopped

        public var config: Config {
            switch self {
            case .preFix: return Config(access: .plainLoad, handler: .barrierGated, gcTrigger: true)
            case .fixed: return Config(access: .madvisePopulate, handler: .barrierGated, gcTrigger: true)
            case .preFixInRuntimeHandler: return Config(access: .plainLoad, handler: .inRuntime, gcTrigger: true)
            case .fixedInRuntimeHandler: return Config(access: .madvisePopulate, handler: .inRuntime, gcTrigger: true)
            case .controlNoGC: return Config(access: .plainLoad, handler: .barrierGated, gcTrigger: false)
            case .controlNoBarrier: return Config(access: .plainLoad, handler: .ungated, gcTrigger: true)
            case .controlNoGCInRuntimeHandler: return Config(access: .plainLoad, handler: .inRuntime, gcTrigger: false)
            case .controlSTWWaitsForSyscalls:
                return Config(access: .madvisePopulate, handler: .barrierGated, gcTrigger: true, stwWaitsForSyscalls: true)
            case .controlRunsWhileStopped:
                return Config(access: .madvisePopulate, handler: .barrierGated, gcTrigger: true, exitsyscallIgnoresStop: true)
            }
        }

        /// The two broken runtimes, which have no Promela twin.
        public var isBrokenRuntime: Bool { self == .controlSTWWaitsForSyscalls || self == .controlRunsWhileStopped }

        /// The verdict the seed predicts with the default GOMAXPROCS (3).
        public var expected: Verdict { expected(procs: 3, sysmon: false) }

        /// The verdict the seed predicts for a GOMAXPROCS and with or
        /// without sysmon's retake of Ps in syscalls. Three ways to stall:
        /// (A) the seed's: a reader parked in a plain load holds its P, a
        /// stop-the-world is pending, and the fault's service needs a
        /// goroutine the pending stop will not run; (B) starvation: every P
        /// is held by a reader parked in a plain load and the service needs
        /// a goroutine that has no P (one reader with the gated child and
        /// one P; two readers with the in-runtime handler and two Ps); (C)
        /// the fix without sysmon: Ps left in _Psyscall are never handed on,
        /// so with too few Ps the service's goroutine never runs (the
        /// artefact that omitting sysmon would introduce).
        public func expected(procs: Int, sysmon: Bool) -> Verdict {
            switch self {
            case .preFix, .preFixInRuntimeHandler:
                return .deadlock  // (A), or (B) when Ps are few
            case .controlNoGC:
                return procs == 1 ? .deadlock : .ok  // (B) only
            case .controlNoGCInRuntimeHandler:
                return procs <= 2 ? .deadlock : .ok  // (B) only
            case .controlNoBarrier:
                return .ok  // the child serves at once: the reader always resumes
            case .fixed:
                return procs == 1 && !sysmon ? .deadlock : .ok  // (C)
            case .fixedInRuntimeHandler:
                return procs <= 2 && !sysmon ? .deadlock : .ok  // (C)
            case .controlSTWWaitsForSyscalls:
                // The stop waits for the parked reader's P; only sysmon's
                // retake (to _Pgcstop while a stop is pending) still stops
                // the world: the fix needs one of the two to take the P.
                return sysmon ? .ok : .deadlock
            case .controlRunsWhileStopped:
                // The world must first be able to stop while the reader is in
                // its syscall; with one P and no sysmon it never runs (C).
                return procs == 1 && !sysmon ? .deadlock : .violates("nothingRunsWhileStopped")
            }
        }
    }

    public struct Config: Sendable, Equatable {
        public var access: Access
        public var handler: Handler
        public var gcTrigger: Bool
        /// GOMAXPROCS.
        public var procs = 3
        /// Model sysmon's retake: a P left in _Psyscall is handed off (to
        /// _Pgcstop when a stop is pending), so runnable goroutines get it.
        public var sysmon = false
        /// Broken runtime (control): the stop-the-world waits for Ps in
        /// _Psyscall until their goroutine returns, instead of taking them.
        public var stwWaitsForSyscalls = false
        /// Broken runtime (control): exitsyscall takes its old P back even
        /// when the stop-the-world has it (_Pgcstop).
        public var exitsyscallIgnoresStop = false

        public init(access: Access, handler: Handler, gcTrigger: Bool, procs: Int = 3, sysmon: Bool = false,
                    stwWaitsForSyscalls: Bool = false, exitsyscallIgnoresStop: Bool = false) {
            self.access = access
            self.handler = handler
            self.gcTrigger = gcTrigger
            self.procs = procs
            self.sysmon = sysmon
            self.stwWaitsForSyscalls = stwWaitsForSyscalls
            self.exitsyscallIgnoresStop = exitsyscallIgnoresStop
        }
    }

    /// The runtime's goroutine states (runtime2.go), plus dead.
    public enum GStatus: Sendable, Hashable { case running, runnable, waiting, syscall, dead }

    /// The runtime's P states: held by a running goroutine, _Psyscall,
    /// _Pgcstop, _Pidle.
    public enum PStatus: Sendable, Hashable, CustomStringConvertible {
        case idle, held(Int), syscall(Int), gcstop
        public var description: String {
            switch self {
            case .idle: return "idle"
            case .held(let g): return "held(G\(g + 1))"
            case .syscall(let g): return "syscall(G\(g + 1))"
            case .gcstop: return "gcstop"
            }
        }
    }

    /// Program counters of every role (one enum so traces print names).
    public enum PC: Sendable, Hashable {
        // reader, plain load
        case load, loadFaulted, exit
        // reader, madvise
        case enterSyscall, madvise, madviseFaulted, exitSyscall, loadResident
        // barrier releaser
        case releaseBarrier
        // gc trigger
        case stopTheWorld, waitForStop, startTheWorld
        // handler goroutine
        case serve
        case done
    }

    public enum Role: String, Sendable { case reader, releaser, gcTrigger, handler }

    public struct G: Sendable, Hashable {
        public var status: GStatus
        public var pc: PC
        public var p: Int
        public var parked: Bool
    }

    public struct State: Sendable, Hashable {
        public var g: [G]
        public var p: [PStatus]
        public var stwPending = false
        public var worldStopped = false
        public var pagePresent: [Bool]
        public var faultQueued: [Bool]
        public var barrier = false
    }

    public let variant: Variant?
    public let config: Config
    /// Role of each goroutine, and the page of each reader.
    public let roles: [Role]
    public let pageOf: [Int]
    public let rules: [Rule<State>]

    public init(_ variant: Variant) {
        self.init(config: variant.config, variant: variant)
    }

    /// A variant at another size: GOMAXPROCS `procs`, with or without sysmon.
    public init(_ variant: Variant, procs: Int, sysmon: Bool) {
        var c = variant.config
        c.procs = procs
        c.sysmon = sysmon
        self.init(config: c, variant: variant)
    }

    public init(config: Config, variant: Variant? = nil) {
        precondition(config.procs >= 1, "UFFDStopTheWorld needs GOMAXPROCS >= 1")
        self.variant = variant
        self.config = config
        var roles: [Role] = [.reader]
        var pageOf = [0]
        if config.handler == .inRuntime {
            roles.append(.reader); pageOf.append(1)
        } else {
            roles.append(.releaser); pageOf.append(-1)
        }
        if config.gcTrigger { roles.append(.gcTrigger); pageOf.append(-1) }
        if config.handler == .inRuntime { roles.append(.handler); pageOf.append(-1) }
        self.roles = roles
        self.pageOf = pageOf
        self.rules = UFFDStopTheWorld.makeRules(config: config, roles: roles, pageOf: pageOf)
    }

    public var name: String { "UFFDStopTheWorld" }

    public var pages: Int { pageOf.max()! + 1 }

    /// The goroutines that start on a P. With Ps for all of them, G1, G2, ...
    /// on P0, P1, ... (one initial state, the default size). With fewer Ps,
    /// the scheduler may have started any of them first: one initial state
    /// per choice of which goroutines hold the Ps, the rest runnable.
    public var initialStates: [State] {
        let starters = roles.indices.filter { roles[$0] != .handler }
        var choices: [[Int]] = [[]]
        for g in starters {
            choices = choices.flatMap { c in c.count < config.procs ? [c + [g], c] : [c] }
        }
        let want = min(config.procs, starters.count)
        return choices.filter { $0.count == want }.sorted { $0.lexicographicallyPrecedes($1) }.map(initialState(running:))
    }

    /// The start with goroutines `running` on P0, P1, ... in order.
    func initialState(running: [Int]) -> State {
        var gs: [G] = []
        var ps = [PStatus](repeating: .idle, count: config.procs)
        for (index, role) in roles.enumerated() {
            let start: PC
            switch role {
            case .reader: start = config.access == .plainLoad ? .load : .enterSyscall
            case .releaser: start = .releaseBarrier
            case .gcTrigger: start = .stopTheWorld
            case .handler: start = .serve
            }
            if role == .handler {
                gs.append(G(status: .waiting, pc: start, p: -1, parked: false))
            } else if let slot = running.firstIndex(of: index) {
                gs.append(G(status: .running, pc: start, p: slot, parked: false))
                ps[slot] = .held(index)
            } else {
                gs.append(G(status: .runnable, pc: start, p: -1, parked: false))
            }
        }
        return State(g: gs, p: ps, pagePresent: Array(repeating: false, count: pages),
                     faultQueued: Array(repeating: false, count: pages))
    }

    /// Every goroutine finished; a handler goroutine may wait for more events.
    public func isTerminal(_ s: State) -> Bool {
        for (index, g) in s.g.enumerated() {
            if roles[index] == .handler {
                if g.status != .waiting || s.faultQueued.contains(true) { return false }
            } else if g.status != .dead {
                return false
            }
        }
        return true
    }

    public var symmetry: String? { config.procs > 1 ? "permutations of the \(config.procs) Ps" : nil }
    public var symmetryPermutesActors: Bool { false }

    /// The Ps sorted by what tells them apart: their status (with its
    /// goroutine) and the goroutines that name them as their P. Ps equal in
    /// both are interchangeable (no goroutine names them), so the order among
    /// them does not matter; every goroutine's P is renumbered to match.
    public func canonical(_ s: State) -> State {
        let procs = s.p.count
        var namedBy = [[Int]](repeating: [], count: procs)
        for (index, g) in s.g.enumerated() where g.p >= 0 { namedBy[g.p].append(index) }
        func rank(_ p: PStatus) -> (Int, Int) {
            switch p {
            case .idle: return (0, 0)
            case .gcstop: return (1, 0)
            case .held(let g): return (2, g)
            case .syscall(let g): return (3, g)
            }
        }
        let order = (0..<procs).sorted { a, b in
            let ra = rank(s.p[a]), rb = rank(s.p[b])
            if ra != rb { return ra < rb }
            if namedBy[a] != namedBy[b] { return namedBy[a].lexicographicallyPrecedes(namedBy[b]) }
            return a < b
        }
        var newIndex = [Int](repeating: 0, count: procs)
        for (slot, old) in order.enumerated() { newIndex[old] = slot }
        var out = s
        out.p = order.map { s.p[$0] }
        for index in out.g.indices where out.g[index].p >= 0 { out.g[index].p = newIndex[out.g[index].p] }
        return out
    }

    public func actorName(_ index: Int) -> String {
        "G\(index + 1) \(roles[index].rawValue)"
    }

    public func fields(of s: State) -> [StateField] {
        var out: [StateField] = [
            StateField("stwPending", "\(s.stwPending)"),
            StateField("worldStopped", "\(s.worldStopped)"),
        ]
        for (index, g) in s.g.enumerated() {
            let name = actorName(index)
            out.append(StateField("\(name).status", "\(g.status)"))
            out.append(StateField("\(name).pc", "\(g.pc)"))
            out.append(StateField("\(name).p", g.p < 0 ? "-" : "P\(g.p)"))
            out.append(StateField("\(name).threadParkedInKernel", "\(g.parked)"))
        }
        for (index, p) in s.p.enumerated() { out.append(StateField("P\(index)", p.description)) }
        for page in 0..<s.pagePresent.count {
            out.append(StateField("page\(page).present", "\(s.pagePresent[page])"))
            out.append(StateField("page\(page).faultQueued", "\(s.faultQueued[page])"))
        }
        if config.handler != .inRuntime { out.append(StateField("barrierReleased", "\(s.barrier)")) }
        return out
    }
}
