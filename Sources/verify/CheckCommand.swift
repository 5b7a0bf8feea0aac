// `verify check`: many seeds, a progress line, a summary.

import ArgumentParser
import Checking
import Foundation
import PageAlloc
import TraceFormat
import Targets
import GoTarget
import Campaigns

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run many seeds through the differential runner with every invariant; shrink and write findings."
    )

    @Option(help: "Seeds as A..B (A up to but not including B).")
    var seeds: String = "0..1000000000"

    @Option(help: "Stop after this long (e.g. 30s, 2m).")
    var time: String?

    @Option(help: "Worker threads.")
    var jobs: Int = 2

    @Option(help: "A known finding's trace (repeatable): seeds failing with its '# failure:' or '# also-fails:' signatures are reported as known and do not fail the check.")
    var known: [String] = []

    @OptionGroup var allocator: AllocatorOptions
    @OptionGroup var checking: CheckingOptions

    func run() throws {
        warnIfDebugBuild()
        let parts = seeds.components(separatedBy: "..")
        guard parts.count == 2, let a = UInt64(parts[0]), let b = UInt64(parts[1]), a < b else {
            throw ValidationError("--seeds must be A..B with A < B, got '\(seeds)'")
        }
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        var options = CheckOptions(seeds: a..<b, seconds: try time.map(parseDuration), jobs: jobs,
                                   geometry: try allocator.resolvedGeometry(),
                                   ops: checking.ops, fullEvery: checking.fullEvery, outDir: checking.out ?? "findings")
        options.shrinkBudget = checking.shrinkBudget
        // Read before the run: a bad file is refused before any work.
        let knownSignatures = try readKnownFindings(known)
        // Seeds failing with a known signature are counted, neither shrunk
        // nor written (CheckOptions.knownSignatures).
        options.knownSignatures = Set(knownSignatures.map(\.signature))
        try allocator.applyTargets(&options)
        print("check: seeds \(a)..\(b)\(time.map { ", at most \($0)" } ?? ""), target \(options.config(a).targetName), \(jobs) jobs")
        let summary = try check(options) { printError($0) }
        GoDriverPool.shared.drain()
        printSummary(summary, options)
        try allocator.finishGoCoverage(options.targets, runs: "verify check, \(summary.seedsRun) seeds, \(summary.opsRun) operations")
        for (sig, n) in summary.knownFailures.sorted(by: { $0.key < $1.key }) {
            let file = knownSignatures.first { $0.signature == sig }?.file ?? "?"
            print("known: \(n) seed(s) fail with \(sig), the signature of \(file)")
        }
        if !summary.failures.isEmpty { throw ExitCode(1) }
    }
}

/// The signatures of kept findings (`--known FILE`, repeatable): each
/// trace's `# failure:` line and its `# also-fails:` lines (the signatures
/// its consequences fail with). A file that cannot be read or names no
/// failure is refused (exit 2).
func readKnownFindings(_ files: [String]) throws -> [(signature: String, file: String)] {
    var out: [(signature: String, file: String)] = []
    for f in files {
        guard let text = try? String(contentsOfFile: f, encoding: .utf8) else {
            printError("error: --known \(f): cannot read the file")
            throw ExitCode(2)
        }
        let lines = text.split(whereSeparator: \.isNewline)
        guard let line = lines.first(where: { $0.hasPrefix("# failure: ") }) else {
            printError("error: --known \(f): no '# failure: SIGNATURE' line (a trace written by verify)")
            throw ExitCode(2)
        }
        out.append((String(line.dropFirst("# failure: ".count)), f))
        for also in lines where also.hasPrefix("# also-fails: ") {
            out.append((String(also.dropFirst("# also-fails: ".count)), f))
        }
    }
    return out
}
