// Many seeds: the campaign behind `verify check` and the default `verify`.
// Seeds run on worker threads; findings are shrunk once per failure
// signature and written as trace files.

import Foundation
import PageAlloc
import Reference
import TraceFormat
import Targets
import GoTarget
import Checking

/// What to check.
public struct CheckOptions: Sendable {
    /// Seeds to run; with `seconds`, the run also stops when time is up.
    public var seeds: Range<UInt64>
    public var seconds: Double?
    public var jobs: Int
    /// A fixed geometry, or nil to rotate through every named geometry by seed.
    public var geometry: Geometry?
    /// The allocators under test.
    public var targets: [TargetChoice]
    public var ops: Int
    public var fullEvery: Int
    /// Where shrunk traces go (nil: not written).
    public var outDir: String?
    public var shrinkBudget: Int
    /// Run each seed, and each shrink candidate, in a supervised worker
    /// process (`verify worker`): a trap or hang of the code under test is
    /// then a finding and the campaign goes on.
    public var isolate = false
    /// Stop taking seeds once one has failed (time to first failure).
    public var stopAtFirstFailure = false
    /// Shrink and write the failing seeds (off: only count them).
    public var shrinkFindings = true
    /// Signatures of defects already kept (traces/go-findings/): seeds that
    /// fail with one are counted in `CheckSummary.knownFailures`, not as
    /// failures; they neither stop the check nor get shrunk.
    public var knownSignatures: Set<String> = []

    public init(seeds: Range<UInt64> = 0..<UInt64.max, seconds: Double? = nil, jobs: Int = 2, geometry: Geometry? = nil,
                targets: [TargetChoice] = [.port()], ops: Int = 300, fullEvery: Int = 64, outDir: String? = "findings", shrinkBudget: Int = 3000) {
        self.seeds = seeds
        self.seconds = seconds
        self.jobs = jobs
        self.geometry = geometry
        self.targets = targets
        self.ops = ops
        self.fullEvery = fullEvery
        self.outDir = outDir
        self.shrinkBudget = shrinkBudget
    }

    /// The geometry seed `s` runs on.
    public func geometry(for s: UInt64) -> Geometry { geometry ?? Geometry.all[Int(s % UInt64(Geometry.all.count))] }
    public func config(_ s: UInt64) -> RunConfig {
        RunConfig(geometry: geometry(for: s), targets: targets, ops: ops, checking: .incremental(fullEvery: fullEvery))
    }
}

/// A finding after shrinking.
public struct ShrunkFinding: Sendable {
    public let seed: UInt64
    public let geometry: Geometry
    public let variant: Variant
    public let original: Finding
    public let originalLength: Int
    public let ops: [Operation]
    public let results: [OpResult?]
    public let finding: Finding
    public let shrinkRuns: Int
    public let passStats: [String: PassStats]
    /// The trace file written, if any.
    public var path: String?
    /// The shrunk trace as text.
    public let text: String
    /// The targets it ran on, and the options that select them again.
    public var targetName = "port"
    /// The shrinker ended at a fixed point of every pass (1-minimal).
    public var certified = false
    public var targetOptions = ""
    /// The configuration it was shrunk under (what its report replays).
    public var config: RunConfig
}

/// Per-geometry totals.
public struct GeometryTotals: Sendable {
    public var seeds = 0
    public var ops = 0
    public var failures = 0
    public var seconds = 0.0
}

/// The result of a check.
public struct CheckSummary: Sendable {
    public var totals: [String: GeometryTotals] = [:]
    /// Seeds that failed, with their signature, by seed.
    public var failures: [(seed: UInt64, geometry: String, signature: String)] = []
    public var shrunk: [ShrunkFinding] = []
    public var coverage = CoverageCounts(levels: 8)
    /// Invariant evaluations that were not applicable to a target, by
    /// invariant: how many, and why (never counted as passes).
    public var notApplicable: [String: (count: Int, reason: String)] = [:]
    public var elapsed = 0.0
    /// Seeds that failed with a known signature (`CheckOptions.knownSignatures`), by signature.
    public var knownFailures: [String: Int] = [:]
    /// Seconds from the start to the first failing seed's end.
    public var firstFailureSeconds: Double?
    public var seedsRun: Int { totals.values.reduce(0) { $0 + $1.seeds } }
    public var opsRun: Int { totals.values.reduce(0) { $0 + $1.ops } }
}

