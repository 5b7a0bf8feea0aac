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
///   - jobs: how many obligations are solved at once (each in its own Z3 context).
///     An obligation's instances for the different geometries stay together, in
///     order, so "same problem as" names the same geometry whatever `jobs` is.
///   - progress: called after each obligation, in list order.
public func proveAll(
    emitDirectory: String? = nil,
    geometries: [Geometry] = Geometry.named,
    addressGeometries: [Geometry] = Geometry.addressOnly,
    only: String? = nil,
    controls: Bool = false,
    extended: Bool = false,
    runner: Runner = .deterministic,
    jobs: Int = ProcessInfo.processInfo.activeProcessorCount,
    progress: ((ObligationReport) -> Void)? = nil
) throws -> [ObligationReport] {
    let list = (Catalog.all(geometries: geometries, addressGeometries: addressGeometries) + (extended ? Catalog.extended(geometries: geometries) : []))
        .filter { item in only.map { item.obligation.name.hasPrefix($0) } ?? true }
    // Group the instances of one obligation (its geometries), in first-appearance order.
    var groups: [[Int]] = []
    var groupOfName: [String: Int] = [:]
    for (k, item) in list.enumerated() {
        if let g = groupOfName[item.obligation.name] { groups[g].append(k) } else {
            groupOfName[item.obligation.name] = groups.count
            groups.append([k])
        }
    }
    let state = ProveAllState(count: list.count, progress: progress)
    let groupList = groups
    @Sendable func work(_ k: Int, _ cache: ProofCache) throws -> ObligationReport {
        let (obligation, g) = list[k]
        return ObligationReport(
            proof: try runner.prove(obligation, g, emitDirectory: emitDirectory, cache: cache),
            vacuity: controls ? runner.checkVacuity(obligation, g) : nil,
            mutant: controls ? runner.refuteMutant(obligation, g) : nil,
            needed: controls ? runner.checkAssumptionNeeded(obligation, g) : nil)
    }
    DispatchQueue.concurrentPerform(iterations: max(1, min(jobs, groupList.count))) { _ in
        while let group = state.nextGroup(of: groupList.count) {
            let cache = ProofCache()
            for k in groupList[group] {
                do { state.finish(k, try work(k, cache)) } catch { state.fail(error); return }
            }
        }
    }
    if let error = state.error { throw error }
    return state.reports.map { $0! }
}

/// The shared state of a parallel `proveAll`: the next group to take, the
/// finished reports, and the in-order progress calls.
private final class ProveAllState: @unchecked Sendable {
    private let lock = NSLock()
    private var taken = 0
    private var reported = 0
    private(set) var reports: [ObligationReport?]
    private(set) var error: (any Error)?
    private let progress: ((ObligationReport) -> Void)?

    init(count: Int, progress: ((ObligationReport) -> Void)?) {
        reports = Array(repeating: nil, count: count)
        self.progress = progress
    }

    func nextGroup(of count: Int) -> Int? {
        lock.withLock {
            guard taken < count, error == nil else { return nil }
            taken += 1
            return taken - 1
        }
    }

    func finish(_ k: Int, _ report: ObligationReport) {
        lock.withLock {
            reports[k] = report
            while reported < reports.count, let next = reports[reported] {
                progress?(next)
                reported += 1
            }
        }
    }

    func fail(_ e: any Error) { lock.withLock { if error == nil { error = e } } }
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
