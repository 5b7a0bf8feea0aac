// A fuzzing campaign: the long, sharded run behind `verify fuzz`. Seeds are
// drawn from a shard's own arithmetic progression (seed = base + k*n + i), so
// n machines with the same base never run the same seed. A failing seed is
// shrunk at once by the worker that found it, deduplicated, and written
// (atomically) before the worker takes its next seed: a campaign killed with
// SIGKILL loses no finding it already reported.

import Foundation
import PageAlloc
import TraceFormat
import Targets
import GoTarget
import Checking
import Reference

/// Shard i of n (0 <= i < n).
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int
    public init(index: Int, count: Int) {
        precondition(count >= 1 && index >= 0 && index < count, "shard \(index)/\(count)")
        self.index = index
        self.count = count
    }
    /// Parses "i/n"; nil unless 0 <= i < n.
    public static func parse(_ s: String) -> Shard? {
        let p = s.split(separator: "/")
        guard p.count == 2, let i = Int(p[0]), let n = Int(p[1]), n >= 1, i >= 0, i < n else { return nil }
        return Shard(index: i, count: n)
    }
    public var description: String { "\(index)/\(count)" }
}

/// What a campaign runs.
public struct CampaignOptions: Sendable {
    public var seedBase: UInt64 = 0
    public var shard = Shard(index: 0, count: 1)
    /// Stop after this long (nil: only `maxSeeds` or a stop request ends it).
    public var seconds: Double?
    /// Stop after this many seeds of this shard.
    public var maxSeeds: UInt64?
    public var jobs = 1
    /// A fixed geometry, or nil for every named geometry in rotation.
    public var geometry: Geometry?
    /// The allocators under test.
    public var targets: [TargetChoice] = [.port()]
    public var ops = 300
    public var fullEvery = 64
    /// Findings go to `outDir/findings/` (nil: not written).
    public var outDir: String?
    public var shrinkBudget = 3000
    /// Failing seeds of one class (signature, failing operation kind) shrunk
    /// at most this many times; later ones are only counted. Keeps a
    /// campaign on a broken variant from spending its night shrinking.
    public var maxShrinksPerClass = 4
    /// Written into every finding's header (`git rev-parse HEAD`).
    public var commit = "unknown"
    /// Also write an HTML report next to each finding's trace.
    public var html = true
    /// Seeds and shrink candidates in supervised worker processes (see CheckOptions.isolate).
    public var isolate = false
    /// Signatures of kept findings (`fuzz --known FILE`): seeds failing
    /// with one are counted as known, neither shrunk nor a finding.
    public var knownSignatures: Set<String> = []

    public init() {}

    /// The k-th seed of this shard.
    public func seed(_ k: UInt64) -> UInt64 { seedBase &+ k &* UInt64(shard.count) &+ UInt64(shard.index) }
    /// The geometry the k-th seed runs on: every geometry in rotation.
    public func geometry(_ k: UInt64) -> Geometry {
        geometry ?? Geometry.all[Int((k &+ UInt64(shard.index)) % UInt64(Geometry.all.count))]
    }
    public func config(_ g: Geometry) -> RunConfig {
        RunConfig(geometry: g, targets: targets, ops: ops, checking: .incremental(fullEvery: fullEvery))
    }
}

/// One distinct finding of a campaign, shrunk.
public struct CampaignFinding: Sendable {
    public let shrunk: ShrunkFinding
    /// `signature|failing operation kind`.
    public let failureClass: String
    /// Failing seeds that shrank to this same trace.
    public var occurrences = 1
    public var tracePath: String?
    public var htmlPath: String?
    /// The trace file's text (header included).
    public let text: String
    /// Seconds into the campaign when it was first found.
    public let foundAfter: Double
    public var signature: String { shrunk.finding.kind.signature }
}

/// What a campaign did.
public struct CampaignSummary: Sendable {
    public var options: CampaignOptions
    public var seeds = 0
    public var ops = 0
    public var elapsed = 0.0
    public var totals: [String: GeometryTotals] = [:]
    public var buckets = StateBuckets()
    public var findings: [CampaignFinding] = []
    /// Every failing seed, distinct or not.
    public var failingSeeds = 0
    /// Failing seeds not shrunk because their class reached its limit.
    public var unshrunk = 0
    /// Stopped by a signal (SIGINT/SIGTERM) rather than by time or seeds.
    public var interrupted = false
    /// Resident memory now and at its peak (Linux; 0 elsewhere).
    public var rssBytes = 0
    public var peakRSSBytes = 0
    /// CPU seconds the process used (all threads).
    public var cpuSeconds = 0.0
    /// When the campaign started (reports order summaries by it).
    public var startedAt: Date?
    /// Seeds that failed with a known signature (`CampaignOptions.knownSignatures`).
    public var knownFailures: [String: Int] = [:]
    public var opsPerSecond: Double { elapsed > 0 ? Double(ops) / elapsed : 0 }
    public var found: Bool { failingSeeds > 0 }
}

