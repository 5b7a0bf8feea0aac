// `verify fuzz`: the nightly campaign (sharded, time-boxed, findings written
// as they come), and `--promote FILE` to turn a finding into a regression.

import ArgumentParser
import Checking
import Dispatch
import Foundation
import PageAlloc
import TraceFormat
import Targets
import GoTarget
import Campaigns

struct FuzzCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz",
        abstract: "Long randomized campaign: sharded seeds, state-coverage buckets, findings shrunk and written as they come.",
        discussion: """
        Shard i of n runs seeds base + k*n + i (k = 0, 1, ...), so n machines with the same --seed-base never \
        run the same seed. Findings go to OUT/findings/ (trace + HTML report each); exit status 1 if anything \
        was found. SIGINT/SIGTERM finish the seeds in hand and write the summary; a second signal exits at once.
        """
    )

    @Option(help: "Stop after this long (e.g. 60s, 10m, 55m).")
    var time: String = "10m"

    @Option(help: "Worker threads (default: all cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Shard i/n: this machine runs seeds base + k*n + i.")
    var shard: String = "0/1"

    @Option(help: "First seed of the progression (give CI a fresh one per night, e.g. the date).")
    var seedBase: UInt64 = 0

    @Option(help: "Stop after this many seeds of this shard.")
    var seeds: UInt64?

    @OptionGroup var allocator: AllocatorOptions

    @OptionGroup var checking: CheckingOptions
    /// findings/ (traces and HTML reports) and the summaries.
    var out: String { checking.out ?? "fuzz-out" }
    var ops: Int { checking.ops }

    @Flag(help: "Also write the summary as JSON to OUT/summary.json and print it on stdout.")
    var json = false

    @Option(help: "Write a JUnit XML report to this file.")
    var junit: String?

    @Option(help: "Seconds between progress lines on standard error.")
    var progressEvery: Double = 5

    @Option(help: "A kept finding's trace (repeatable): seeds failing with its '# failure:' or '# also-fails:' signature are counted as known, not shrunk, and do not fail the campaign.")
    var known: [String] = []

    @Option(help: "Promote this finding trace to a regression test in --regressions, expected results from the faithful port.")
    var promote: String?

    @Option(help: "Where --promote writes.")
    var regressions: String = "traces/regressions"

    @Option(help: "File name (without .trace) for --promote; default: the finding's.")
    var name: String?

    @Option(help: "Decode a libFuzzer input (e.g. crash-<sha1>) into a trace v1 file on stdout; with --variant.")
    var decode: String?

    func validate() throws {
        guard Shard.parse(shard) != nil else { throw ValidationError("--shard must be i/n with 0 <= i < n, got '\(shard)'") }
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
    }

    func run() throws {
        warnIfDebugBuild()
        if let promote { return try runPromote(promote) }
        if let decode {
            guard let data = FileManager.default.contents(atPath: decode) else {
                printError("\(decode): cannot read")
                throw ExitCode(2)
            }
            print(try traceFromBytes(Array(data), variant: try allocator.resolvedVariant(), maxOps: ops,
                                     name: (decode as NSString).lastPathComponent), terminator: "")
            return
        }
        var o = CampaignOptions()
        o.knownSignatures = Set(try readKnownFindings(known).map(\.signature))
        o.seedBase = seedBase
        o.shard = Shard.parse(shard)!
        o.seconds = try parseDuration(time)
        o.maxSeeds = seeds
        o.jobs = jobs
        o.geometry = try allocator.resolvedGeometry()
        o.ops = ops
        o.fullEvery = checking.fullEvery
        o.shrinkBudget = checking.shrinkBudget
        o.outDir = out
        o.commit = gitCommit()
        o.targets = try allocator.resolvedTargets()
        o.isolate = try allocator.isolate()
        try allocator.startGoCoverage(o.targets)
        if let g = try allocator.fixedGeometry(o.targets) { o.geometry = g }
        print("fuzz: shard \(o.shard), seed base \(o.seedBase), \(time), \(jobs) jobs, geometry \(o.geometry?.name ?? "all in rotation"), variant \(o.targets.variant.rawValue), target \(o.config(o.geometry ?? .amd64).targetName), commit \(o.commit)")
        let campaign = Campaign(o)
        let sources = installStopHandlers(campaign)
        let summary = try campaign.run(progressEvery: progressEvery) { printError($0) }
        sources.forEach { $0.cancel() }
        GoDriverPool.shared.drain()
        for line in summary.text() { print(line) }
        try allocator.finishGoCoverage(o.targets, runs: "verify fuzz, \(summary.seeds) seeds, \(summary.ops) operations")
        let jsonText = try summary.jsonText()
        try writeFileAtomically("\(out)/summary.json", jsonText)
        if json { print(jsonText, terminator: "") }
        if let junit { try writeFileAtomically(junit, summary.junitXML()) }
        print("reproduce this campaign: swift run -c release verify fuzz --shard \(o.shard) --seed-base \(o.seedBase) --time \(time)"
              + (o.geometry.map { " --geometry \($0.name)" } ?? "") + o.config(o.geometry ?? .amd64).targetOptions)
        if summary.found { throw ExitCode(1) }
    }

    func runPromote(_ file: String) throws {
        let text: String
        do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
            printError("\(file): cannot read: \(error.localizedDescription)")
            throw ExitCode(2)
        }
        let promoted: String
        do { promoted = try Campaigns.promote(text, file: file) } catch let e as TraceSyntaxError {
            printError(e.description)
            throw ExitCode(2)
        } catch let e as PromoteError {
            printError(e.description)
            throw ExitCode(2)
        }
        let stem = name ?? ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        let dest = "\(regressions)/\(stem).trace"
        try writeFileAtomically(dest, promoted)
        print("promoted \(file) -> \(dest)")
        print("check: swift test --filter Regression")
    }
}

/// `git rev-parse HEAD`, or "unknown" outside a repository or without git.
func gitCommit() -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["git", "rev-parse", "HEAD"]
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = FileHandle.nullDevice
    do { try p.run() } catch { return "unknown" }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    let s = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    return p.terminationStatus == 0 && !s.isEmpty ? s : "unknown"
}

/// SIGINT/SIGTERM: the first asks the campaign to stop after the seeds in
/// hand (the summary is still written); the second exits at once (status
/// 130). Findings already reported are on disk either way.
func installStopHandlers(_ campaign: Campaign) -> [any DispatchSourceSignal] {
    let queue = DispatchQueue(label: "verify.fuzz.signals")
    let count = SignalCount()
    return [SIGINT, SIGTERM].map { sig in
        signal(sig, SIG_IGN)
        let s = DispatchSource.makeSignalSource(signal: sig, queue: queue)
        s.setEventHandler {
            if count.bump() > 1 { exit(130) }
            printError("fuzz: signal \(sig): finishing the seeds in hand, then writing the summary (again to exit now)")
            campaign.requestStop()
        }
        s.resume()
        return s
    }
}

/// Signals seen; touched only on the signal queue.
final class SignalCount: @unchecked Sendable {
    var n = 0
    func bump() -> Int { n += 1; return n }
}
