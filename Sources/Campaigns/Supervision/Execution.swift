// Where the code under test runs. The rule (docs/failures.md, "The supervisor
// never runs the code under test"): when a command supervises workers,
// every run of an allocator under test happens in a worker: the
// seed, its full outcome when it fails, shrink candidates and the final
// re-run, consequence runs, replays and HTML reports. The supervisor itself
// runs only the checker's own code: the reference, the generator drawing
// from the reference, trace syntax and report text.

import Foundation
import PageAlloc
import Reference
import TraceFormat
import Targets
import GoTarget
import Checking

/// A run's outcome as it crosses the pipe (the geometry is the request's).
public struct OutcomeWire: Codable, Sendable {
    public var seed: UInt64
    public var ops: [Operation]
    public var results: [OpResult?]
    public var finding: Finding?
    public var coverage: CoverageCounts
    public var fragmented: Int
    public var invariantsOff: Bool
    public var notApplicableNames: [String]
    public var notApplicableCounts: [Int]
    public var notApplicableReasons: [String]

    public init(_ run: RunOutcome) {
        seed = run.seed
        ops = run.ops
        results = run.results
        finding = run.finding
        coverage = run.coverage
        fragmented = run.fragmentedFailures
        invariantsOff = run.invariantsOff
        // Sorted: the same bytes whatever the dictionary's order.
        notApplicableNames = run.notApplicable.keys.sorted()
        notApplicableCounts = notApplicableNames.map { run.notApplicable[$0]!.count }
        notApplicableReasons = notApplicableNames.map { run.notApplicable[$0]!.reason }
    }

    public func runOutcome(_ g: Geometry) -> RunOutcome {
        var r = RunOutcome(seed: seed, geometry: g, coverage: coverage)
        r.ops = ops
        r.results = results
        r.finding = finding
        r.fragmentedFailures = fragmented
        r.invariantsOff = invariantsOff
        for (k, n) in notApplicableNames.enumerated() where k < notApplicableCounts.count && k < notApplicableReasons.count {
            r.notApplicable[n] = (notApplicableCounts[k], notApplicableReasons[k])
        }
        return r
    }
}

/// Operations sent as trace lines, parsed; a bad line names its position.
func parsedOperations(_ lines: [String]) throws -> [Operation] {
    var ops: [Operation] = []
    for (k, l) in lines.enumerated() {
        do { ops.append(try Trace.parseOperation(l)) } catch { throw WorkerError(description: "operation \(k + 1): \(error)") }
    }
    return ops
}

/// The worker side of the `WorkerMode` requests.
func serveMode(_ req: WorkerRequest, _ config: RunConfig, _ reply: inout WorkerReply) throws {
    switch req.mode {
    case .outcome?:
        if let lines = req.ops {
            guard let r = try runOps(try parsedOperations(lines), config, skipInvalid: req.skipInvalid) else {
                reply.invalid = true
                return
            }
            var run = RunOutcome(seed: req.seed, geometry: config.geometry, coverage: CoverageCounts(levels: config.geometry.summaryLevels))
            run.ops = r.ops
            run.results = r.results
            run.finding = r.finding
            reply.outcome = OutcomeWire(run)
            reply.opsApplied = r.ops.count
            reply.signature = r.finding?.kind.signature
        } else {
            let run = try runSeed(req.seed, config)
            reply.outcome = OutcomeWire(run)
            reply.opsApplied = run.ops.count
            reply.signature = run.finding?.kind.signature
        }
    case .replay?:
        let r = try replay(Trace(geometry: config.geometry, steps: req.steps ?? []), config: config)
        reply.replayLines = r.lines
        reply.replayFindings = r.findings
        reply.replayInvalidLine = r.invalid?.line
        reply.replayInvalidReason = r.invalid?.reason
    case .report?:
        reply.html = try findingHTML(ops: try parsedOperations(req.ops ?? []), config: config, title: req.title ?? "",
                                     traceText: req.text ?? "", killedBy: req.killedBy)
    case nil:
        preconditionFailure("serveMode without a mode")
    }
}

/// What a run of operations came to.
public enum OpsExecution: Sendable {
    /// They ran: what was applied, the results, the finding.
    case ran(ops: [Operation], results: [OpResult?], finding: Finding?)
    /// The list holds an operation the runtime never issues.
    case invalid
    /// The code under test killed or stalled the worker.
    case died(FindingKind)
}

/// What a seed's run came to.
public enum SeedExecution: Sendable {
    case ran(RunOutcome)
    case died(FindingKind)
}

extension IsolatedWorker {
    /// A seed's whole outcome, run in the worker.
    public func seedOutcome(_ seed: UInt64, _ config: RunConfig) throws -> SeedExecution {
        var req = WorkerRequest(config: WorkerConfig(config), seed: seed, ops: nil, skipInvalid: false)
        req.mode = .outcome
        switch try run(req) {
        case let .answered(r):
            guard let o = r.outcome else { throw WorkerError(description: "worker: no outcome for seed \(seed)") }
            return .ran(o.runOutcome(config.geometry))
        case let .died(kind):
            return .died(kind)
        }
    }