/// Shrinks one failing run and writes its trace.
public func shrinkFinding(_ run: RunOutcome, _ options: CheckOptions) throws -> ShrunkFinding {
    var config = options.config(run.seed)
    if run.invariantsOff { config.checking = .none }
    let worker = options.isolate ? IsolatedWorker(timeout: IsolatedWorker.shrinkTimeout) : nil
    let s = try shrinkFailure(run.ops, failingWith: run.finding!.kind, config: config, budget: options.shrinkBudget, worker: worker)
    return try writeShrunk(run, s, config: config, options: options)
}

/// Shrinks a failing run as `shrinkFinding` does; when shrinking itself
/// fails (replaying a candidate errs), the finding is kept as it was found,
/// with the reason in its header: a check never loses a finding to its own
/// trouble.
public func shrinkOrKeep(_ run: RunOutcome, _ options: CheckOptions, progress: ((String) -> Void)? = nil) throws -> ShrunkFinding {
    do {
        return try shrinkFinding(run, options)
    } catch {
        progress?("shrinking seed \(run.seed) failed (\(error)); its \(run.ops.count) operations are kept unshrunk")
        var config = options.config(run.seed)
        if run.invariantsOff { config.checking = .none }
        let untouched = ShrunkFailure(ops: run.ops, results: run.results, finding: run.finding!, reproduced: true,
                                      shrinker: Shrinker(config: config, signature: run.finding!.kind.signature, budget: 0))
        return try writeShrunk(run, untouched, config: config, options: options,
                               notShrunk: "not shrunk: shrinking failed (\(error)); these are the seed's own operations")
    }
}

/// The shrunk finding's trace text (with its header) and file.
func writeShrunk(_ run: RunOutcome, _ shrunk: ShrunkFailure, config: RunConfig, options: CheckOptions,
                 notShrunk: String? = nil) throws -> ShrunkFinding {
    let (ops, results, finding) = (shrunk.ops, shrunk.results, shrunk.finding)
    let header = [
        "shrunk by verify from seed \(run.seed) (\(run.ops.count) operations -> \(ops.count)), geometry \(config.geometry.name), target \(config.targetName)"
            + (run.invariantsOff ? ", invariants off (what the target does after the invariant broke)" : "")
            + (options.isolate && shrunk.finding.kind.killsProcess ? ", in a supervised worker" : ""),
    ] + shrunk.headerLines(config: config, notShrunk: notShrunk)
    var s = ShrunkFinding(seed: run.seed, geometry: config.geometry, variant: config.variant, original: run.finding!, originalLength: run.ops.count,
                          ops: ops, results: results, finding: finding, shrinkRuns: shrunk.shrinker.runs, passStats: shrunk.shrinker.stats,
                          path: nil, text: traceText(geometry: config.geometry, ops: ops, results: results, header: header), config: config)
    s.targetName = config.targetName
    s.targetOptions = config.targetOptions
    s.certified = shrunk.certified
    if let dir = options.outDir {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let sig = finding.kind.signature.map { $0.isLetter || $0.isNumber ? $0 : "-" }.prefix(80)
        // Named by the Go runtime when one runs, else by the port's variant.
        let who = config.targets.first(where: \.failsOnItsOwn).map { String($0.name.map { $0.isLetter || $0.isNumber || $0 == "." ? $0 : "-" }) }
            ?? config.variant.rawValue
        let path = "\(dir)/\(config.geometry.name)-\(String(who))-seed\(run.seed)-\(String(sig)).trace"
        try writeFileAtomically(path, s.text)
        s.path = path
    }
    return s
}