/// Runs a campaign on `options.jobs` threads. `progress` gets a line about
/// every `progressEvery` seconds and one per new finding.
public final class Campaign: @unchecked Sendable {
    public let options: CampaignOptions
    let lock = NSLock()
    var summary: CampaignSummary
    var nextK: UInt64 = 0
    var stopRequested = false
    var shrinksPerClass: [String: Int] = [:]
    var dedupe: [String: Int] = [:]
    var firstError: (any Error)?
    let clock = DispatchTime.now().uptimeNanoseconds
    var progress: (@Sendable (String) -> Void)?

    public init(_ options: CampaignOptions) {
        self.options = options
        summary = CampaignSummary(options: options)
    }

    var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - clock) / 1e9 }

    /// Asks the workers to finish the case in hand and stop (signal-safe to
    /// call from a dispatch source handler; never from a raw signal handler).
    public func requestStop() {
        lock.lock()
        stopRequested = true
        lock.unlock()
    }

    /// The next k, or nil when time, seeds or a stop request end the run.
    func take() -> UInt64? {
        lock.lock()
        defer { lock.unlock() }
        if stopRequested || firstError != nil { return nil }
        if let s = options.seconds, elapsed >= s { return nil }
        if let m = options.maxSeeds, nextK >= m { return nil }
        nextK += 1
        return nextK - 1
    }

    /// Runs until done; returns the summary.
    public func run(progressEvery: Double = 5, progress: (@Sendable (String) -> Void)? = nil) throws -> CampaignSummary {
        self.progress = progress
        summary.startedAt = Date()
        onThreads(options.jobs, every: progressEvery, tick: { [self] in progress?(progressLine()) }) { [self] in work() }
        if let e = firstError { throw e }
        lock.lock()
        defer { lock.unlock() }
        summary.elapsed = elapsed
        summary.interrupted = stopRequested
        summary.rssBytes = MemoryUsage.residentBytes()
        summary.peakRSSBytes = MemoryUsage.peakResidentBytes()
        summary.cpuSeconds = MemoryUsage.cpuSeconds()
        return summary
    }

    /// "elapsed 35s  seeds 1234  ops/s 5678  buckets 21/24  findings 0 (0 seeds)  rss 40 MiB"
    public func progressLine() -> String {
        lock.lock()
        defer { lock.unlock() }
        let el = elapsed
        return String(format: "fuzz %@: elapsed %.0fs  seeds %d  ops/s %.0f  buckets %d/%d  findings %d (%d seeds)  rss %d MiB",
                      options.shard.description, el, summary.seeds, el > 0 ? Double(summary.ops) / el : 0,
                      summary.buckets.hit, summary.buckets.rows.count, summary.findings.count, summary.failingSeeds,
                      MemoryUsage.residentBytes() >> 20)
    }

    func work() {
        let exec = Execution(isolate: options.isolate, timeout: IsolatedWorker.timeout(for: options.targets))
        while let k = take() {
            let seed = options.seed(k)
            let g = options.geometry(k)
            let t0 = DispatchTime.now().uptimeNanoseconds
            do {
                let config = options.config(g)
                let run: RunOutcome
                switch try exec.seedResult(seed, config) {
                case let .passedInWorker(r):
                    recordPassed(geometry: g.name, ops: r.opsApplied, buckets: r.buckets,
                                 seconds: Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
                    continue
                case let .ran(r):
                    run = r
                }
                if record(run, seconds: Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9) {
                    try handleFailure(run)
                    if let c = try exec.consequence(run, config) { try handleFailure(c) }
                }
            } catch {
                lock.lock()
                if firstError == nil { firstError = error }
                lock.unlock()
                return
            }
        }
    }

    /// A seed that passed in a worker: its counts and buckets.
    func recordPassed(geometry: String, ops: Int, buckets: StateBuckets?, seconds: Double) {
        lock.lock()
        defer { lock.unlock() }
        summary.seeds += 1
        summary.ops += ops
        summary.totals[geometry, default: GeometryTotals()].seeds += 1
        summary.totals[geometry, default: GeometryTotals()].ops += ops
        summary.totals[geometry, default: GeometryTotals()].seconds += seconds
        if let buckets { summary.buckets.merge(buckets) }
    }

    /// Counts a run; true when it is a new (not known) failure to handle.
    @discardableResult
    func record(_ run: RunOutcome, seconds: Double) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        summary.seeds += 1
        summary.ops += run.ops.count
        summary.totals[run.geometry.name, default: GeometryTotals()].seeds += 1
        summary.totals[run.geometry.name, default: GeometryTotals()].ops += run.ops.count
        summary.totals[run.geometry.name, default: GeometryTotals()].seconds += seconds
        summary.buckets.add(run)
        guard let f = run.finding else { return false }
        if options.knownSignatures.contains(f.kind.signature) {
            summary.knownFailures[f.kind.signature, default: 0] += 1
            return false
        }
        summary.failingSeeds += 1
        summary.totals[run.geometry.name, default: GeometryTotals()].failures += 1
        return true
    }

    /// Shrinks a failing run (outside the lock), dedupes it and writes it.
    func handleFailure(_ run: RunOutcome) throws {
        let f = run.finding!
        let cls = "\(f.kind.signature)|\(f.opKeyword)"
        lock.lock()
        let n = shrinksPerClass[cls, default: 0]
        if n >= options.maxShrinksPerClass {
            summary.unshrunk += 1
            lock.unlock()
            return
        }
        shrinksPerClass[cls] = n + 1
        lock.unlock()

        var checkOptions = CheckOptions(jobs: 1, geometry: run.geometry, targets: options.targets, ops: options.ops,
                                        fullEvery: options.fullEvery, outDir: nil, shrinkBudget: options.shrinkBudget)
        checkOptions.isolate = options.isolate
        let s = try shrinkOrKeep(run, checkOptions)
        let shrunkClass = "\(s.finding.kind.signature)|\(s.finding.opKeyword)"
        let body = traceText(geometry: s.geometry, ops: s.ops, results: s.results, header: [])
        let key = shrunkClass + "\n" + body

        lock.lock()
        if let i = dedupe[key] {
            summary.findings[i].occurrences += 1
            lock.unlock()
            return
        }
        let header = findingHeader(s, commit: options.commit, shard: options.shard, seedBase: options.seedBase)
        var cf = CampaignFinding(shrunk: s, failureClass: shrunkClass,
                                 text: traceText(geometry: s.geometry, ops: s.ops, results: s.results, header: header),
                                 foundAfter: elapsed)
        // Written under the lock: the file exists before the finding is
        // counted or reported.
        do {
            if let dir = options.outDir {
                let base = "\(dir)/findings/\(findingFileStem(s, text: body))"
                try writeFileAtomically(base + ".trace", cf.text)
                cf.tracePath = base + ".trace"
                if options.html {
                    // Drawn in a worker under supervision: the report replays
                    // the code under test.
                    let reporter = options.isolate ? IsolatedWorker(timeout: IsolatedWorker.timeout(for: options.targets)) : nil
                    try writeFileAtomically(base + ".html", try findingHTML(cf, worker: reporter))
                    cf.htmlPath = base + ".html"
                }
            }
        } catch {
            lock.unlock()
            throw error
        }
        dedupe[key] = summary.findings.count
        summary.findings.append(cf)
        let line = "FINDING \(s.finding.kind.signature) at \(s.finding.opKeyword): seed \(s.seed) (\(s.geometry.name)), shrunk \(s.originalLength) -> \(s.ops.count) operations"
            + (cf.tracePath.map { ", written to \($0)" } ?? "")
        lock.unlock()
        progress?(line)
    }
}

