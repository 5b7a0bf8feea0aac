// The library half of `verify model`: run the table (or part of it) with the
// Swift engine, or one twin with SPIN, and render the results.

import Foundation
import ModelChecking

/// One row of `verify model`.
public struct ModelRunResult: Sendable, Codable {
    public let model: String
    public let variant: String
    public let isControl: Bool
    public let expected: Verdict
    public let result: CheckResult
    /// The depth a bounded-by-design model claims its verdict to (nil: the
    /// model's space is finite and the search must be complete).
    public var boundedClaim: Int? = nil
    /// The `--param` values the run used (empty: the model's defaults).
    public var parameters: [String: Int] = [:]

    /// The variant, with its parameter values when any were set.
    public var variantLabel: String {
        parameters.isEmpty ? variant : variant + " [" + parameters.keys.sorted().map { "\($0)=\(parameters[$0]!)" }.joined(separator: " ") + "]"
    }

    public var actual: Verdict { result.verdict }
    /// The run passes when the actual verdict is the expected one and the
    /// search was complete (a bounded "ok" proves nothing), unless the model
    /// claims its verdict only up to a depth, which the run then reached.
    public var passed: Bool {
        actual == expected && (result.complete || !expected.isOK || boundedClaim.map { result.maxDepth >= $0 } == true)
    }
}

/// Runs the selected models with the Swift engine, in table order.
///
/// - Parameters:
///   - names: model names to run (case-insensitive); nil or empty runs all.
///   - variant: a variant name, or nil for every variant.
///   - maxDepth: BFS depth bound; nil explores everything.
///   - options: engine options; the default caps each run at 2,000,000
///     states so a model that grows by mistake fails as incomplete instead
///     of running for ever (the largest model has far fewer).
/// - Throws: `ModelCatalogError` for unknown names or a negative depth.
public func runModels(
    names: [String]? = nil, variant: String? = nil, maxDepth: Int? = nil,
    options: CheckOptions = CheckOptions(maxStates: 2_000_000), params: [String] = []
) throws -> [ModelRunResult] {
    if let maxDepth, maxDepth < 0 { throw ModelCatalogError.invalidDepth(maxDepth) }
    let cases = try selectCases(names: names, variant: variant)
    let values = try ModelCatalog.parameters(params, for: cases)
    var runOptions = options
    runOptions.maxDepth = maxDepth
    return cases.map { entry in
        ModelRunResult(
            model: entry.model, variant: entry.variant, isControl: entry.isControl,
            expected: entry.expected(values), result: entry.run(runOptions, values),
            // Only a model bounded by design claims a bounded verdict.
            boundedClaim: entry.boundedClaim.map { runOptions.maxDepth ?? $0 },
            parameters: values)
    }
}

/// One model variant's access audit (`verify model --audit-accesses`).
public struct ModelAuditRow: Sendable {
    public let model: String
    public let variant: String
    /// nil for a model that declares nothing (one actor).
    public let report: AccessAuditReport?

    public var passed: Bool { report.map { $0.findings.isEmpty && $0.complete } ?? true }

    public var rendered: String {
        guard let r = report else { return "\(model) / \(variant): nothing declared (one actor: partial-order reduction has nothing to reorder)" }
        var line = "\(model) / \(variant): \(r.states) states\(r.complete ? "" : " (capped: the audit is incomplete)"), \(r.declaredRules) rules and \(r.declaredProperties) properties declared: "
        line += r.findings.isEmpty ? "every declaration holds" : "\(r.findings.count) broken"
        return ([line] + r.findings.map { "  \($0)" }).joined(separator: "\n")
    }
}

/// Audits the access declarations of the selected models (see AccessAudit).
public func auditModels(names: [String]? = nil, variant: String? = nil, params: [String] = []) throws -> [ModelAuditRow] {
    let cases = try selectCases(names: names, variant: variant)
    let values = try ModelCatalog.parameters(params, for: cases)
    return cases.map { ModelAuditRow(model: $0.model, variant: $0.variant, report: $0.audit?(values)) }
}

/// The catalog's cases for the named models (all when none), in order.
func selectCases(names: [String]?, variant: String?) throws -> [ModelCase] {
    guard let names, !names.isEmpty else { return try ModelCatalog.select(name: nil, variant: variant) }
    return try names.flatMap { try ModelCatalog.select(name: $0, variant: variant) }
}

/// Exit status for `verify model`: 0 when every row passed, 1 otherwise.
public func modelExitCode(_ rows: [ModelRunResult]) -> Int32 {
    rows.allSatisfy(\.passed) ? 0 : 1
}

