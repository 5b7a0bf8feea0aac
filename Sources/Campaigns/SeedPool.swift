// Many seeds on worker threads, written once for `verify check` and the fuzz
// campaigns: the threads, and how one seed runs where the code under test
// may run (in a supervised worker process, or in this process when the
// check is not isolated). What a campaign does with each seed (counts,
// buckets, shrinking) is its own.

import Foundation
import TraceFormat
import Checking
import PageAlloc

/// How one seed ended, as a campaign counts it.
enum SeedResult {
    /// It passed in a worker: the worker's counts (its outcome stays there).
    case passedInWorker(WorkerReply)
    /// Its whole outcome: it failed, or it ran in this process. A worker's
    /// death is the seed's finding on its generated operations.
    case ran(RunOutcome)
}

extension Execution {
    /// Runs seed `seed` where this execution runs the code under test.
    func seedResult(_ seed: UInt64, _ config: RunConfig) throws -> SeedResult {
        guard let worker else { return .ran(try runSeed(seed, config)) }
        switch try worker.run(WorkerRequest(config: WorkerConfig(config), seed: seed, ops: nil, skipInvalid: false)) {
        case let .answered(r) where r.signature == nil:
            return .passedInWorker(r)
        case let .answered(r):
            guard let o = r.outcome else { throw WorkerError(description: "worker: seed \(seed) failed with no outcome") }
            return .ran(o.runOutcome(config.geometry))
        case let .died(kind):
            return .ran(try diedOutcome(seed, config, kind))
        }
    }
}

extension WorkerReply {
    /// A passing seed's outcome as the worker counted it: its coverage,
    /// inapplicable invariants and fragmented failures (no operations).
    func passedOutcome(_ seed: UInt64, _ g: Geometry) -> RunOutcome {
        var run = RunOutcome(seed: seed, geometry: g, coverage: CoverageCounts(levels: g.summaryLevels))
        if let c = coverage, c.count == run.coverage.counts.count { run.coverage.counts = c }
        if let d = descended, d.count == run.coverage.findDescendedTo.count { run.coverage.findDescendedTo = d }
        if let st = straddle, st.count == run.coverage.findStraddleAt.count { run.coverage.findStraddleAt = st }
        for (k, n) in (notApplicableNames ?? []).enumerated() {
            run.notApplicable[n] = (notApplicableCounts?[k] ?? 0, notApplicableReasons?[k] ?? "")
        }
        run.fragmentedFailures = fragmented
        return run
    }
}

/// Runs `work` on `jobs` threads (8 MiB stacks each) and waits for all of
/// them; while they run, calls `tick` every `every` seconds.
func onThreads(_ jobs: Int, every: Double = 5, tick: (() -> Void)? = nil, _ work: @escaping @Sendable () -> Void) {
    let group = DispatchGroup()
    var threads: [Thread] = []
    for _ in 0..<max(jobs, 1) {
        group.enter()
        let t = Thread {
            work()
            group.leave()
        }
        t.stackSize = 8 << 20
        threads.append(t)
    }
    threads.forEach { $0.start() }
    while group.wait(timeout: .now() + every) == .timedOut {
        tick?()
    }
}
