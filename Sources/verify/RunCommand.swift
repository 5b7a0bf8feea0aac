// `verify` with no subcommand: one seed with --seed, else the default check.

import ArgumentParser
import Checking
import Foundation
import ModelChecking
import Models
import PageAlloc
import TraceFormat
import Targets
import GoTarget
import Campaigns

/// Parses "30s", "2m", "1h" or a plain number of seconds.
func parseDuration(_ s: String) throws -> Double {
    let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
    for (u, k) in units where s.hasSuffix(u) {
        if let v = Double(s.dropLast(u.count)), v >= 0 { return v * k }
    }
    if let v = Double(s), v >= 0 { return v }
    throw ValidationError("'\(s)' is not a duration (e.g. 30s, 2m, 1h)")
}

/// Options of a checking run shared by `verify`, `verify check` and `verify fuzz`.
struct CheckingOptions: ParsableArguments {
    @Option(help: "Operations per seed.")
    var ops: Int = 300

    @Option(help: "Full invariant walk every K operations (0: only at the end).")
    var fullEvery: Int = 64

    @Option(help: "Output directory: shrunk traces (verify and check: default findings); fuzz: findings/, HTML reports and summaries (default fuzz-out).")
    var out: String?

    @Option(help: "Shrink budget per finding, in evaluations (a count, the same on every machine).")
    var shrinkBudget: Int = 3000

    func validate() throws {
        if ops < 1 { throw ValidationError("--ops must be at least 1") }
        if shrinkBudget < 1 { throw ValidationError("--shrink-budget must be at least 1") }
    }
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one seed (--seed N), or the default check: every geometry for 40 s (--time), then a summary."
    )

    @Option(help: "Run this one seed with every check, shrink a failure, and write its trace.")
    var seed: UInt64?

    @OptionGroup var allocator: AllocatorOptions
    @OptionGroup var checking: CheckingOptions

    @Option(help: "Time for the default check.")
    var time: String = "40s"

    @Option(help: "Worker threads for the default check.")
    var jobs: Int = 2

    @Flag(help: "List the invariants and exit.")
    var listInvariants = false

    @Option(help: ArgumentHelp("With --seed: write the seed's generated trace (operations and results) to this file, pass or fail.", valueName: "file"))
    var emitTrace: String?

    func validate() throws {
        if emitTrace != nil && seed == nil { throw ValidationError("--emit-trace needs --seed N") }
    }

    func run() throws {
        try allocator.refuseGoCoverage("the default job or --seed (use verify check --go-coverage)")
        if listInvariants {
            for inv in Invariant.all { print("\(inv.name.padding(toLength: 16, withPad: " ", startingAt: 0)) \(inv.statement)") }
            print("\("scavenge".padding(toLength: 16, withPad: " ", startingAt: 0)) \(ScavengeStep.statement)")
            return
        }
        warnIfDebugBuild()
        if let seed {
            try runOneSeed(seed)
            return
        }
        var options = Campaigns.CheckOptions(seeds: 0..<UInt64.max, seconds: try parseDuration(time), jobs: jobs,
                                   geometry: try allocator.resolvedGeometry(), ops: checking.ops,
                                   fullEvery: checking.fullEvery, outDir: checking.out ?? "findings")
        options.shrinkBudget = checking.shrinkBudget
        try allocator.applyTargets(&options)
        print("default check: \(options.geometry?.name ?? "every geometry"), target \(options.config(0).targetName), \(checking.ops) operations per seed, \(time), \(jobs) jobs")
        let summary = try check(options) { printError($0) }
        GoDriverPool.shared.drain()
        printSummary(summary, options)
        // The models: every model and variant, verdicts against expectations.
        let rows = try runModels(options: ModelChecking.CheckOptions(maxStates: 2_000_000))
        let wrong = rows.filter { !$0.passed }
        print("")
        print("models: \(rows.count) model variants checked, \(rows.count - wrong.count) with the expected verdict"
              + (wrong.isEmpty ? "" : "; UNEXPECTED: " + wrong.map { "\($0.model)/\($0.variant)" }.joined(separator: ", "))
              + " (verify model for the table)")
        if !summary.failures.isEmpty || !wrong.isEmpty { throw ExitCode(1) }
    }

    func runOneSeed(_ seed: UInt64) throws {
        var options = Campaigns.CheckOptions(seeds: seed..<(seed + 1), jobs: 1, geometry: try allocator.resolvedGeometry(),
                                   ops: checking.ops, fullEvery: checking.fullEvery, outDir: checking.out ?? "findings")
        options.shrinkBudget = checking.shrinkBudget
        try allocator.applyTargets(&options)
        defer { GoDriverPool.shared.drain() }
        let g = options.geometry(for: seed)
        print("seed \(seed) (geometry \(g.name), target \(options.config(seed).targetName), \(checking.ops) operations)")
        let t0 = Date()
        // Under supervision the seed runs in a worker, which answers with
        // its whole outcome; a seed that kills the worker is a crash finding.
        let exec = Execution(isolate: options.isolate, timeout: IsolatedWorker.timeout(for: options.targets))
        let run = try exec.seed(seed, options.config(seed))
        if let emitTrace {
            let header = ["seed \(seed), geometry \(g.name), target \(options.config(seed).targetName), \(run.ops.count) operations, "
                          + (run.finding.map { "fails: \($0.kind.signature)" } ?? "passes"),
                          "replay: swift run verify replay \(emitTrace)\(options.config(seed).targetOptions)"]
            let text = traceText(geometry: g, ops: run.ops, results: run.results, header: header)
            do {
                try text.write(toFile: emitTrace, atomically: true, encoding: .utf8)
            } catch {
                throw ValidationError("cannot write --emit-trace \(emitTrace): \(error.localizedDescription)")
            }
            print("trace written to \(emitTrace)")
        }
        guard let f = run.finding else {
            let na = Invariant.all.map(\.name).compactMap { n in run.notApplicable[n].map { "\(n) \($0.count) times: \($0.reason)" } }
            let held = na.isEmpty ? "every invariant held" : "every applicable invariant held (not applicable: \(na.joined(separator: "; ")))"
            print("pass: \(run.ops.count) operations, \(held), results equal the reference" + String(format: " (%.2f s)", Date().timeIntervalSince(t0)))
            return
        }
        print("FINDING at \(f.description)")
        let s = try shrinkOrKeep(run, options, progress: { printError($0) })
        print("shrunk \(s.originalLength) -> \(s.ops.count) operations in \(s.shrinkRuns) runs; it fails with: \(s.finding.kind.signature)")
        print(s.text, terminator: "")
        if let path = s.path {
            print("written to \(path)")
            print("reproduce: swift run verify replay \(path)\(s.targetOptions)")
        }
        throw ExitCode(1)
    }
}

