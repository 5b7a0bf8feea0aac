// `verify bugs`: the historic bug benchmark (HistoricBugs.swift).

import ArgumentParser
import Checking
import Foundation
import TraceFormat
import Targets
import GoTarget
import Campaigns

struct BugsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bugs",
        abstract: "Re-find Go's real historic page-allocator bugs from fresh seeds; print a table (exit 1 if an expected bug is missed)."
    )

    @Option(help: "Seed bases per bug (base k starts at seed k*1000).")
    var bases: Int = 20

    @Option(help: "Time each base may take before it counts as not found (e.g. 20s).")
    var budget: String = "20s"

    @Option(help: "Operations per seed.")
    var ops: Int = 300

    @Flag(help: "Also run the rows on real Go (Go 1.19 as shipped, Go 1.27.3 patched); needs Go toolchains.")
    var withGo = false

    @Option(help: "Only the rows whose name or reference contains this text.")
    var only: String?

    @Option(help: "Where the shrunk findings go.")
    var out: String = "findings/bugs"

    @Flag(help: "Print the table as JSON.")
    var json = false

    func run() throws {
        warnIfDebugBuild()
        guard bases >= 1 else { throw ValidationError("--bases must be at least 1") }
        guard ops >= 1 else { throw ValidationError("--ops must be at least 1") }
        var o = BugBenchOptions()
        o.bases = bases
        o.secondsPerBase = try parseDuration(budget)
        o.ops = ops
        o.withGo = withGo
        o.only = only
        o.outDir = out
        let rows = try runBugBench(o) { printError($0) }
        if json {
            printJSON(rows)
        } else {
            printTable(rows)
        }
        let missed = rows.filter(\.missed)
        if !missed.isEmpty {
            printError("error: expected to find but did not: \(missed.map(\.bug.reference).joined(separator: ", "))")
            throw ExitCode(1)
        }
    }

    func printTable(_ rows: [BugRow]) {
        print("historic bug benchmark: \(bases) seed bases, at most \(budget) each, default check (every invariant), isolated workers")
        print("")
        let head = ["bug", "Go issue/CL", "found", "median to 1st", "shrunk", "signature"]
        var lines = [head]
        for r in rows {
            let found: String
            if let why = r.skipped { found = "not run" + (why.hasPrefix("a real Go") ? " (--with-go)" : "") } else {
                found = "\(r.found)/\(r.bases)" + (r.bug.notExpected != nil ? " (latent)" : "")
            }
            lines.append([r.bug.name, r.bug.reference, found,
                          r.medianSeconds.map { String(format: "%.2f s", $0) } ?? "-",
                          r.shrunkLength.map { "\(r.originalLength ?? 0) -> \($0)" } ?? "-",
                          r.signature ?? "-"])
        }
        let widths = head.indices.map { c in lines.map { $0[c].count }.max() ?? 0 }
        for l in lines {
            print(l.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
        print("")
        for r in rows {
            if let replay = r.replay { print("\(r.bug.reference): \(replay)") }
            if let why = r.skipped, !why.hasPrefix("a real Go") { print("\(r.bug.reference): not run: \(why)") }
            if let why = r.bug.notExpected { print("\(r.bug.reference): \(why)") }
        }
    }

    func printJSON(_ rows: [BugRow]) {
        let items: [[String: Any]] = rows.map { r in
            var d: [String: Any] = ["bug": r.bug.name, "reference": r.bug.reference, "summary": r.bug.summary,
                                    "bases": r.bases, "found": r.found, "expected": r.bug.expected, "missed": r.missed]
            if let m = r.medianSeconds { d["medianSeconds"] = m }
            if let n = r.shrunkLength { d["shrunkLength"] = n }
            if let s = r.signature { d["signature"] = s }
            if let p = r.replay { d["replay"] = p }
            if let w = r.skipped { d["skipped"] = w }
            if let w = r.bug.notExpected { d["notExpected"] = w }
            return d
        }
        if let data = try? JSONSerialization.data(withJSONObject: items, options: [.prettyPrinted, .sortedKeys]) {
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
