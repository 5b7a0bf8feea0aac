// One seeded run: make the chosen targets, generate operations, and let
// the engine (Checking) apply them to the targets and the reference and
// judge them; the plain replay of an operation list that the shrinker uses;
// and the replay of a trace on chosen targets. Here, above the engine, is
// where a target choice becomes targets: the engine itself never imports
// the port or the Go target.

import Vocabulary
import Reference
import TraceFormat
import Targets
import GoTarget
import Checking

/// What a run checks.
public struct RunConfig: Sendable {
    public var geometry: Geometry
    /// The allocators under test, the port first when it runs.
    public var targets: [TargetChoice]
    /// Operations per seed.
    public var ops: Int
    public var checking: CheckLevel
    public init(geometry: Geometry, targets: [TargetChoice] = [.port()], ops: Int = 300, checking: CheckLevel = .incremental(fullEvery: 64)) {
        precondition(!targets.isEmpty, "a run needs a target")
        self.geometry = geometry
        self.targets = targets
        self.ops = ops
        self.checking = checking
    }

    /// A run of the port alone with `variant` (and `scavenger`).
    public init(geometry: Geometry, variant: Variant, scavenger: Scavenger = .go119, ops: Int = 300, checking: CheckLevel = .incremental(fullEvery: 64)) {
        self.init(geometry: geometry, targets: [.port(variant, scavenger)], ops: ops, checking: checking)
    }

    /// The run's variant (see `[TargetChoice].variant`).
    public var variant: Variant { targets.variant }

    /// The targets of one run, in order (a Go child comes from the pool).
    public func makeTargets() throws -> [any AllocatorUnderTest] { try targets.makeTargets(geometry) }

    /// Which optional operations the targets all take (`[TargetChoice].take`).
    public func targetsTake() throws -> (scavenge: Bool, nextGen: Bool, padding: Bool)? { try targets.take() }

    /// Whether the targets take `op` (see `targetsTake`).
    public static func takes(_ op: Operation, _ can: (scavenge: Bool, nextGen: Bool, padding: Bool)) -> Bool {
        switch op {
        case .scavenge: can.scavenge
        case .nextGen: can.nextGen
        case .pad: can.padding
        default: true
        }
    }

    /// The options that select these targets again (replay commands).
    public var targetOptions: String { targets.commandLine }

    /// Names the targets (findings and replay commands carry it).
    public var targetName: String { targets.targetName }
}

/// What one run did.
public struct RunOutcome: Sendable {
    public let seed: UInt64
    public let geometry: Geometry
    /// Operations applied, in order (the failing one last, if any).
    public var ops: [Operation] = []
    /// Their results (nil for an operation that faulted).
    public var results: [OpResult?] = []
    public var finding: Finding?
    public var coverage: CoverageCounts
    /// Allocations that failed although some page was free.
    public var fragmentedFailures = 0
    /// Run with invariants off: the target's own failure after an invariant broke.
    public var invariantsOff = false
    /// Invariant evaluations that were not applicable to a target: count and reason.
    public var notApplicable: [String: (count: Int, reason: String)] = [:]

    public init(seed: UInt64, geometry: Geometry, coverage: CoverageCounts) {
        self.seed = seed
        self.geometry = geometry
        self.coverage = coverage
    }

    public var status: RunStatus { finding.map { .failed(signature: $0.kind.signature) } ?? .passed }
}

/// Runs seed `seed`: a fresh generator, port and reference.
public func runSeed(_ seed: UInt64, _ config: RunConfig) throws -> RunOutcome {
    try runGenerated(RandomChoices(seed: seed), seed: seed, config)
}

/// Runs the generator over any choice source (the libFuzzer target feeds it
/// bytes); stops early when `done` says the source is used up. Operations
/// are drawn from the reference's view ahead of the targets and sent in
/// batches; the first finding ends the run.
///
/// `scavenge` overrides whether scavenges are drawn, which otherwise the
/// targets decide (only targets that share one scavenger get them).
public func runGenerated<S: ChoiceSource>(_ source: S, seed: UInt64, _ config: RunConfig,
                                          scavenge: Bool? = nil,
                                          done: ((S) -> Bool)? = nil) throws -> RunOutcome {
    let targets: [any AllocatorUnderTest]
    do {
        targets = try config.makeTargets()
    } catch let death as GoStartupDeath {
        var out = RunOutcome(seed: seed, geometry: config.geometry, coverage: CoverageCounts(levels: config.geometry.summaryLevels))
        out.finding = death.finding
        return out
    }
    let runner = Runner(targets: targets, checking: config.checking, variant: config.variant)
    var gen = OperationGenerator(geometry: config.geometry, source: source,
                                 scavenge: scavenge ?? runner.targets.shareScavenger,
                                 nextGen: runner.targets.allSatisfy(\.supportsNextGen),
                                 padding: runner.targets.allSatisfy(\.supportsPadding))
    let noCoverage = CoverageCounts(levels: config.geometry.summaryLevels)
    var out = RunOutcome(seed: seed, geometry: config.geometry, coverage: runner.coverage ?? noCoverage)
    var refusals = 0
    var staged: [Operation] = []
    var generated = 0
    func judgeStaged() -> Bool {
        let outcomes = runner.flush()
        for (op, outcome) in zip(staged, outcomes) {
            switch outcome {
            case let .applied(r):
                out.ops.append(op)
                out.results.append(r)
                if case .alloc(0, _) = r, !runner.reference.free.isEmpty { out.fragmentedFailures += 1 }
            case .refused:
                preconditionFailure("a staged operation was refused at flush")
            case let .finding(f, r):
                out.ops.append(op)
                out.results.append(r)
                out.finding = f
                return false
            }
        }
        staged.removeAll(keepingCapacity: true)
        return true
    }
    var going = true
    while going, generated < config.ops, !(done?(gen.source) ?? false) {
        let op = gen.next(runner.planner)
        if runner.stage(op) != nil {
            // The generator only proposes valid operations; a refusal is a
            // bug in the checker, but one bad proposal must not hang the run.
            refusals += 1
            precondition(refusals < 100, "generator keeps proposing invalid operations: \(op)")
            continue
        }
        staged.append(op)
        generated += 1
        if runner.batchFull { going = judgeStaged() }
    }
    if going && judgeStaged() { out.finding = runner.finish() }
    out.coverage = runner.coverage ?? noCoverage
    out.notApplicable = runner.notApplicable
    return out
}