/// The summary table printed at the end of a check.
func printSummary(_ s: CheckSummary, _ options: Campaigns.CheckOptions) {
    func pad(_ x: String, _ n: Int) -> String { x.count >= n ? x : String(repeating: " ", count: n - x.count) + x }
    print("")
    print("geometry        seeds       ops  failures      ops/s")
    // Named geometries in table order, then any other (a Go target's own).
    let names = Geometry.catalog.map(\.name).filter { s.totals[$0] != nil }
        + s.totals.keys.filter { n in !Geometry.catalog.contains { $0.name == n } }.sorted()
    for name in names {
        guard let t = s.totals[name] else { continue }
        let rate = t.seconds > 0 ? Double(t.ops) / t.seconds : 0
        print(name.padding(toLength: 12, withPad: " ", startingAt: 0) + pad(String(t.seeds), 9) + pad(String(t.ops), 10)
              + pad(String(t.failures), 10) + pad(String(format: "%.0f", rate), 11))
    }
    print("total       " + pad(String(s.seedsRun), 9) + pad(String(s.opsRun), 10) + pad(String(s.failures.count), 10)
          + pad(String(format: "%.0f", Double(s.opsRun) / max(s.elapsed, 1e-9)), 11) + String(format: "  (%.1f s, %d jobs; checked: every invariant on)", s.elapsed, options.jobs))
    let hit = CoverageMark.allCases.filter { s.coverage[$0] > 0 }.count
    if !options.targets.runInProcess {
        print("coverage marks: not applicable (the go target has no coverage marks)")
    } else {
        print("coverage marks hit: \(hit)/\(CoverageMark.allCases.count)" + (hit < CoverageMark.allCases.count
            ? " (missing: \(CoverageMark.allCases.filter { s.coverage[$0] == 0 }.map(\.name).joined(separator: ", ")))" : ""))
    }
    // What could not be judged on this target is said, never counted as held.
    for inv in Invariant.all {
        guard let na = s.notApplicable[inv.name] else { continue }
        print("invariant \(inv.name): not applicable \(na.count) times (\(na.reason))")
    }
    for f in s.shrunk {
        print("")
        print("FINDING \(f.finding.kind.signature): seed \(f.seed) (\(f.geometry.name)), shrunk \(f.originalLength) -> \(f.ops.count) operations")
        print("  \(f.finding.description)")
        if let p = f.path { print("  reproduce: swift run verify replay \(p)\(f.targetOptions)") }
    }
    if !s.failures.isEmpty {
        let sigs = Dictionary(grouping: s.failures, by: \.signature).map { ($0.key, $0.value.count) }.sorted { $0.0 < $1.0 }
        print("")
        print("failing seeds by signature: " + sigs.map { "\($0.0) x\($0.1)" }.joined(separator: ", "))
    }
}
