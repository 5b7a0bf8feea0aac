import Foundation
import Testing
import PageAlloc
@testable import PortAdapter
@testable import Checking
@testable import TraceFormat
@testable import Targets
@testable import GoTarget
@testable import Campaigns

/// The port with Go 1.21+'s scavenger (`port@1.21`, `port@1.27`): Go's
/// recorded results, Go's own findings, the supervisor's rule, the command
/// line. (Side by side with a real Go: GoTargetTests.)
@Suite("The port's Go 1.21+ scavenger")
struct PortScavenger121Tests {
    static func goldenNames() -> [String] {
        let dir = packageRoot.appendingPathComponent("traces/golden/go1.27")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".trace") }.sorted()
    }

    static func config(_ t: Trace, _ s: Scavenger, _ v: Variant = .faithful) -> RunConfig {
        RunConfig(geometry: t.geometry, variant: v, scavenger: s, checking: .incremental(fullEvery: 0))
    }

    @Test("there are Go 1.27.3 golden traces with scavenges, next-gen and padding, on amd64 and 386")
    func goldenPresent() throws {
        let names = Self.goldenNames()
        #expect(names.filter { $0.hasPrefix("amd64-") }.count >= 10)
        #expect(names.filter { $0.hasPrefix("386-") }.count >= 8)
        var kinds: [String: Int] = [:]
        for n in names {
            let t = try Trace.parse(String(contentsOf: packageRoot.appendingPathComponent("traces/golden/go1.27/\(n)"), encoding: .utf8))
            for s in t.steps { kinds[s.op.keyword, default: 0] += 1 }
        }
        #expect(kinds["scavenge", default: 0] >= 100 && kinds["next-gen", default: 0] >= 100 && kinds["pad", default: 0] == names.count, "\(kinds)")
    }

    @Test("port@1.27 gives Go 1.27.3's results on every golden trace, every invariant holding", arguments: goldenNames())
    func replayGolden(_ name: String) throws {
        let url = packageRoot.appendingPathComponent("traces/golden/go1.27/\(name)")
        let t = try Trace.parse(String(contentsOf: url, encoding: .utf8), file: name)
        let r = try replay(t, config: Self.config(t, .go127))
        #expect(r.exitStatus == 0, "\(r.findings.prefix(3)) \(r.invalid.map { "\($0)" } ?? "")")
    }

    @Test("the golden traces can fail: Go 1.19's scavenger refuses them, and a changed scavenger breaks a recorded result")
    func goldenControls() throws {
        var refused = 0, differs = 0
        for name in Self.goldenNames() {
            let t = try Trace.parse(String(contentsOf: packageRoot.appendingPathComponent("traces/golden/go1.27/\(name)"), encoding: .utf8))
            if try replay(t, config: Self.config(t, .go119)).exitStatus == 2 { refused += 1 }
            // The candidate fix chooses other pages in some traces: their
            // recorded results (Go's) no longer come out.
            let fixed = try replay(t, config: Self.config(t, .go127, .fixCandidateScavSkipChunk))
            if fixed.findings.contains(where: { if case .expectedMismatch = $0.kind { return true }; return false }) { differs += 1 }
        }
        #expect(refused == Self.goldenNames().count)
        #expect(differs >= 1, "no golden trace tells the candidate fix from Go")
    }

    @Test("Go's kept findings in the scavenger come out of the port as they came out of Go: the 1.21+ setEmpty defect, golang/go#63385 on 1.21")
    func keptGoFindings() throws {
        func kept(_ f: String) throws -> (Trace, String) {
            let text = try String(contentsOfFile: GoDriverFiles.findingsDirectory + "/\(f)", encoding: .utf8)
            let sig = try #require(text.split(separator: "\n").first { $0.hasPrefix("# failure: ") }).dropFirst("# failure: ".count)
            return (try Trace.parse(text, file: f), String(sig))
        }
        let (setEmpty, sig1) = try kept("go1.27-scavenge-setEmpty-hides-free-pages.trace")
        for s in [Scavenger.go121, .go127] {
            let r = try replay(setEmpty, config: Self.config(setEmpty, s))
            #expect(r.findings.first?.kind.signature == sig1, "port@\(s.rawValue): \(r.findings.first.map(\.description) ?? "no finding")")
            // Go's recorded results are the port's: no mismatch before the finding.
            #expect(!r.findings.contains { if case .expectedMismatch = $0.kind { return true }; return false })
        }
        // Control: with the candidate fix the chunk keeps its flag.
        let fixed = try replay(setEmpty, config: Self.config(setEmpty, .go127, .fixCandidateScavSkipChunk))
        #expect(!fixed.findings.contains { $0.kind.signature == sig1 }, "\(fixed.findings.first.map(\.description) ?? "")")

        let (sentinel, sig2) = try kept("go1.21-scavengeIndex-sysGrow-min-sentinel.trace")
        let on121 = try replay(sentinel, config: Self.config(sentinel, .go121))
        #expect(on121.findings.first?.kind.signature == sig2, "\(on121.findings.first.map(\.description) ?? "no finding")")
        // Fixed in 1.22: port@1.27 passes it.
        #expect(try replay(sentinel, config: Self.config(sentinel, .go127)).findings.isEmpty)
    }

    @Test("a port@1.27 seed draws scavenges, next-gen and padding, and the supervisor's regeneration (reference only) equals what ran")
    func seedsAndSupervisor() throws {
        var kinds: Set<String> = []
        for seed: UInt64 in 0..<16 {
            let config = RunConfig(geometry: .amd64, variant: .faithful, scavenger: .go127, ops: 200)
            let ran = try runSeed(seed, config)
            // Only the kept defect may stop a seed early.
            if let f = ran.finding {
                #expect(KnownGoDefects.signatures(forVersion: "1.27").contains(f.kind.signature), "seed \(seed): \(f)")
                continue
            }
            #expect(try generatedOps(seed, config) == ran.ops, "seed \(seed)")
            for op in ran.ops { kinds.insert(op.keyword) }
        }
        #expect(kinds.isSuperset(of: ["scavenge", "next-gen", "pad", "alloc-to-cache", "cache-flush"]), "\(kinds.sorted())")
        // The default port's seeds are what they were: no next-gen, no pad.
        let old = try generatedOps(5, RunConfig(geometry: .amd64, ops: 200))
        #expect(!old.contains { $0.keyword == "next-gen" || $0.keyword == "pad" })
    }

    /// Applies `ops` one by one on a fresh port@1.27 runner; the outcomes.
    static func outcomes(_ ops: [TraceFormat.Operation], fullScavengeSnapshots: Bool, targets: [any AllocatorUnderTest]) -> [StepOutcome] {
        let r = Runner(targets: targets, checking: .incremental(fullEvery: 64))
        r.fullScavengeSnapshots = fullScavengeSnapshots
        var out: [StepOutcome] = []
        for op in ops {
            let o = r.apply(op)
            out.append(o)
            if case .finding = o { break }
        }
        return out
    }

    @Test("a scavenge on Go 1.21+'s index is judged on the chunks it could change (scoped snapshots): the same outcomes as with full snapshots, step by step")
    func scopedScavengeSnapshots() throws {
        var scavenges = 0, findings = 0
        for seed: UInt64 in 0..<24 {
            let g = Geometry.all[Int(seed) % Geometry.all.count]
            let ops = try generatedOps(seed, RunConfig(geometry: g, variant: .faithful, scavenger: .go127, ops: 300))
            scavenges += ops.filter { $0.keyword == "scavenge" }.count
            let scoped = Self.outcomes(ops, fullScavengeSnapshots: false, targets: [try PortTarget(geometry: g, scavenger: .go127)])
            let full = Self.outcomes(ops, fullScavengeSnapshots: true, targets: [try PortTarget(geometry: g, scavenger: .go127)])
            #expect(scoped == full, "seed \(seed) (\(g.name))")
            if case .finding = scoped.last { findings += 1 }
        }
        #expect(scavenges > 100)
        // Some seeds reach the kept defect: it is found either way.
        #expect(findings > 0)
    }

    @Test("scoped scavenge snapshots: the chunks between the cursor before and after (minHeapIdx when cleared); a snapshot that leaves one out is a protocol error")
    func scopedCoverage() throws {
        #expect(scavengeChunks(cursorBefore: 0, cursorAfter: 0, minHeapIdx: 3) == nil)
        #expect(scavengeChunks(cursorBefore: 5 * 512 + 7, cursorAfter: 2 * 512 + 511, minHeapIdx: 1) == 2...5)
        #expect(scavengeChunks(cursorBefore: 5 * 512 + 7, cursorAfter: 0, minHeapIdx: 1) == 1...5)
        #expect(scavengeChunks(cursorBefore: 2 * 512, cursorAfter: 5 * 512, minHeapIdx: 1) == nil)
        // A port@1.27 runner after a forced scavenge that walked two chunks.
        let g = Geometry.amd64
        let r = Runner(targets: [try PortTarget(geometry: g, scavenger: .go127)], checking: .incremental(fullEvery: 0))
        for op in try Trace.parse("""
            pagealloc-trace 1
            grow 0xc000000000 0x800000
            alloc 600
            free 0xc000002000 1
            free 0xc000402000 1
            """).steps.map(\.op) { #expect(r.apply(op) == .applied(.none) || op.keyword == "alloc") }
        let port = r.targets[0] as! PortTarget
        let before = try #require(port.cursorPage(force: true))
        port.run([TargetOp(.scavenge(nbytes: 0x4000, force: true), snapshot: .touched)]) { _, step in
            guard case let .applied(res, state?) = step else { Issue.record("no snapshot"); return true }
            let span = scavengeChunks(cursorBefore: before, cursorAfter: r.reference.page(state.scavIndexScalars!.searchAddrForce),
                                      minHeapIdx: state.scavIndexScalars!.minHeapIdx)
            #expect(state.chunks.map(\.chunk) == Array(span!), "\(state.chunks.map(\.chunk)) \(String(describing: span))")
            #expect(state.chunks.count == 2)
            #expect(r.checkCoverage(state, op: .scavenge(nbytes: 0x4000, force: true), result: res, scavenged: span) == nil)
            // Control: one chunk left out.
            var short = state
            short.chunks.removeFirst()
            #expect(r.checkCoverage(short, op: .scavenge(nbytes: 0x4000, force: true), result: res, scavenged: span)?.contains("were expected") == true)
            return true
        }
    }

    @Test("verify check --known: seeds failing with a kept finding's signature are counted as known, neither shrunk nor written; without it they fail the check")
    func checkKnown() throws {
        let dir = scratchDir("check-known")
        let kept = GoDriverFiles.findingsDirectory + "/go1.27-scavenge-setEmpty-hides-free-pages.trace"
        let (ok, out, _) = try runVerify(["check", "--target", "port@1.27", "--seeds", "0..60", "--no-isolate", "--out", dir, "--known", kept])
        #expect(ok == 0 && out.contains("known: ") && out.contains("invariant:scavIndex"), "\(out)")
        #expect(!out.contains("FINDING"), "\(out)")
        #expect(traceFiles(dir).isEmpty)
        let (bad, out2, _) = try runVerify(["check", "--target", "port@1.27", "--seeds", "0..60", "--no-isolate", "--out", dir])
        #expect(bad == 1 && out2.contains("FINDING invariant:scavIndex"), "\(out2)")
        #expect(!traceFiles(dir).isEmpty)
    }

    @Test("--target port@VERSION: the scavenger on the command line, in findings' replay lines; an unknown version is a clear error")
    func commandLine() throws {
        let trace = "pagealloc-trace 1\ngrow 0xc000000000 0x400000\nalloc 3\nfree 0xc000002000 1\nnext-gen\nscavenge 0x2000\n"
        let (ok, out, _) = try runVerify(["replay", "-", "--target", "port@1.27"], stdin: trace)
        #expect(ok == 0 && out.contains("scavenge 0x2000 -> 0x2000"), "\(out)")
        let (refused, _, err) = try runVerify(["replay", "-"], stdin: trace)
        #expect(refused == 2 && err.contains("next-gen"), "\(err)")
        let (bad, _, err2) = try runVerify(["replay", "-", "--target", "port@1.99"], stdin: trace)
        #expect(bad == 64 && err2.contains("no scavenger of Go 1.99") && err2.contains("1.19, 1.21, 1.27"), "\(err2)")
        let c = RunConfig(geometry: .amd64, variant: .faithful, scavenger: .go127)
        #expect(c.targetOptions == " --variant faithful --target port@1.27")
        #expect(c.targetName == "port@1.27")
        #expect(RunConfig(geometry: .amd64).targetOptions == " --variant faithful")
    }
}
