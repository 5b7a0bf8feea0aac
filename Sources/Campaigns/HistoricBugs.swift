// The historic bug benchmark: real bugs of Go's page allocator, each put
// back into the port as a named variant (or into a real Go as a patch), and
// the default randomized check run against it from fresh seeds.

import Foundation
import PageAlloc
import TraceFormat
import Targets
import GoTarget
import Checking
import Reference

/// One real bug of Go's page heap.
public struct HistoricBug: Sendable {
    /// Short name for the table.
    public let name: String
    /// Where Go tracked it: an issue or a CL.
    public let reference: String
    /// One line: what was wrong.
    public let summary: String
    /// How the benchmark reaches it.
    public let target: BugTarget
    /// Why the default check is not expected to find it, when it is not.
    public let notExpected: String?

    /// Whether a missing finding fails the benchmark.
    public var expected: Bool { notExpected == nil && target.runnable }
}

/// What the benchmark runs for a bug.
public enum BugTarget: Sendable {
    /// The port with this variant.
    case port(Variant)
    /// The port running a Go 1.21+ scavenger as that release has it: the
    /// bug is in the release's own code, which the port follows.
    case portAt(Scavenger)
    /// A real Go runtime: a version, patches (none: the bug is in that
    /// release as shipped) and a GOARCH. Runs only when Go rows are asked for.
    case go(version: String, patches: [String], goarch: String = "amd64")
    /// Nothing runs yet; the reason.
    case notPorted(String)

    var runnable: Bool { if case .notPorted = self { return false }; return true }
}

