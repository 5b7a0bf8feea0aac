// `verify prove`: the Z3 proof obligations for every named geometry.

import ArgumentParser
import Foundation
import Proofs
import SummaryCore

struct ProveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract: "Prove the pallocSum, mergeSummaries, findBitRange64, summarize and address-arithmetic obligations with Z3.",
        discussion: "Prints a table (obligation, geometry, verdict, time). A timeout or unknown is a failure. Exit status 0 when every proof holds (and, with --controls, every vacuity check is satisfiable and every mutated twin is refuted), 1 otherwise."
    )

    @Option(help: "Write every obligation as a standalone .smt2 file (expected answer unsat) under this directory.")
    var emit: String?

    @Flag(help: "Also run each obligation's vacuity check and its mutated twin (negative control).")
    var controls = false

    @Flag(help: "Print the counterexamples of refuted twins as Swift values.")
    var counterexamples = false

    @Option(name: .customLong("geometry"), help: "Only these geometries (repeatable).")
    var geometryNames: [String] = []

    @Option(help: "Only obligations whose name starts with this.")
    var only: String?

    @Option(help: "Solver timeout per query, in seconds.")
    var timeout: UInt32 = 60

    func run() throws {
        var gs: [SummaryCore.Geometry] = []
        for name in geometryNames {
            guard let g = SummaryCore.Geometry.named(name) else {
                throw ValidationError("unknown geometry '\(name)'; known: \(SummaryCore.Geometry.named.map { "\($0.name)" }.joined(separator: ", "))")
            }
            gs.append(g)
        }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        let reports = try proveAll(
            emitDirectory: emit, geometries: gs.isEmpty ? SummaryCore.Geometry.named : gs, only: only,
            controls: controls, runner: Proofs.Runner(timeoutMilliseconds: timeout * 1000),
            progress: { r in printError("\(r.proof.obligation) [\(r.proof.geometry)] \(r.proof.verdict)") })
        print(renderTable(reports), terminator: "")
        if counterexamples {
            for r in reports {
                for (kind, result) in [("proof", r.proof), ("mutant", r.mutant)] {
                    if let result, let cx = result.counterexample {
                        print("\n\(result.obligation) [\(result.geometry)] \(kind): \(result.verdict)")
                        print(cx.swiftText)
                    }
                }
            }
        }
        if !reports.allSatisfy(\.passed) { throw ExitCode(1) }
    }
}
