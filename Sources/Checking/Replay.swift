// `verify replay`: runs a trace, prints every operation with its actual

import Foundation
// result (so the output is itself a trace), and reports findings.

import PageAlloc
import TraceFormat
import Targets
import GoTarget
import Reference

/// The result of replaying a trace.
public struct ReplayReport: Sendable {
    /// Output lines: a valid trace, with findings as comments.
    public var lines: [String] = []
    public var findings: [Finding] = []
    /// Set when an operation was refused as invalid (bad input).
    public var invalid: (line: Int, reason: String)?

    public init() {}

    /// 0 clean, 1 findings, 2 invalid operation (ARCHITECTURE.md).
    public var exitStatus: Int32 {
        if invalid != nil { return 2 }
        return findings.isEmpty ? 0 : 1
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
    var report = ReplayReport()
    report.lines.append("pagealloc-trace 1")
    report.lines.append("geometry \(trace.geometry.name)")
    let targets: [any AllocatorUnderTest]
    do {
        targets = try config.makeTargets()
    } catch let death as GoStartupDeath {
        report.lines.append("# FINDING at start, before any operation: \(death.crash.signature)")
        report.findings.append(death.finding)
        return report
    }
    let runner = Runner(targets: targets, checking: config.checking, variant: config.variant)
    for step in trace.steps {
        switch runner.apply(step.op, expected: step.expected, line: step.line) {
        case let .applied(result):
            report.lines.append(traceLine(step.op, result))
        case let .refused(why):
            report.invalid = (step.line, why.reason)
            return report
        case let .finding(f, result):
            report.lines.append(traceLine(step.op, result))
            report.lines.append("# FINDING at line \(step.line): \(f.kind.description.replacingOccurrences(of: "\n", with: "\n# "))")
            report.findings.append(f)
            if runner.broken { return report }
        }
    }
    if report.findings.isEmpty, let f = runner.finish() {
        report.lines.append("# FINDING at end of trace: \(f.kind.description)")
        report.findings.append(f)
    }
    return report
}
