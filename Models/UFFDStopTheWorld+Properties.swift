// The named properties of UFFDStopTheWorld.

import ModelChecking

extension UFFDStopTheWorld {
    public var properties: [Property<State>] {
        let roles = self.roles, pageOf = self.pageOf
        let gs = roles.indices
        let readerPCs = gs.filter { roles[$0] == .reader }.map { "g[\($0)].pc" }
        var out: [Property<State>] = [
            .always("pOwnership", doc: "a P is held by g exactly when g is _Grunning on it; a _Psyscall P belongs to a _Gsyscall goroutine (runtime2.go's P/G status contract)") { s in
                for (k, p) in s.p.enumerated() {
                    switch p {
                    case .held(let g): if s.g[g].status != .running || s.g[g].p != k { return false }
                    case .syscall(let g): if s.g[g].status != .syscall || s.g[g].p != k { return false }
                    default: break
                    }
                }
                return s.g.indices.allSatisfy { g in s.g[g].status != .running || s.p[s.g[g].p] == .held(g) }
            }.reading(["p"] + gs.flatMap { ["g[\($0)].status", "g[\($0)].p"] }),
            .always("nothingRunsWhileStopped", doc: "while the world is stopped no goroutine is _Grunning (the point of stop-the-world)") { s in
                !s.worldStopped || !s.g.contains { $0.status == .running }
            }.reading(["worldStopped"] + gs.map { "g[\($0)].status" }),
            .always("readsSeeResidentPages", doc: "a reader that finished its read read a resident page") { s in
                s.g.indices.allSatisfy { g in
                    roles[g] != .reader || (s.g[g].pc != .exit && s.g[g].pc != .done) || s.pagePresent[pageOf[g]]
                }
            }.reading(readerPCs + ["pagePresent"]),
            .eventually("allFinished", doc: "under weak fairness every goroutine finishes (the handler may wait for more events)") { s in
                self.isTerminal(s)
            },
        ]
        if config.gcTrigger {
            out.append(.sometimes("faultDuringPendingStop", doc: "a reader's thread is parked in a UFFD fault while a stop-the-world is pending (the race the seed describes)") { s in
                s.stwPending && s.g.contains { $0.parked }
            }.reading(["stwPending"] + gs.map { "g[\($0)].parked" }))
            out.append(.sometimes("worldStops", doc: "the stop-the-world can complete") { $0.worldStopped }.reading(["worldStopped"]))
        }
        return out
    }
}
