// `verify replay`: runs a trace, prints every operation with its actual
// result (so the output is itself a trace), and reports findings.

import Foundation
import Vocabulary
import TraceFormat
import Targets
import Reference

/// The result of replaying a trace.
public struct ReplayReport: Sendable {
    /// Output lines: a valid trace, with findings as comments.
    public var lines: [String] = []
    public var findings: [Finding] = []
    /// Set when an operation was refused as invalid (bad input).
    public var invalid: (line: Int, reason: String)?

    public init() {}

    /// A report on `trace`, its output begun with the trace's header lines.
    public init(of trace: Trace) {
        lines = ["pagealloc-trace 1", "geometry \(trace.geometry.name)"]
    }

    /// 0 clean, 1 findings, 2 invalid operation (ARCHITECTURE.md).
    public var exitStatus: Int32 {
        if invalid != nil { return 2 }
        return findings.isEmpty ? 0 : 1
    }
}

/// Replays `trace` on `runner`'s targets, fresh. Stops at the first finding
/// that leaves a target unusable (a fault, throw, panic or crash) and at the
/// first invalid operation; mismatches are reported and the run goes on.
public func replay(_ trace: Trace, on runner: Runner) -> ReplayReport {
    var report = ReplayReport(of: trace)
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
