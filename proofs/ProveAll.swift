// Proving everything, and the text table of the results.

import Foundation
import SummaryCore

/// One row of a full run: the proof, and (when asked for) its two controls.
public struct ObligationReport: Sendable {
    /// The proof (expected `.proved`).
    public let proof: ProofResult
    /// The vacuity check (expected `.refuted`: the assumption has a solution).
    public let vacuity: ProofResult?
    /// The mutated twin (expected `.refuted`, with a counterexample).
    public let mutant: ProofResult?
    /// The assumption-deletion control (expected `.refuted`: without its
    /// assumption the goal fails); nil when not run or when the assumption
    /// is always true.
    public var needed: ProofResult? = nil

    public init(proof: ProofResult, vacuity: ProofResult?, mutant: ProofResult?, needed: ProofResult? = nil) {
        self.proof = proof
        self.vacuity = vacuity
        self.mutant = mutant
        self.needed = needed
    }

    /// True when the proof holds and every control ran as expected.
    public var passed: Bool {
        proof.isProved
            && (vacuity.map { $0.verdict == .refuted } ?? true)
            && (mutant.map { $0.verdict == .refuted && $0.counterexample?.confirmedConcretely != false } ?? true)
            && (needed.map { $0.verdict == .refuted } ?? true)
    }
}

/// Proves every obligation for every geometry (the geometry-independent ones once);
/// with `emitDirectory`, writes each proof problem as `<dir>/<geometry>/<name>.smt2`.
///
/// - Parameters:
///   - emitDirectory: where to write the .smt2 files, or nil for none.
///   - geometries: which geometries (default: all named ones).
///   - addressGeometries: geometries with address obligations only
///     (default: the address-only named ones).
///   - only: keep obligations whose name starts with this prefix.
///   - controls: also run each obligation's vacuity check and mutated twin.
///   - extended: also run `Catalog.extended` (slow or unproved obligations).
///   - runner: the solver settings (timeout).
///   - progress: called after each obligation, in order.
public func proveAll(
    emitDirectory: String? = nil,
    geometries: [Geometry] = Geometry.named,
    addressGeometries: [Geometry] = Geometry.addressOnly,
    only: String? = nil,
    controls: Bool = false,
    extended: Bool = false,
    runner: Runner = Runner(),
    progress: ((ObligationReport) -> Void)? = nil
) throws -> [ObligationReport] {
    var reports: [ObligationReport] = []
    let cache = ProofCache()
    let list = Catalog.all(geometries: geometries, addressGeometries: addressGeometries) + (extended ? Catalog.extended(geometries: geometries) : [])
    for (obligation, g) in list where only.map({ obligation.name.hasPrefix($0) }) ?? true {
        let report = ObligationReport(
            proof: try runner.prove(obligation, g, emitDirectory: emitDirectory, cache: cache),
            vacuity: controls ? runner.checkVacuity(obligation, g) : nil,
            mutant: controls ? runner.refuteMutant(obligation, g) : nil,
            needed: controls ? runner.checkAssumptionNeeded(obligation, g) : nil)
        progress?(report)
        reports.append(report)
    }
    return reports
}

/// The results as a text table: obligation, geometry, verdict, time (and the
/// controls' verdicts when they ran), then a total line.
public func renderTable(_ reports: [ObligationReport]) -> String {
    let withControls = reports.contains { $0.vacuity != nil || $0.mutant != nil }
    var header = ["obligation", "geometry", "verdict", "time"]
    if withControls { header += ["vacuity", "mutant", "assumption"] }
    var rows: [[String]] = [header]
    for r in reports {
        var time = String(format: "%.2fs", r.proof.seconds)
        if let same = r.proof.sameProblemAs { time += " (same problem as \(same))" }
        var row = [r.proof.obligation, r.proof.geometry, r.proof.verdict.description, time]
        if withControls {
            row.append(r.vacuity.map { $0.verdict == .refuted ? "satisfiable" : "VACUOUS? \($0.verdict)" } ?? "-")
            row.append(r.mutant.map { $0.verdict == .refuted ? "refuted" : "NOT REFUTED: \($0.verdict)" } ?? "-")
            row.append(r.needed.map { $0.verdict == .refuted ? "needed" : $0.verdict == .proved ? "NOT NEEDED" : "UNKNOWN: \($0.verdict)" } ?? "none")
        }
        rows.append(row)
    }
    let widths = (0..<header.count).map { c in rows.map { $0[c].count }.max() ?? 0 }
    func line(_ row: [String]) -> String {
        row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
            .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }
    var out = [line(rows[0]), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
    out += rows.dropFirst().map(line)
    let proved = reports.filter { $0.proof.isProved }.count
    let total = reports.reduce(0) { $0 + $1.proof.seconds }
    var summary = "\(proved)/\(reports.count) proved, total proof time \(String(format: "%.2fs", total))"
    if withControls {
        let controlTime = reports.reduce(0) { $0 + ($1.vacuity?.seconds ?? 0) + ($1.mutant?.seconds ?? 0) + ($1.needed?.seconds ?? 0) }
        let passed = reports.filter(\.passed).count
        summary += "; controls \(passed)/\(reports.count) as expected, control time \(String(format: "%.2fs", controlTime))"
    }
    out.append(summary)
    return out.joined(separator: "\n") + "\n"
}