    /// Operations' whole outcome, run in the worker.
    public func opsOutcome(_ ops: [Operation], _ config: RunConfig, skipInvalid: Bool = false) throws -> OpsExecution {
        var req = WorkerRequest(config: WorkerConfig(config), seed: 0, ops: ops.map(\.traceText), skipInvalid: skipInvalid)
        req.mode = .outcome
        switch try run(req) {
        case let .answered(r):
            if r.invalid { return .invalid }
            guard let o = r.outcome else { throw WorkerError(description: "worker: no outcome for \(ops.count) operations") }
            return .ran(ops: o.ops, results: o.results, finding: o.finding)
        case let .died(kind):
            return .died(kind)
        }
    }

    /// A trace replayed in the worker; nil when the replay killed it.
    public func replayed(_ trace: Trace, _ config: RunConfig) throws -> ReplayReport? {
        var req = WorkerRequest(config: WorkerConfig(config), seed: 0, ops: nil, skipInvalid: false)
        req.mode = .replay
        req.steps = trace.steps
        guard case let .answered(r) = try run(req) else { return nil }
        var report = ReplayReport()
        report.lines = r.replayLines ?? []
        report.findings = r.replayFindings ?? []
        if let l = r.replayInvalidLine { report.invalid = (l, r.replayInvalidReason ?? "") }
        return report
    }

    /// A finding's HTML report, drawn in the worker; nil when drawing it
    /// killed the worker.
    public func reportHTML(ops: [Operation], config: RunConfig, title: String, traceText: String, killedBy: Finding?) throws -> String? {
        var req = WorkerRequest(config: WorkerConfig(config), seed: 0, ops: ops.map(\.traceText), skipInvalid: false)
        req.mode = .report
        req.text = traceText
        req.title = title
        req.killedBy = killedBy
        guard case let .answered(r) = try run(req) else { return nil }
        return r.html
    }
}

/// Where a command runs the code under test: in this process (`--no-isolate`),
/// or in a supervised worker.
public enum Execution {
    case inProcess
    case supervised(IsolatedWorker)

    /// A worker with `timeout` when `isolate`, else this process.
    public init(isolate: Bool, timeout: Double) {
        self = isolate ? .supervised(IsolatedWorker(timeout: timeout)) : .inProcess
    }

    public var worker: IsolatedWorker? {
        if case let .supervised(w) = self { return w }
        return nil
    }

    /// A seed's whole outcome. A worker's death is the seed's finding on its
    /// generated operations (drawn from the reference, never from the port).
    public func seed(_ seed: UInt64, _ config: RunConfig) throws -> RunOutcome {
        switch self {
        case .inProcess:
            return try runSeed(seed, config)
        case let .supervised(w):
            switch try w.seedOutcome(seed, config) {
            case let .ran(run): return run
            case let .died(kind): return try diedOutcome(seed, config, kind)
            }
        }
    }

    /// `runOps` wherever the code under test runs; a worker's death is a
    /// finding at the last operation.
    public func ops(_ ops: [Operation], _ config: RunConfig, skipInvalid: Bool = false) throws
        -> (ops: [Operation], results: [OpResult?], finding: Finding?)? {
        switch self {
        case .inProcess:
            return try runOps(ops, config, skipInvalid: skipInvalid)
        case let .supervised(w):
            switch try w.opsOutcome(ops, config, skipInvalid: skipInvalid) {
            case let .ran(a, r, f): return (a, r, f)
            case .invalid: return nil
            case let .died(kind):
                let results = referenceResults(Array(ops.dropLast()), config.geometry) + [nil]
                return (ops, results, Finding(kind: kind, stepIndex: ops.count - 1, op: ops.last, line: ops.count, target: config.targetName))
            }
        }
    }

    /// What a real Go runtime does itself once an invariant is broken: the
    /// same seed with invariants off (results still compared with the
    /// reference), kept when it fails differently, e.g. Go's crash reading the
    /// unmapped summary the `searchAddr` invariant pointed at. Only for Go
    /// targets (the port's twin of that crash is the `unmapped` split of the
    /// invariant's signature); run wherever the command runs its code under test.
    public func consequence(_ run: RunOutcome, _ config: RunConfig) throws -> RunOutcome? {
        guard config.targets.failOnTheirOwn, let f = run.finding, case .invariant = f.kind else { return nil }
        var c = config
        c.checking = .none
        var r = try seed(run.seed, c)
        guard let g = r.finding, g.kind.signature != f.kind.signature else { return nil }
        r.invariantsOff = true
        return r
    }
}
