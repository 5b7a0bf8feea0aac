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
//   scheduler     puts a runnable goroutine on the lowest idle P when no
//                 stop-the-world is pending.
//
// Abstracted away, and why the bug survives
//   Ms are implicit (one per running or syscall goroutine); sysmon's retake
//   is omitted (it only moves _Psyscall Ps, which the stop-the-world takes
//   anyway) and async preemption is the `safePoint` action, enabled whenever
//   a stop is pending and the goroutine's thread is not parked. One GC cycle,
//   one page per reader, GOMAXPROCS=3. The stop-the-world's steps over Ps in
//   _Psyscall and idle Ps are one atomic step (in Go they run under
//   sched.lock). The deadlock needs only: a goroutine that holds a P and
//   cannot reach a safe point, a pending stop that waits for that P, and a
//   fault whose service needs something the pending stop forbids; all three
//   are kept exactly.
//
// Variants: preFix, fixed (two-process harness); preFixInRuntimeHandler,
// fixedInRuntimeHandler; controls noGC and noBarrier (each removes one
// ingredient and must remove the deadlock) and noGCInRuntimeHandler.

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

        public var config: Config {
            switch self {
            case .preFix: return Config(access: .plainLoad, handler: .barrierGated, gcTrigger: true)
            case .fixed: return Config(access: .madvisePopulate, handler: .barrierGated, gcTrigger: true)
            case .preFixInRuntimeHandler: return Config(access: .plainLoad, handler: .inRuntime, gcTrigger: true)
            case .fixedInRuntimeHandler: return Config(access: .madvisePopulate, handler: .inRuntime, gcTrigger: true)
            case .controlNoGC: return Config(access: .plainLoad, handler: .barrierGated, gcTrigger: false)
            case .controlNoBarrier: return Config(access: .plainLoad, handler: .ungated, gcTrigger: true)
            case .controlNoGCInRuntimeHandler: return Config(access: .plainLoad, handler: .inRuntime, gcTrigger: false)
            }
        }

        /// The verdict the seed predicts.
        public var expected: Verdict {
            switch self {
            case .preFix, .preFixInRuntimeHandler: return .deadlock
            default: return .ok
            }
        }
    }

    public struct Config: Sendable, Equatable {
        public var access: Access
        public var handler: Handler
        public var gcTrigger: Bool
        /// GOMAXPROCS.
        public var procs = 3
    }

    /// The runtime's goroutine states (runtime2.go), plus dead.
    public enum GStatus: String, Sendable, Hashable { case running, runnable, waiting, syscall, dead }

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
    public enum PC: String, Sendable, Hashable {
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

    public init(config: Config, variant: Variant? = nil) {
        precondition(config.procs >= 2, "UFFDStopTheWorld needs GOMAXPROCS >= 2")
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

    public var initialStates: [State] {
        var gs: [G] = []
        var ps = [PStatus](repeating: .idle, count: config.procs)
        var nextP = 0
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
            } else if nextP < config.procs {
                gs.append(G(status: .running, pc: start, p: nextP, parked: false))
                ps[nextP] = .held(index)
                nextP += 1
            } else {
                gs.append(G(status: .runnable, pc: start, p: -1, parked: false))
            }
        }
        return [State(g: gs, p: ps, pagePresent: Array(repeating: false, count: pages),
                      faultQueued: Array(repeating: false, count: pages))]
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
            out.append(StateField("\(name).status", g.status.rawValue))
            out.append(StateField("\(name).pc", g.pc.rawValue))
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
