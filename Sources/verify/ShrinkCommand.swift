// `verify shrink FILE`: shrink any failing trace to a certified 1-minimal one.

import ArgumentParser
import Checking
import Foundation
import PageAlloc
import TraceFormat
import Targets
import GoTarget
import Campaigns

struct ShrinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shrink",
        abstract: "Shrink a failing trace (a finding from elsewhere, your own, a Go-target finding) until no pass can make it smaller.",
        discussion: """
        The trace's operations are run on the chosen target; their first failure (an invariant, a throw, a fault, \
        a Go crash or hang, a disagreement between targets) is the signature every smaller candidate must keep. \
        Shrinking ends certified 1-minimal when a whole sweep of every pass (deleting single operations and blocks, \
        merging, lowering sizes, counts and addresses) finds nothing smaller that still fails that way; otherwise \
        it says how much of the budget was spent. Exit status: 0 shrunk, 1 shrunk but not certified (budget spent), \
        2 a malformed trace or one that does not fail.
        """
    )

    @Argument(help: "Trace file, or - for standard input.")
    var file: String

    @OptionGroup var allocator: AllocatorOptions

    @Option(help: "Evaluations (candidate runs) allowed.")
    var budget: Int = 20000

    @Option(help: ArgumentHelp("Write the shrunk trace here instead of standard output.", valueName: "file"))
    var out: String?

    func validate() throws {
        if budget < 1 { throw ValidationError("--budget must be at least 1") }
    }

    func run() throws {
        try allocator.refuseGoCoverage("shrink")
        let (trace, config0) = try loadTrace(file, allocator)
        defer { GoDriverPool.shared.drain() }
        let config = config0
        let ops = trace.steps.map(\.op)
        // Candidates run in a supervised worker, so that one that traps or
        // hangs is judged (a crash is a failure like any other), not fatal.
        let worker = try allocator.isolate() ? IsolatedWorker(timeout: IsolatedWorker.shrinkTimeout) : nil
        let exec: Execution = worker.map { .supervised($0) } ?? .inProcess
        // What the trace fails with, found where the shrink runs: a death
        // of the worker, or a finding of the run.
        let failure: FindingKind
        var startOps = ops
        // One run tells whether they kill the worker; where exactly is
        // found once, by shrinkFailure's cut.
        if let worker, let kind = try worker.runOps(ops, config, skipInvalid: false).kind {
            failure = kind
            printError("shrink: \(ops.count) operations kill the worker with \(kind.signature) on \(config.targetName)")
        } else {
            guard let first = try exec.ops(ops, config, skipInvalid: true) else {
                printError("error: \(file): the trace holds no valid operation")
                throw ExitCode(2)
            }
            guard let finding = first.finding else {
                printError("error: \(file): the trace does not fail on \(config.targetName): nothing to shrink")
                throw ExitCode(2)
            }
            startOps = first.ops
            failure = finding.kind
            printError("shrink: \(ops.count) operations, failing with \(failure.signature) at operation \(finding.stepIndex + 1) on \(config.targetName)")
        }
        var last = Date.distantPast
        let t0 = Date()
        let shrunk = try shrinkFailure(startOps, failingWith: failure, config: config, budget: budget, worker: worker) { runs, best, pass in
            let now = Date()
            guard now.timeIntervalSince(last) >= 1 else { return }
            last = now
            printError(String(format: "shrink: %d/%d evaluations, %d operations, pass %@, %.0f s", runs, budget, best, pass, now.timeIntervalSince(t0)))
        }
        guard shrunk.reproduced else {
            printError("error: the shrunk trace did not fail again with \(failure.signature): the failure is flaky")
            throw ExitCode(1)
        }
        let shrinker = shrunk.shrinker
        let best = shrunk.ops
        let verdict = shrinker.certified
            ? "certified 1-minimal: no single deletion and no lowering by any shrink pass keeps this failure (\(shrinker.runs) evaluations)"
            : "NOT certified minimal: the budget of \(budget) evaluations ran out before a sweep of every pass came back empty (--budget raises it)"
        let header = ["shrunk by verify shrink from \(file) (\(ops.count) operations -> \(best.count)), geometry \(config.geometry.name), target \(config.targetName)"]
            + shrunk.headerLines(config: config)
        let text = traceText(geometry: config.geometry, ops: best, results: shrunk.results, header: header)
        if let out {
            do { try text.write(toFile: out, atomically: true, encoding: .utf8) } catch {
                printError("error: cannot write \(out): \(error.localizedDescription)")
                throw ExitCode(2)
            }
        } else {
            print(text, terminator: "")
        }
        var per: [String] = []
        for p in shrinker.passes {
            if let st = shrinker.stats[p.name], st.tried > 0 { per.append("\(p.name) \(st.accepted)/\(st.tried)") }
        }
        printError("shrink: \(ops.count) -> \(best.count) operations in \(shrinker.runs) evaluations (\(per.joined(separator: ", "))); \(verdict)" + (out.map { "; written to \($0)" } ?? ""))
        if !shrinker.certified { throw ExitCode(1) }
    }
}
