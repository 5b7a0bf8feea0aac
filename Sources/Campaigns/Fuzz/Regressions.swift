// Findings that come back as tests. A regression file is a trace v1 file
// (traces/regressions/*.trace) whose header says what must happen:
//
//   # expect-faithful: pass                      the faithful port passes it,
//                                                expected results included
//   # expect-faithful: fail SIGNATURE            a known failure of the port
//                                                (or of Go itself)
//   # must-fail-on: VARIANT SIGNATURE            a variant that must still fail
//                                                this way (one line per variant)
//
// `promote` turns a finding written by `verify fuzz` into such a file,
// filling in the expected results from the faithful port.

import Foundation
import PageAlloc
import TraceFormat
import Targets
import GoTarget
import Checking
import Reference

/// What a regression file expects.
public struct RegressionExpectation: Equatable, Sendable {
    /// nil: the faithful port must pass; else the signature it fails with.
    public var faithfulFailure: String?
    /// Variants that must fail, with their signature.
    public var mustFail: [(variant: Variant, signature: String)] = []
    public static func == (l: Self, r: Self) -> Bool {
        l.faithfulFailure == r.faithfulFailure && l.mustFail.map(\.variant) == r.mustFail.map(\.variant)
            && l.mustFail.map(\.signature) == r.mustFail.map(\.signature)
    }

    /// Reads the `# expect-faithful:` and `# must-fail-on:` lines.
    public static func parse(_ text: String, file: String) throws -> RegressionExpectation {
        var e = RegressionExpectation()
        var sawFaithful = false
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            func words(after p: String) -> [String] { line.dropFirst(p.count).split(separator: " ").map(String.init) }
            if line.hasPrefix("# expect-faithful:") {
                let w = words(after: "# expect-faithful:")
                switch (w.first, w.count) {
                case ("pass", 1): e.faithfulFailure = nil
                case ("fail", 2): e.faithfulFailure = w[1]
                default: throw TraceSyntaxError(file: file, line: n + 1, message: "usage: # expect-faithful: pass | fail SIGNATURE")
                }
                sawFaithful = true
            } else if line.hasPrefix("# must-fail-on:") {
                let w = words(after: "# must-fail-on:")
                guard w.count == 2, let v = Variant(rawValue: w[0]), v != .faithful else {
                    throw TraceSyntaxError(file: file, line: n + 1, message: "usage: # must-fail-on: VARIANT SIGNATURE (a variant other than faithful)")
                }
                e.mustFail.append((v, w[1]))
            }
        }
        guard sawFaithful else { throw TraceSyntaxError(file: file, line: 1, message: "a regression needs a '# expect-faithful: pass | fail SIGNATURE' line") }
        return e
    }
}

/// Checks one regression file; returns the problems (empty: it holds).
public func checkRegression(_ text: String, file: String) throws -> [String] {
    let e = try RegressionExpectation.parse(text, file: file)
    let trace = try Trace.parse(text, file: file)
    var problems: [String] = []
    // The faithful port, expected results checked.
    let r = try replay(trace, variant: .faithful)
    if let inv = r.invalid { problems.append("\(file):\(inv.line): invalid operation: \(inv.reason)") }
    let got = r.findings.first?.kind.signature
    if got != e.faithfulFailure {
        problems.append("\(file): faithful port: expected \(e.faithfulFailure.map { "failure \($0)" } ?? "a pass"), got \(got.map { "failure \($0)" } ?? "a pass")"
                        + (r.findings.first.map { " (\($0.description))" } ?? ""))
    }
    // Each variant, without expected results: it must fail by itself.
    var bare = trace
    bare.steps = bare.steps.map { TraceStep(op: $0.op, expected: nil, line: $0.line) }
    for (v, sig) in e.mustFail {
        let rv = try replay(bare, variant: v)
        let gotV = rv.findings.first?.kind.signature
        if gotV != sig {
            problems.append("\(file): variant \(v.rawValue): expected failure \(sig), got \(gotV.map { "failure \($0)" } ?? "a pass")")
        }
    }
    return problems
}

/// A promotion refused: the finding cannot be a regression as it stands.
public struct PromoteError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// Turns a finding's trace (as `verify fuzz` writes it) into a regression
/// file: expected results from the faithful port, `expect-faithful` from
/// its verdict, and `must-fail-on` for the variant the finding came from.
public func promote(_ text: String, file: String) throws -> String {
    let trace = try Trace.parse(text, file: file)
    var variant = Variant.faithful
    var keep: [String] = []
    for raw in text.split(separator: "\n") where raw.hasPrefix("#") {
        let line = raw.dropFirst().trimmingCharacters(in: .whitespaces)
        if line.hasPrefix("variant:"), let v = Variant(rawValue: line.dropFirst(8).trimmingCharacters(in: .whitespaces)) { variant = v }
        if line.hasPrefix("expect-faithful:") || line.hasPrefix("must-fail-on:") { continue }
        keep.append(line)
    }
    let ops = trace.operations
    let faithful = RunConfig(geometry: trace.geometry, variant: .faithful)
    guard let (applied, results, finding) = try runOps(ops, faithful) else {
        throw PromoteError(message: "\(file): an operation is invalid on the faithful port; not promoted")
    }
    var header = ["regression promoted from \((file as NSString).lastPathComponent)"]
    header.append("expect-faithful: " + (finding.map { "fail \($0.kind.signature)" } ?? "pass"))
    if variant != .faithful {
        guard let (_, _, vf) = try runOps(ops, RunConfig(geometry: trace.geometry, variant: variant)), let vf else {
            throw PromoteError(message: "\(file): variant \(variant.rawValue) no longer fails this trace; nothing to promote")
        }
        header.append("must-fail-on: \(variant.rawValue) \(vf.kind.signature)")
    } else if finding == nil {
        throw PromoteError(message: "\(file): the faithful port passes this trace and no variant is named; nothing to guard")
    }
    header += keep.map { "was: " + $0 }
    // A faithful failure stops the run early; keep the operations after it
    // without results so the file still replays the whole finding.
    var steps: [TraceStep] = []
    for (i, op) in ops.enumerated() {
        let r: OpResult? = i < applied.count && finding == nil ? results[i] : nil
        steps.append(TraceStep(op: op, expected: r == OpResult.none ? nil : r))
    }
    return Trace(geometry: trace.geometry, steps: steps, header: header).text()
}