/// The header comment of a finding's trace file.
func findingHeader(_ s: ShrunkFinding, commit: String, shard: Shard, seedBase: UInt64) -> [String] {
    [
        "finding of verify fuzz (shard \(shard), seed base \(seedBase))",
        "seed: \(s.seed)",
        "geometry: \(s.geometry.name)",
        "variant: \(s.variant.rawValue)",
        "target: \(s.targetName)",
        "invariant: \(s.finding.kind.signature)",
        "failing-op: \(s.finding.opKeyword)",
        "commit: \(commit)",
        "shrunk: \(s.originalLength) -> \(s.ops.count) operations in \(s.shrinkRuns) runs",
        "detail: " + s.finding.description.replacingOccurrences(of: "\n", with: "\n#   "),
        "replay: swift run verify replay FILE\(s.targetOptions)",
        "promote: swift run verify fuzz --promote FILE",
    ]
}

/// A stable file name: geometry, variant, signature and a hash of the trace.
func findingFileStem(_ s: ShrunkFinding, text: String) -> String {
    let sig = String(s.finding.kind.signature.map { $0.isLetter || $0.isNumber ? $0 : "-" })
    // FNV-1a over the trace text: stable across processes (never hashValue).
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    let who = String(s.targetName.map { $0.isLetter || $0.isNumber || $0 == "." ? $0 : "-" })
    return "\(s.geometry.name)-\(who)-\(sig)-\(String(h >> 32, radix: 16))"
}