extension HistoricBug {
    /// The benchmark, in the order of issue 11's list, then the same bugs
    /// patched into a real Go where its code still has them.
    public static let all: [HistoricBug] = [
        // The seeds' own bug first: on the port, and put back into the
        // oldest and the newest Go the suite drives.
        HistoricBug(name: "searchAddr in unmapped memory", reference: "golang/go#40191",
                    summary: "find set searchAddr to firstFree.base without findMappedAddr: in a discontiguous heap it points into unmapped summary memory",
                    target: .port(.preFix40191), notExpected: nil),
        HistoricBug(name: "#40191 on Go 1.19", reference: "golang/go#40191",
                    summary: "the same line put back into Go 1.19.8's mpagealloc.go (find returns firstFree.base)",
                    target: .go(version: "1.19", patches: ["GoDriver/patches/go1.19-issue40191.diff"]), notExpected: nil),
        HistoricBug(name: "#40191 on Go 1.27.3", reference: "golang/go#40191",
                    summary: "the same line put back into Go 1.27.3's mpagealloc.go",
                    target: .go(version: "1.27.3", patches: ["GoDriver/patches/go1.27-issue40191.diff"]), notExpected: nil),
        HistoricBug(name: "R1 find1 search index", reference: "CL 216697",
                    summary: "pallocBits.find for one page returned addr+1 as the new search index",
                    target: .port(.preFixCL216697), notExpected: nil),
        HistoricBug(name: "allocToCache searchAddr", reference: "golang/go#38605",
                    summary: "allocToCache set searchAddr to the page after the cache, possibly outside inUse",
                    target: .port(.preFix38605), notExpected: nil),
        HistoricBug(name: "dead bad-summary checks", reference: "golang/go#38130",
                    summary: "the 'bad summary data' checks tested j < 0 on an unsigned index and never fired",
                    target: .port(.preFix38130),
                    notExpected: "latent: the dead checks only matter once summaries disagree with the bitmaps, which no other code path produces; the leaves and merge invariants catch such summaries before a search can use them"),
        HistoricBug(name: "scavengeOne fast path summary", reference: "Go 1.14 dev",
                    summary: "scavengeOne's fast path searched the chunk at the scavenger's address without checking its summary (Go 1.14's fast path put in front of 1.19's scavengeOne)",
                    target: .port(.preFixScavSummary14), notExpected: nil),
        HistoricBug(name: "scavengeOne fast path inUse", reference: "Go 1.14 dev",
                    summary: "scavengeOne's fast path read that chunk's leaf summary without inUse.contains (the same transplant)",
                    target: .port(.preFixScavInUse14), notExpected: nil),
        HistoricBug(name: "findScavengeCandidate align", reference: "golang/go#35445",
                    summary: "findScavengeCandidate did not align max up to min: an unaligned sysUnused (64 KiB pages: wasm's geometry)",
                    target: .port(.preFix35445), notExpected: nil),
        HistoricBug(name: "addrRanges.add growth", reference: "golang/go#36113",
                    summary: "addrRanges.add gave a grown backing array the old length",
                    target: .port(.preFix36113), notExpected: nil),
        HistoricBug(name: "scavengeIndex.grow sentinel", reference: "golang/go#63385",
                    summary: "scavengeIndex.grow took min == 0 for unset and mapped an index page twice (Go 1.19's code put back)",
                    target: .port(.preFix63385), notExpected: nil),
        HistoricBug(name: "heap at the 32-bit top", reference: "golang/go#35954",
                    summary: "the runtime grew the heap up to 2^32, where base+size wraps to 0",
                    target: .port(.preFix35954), notExpected: nil),
        HistoricBug(name: "flush leaves the index unmarked", reference: "found here (Go 1.19.8)",
                    summary: "pageCache.flush freed pages without marking the scavenge index, so the scavenger could lose them (Go 1.19's flush put back)",
                    target: .port(.go119FlushUnmarked), notExpected: nil),
        HistoricBug(name: "#63385 as Go 1.21 shipped it", reference: "golang/go#63385",
                    summary: "Go 1.21's scavengeIndex.sysGrow took min == 0 for unset, so a growth below the first left entries unmapped (the port's Go 1.21 scavenger, as shipped)",
                    target: .portAt(.go121), notExpected: nil),
        HistoricBug(name: "setEmpty hides free pages", reference: "found here (Go 1.21-1.27)",
                    summary: "scavengeOne marks a chunk empty after searching only the part below the cursor, so free pages above it are never scavenged (the port's Go 1.27 scavenger, as shipped)",
                    target: .portAt(.go127), notExpected: nil),
        HistoricBug(name: "#63385 class in Go 1.19.8", reference: "golang/go#63385",
                    summary: "the same sentinel as shipped in Go 1.19.8's bitmap index",
                    target: .go(version: "1.19", patches: []), notExpected: nil),
        HistoricBug(name: "#35445 on Go 1.27.3 loong64", reference: "golang/go#35445",
                    summary: "the same bug patched into Go 1.27.3's mgcscavenge.go (16 KiB physical pages, loong64 under qemu)",
                    target: .go(version: "1.27.3", patches: ["GoDriver/patches/go1.27-issue35445.diff"], goarch: "loong64"), notExpected: nil),
        HistoricBug(name: "R1 on Go 1.27.3", reference: "CL 216697",
                    summary: "the same bug patched into Go 1.27.3's mpallocbits.go",
                    target: .go(version: "1.27.3", patches: ["GoDriver/patches/go1.27-cl216697.diff"]), notExpected: nil),
        HistoricBug(name: "#38605 on Go 1.27.3", reference: "golang/go#38605",
                    summary: "the same bug patched into Go 1.27.3's mpagecache.go",
                    target: .go(version: "1.27.3", patches: ["GoDriver/patches/go1.27-issue38605.diff"]), notExpected: nil),
        HistoricBug(name: "#36113 on Go 1.27.3", reference: "golang/go#36113",
                    summary: "the same bug patched into Go 1.27.3's mranges.go",
                    target: .go(version: "1.27.3", patches: ["GoDriver/patches/go1.27-issue36113.diff"]), notExpected: nil),
    ]
}

/// One row of the benchmark's table.
public struct BugRow: Sendable {
    public let bug: HistoricBug
    /// Seed bases tried, and those that found a failure.
    public var bases = 0
    public var found = 0
    /// Seconds to the first failure, per base that found one.
    public var times: [Double] = []
    /// The first base's finding, shrunk.
    public var shrunkLength: Int?
    public var originalLength: Int?
    public var signature: String?
    public var replay: String?
    /// Not run (and why).
    public var skipped: String?