/// The table, then the counterexample of every failure (violation or
/// deadlock), then a total line. `includeTimings: false` drops the time,
/// rate and memory columns so the output is byte-for-byte deterministic.
public func renderModelTable(_ rows: [ModelRunResult], includeTimings: Bool = true) -> String {
    var header = ["model", "variant", "expected", "actual", "states", "depth"]
    if includeTimings { header += ["time", "states/s"] }
    header.append("result")
    var table: [[String]] = [header]
    for row in rows {
        var cells = [row.model, row.variantLabel + (row.isControl ? " (control)" : ""),
                     row.expected.description, row.actual.description + (row.result.complete ? "" : " (bounded, depth \(row.result.maxDepth))"),
                     "\(row.result.states)", "\(row.result.maxDepth)"]
        if includeTimings {
            cells += [String(format: "%.3fs", row.result.elapsedSeconds), String(format: "%.0f", row.result.statesPerSecond)]
        }
        cells.append(row.passed ? "PASS" : "FAIL")
        table.append(cells)
    }
    var widths = [Int](repeating: 0, count: header.count)
    for line in table { for (column, cell) in line.enumerated() { widths[column] = max(widths[column], cell.count) } }
    var lines = table.map { line in
        line.enumerated().map { column, cell in
            column == line.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
        }.joined(separator: "  ")
    }
    for row in rows where !row.result.failures.isEmpty {
        lines.append("")
        lines.append("== \(row.model) / \(row.variantLabel) ==")
        lines.append(row.result.render(includeTimings: includeTimings))
    }
    let passed = rows.filter(\.passed).count
    var total = "\(passed) of \(rows.count) model runs as expected"
    if includeTimings {
        let seconds = rows.reduce(0) { $0 + $1.result.elapsedSeconds }
        let states = rows.reduce(0) { $0 + $1.result.states }
        total += String(format: "; %d states in %.2f s", states, seconds)
    }
    lines.append("")
    lines.append(total)
    return lines.joined(separator: "\n")
}

/// The rows as JSON (sorted keys, so stable apart from timings).
public func renderModelJSON(_ rows: [ModelRunResult]) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    return String(decoding: try encoder.encode(rows), as: UTF8.self)
}

/// The outcome of running one Promela twin with SPIN.
public struct SpinRunResult: Sendable, Codable {
    public let model: String
    public let variant: String
    public let twin: SpinTwin
    public let spin: SpinResult
    /// SPIN reached the verdict the table expects.
    public var passed: Bool { spin.verdictText == twin.expected }

    /// Verdict, counts, and the trail of the first error as numbered steps.
    public func render() -> String {
        var lines = ["\(model) / \(variant) [SPIN \(twin.file) \(twin.defines.map { "-D\($0)" }.joined(separator: " "))]: \(spin.verdictText) (expected \(twin.expected)) \(passed ? "PASS" : "FAIL")"]
        lines.append(String(format: "  states %d stored, %d matched, %d transitions, depth %d, %.3f s, %.0f states/s",
                            spin.statesStored, spin.statesMatched, spin.transitions, spin.depthReached,
                            spin.elapsedSeconds, spin.statesPerSecond))
        if let first = spin.firstError { lines.append("  first error: \(first)") }
        if !spin.trail.isEmpty {
            lines.append("  trail (\(spin.trail.count) steps):")
            lines.append(SpinTrail.render(spin.trail, indent: "    "))
        }
        if !spin.finalPlaces.isEmpty {
            lines.append("  where each process stands:")
            lines += spin.finalPlaces.map { "    \($0)" }
        }
        lines.append("  repro: " + spin.commands.joined(separator: " && "))
        return lines.joined(separator: "\n")
    }
}

/// Runs the Promela twin of one model variant with SPIN.
/// - Throws: `ModelCatalogError` for unknown names or a model without a
///   twin; `SpinError` when SPIN or gcc is missing or fails.
public func runSpin(name: String, variant: String) throws -> SpinRunResult {
    let cases = try ModelCatalog.select(name: name, variant: variant)
    let entry = cases[0]
    guard let twin = entry.twin else { throw ModelCatalogError.noTwin(model: entry.model, variant: entry.variant) }
    let result = try SpinRunner.verify(modelPath: promelaPath(twin.file), options: SpinOptions(defines: twin.defines))
    return SpinRunResult(model: entry.model, variant: entry.variant, twin: twin, spin: result)
}

/// Runs every twin in table order (or those of one model).
public func runSpinAll(name: String? = nil) throws -> [SpinRunResult] {
    try ModelCatalog.select(name: name, variant: nil).filter { $0.twin != nil }.map {
        try runSpin(name: $0.model, variant: $0.variant)
    }
}

/// The models that have a Promela twin, in table order.
public func runSpinTwinNames() throws -> [String] {
    var names: [String] = []
    for e in try ModelCatalog.select(name: nil, variant: nil) where e.twin != nil && !names.contains(e.model) { names.append(e.model) }
    return names
}

/// Where a Promela twin lives: the bundled resource, or the source tree.
public func promelaPath(_ file: String) -> String {
    let base = (file as NSString).deletingPathExtension
    if let path = Bundle.module.path(forResource: base, ofType: "pml", inDirectory: "spin") { return path }
    let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    return source.appendingPathComponent("spin").appendingPathComponent(file).path
}
