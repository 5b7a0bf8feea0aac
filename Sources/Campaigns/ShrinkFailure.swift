// Shrink a failure, written once for `verify check`, the fuzz campaigns and
// `verify shrink`: cut at the operation that kills a worker, shrink where
// the candidates can die safely, run the result again where it was shrunk,
// and say in the trace header what was found and how minimal it is.

import Foundation
import TraceFormat
import Checking
import Reference

/// A failure after shrinking.
public struct ShrunkFailure {
    /// The operations that fail, the failing one last.
    public var ops: [Operation]
    /// Their results (the reference's for a run that killed its worker, nil
    /// for the operation that killed it).
    public var results: [OpResult?]
    /// The failure the shrunk operations end in.
    public var finding: Finding
    /// Whether running them again failed with the same signature.
    public var reproduced: Bool
    /// The shrinker that did it (its evaluations, passes and certificate).
    public var shrinker: Shrinker

    /// Whether the operations are certified 1-minimal and came again.
    public var certified: Bool { shrinker.certified && reproduced }

    /// The lines every shrunk trace's header carries after the one that
    /// says where it came from: the failure, how minimal, the finding, and
    /// how to replay it. `notShrunk` replaces the certificate line for a
    /// failure kept as it was found.
    public func headerLines(config: RunConfig, notShrunk: String? = nil) -> [String] {
        [
            "failure: \(finding.kind.signature)" + (reproduced ? "" : " (NOT reproduced when re-run: flaky)"),
            notShrunk ?? (shrinker.certified
                ? "certified 1-minimal: no single deletion and no lowering by any shrink pass keeps this failure (\(shrinker.runs) evaluations)"
                : "not certified minimal: the shrink budget of \(shrinker.budget) evaluations ran out"),
            "  \(finding.description.replacingOccurrences(of: "\n", with: "\n#   "))",
            "replay: swift run verify replay FILE\(config.targetOptions)",
        ]
    }
}

/// Shrinks `ops`, which fail with `failure` on `config`'s targets.
///
/// With a `worker`, every candidate runs there (the code under test never
/// runs in this process). A failure that kills the worker (a crash or a
/// hang) is first cut at the operation that kills it, since every candidate
/// keeping the operations after it would die too; when the cut does not
/// die the same way, the operations are kept unshrunk. Without a worker the
/// candidates run in this process.
///
/// The result is run again where the candidates ran. A run that killed the
/// worker ends at the shortest failing prefix; otherwise, when the shrunk
/// operations do not fail again, the given ones are kept (and marked not
/// reproduced when they do not fail either).
public func shrinkFailure(_ ops: [Operation], failingWith failure: FindingKind, config: RunConfig, budget: Int,
                          worker: IsolatedWorker?, onProgress: ((Int, Int, String) -> Void)? = nil) throws -> ShrunkFailure {
    let signature = failure.signature
    var shrinker = if let worker {
        Shrinker(geometry: config.geometry, signature: signature, budget: budget) { ops, skip in try worker.runOps(ops, config, skipInvalid: skip) }
    } else {
        Shrinker(config: config, signature: signature, budget: budget)
    }
    shrinker.onProgress = onProgress
    var killsWorker = false
    switch failure { case .crashed, .hung: killsWorker = worker != nil; default: break }
    var start = ops
    var shrinkIt = true
    if killsWorker {
        if let (k, kind) = try supervisedCrashPoint(ops, config, worker!), kind.signature == signature {
            start = Array(ops[...k])
        } else {
            // A death that does not come again (a SIGKILL from outside,
            // say) is kept as it was found.
            shrinkIt = false
        }
    }
    let best = shrinkIt ? shrinker.shrink(start) : ops
    if killsWorker, let worker {
        // The trace ends at the operation that kills the worker; its
        // results before that are the reference's (this process never runs
        // the code under test).
        var trace = best
        var kind = failure
        var reproduced = false
        if let (k, again) = try supervisedCrashPoint(best, config, worker), again.signature == signature {
            trace = Array(best[...k])
            kind = again
            reproduced = true
        }
        let finding = Finding(kind: kind, stepIndex: trace.count - 1, op: trace.last, line: trace.count, target: config.targetName)
        let results = referenceResults(Array(trace.dropLast()), config.geometry) + [nil]
        return ShrunkFailure(ops: trace, results: results, finding: finding, reproduced: reproduced, shrinker: shrinker)
    }
    let exec: Execution = worker.map { .supervised($0) } ?? .inProcess
    var kept = best
    var rerun = try exec.ops(kept, config)
    if rerun?.finding?.kind.signature != signature && kept != ops {
        kept = ops
        rerun = try exec.ops(kept, config)
    }
    guard let (ranOps, results, found) = rerun else { preconditionFailure("a failing run's own operations are invalid on replay") }
    let reproduced = found?.kind.signature == signature
    let finding = found ?? Finding(kind: failure, stepIndex: ranOps.count - 1, op: ranOps.last, line: ranOps.count, target: config.targetName)
    return ShrunkFailure(ops: ranOps, results: results, finding: finding, reproduced: reproduced, shrinker: shrinker)
}
