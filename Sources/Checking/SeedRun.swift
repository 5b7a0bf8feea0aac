// One seeded run: generate operations, apply them to port and reference,
// check invariants; and the plain replay of an operation list that the
// shrinker uses.

import PageAlloc
import Reference

/// What a run checks.
public struct RunConfig: Sendable {
    public var geometry: Geometry
    public var variant: Variant
    /// Operations per seed.
    public var ops: Int
    public var checking: CheckLevel
    public init(geometry: Geometry, variant: Variant = .faithful, ops: Int = 300, checking: CheckLevel = .incremental(fullEvery: 64)) {
        self.geometry = geometry
        self.variant = variant
        self.ops = ops
        self.checking = checking
    }
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

    public var status: RunStatus { finding.map { .failed(signature: $0.kind.signature) } ?? .passed }
}

/// Runs seed `seed`: a fresh generator, port and reference.
public func runSeed(_ seed: UInt64, _ config: RunConfig) throws -> RunOutcome {
    try runGenerated(RandomChoices(seed: seed), seed: seed, config)
}

/// Runs the generator over any choice source (the libFuzzer target feeds it
/// bytes); stops early when `done` says the source is used up.
public func runGenerated<S: ChoiceSource>(_ source: S, seed: UInt64, _ config: RunConfig,
                                          done: ((S) -> Bool)? = nil) throws -> RunOutcome {
    let runner = try Runner(geometry: config.geometry, variant: config.variant, checking: config.checking)
    var gen = OperationGenerator(geometry: config.geometry, source: source)
    var out = RunOutcome(seed: seed, geometry: config.geometry, coverage: runner.port.coverage)
    var refusals = 0
    while out.ops.count < config.ops, !(done?(gen.source) ?? false) {
        let op = gen.next(runner.reference)
        switch runner.apply(op) {
        case let .applied(r):
            out.ops.append(op)
            out.results.append(r)
            if case .alloc(0, _) = r, !runner.reference.free.isEmpty { out.fragmentedFailures += 1 }
        case .refused:
            // The generator only proposes valid operations; a refusal is a
            // bug in the checker, but one bad proposal must not hang the run.
            refusals += 1
            precondition(refusals < 100, "generator keeps proposing invalid operations: \(op)")
        case let .finding(f, r):
            out.ops.append(op)
            out.results.append(r)
            out.finding = f
            out.coverage = runner.port.coverage
            return out
        }
    }
    out.finding = runner.finish()
    out.coverage = runner.port.coverage
    return out
}

/// Applies `ops` to a fresh runner. An invalid operation makes the whole
/// list invalid (nil), unless `skipInvalid`, which drops it and goes on.
/// Returns the operations applied, their results and the finding.
public func runOps(_ ops: [Operation], _ config: RunConfig, skipInvalid: Bool = false) throws
    -> (ops: [Operation], results: [OpResult?], finding: Finding?)? {
    let runner = try Runner(geometry: config.geometry, variant: config.variant, checking: config.checking)
    var applied: [Operation] = []
    var results: [OpResult?] = []
    for op in ops {
        switch runner.apply(op) {
        case let .applied(r):
            applied.append(op)
            results.append(r)
        case .refused:
            if !skipInvalid { return nil }
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
