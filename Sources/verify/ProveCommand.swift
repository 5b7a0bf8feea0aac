// `verify prove`: the Z3 proof obligations for every named geometry.

import ArgumentParser
import Foundation
import Proofs
import Prover
import SummaryCore

struct ProveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract: "Prove the pallocSum, mergeSummaries, findBitRange64, summarize and address-arithmetic obligations with Z3.",
        discussion: "Prints a table (obligation, geometry, verdict, time). A timeout or unknown is a failure. Exit status 0 when every proof holds (and, with --controls, every vacuity check is satisfiable and every mutated twin is refuted), 1 otherwise."
    )

    @Option(help: "Write every obligation as a standalone .smt2 file (expected answer unsat) under this directory (the committed copy: proofs/generated/smt2).")
    var emit: String?

    @Flag(help: "Also run each obligation's vacuity check and its mutated twin (negative control).")
    var controls = false

    @Flag(help: "Print the counterexamples of refuted twins as Swift values.")
    var counterexamples = false

    @Option(name: .customLong("geometry"), help: "Only these geometries (repeatable).")
    var geometryNames: [String] = []

    @Option(help: "Only obligations whose name starts with this.")
    var only: String?

    @Option(help: "Solver timeout per query, in seconds (an outer guard with --rlimit).")
    var timeout: UInt32 = 60

    @Option(help: "Z3's resource limit per query (rlimit units: deterministic, the same on every machine; 0: none). CI and the tests use 400000000, ten times the most any call of the catalog uses.")
    var rlimit: UInt32 = 0

    @Flag(help: "After the table, print the resource units (Z3's rlimit count) of the ten most expensive solver calls and the largest.")
    var resourceReport = false

    @Option(help: ArgumentHelp("Write the second-pass machine's transition table (proofs/summarize-second-pass/transitions.txt) to this file and stop.", valueName: "file"))
    var emitTransitions: String?

    @Option(help: "How many obligations to solve at once (default: the machine's cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "Also the slow or unproved obligations (summarizeSecondPass, summarizeFirstPass.512, mergeMatchesBitmap.8x16).")
    var extended = false

    @Option(help: "Instead of proving, check the Z3 layer for leaks over this many rounds of prover work in one context.")
    var leakCheck: Int?

    @Flag(help: .hidden)
    var injectLeak = false

    func run() throws {
        var gs: [SummaryCore.Geometry] = []
        for name in geometryNames {
            guard let g = SummaryCore.Geometry.named(name) else {
                throw ValidationError("unknown geometry '\(name)'; known: \((SummaryCore.Geometry.named + SummaryCore.Geometry.addressOnly).map { "\($0.name)" }.joined(separator: ", "))")
            }
            gs.append(g)
        }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        guard jobs > 0 else { throw ValidationError("--jobs must be positive") }
        if let path = emitTransitions {
            try Proofs.secondPassTransitionsText.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        if let rounds = leakCheck {
            guard rounds > 0 else { throw ValidationError("--leak-check needs a positive number of rounds") }
            try runLeakCheck(rounds: rounds)
            return
        }
        guard !injectLeak else { throw ValidationError("--inject-leak goes with --leak-check") }
        var runner = Proofs.Runner(timeoutMilliseconds: timeout * 1000, resourceLimit: rlimit)
        let log = resourceReport ? ResourceLog() : nil
        runner.resourceLog = log
        let reports = try proveAll(
            emitDirectory: emit,
            geometries: gs.isEmpty ? SummaryCore.Geometry.named : gs.filter { g in !SummaryCore.Geometry.addressOnly.contains { $0.name.description == g.name.description } },
            addressGeometries: gs.isEmpty ? SummaryCore.Geometry.addressOnly : gs.filter { g in SummaryCore.Geometry.addressOnly.contains { $0.name.description == g.name.description } },
            only: only,
            controls: controls, extended: extended, runner: runner,
            jobs: jobs,
            progress: { r in printError("\(r.proof.obligation) [\(r.proof.geometry)] \(r.proof.verdict)") })
        print(renderTable(reports), terminator: "")
        if let log {
            let top = log.entries.sorted { $0.units > $1.units }
            print("\nresource units (Z3 rlimit count) of \(top.count) solver calls; the largest ten:")
            for e in top.prefix(10) { print(String(e.units).padding(toLength: 14, withPad: " ", startingAt: 0) + e.call) }
        }
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

    /// `--leak-check N`: rounds of prover work; exit 1 on a leak.
    func runLeakCheck(rounds: Int) throws {
        let start = Date()
        let report = z3LeakCheck(rounds: rounds, injectLeak: injectLeak) { i, bytes, handles in
            if i % 20 == 0 || i == 2 * rounds {
                printError(String(format: "leak check: round %d/%d (%@), Z3 allocation %.2f MiB, live handles %d, %.1f s",
                                  i, 2 * rounds, (i <= rounds ? "one context" : "fresh contexts") as NSString,
                                  Double(bytes) / 1048576, handles, Date().timeIntervalSince(start)))
            }
        }
        func mib(_ b: UInt64) -> Double { Double(b) / 1048576 }
        print("leak check\(injectLeak ? " (injected leak)" : ""): \(report.rounds) rounds in one context, \(report.rounds) in fresh contexts")
        print("  live handles in the long-lived context: \(report.handlesAfterWarmup) -> \(report.handlesAtEnd)")
        print(String(format: "  Z3 allocation over the fresh-context rounds: %.2f -> %.2f MiB (growth %lld bytes, tolerance %llu)",
                     mib(report.z3BytesBefore), mib(report.z3BytesAfter), report.z3Growth, report.toleranceBytes))
        print(String(format: "  (inside the long-lived context, not judged: %.2f -> %.2f MiB)",
                     mib(report.z3BytesInContextStart), mib(report.z3BytesInContextEnd)))
        print(report.clean ? "no leak" : "LEAK")
        if !report.clean { throw ExitCode(1) }
    }
}