/// The operations the generator draws for a seed, drawn and validated by
/// the reference alone: no allocator under test runs here, so this is safe
/// in the supervisor after the seed killed its worker (the port may trap on
/// any of them). The generator reads only the reference (free, allocated
/// and grown pages, the caches), never a target's result, so these are the
/// operations the targets were given, up to the one that killed them.
///
/// The mix of operations is the targets' own, though: scavenges are drawn
/// only when every target runs the same scavenger (not for the port beside
/// Go 1.21 or later). The targets are asked by name, without being run.
public func generatedOps(_ seed: UInt64, _ config: RunConfig) throws -> [Operation] {
    // A Go target that cannot start takes no operation at all.
    guard let can = try config.targetsTake() else { return [] }
    var reference = ReferenceAllocator(geometry: config.geometry, acceptsTopOfSpaceGrow: config.variant == .preFix35954)
    var gen = OperationGenerator(geometry: config.geometry, source: RandomChoices(seed: seed), scavenge: can.scavenge,
                                 nextGen: can.nextGen, padding: can.padding)
    var ops: [Operation] = []
    var refusals = 0
    while ops.count < config.ops {
        let op = gen.next(reference)
        do {
            _ = try reference.apply(op)
        } catch {
            // As in runGenerated: a refused proposal is skipped.
            refusals += 1
            precondition(refusals < 100, "generator keeps proposing invalid operations: \(op)")
            continue
        }
        ops.append(op)
    }
    return ops
}

/// A seed whose worker died: its generated operations, failing with the crash
/// or hang at the last (where exactly is found after shrinking).
public func diedOutcome(_ seed: UInt64, _ config: RunConfig, _ kind: FindingKind) throws -> RunOutcome {
    let ops = try generatedOps(seed, config)
    var run = RunOutcome(seed: seed, geometry: config.geometry, coverage: CoverageCounts(levels: config.geometry.summaryLevels))
    run.ops = ops
    run.results = Array(repeating: nil, count: ops.count)
    run.finding = Finding(kind: kind, stepIndex: ops.count - 1, op: ops.last, line: ops.count, target: config.targetName)
    return run
}

/// Where a list of operations kills a worker: the index of the operation
/// (the shortest failing prefix, by binary search) and the failure, or nil
/// when it runs to the end in the worker.
public func supervisedCrashPoint(_ ops: [Operation], _ config: RunConfig, _ worker: IsolatedWorker) throws -> (index: Int, kind: FindingKind)? {
    let whole = try worker.runOps(ops, config, skipInvalid: false)
    guard var kind = whole.kind else { return nil }
    var lo = 1, hi = ops.count
    while lo < hi {
        let mid = (lo + hi) / 2
        let r = try worker.runOps(Array(ops[..<mid]), config, skipInvalid: false)
        if r.signature == kind.signature { hi = mid; if let k = r.kind { kind = k } } else { lo = mid + 1 }
    }
    return (hi - 1, kind)
}

/// What the reference allocator returns for each operation (the checker's
/// own code: it cannot trap on what kills a worker).
public func referenceResults(_ ops: [Operation], _ g: Geometry) -> [OpResult?] {
    var r = ReferenceAllocator(geometry: g)
    return ops.map { op in
        do { return try r.apply(op) } catch { return nil }
    }
}


/// The state the worker threads share, behind one lock.
final class CheckState: @unchecked Sendable {
    let lock = NSLock()
    let options: CheckOptions
    let progress: (@Sendable (String) -> Void)?
    var summary = CheckSummary()
    var next: UInt64
    var failedRuns: [RunOutcome] = []
    var firstError: (any Error)?
    let start: Date
    var lastProgress: Date
    let deadline: Date?

    init(_ options: CheckOptions, _ progress: (@Sendable (String) -> Void)?) {
        self.options = options
        self.progress = progress
        next = options.seeds.lowerBound
        let now = Date()
        start = now
        lastProgress = now
        deadline = options.seconds.map { now.addingTimeInterval($0) }
    }

