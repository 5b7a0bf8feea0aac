// `verify check`: many seeds, a progress line, a summary.

import ArgumentParser
import Checking
import Foundation
import PageAlloc

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
                                   geometry: try allocator.resolvedGeometry(), variant: try allocator.resolvedVariant(),
                                   ops: checking.ops, fullEvery: checking.fullEvery, outDir: checking.out)
        try allocator.applyTargets(&options)
        print("check: seeds \(a)..\(b)\(time.map { ", at most \($0)" } ?? ""), target \(options.config(a).targetName), \(jobs) jobs")
        let summary = try check(options) { printError($0) }
        GoDriverPool.shared.drain()
        printSummary(summary, options)
        if !summary.failures.isEmpty { throw ExitCode(1) }
    }
}
