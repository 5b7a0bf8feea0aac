// `verify replay FILE`: run a trace and print it back with actual results.

import ArgumentParser
import Checking
import Foundation
import PageAlloc
import TraceFormat
import Targets
import GoTarget
import Campaigns

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a trace (format v1); print each operation with its actual result.",
        discussion: "Exit status: 0 clean, 1 a finding (a result that differs, a fault, a throw, a broken invariant), 2 a malformed file or an invalid operation."
    )

    @Argument(help: "Trace file, or - for standard input.")
    var file: String

    @OptionGroup var allocator: AllocatorOptions

    func run() throws {
        try allocator.refuseGoCoverage("replay")
        let (trace2, config) = try loadTrace(file, allocator)
        // Under supervision: a trace that kills the worker is reported with
        // the line of the operation that did it; one that does not is
        // replayed in the worker too (the supervisor never runs the code
        // under test).
        var supervised: ReplayReport?
        if try allocator.isolate() {
            let worker = IsolatedWorker(timeout: IsolatedWorker.timeout(for: config.targets))
            // Only the operations before the first one the runtime never
            // issues, or the targets do not take: the replay below reports
            // that one (exit 2).
            let all = trace2.steps.map(\.op)
            var valid = referenceResults(all, trace2.geometry).firstIndex { $0 == nil } ?? all.count
            if let can = try config.targetsTake(), let k = all[..<valid].firstIndex(where: { !RunConfig.takes($0, can) }) { valid = k }
            let ops = Array(all[..<valid])
            if let (k, kind) = try supervisedCrashPoint(ops, config, worker) {
                let line = trace2.steps[k].line
                print("pagealloc-trace 1")
                print("geometry \(trace2.geometry.name)")
                for step in trace2.steps[..<k] { print(step.op.traceText) }
                print(ops[k].traceText)
                let f = Finding(kind: kind, stepIndex: k, op: ops[k], line: line, target: config.targetName)
                print("# FINDING at line \(line): \(kind.signature)")
                printError("finding: \(file):\(f.description)")
                throw ExitCode(1)
            }
            guard let r = try worker.replayed(trace2, config) else {
                printError("error: \(file): the worker died replaying a trace that ran to its end in it: the failure is flaky")
                throw ExitCode(1)
            }
            supervised = r
        }
        let report = try supervised ?? replay(trace2, config: config)
        GoDriverPool.shared.drain()
        for line in report.lines { print(line) }
        if let invalid = report.invalid {
            printError("error: \(file):\(invalid.line): invalid operation, not applied: \(invalid.reason)")
        }
        for f in report.findings { printError("finding: \(file):\(f.description)") }
        if report.exitStatus != 0 { throw ExitCode(report.exitStatus) }
    }
}

/// Reads and parses a trace file (or - for standard input) and builds the
/// run configuration the allocator options ask for; exit 2 with the file
/// and line on anything malformed.
func loadTrace(_ file: String, _ allocator: AllocatorOptions) throws -> (Trace, RunConfig) {
    let text: String
    if file == "-" {
        text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
    } else {
        guard let data = FileManager.default.contents(atPath: file) else {
            printError("\(file): cannot read the file")
            throw ExitCode(2)
        }
        text = String(decoding: data, as: UTF8.self)
    }
    var trace: Trace
    do {
        trace = try Trace.parse(text, file: file == "-" ? "<stdin>" : file, geometryOverride: try allocator.resolvedGeometry())
    } catch let e as TraceSyntaxError {
        printError("error: \(e.description)")
        throw ExitCode(2)
    }
    let targets = try allocator.resolvedTargets()
    if let g = try allocator.fixedGeometry(targets) {
        guard sameConstants(trace.geometry, g) else {
            printError("error: \(file): the trace's geometry \(trace.geometry.name) does not match the one \(targets.targetName) runs (\(g.name))")
            throw ExitCode(2)
        }
        trace.geometry = g
    }
    return (trace, RunConfig(geometry: trace.geometry, targets: targets))
}