/// Applies `ops` to fresh targets. An invalid operation makes the whole
/// list invalid (nil), unless `skipInvalid`, which drops it and goes on.
/// Returns the operations applied, their results and the finding.
public func runOps(_ ops: [Operation], _ config: RunConfig, skipInvalid: Bool = false) throws
    -> (ops: [Operation], results: [OpResult?], finding: Finding?)? {
    let targets: [any AllocatorUnderTest]
    do {
        targets = try config.makeTargets()
    } catch let death as GoStartupDeath {
        // Before any operation: the list's validity is not asked.
        return ([], [], death.finding)
    }
    let runner = Runner(targets: targets, checking: config.checking, variant: config.variant)
    var staged: [Operation] = []
    for op in ops {
        if runner.stage(op) != nil {
            if !skipInvalid { return nil }
            continue
        }
        staged.append(op)
    }
    var applied: [Operation] = []
    var results: [OpResult?] = []
    // Stage everything first: the batch is sent in pieces of the runner's size.
    for (op, outcome) in zip(staged, runner.flush()) {
        switch outcome {
        case let .applied(r):
            applied.append(op)
            results.append(r)
        case .refused:
            preconditionFailure("a staged operation was refused at flush")
        case let .finding(f, r):
            applied.append(op)
            results.append(r)
            return (applied, results, f)
        }
    }
    return (applied, results, runner.finish())
}

/// Writes ops and results as a trace, with a header of comment lines.
public func traceText(geometry: Geometry, ops: [Operation], results: [OpResult?], header: [String]) -> String {
    var steps: [TraceStep] = []
    for (i, op) in ops.enumerated() {
        let r = i < results.count ? results[i] : nil
        steps.append(TraceStep(op: op, expected: r == OpResult.none ? nil : r))
    }
    return Trace(geometry: geometry, steps: steps, header: header).text()
}

extension Shrinker {
    /// A shrinker whose candidates run on fresh targets of `config`, in
    /// this process.
    public init(config: RunConfig, signature: String, budget: Int = 3000, passes: [ShrinkPass] = ShrinkPass.all) {
        self.init(geometry: config.geometry, signature: signature, budget: budget, passes: passes) { ops, skipInvalid in
            guard let r = try runOps(ops, config, skipInvalid: skipInvalid) else { return (nil, [], nil) }
            return (r.finding?.kind.signature, r.ops, r.finding?.kind)
        }
    }
}

extension Runner {
    /// A runner on the in-process port (made through its target choice).
    public convenience init(geometry: Geometry, variant: Variant = .faithful, checking: CheckLevel = .incremental(fullEvery: 64)) throws {
        self.init(targets: [try TargetChoice.port(variant).makeTarget(geometry)], checking: checking, variant: variant)
    }
}

/// Replays `trace` on a fresh port of the given variant. Stops at the first
/// finding that leaves the port unusable (a fault, throw or panic) and at
/// the first invalid operation; mismatches are reported and the run goes on.
public func replay(_ trace: Trace, variant: Variant = .faithful, checking: CheckLevel = .incremental(fullEvery: 64)) throws -> ReplayReport {
    try replay(trace, config: RunConfig(geometry: trace.geometry, variant: variant, checking: checking))
}

/// Replays `trace` on the targets of `config` (the port, a Go runtime, or both).
public func replay(_ trace: Trace, config: RunConfig) throws -> ReplayReport {
    let targets: [any AllocatorUnderTest]
    do {
        targets = try config.makeTargets()
    } catch let death as GoStartupDeath {
        var report = ReplayReport(of: trace)
        report.lines.append("# FINDING at start, before any operation: \(death.crash.signature)")
        report.findings.append(death.finding)
        return report
    }
    return replay(trace, on: Runner(targets: targets, checking: config.checking, variant: config.variant))
}
