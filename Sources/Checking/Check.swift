// Many seeds: the campaign behind `verify check` and the default `verify`.
// Seeds run on worker threads; findings are shrunk once per failure
// signature and written as trace files.

import Foundation
import PageAlloc

/// What to check.
public struct CheckOptions: Sendable {
    /// Seeds to run; with `seconds`, the run also stops when time is up.
    public var seeds: Range<UInt64>
    public var seconds: Double?
    public var jobs: Int
    /// A fixed geometry, or nil to rotate through every named geometry by seed.
    public var geometry: Geometry?
    public var variant: Variant
    public var ops: Int
    public var fullEvery: Int
    /// Where shrunk traces go (nil: not written).
    public var outDir: String?
    public var shrinkBudget: Int
    /// Run the port (with `variant`).
    public var usePort = true
    /// Run a real Go runtime too, or instead.
    public var go: GoTargetSpec?

    public init(seeds: Range<UInt64> = 0..<UInt64.max, seconds: Double? = nil, jobs: Int = 2, geometry: Geometry? = nil,
                variant: Variant = .faithful, ops: Int = 300, fullEvery: Int = 64, outDir: String? = "findings", shrinkBudget: Int = 3000) {
        self.seeds = seeds
        self.seconds = seconds
        self.jobs = jobs
        self.geometry = geometry
        self.variant = variant
        self.ops = ops
        self.fullEvery = fullEvery
        self.outDir = outDir
        self.shrinkBudget = shrinkBudget
    }

    /// The geometry seed `s` runs on.
    public func geometry(for s: UInt64) -> Geometry { geometry ?? Geometry.all[Int(s % UInt64(Geometry.all.count))] }
    public func config(_ s: UInt64) -> RunConfig {
        RunConfig(geometry: geometry(for: s), variant: variant, ops: ops, checking: .incremental(fullEvery: fullEvery),
                  usePort: usePort, go: go)
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
    public var seedsRun: Int { totals.values.reduce(0) { $0 + $1.seeds } }
    public var opsRun: Int { totals.values.reduce(0) { $0 + $1.ops } }
}

/// Shrinks one failing run and writes its trace.
public func shrinkFinding(_ run: RunOutcome, _ options: CheckOptions) throws -> ShrunkFinding {
    let f = run.finding!
    var config = options.config(run.seed)
    if run.invariantsOff { config.checking = .none }
    var shrinker = Shrinker(config: config, signature: f.kind.signature, budget: options.shrinkBudget)
    var ops = shrinker.shrink(run.ops)
    var rerun = try runOps(ops, config)
    if rerun?.finding == nil {
        // The shrunk list did not fail again: keep the original run's operations.
        ops = run.ops
        rerun = try runOps(ops, config)
    }
    guard let (_, results, found) = rerun, let finding = Optional(found ?? f) else {
        preconditionFailure("a run's own operations are invalid on replay")
    }
    let reproduced = found != nil
    let header = [
        "shrunk by verify from seed \(run.seed) (\(run.ops.count) operations -> \(ops.count)), geometry \(config.geometry.name), target \(config.targetName)"
            + (run.invariantsOff ? ", invariants off (what the target does after the invariant broke)" : ""),
        "failure: \(finding.kind.signature)" + (reproduced ? "" : " (NOT reproduced when re-run: flaky)"),
        shrinker.certified
            ? "certified 1-minimal: no single deletion and no lowering by any shrink pass keeps this failure (\(shrinker.runs) evaluations)"
            : "not certified minimal: the shrink budget of \(shrinker.budget) evaluations ran out",
        "  \(finding.description.replacingOccurrences(of: "\n", with: "\n#   "))",
        "replay: swift run verify replay FILE\(config.targetOptions)",
    ]
    var s = ShrunkFinding(seed: run.seed, geometry: config.geometry, variant: config.variant, original: f, originalLength: run.ops.count,
                          ops: ops, results: results, finding: finding, shrinkRuns: shrinker.runs, passStats: shrinker.stats,
                          path: nil, text: traceText(geometry: config.geometry, ops: ops, results: results, header: header), config: config)
    s.targetName = config.targetName
    s.targetOptions = config.targetOptions
    s.certified = shrinker.certified && reproduced
    if let dir = options.outDir {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let sig = finding.kind.signature.map { $0.isLetter || $0.isNumber ? $0 : "-" }
        let who = config.go.map { String($0.description.map { $0.isLetter || $0.isNumber || $0 == "." ? $0 : "-" }) } ?? config.variant.rawValue
        let path = "\(dir)/\(config.geometry.name)-\(String(who))-seed\(run.seed)-\(String(sig)).trace"
        try writeFileAtomically(path, s.text)
        s.path = path
    }
    return s
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
        next += 1
        return next - 1
    }

    func record(_ run: RunOutcome, seconds dt: Double, extra: Bool = false) {
        lock.lock()
        defer { lock.unlock() }
        let name = run.geometry.name
        if extra, let f = run.finding {
            // A second finding of a seed already counted.
            summary.failures.append((run.seed, name, f.kind.signature))
            failedRuns.append(run)
            return
        }
        summary.totals[name, default: GeometryTotals()].seeds += 1
        summary.totals[name, default: GeometryTotals()].ops += run.ops.count
        summary.totals[name, default: GeometryTotals()].seconds += dt
        summary.coverage.merge(run.coverage)
        for (name, na) in run.notApplicable {
            summary.notApplicable[name, default: (0, na.reason)].count += na.count
        }
        if let f = run.finding {
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
        while let seed = take() {
            let t0 = Date()
            do {
                let run = try runSeed(seed, options.config(seed))
                record(run, seconds: Date().timeIntervalSince(t0))
                if let c = try consequenceRun(run, options.config(seed)) { record(c, seconds: 0, extra: true) }
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
    DispatchQueue.concurrentPerform(iterations: max(options.jobs, 1)) { _ in state.work() }
    if let e = state.firstError { throw e }
    var summary = state.summary
    summary.failures.sort { $0.seed < $1.seed }
    let failedRuns = state.failedRuns.sorted { $0.seed < $1.seed }
    var seen: [String] = []
    for run in failedRuns {
        let sig = run.finding!.kind.signature
        if seen.contains(sig) { continue }
        seen.append(sig)
        progress?("shrinking seed \(run.seed) (\(run.geometry.name), \(run.ops.count) operations, \(sig))")
        summary.shrunk.append(try shrinkFinding(run, options))
    }
    summary.elapsed = Date().timeIntervalSince(state.start)
    return summary
}