    public var medianSeconds: Double? {
        guard !times.isEmpty else { return nil }
        let t = times.sorted()
        return t[t.count / 2]
    }
    /// Whether this row fails the benchmark: an expected bug not found.
    public var missed: Bool { skipped == nil && bug.expected && found == 0 }
}

/// How `verify bugs` runs.
public struct BugBenchOptions: Sendable {
    /// Seed bases: base k starts at seed k * 1000.
    public var bases = 20
    /// Seconds each base may run before it counts as not found.
    public var secondsPerBase = 20.0
    public var ops = 300
    public var outDir: String? = "findings/bugs"
    /// Run the rows on real Go (they need a Go toolchain).
    public var withGo = false
    /// Only the rows whose name or reference contains this.
    public var only: String?
    public init() {}
}

/// Runs the benchmark row by row; `progress` gets a line per base.
public func runBugBench(_ options: BugBenchOptions, progress: (@Sendable (String) -> Void)? = nil) throws -> [BugRow] {
    var rows: [BugRow] = []
    for bug in HistoricBug.all {
        var row = BugRow(bug: bug)
        if let only = options.only, !(bug.name.contains(only) || bug.reference.contains(only)) { continue }
        var check = CheckOptions(seeds: 0..<1, seconds: options.secondsPerBase, jobs: 1, geometry: nil,
                                 ops: options.ops, outDir: nil)
        check.stopAtFirstFailure = true
        switch bug.target {
        case let .notPorted(why):
            row.skipped = why
            rows.append(row)
            continue
        case let .port(v):
            check.targets = [.port(v)]
            check.isolate = true
        case let .portAt(s):
            check.targets = [.port(.faithful, s)]
            check.isolate = true
            // Go 1.21 has the 1.21+ defects as well as its own: the row
            // looks for its own.
            if s == .go121 { check.knownSignatures = KnownGoDefects.signatures(forVersion: "1.27") }
        case let .go(version, patches, goarch):
            guard options.withGo else {
                row.skipped = "a real Go row: run with --with-go"
                rows.append(row)
                continue
            }
            let spec = GoTargetSpec(version: version, goarch: goarch, patches: patches)
            check.targets = [.go(spec)]
            // A put-back bug is not the version's own kept defects (a row
            // without a patch is one of those defects, as shipped).
            if !patches.isEmpty { check.knownSignatures = KnownGoDefects.signatures(forVersion: version) }
            check.geometry = try check.targets.fixedGeometry()
        }
        for k in 0..<options.bases {
            let base = UInt64(k) * 1000
            check.seeds = base..<(base + 1_000_000)
            check.shrinkFindings = k == 0 || row.shrunkLength == nil
            check.outDir = check.shrinkFindings ? options.outDir : nil
            let s = try Campaigns.check(check)
            row.bases += 1
            if let t = s.firstFailureSeconds, let first = s.failures.first {
                row.found += 1
                row.times.append(t)
                if row.signature == nil { row.signature = first.signature }
                if row.shrunkLength == nil, let f = s.shrunk.first {
                    row.shrunkLength = f.ops.count
                    row.originalLength = f.originalLength
                    row.signature = f.finding.kind.signature
                    row.replay = f.path.map { "swift run verify replay \($0)" + (f.targetOptions.isEmpty ? "" : (f.targetOptions.hasPrefix(" ") ? "" : " ") + f.targetOptions) }
                }
                progress?("\(bug.reference): base \(base): seed \(first.seed) \(first.signature) after \(String(format: "%.2f", t)) s")
            } else {
                progress?("\(bug.reference): base \(base): nothing in \(String(format: "%.0f", s.elapsed)) s (\(s.seedsRun) seeds)")
            }
        }
        rows.append(row)
    }
    GoDriverPool.shared.drain()
    return rows
}