    /// The next seed to run, or nil when the range or the time is used up.
    func take() -> UInt64? {
        lock.lock()
        defer { lock.unlock() }
        if next >= options.seeds.upperBound || (deadline.map { Date() >= $0 } ?? false) || firstError != nil { return nil }
        if options.stopAtFirstFailure && !summary.failures.isEmpty { return nil }
        next += 1
        return next - 1
    }

    func record(_ run: RunOutcome, seconds dt: Double, extra: Bool = false, opsCount: Int? = nil) {
        lock.lock()
        defer { lock.unlock() }
        let name = run.geometry.name
        if extra, let f = run.finding, options.knownSignatures.contains(f.kind.signature) {
            summary.knownFailures[f.kind.signature, default: 0] += 1
            return
        }
        if extra, let f = run.finding {
            // A second finding of a seed already counted.
            summary.failures.append((run.seed, name, f.kind.signature))
            failedRuns.append(run)
            return
        }
        summary.totals[name, default: GeometryTotals()].seeds += 1
        summary.totals[name, default: GeometryTotals()].ops += opsCount ?? run.ops.count
        summary.totals[name, default: GeometryTotals()].seconds += dt
        summary.coverage.merge(run.coverage)
        for (name, na) in run.notApplicable {
            summary.notApplicable[name, default: (0, na.reason)].count += na.count
        }
        if let f = run.finding, options.knownSignatures.contains(f.kind.signature) {
            summary.knownFailures[f.kind.signature, default: 0] += 1
        } else if let f = run.finding {
            if summary.firstFailureSeconds == nil { summary.firstFailureSeconds = Date().timeIntervalSince(start) }
            summary.totals[name, default: GeometryTotals()].failures += 1
            summary.failures.append((run.seed, name, f.kind.signature))
            failedRuns.append(run)
        }
        if let progress, Date().timeIntervalSince(lastProgress) >= 2 {
            lastProgress = Date()
            let el = lastProgress.timeIntervalSince(start)
            progress(String(format: "elapsed %.1fs  seeds %d (%.1f/s)  ops %d (%.0f/s)  failures %d",
                            el, summary.seedsRun, Double(summary.seedsRun) / el, summary.opsRun, Double(summary.opsRun) / el,
                            summary.failures.count))
        }
    }

    func fail(_ e: any Error) {
        lock.lock()
        if firstError == nil { firstError = e }
        lock.unlock()
    }

    func work() {
        let exec = Execution(isolate: options.isolate, timeout: IsolatedWorker.timeout(for: options.targets))
        while let seed = take() {
            let t0 = Date()
            do {
                let config = options.config(seed)
                switch try exec.seedResult(seed, config) {
                case let .passedInWorker(r):
                    record(r.passedOutcome(seed, config.geometry), seconds: Date().timeIntervalSince(t0), opsCount: r.opsApplied)
                case let .ran(run):
                    record(run, seconds: Date().timeIntervalSince(t0))
                    if let c = try exec.consequence(run, config) { record(c, seconds: 0, extra: true) }
                }
            } catch {
                fail(error)
                return
            }
        }
    }
}

/// Runs seeds until the range or the time is used up, on `jobs` threads;
/// then shrinks the first failing seed of each failure signature.
public func check(_ options: CheckOptions, progress: (@Sendable (String) -> Void)? = nil) throws -> CheckSummary {
    let state = CheckState(options, progress)
    onThreads(options.jobs) { state.work() }
    if let e = state.firstError { throw e }
    var summary = state.summary
    summary.failures.sort { $0.seed < $1.seed }
    let failedRuns = state.failedRuns.sorted { $0.seed < $1.seed }
    var seen: [String] = []
    for run in failedRuns where options.shrinkFindings {
        let sig = run.finding!.kind.signature
        if seen.contains(sig) { continue }
        seen.append(sig)
        progress?("shrinking seed \(run.seed) (\(run.geometry.name), \(run.ops.count) operations, \(sig))")
        summary.shrunk.append(try shrinkOrKeep(run, options, progress: progress))
    }
    summary.elapsed = Date().timeIntervalSince(state.start)
    return summary
}
