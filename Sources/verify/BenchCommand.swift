// `verify bench`: raw throughput of the port (build with -c release).

import ArgumentParser
import Checking
import Foundation
import PageAlloc
import TraceFormat
import Targets
import GoTarget
import Campaigns

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the port's raw throughput on the benchmark heap (use -c release)."
    )

    @Option(help: "alloc(1)+free(1) pairs to time (Go's side: 3,000,000).")
    var pairs: Int = 3_000_000

    @Option(help: "Operations of the mixed workload (Go's side: 1,000,000; BENCH.md has check values for 1,000,000 and 300,000).")
    var mixed: Int = 1_000_000

    @Option(help: "Operations of the scavenging mix (the mixed workload with scavenges and generations, on port@1.27; docs/benchmarks.md), 0 to skip. With --go 1.21 or later, Go's side runs it too.")
    var scav: Int = 300_000

    @Option(help: "Calls of each summary function to time (proved generic code against plain code).")
    var summaryCalls: Int = 20_000_000

    @Option(name: .customLong("go"), help: "Also run Go's side of the yardstick: this Go version's own page allocator on the same workload, in the driver binary (e.g. 1.19), and print the ratios.")
    var goVersion: String?

    @Option(help: "With --go: rounds of both sides, alternating port and Go, each a fresh heap; the ratios reported are the medians over the rounds (these machines are noisy).")
    var rounds: Int = 1

    @Flag(help: "Also measure checked vs unchecked throughput and the time to find preFix40191.")
    var checking = false

    func run() throws {
        warnIfDebugBuild()
        #if DEBUG
        printError("warning: debug build; figures mean little (swift run -c release verify bench)")
        #endif
        // The yardstick of docs/benchmarks.md, exactly: heap, prefill, (a), (b).
        var t0 = Date()
        let (p, _, prefill) = try yardstickHeap()
        print(String(format: "yardstick heap (BENCH.md): 64 GiB in 16 pieces, prefill %d allocations, %d live runs after the frees, built in %.2f s",
                     prefill.allocations, prefill.live, Date().timeIntervalSince(t0)))
        let (a, wrong) = try yardstickAllocFree(p, pairs: pairs)
        print(String(format: "%-32@ %10.1f ns/pair  %12.0f pairs/s", "(a) AllocFree, alloc(1)+free(1)" as NSString, a.nsPerOp, a.opsPerSecond))
        t0 = Date()
        let (q, live, f2) = try yardstickHeap()
        _ = t0
        let m = try yardstickMixed(q, live: live, used: f2.used, operations: mixed)
        print(String(format: "%-32@ %10.1f ns/op    %12.0f ops/s", "(b) Mixed" as NSString, m.seconds * 1e9 / Double(mixed), Double(mixed) / m.seconds))
        var scavRun: YardstickScav?
        if scav > 0 {
            let (sp, sLive, sf) = try yardstickHeap(scavenger: .go127)
            let sm = try yardstickScavMixed(sp, live: sLive, used: sf.used, operations: scav)
            print(String(format: "%-32@ %10.1f ns/op    %12.0f ops/s", "(c) Scavenging mix (port@1.27)" as NSString,
                         sm.seconds * 1e9 / Double(scav), Double(scav) / sm.seconds) + "   (\(sm.scavenges) scavenges released \(sm.released) bytes)")
            scavRun = sm
        }
        var rows = yardstickChecks(prefill, m, mixedOps: mixed, allocFreeWrong: wrong)
        if let sm = scavRun, let go = YardstickGo127.scav[scav] {
            rows += scavChecks(sm, go, ops: scav)
        }
        var mismatches = 0
        print("check values                          port                                   Go 1.19.8 (BENCH.md)")
        for (what, ours, go) in rows {
            let same = ours == go
            if !same { mismatches += 1 }
            print("  " + what.padding(toLength: 36, withPad: " ", startingAt: 0) + ours.padding(toLength: max(39, ours.count + 2), withPad: " ", startingAt: 0) + go + (same ? "" : "   MISMATCH"))
        }
        if let goVersion {
            // Go's side, in the same session: the driver binary's yardstick test.
            let bin = try GoDriverPool.shared.binary(GoTargetSpec(version: goVersion))
            let kv = try runGoYardstick(bin)
            let goPair = Double(kv["pairNs"] ?? "") ?? .nan, goMixed = Double(kv["mixedNs"] ?? "") ?? .nan
            let portMixed = m.seconds * 1e9 / Double(mixed)
            print(String(format: "Go's side (%@, same workload, same session): %.1f ns/pair, %.1f ns/op mixed", (kv["version"] ?? "?") as NSString, goPair, goMixed))
            print(String(format: "port / Go: pair %.2fx, mixed %.2fx (below 1: the port is faster)", a.nsPerOp / goPair, portMixed / goMixed))
            let goSame = kv["prefillHash"] == String(prefill.hash, radix: 16) && kv["mixedHash"] == String(m.hash, radix: 16)
                && kv["mixedSearchAddr"] == String(m.searchAddr, radix: 16) && kv["searchAddr"] == String(prefill.searchAddr, radix: 16)
                && kv["mixedLive"] == String(m.live) && kv["mixedUsed"] == String(m.used) && kv["wrong"] == "0"
            print("Go's check values " + (goSame ? "equal the port's" : "DIFFER from the port's: \(line(kv))"))
            if !goSame { mismatches += 1 }
            if let sm = scavRun, kv["scavNs"] != nil {
                let goScav = YardstickScav(allocs: Int(kv["scavAllocs"] ?? "") ?? -1, frees: Int(kv["scavFrees"] ?? "") ?? -1,
                                           scavenges: Int(kv["scavCalls"] ?? "") ?? -1, released: UInt64(kv["scavReleased"] ?? "") ?? 0,
                                           reused: UInt64(kv["scavReused"] ?? "") ?? 0,
                                           hash: UInt64(kv["scavHash"] ?? "", radix: 16) ?? 0,
                                           cursors: UInt64(kv["scavCursors"] ?? "", radix: 16) ?? 0, live: Int(kv["scavLive"] ?? "") ?? -1,
                                           used: UInt64(kv["scavUsed"] ?? "") ?? 0, searchAddr: UInt64(kv["scavSearchAddr"] ?? "", radix: 16) ?? 0)
                let goNs = Double(kv["scavNs"] ?? "") ?? .nan
                print(String(format: "Go's scavenging mix: %.1f ns/op; port@1.27 / Go %.2fx", goNs, sm.seconds * 1e9 / Double(scav) / goNs))
                let diffs = scavChecks(sm, goScav, ops: scav).filter { $0.1 != $0.2 }
                print("Go's scavenging-mix check values " + (diffs.isEmpty ? "equal the port's" : "DIFFER from the port's: \(diffs)"))
                if !diffs.isEmpty { mismatches += 1 }
            }
            if rounds > 1 {
                // Alternate the two sides so that a noisy stretch of the
                // machine hits both; report each round and the medians.
                var pairRatios = [a.nsPerOp / goPair], mixedRatios = [portMixed / goMixed]
                print("round  port pair  Go pair  ratio   port mixed  Go mixed  ratio")
                print(String(format: "%5d  %9.1f  %7.1f  %5.2fx  %10.1f  %8.1f  %5.2fx", 1, a.nsPerOp, goPair, pairRatios[0], portMixed, goMixed, mixedRatios[0]))
                for r in 2...rounds {
                    let (pr, _, _) = try yardstickHeap()
                    let (ar, _) = try yardstickAllocFree(pr, pairs: pairs)
                    let (qr, liveR, fr) = try yardstickHeap()
                    let mr = try yardstickMixed(qr, live: liveR, used: fr.used, operations: mixed)
                    let g = try runGoYardstick(bin)
                    let gp = Double(g["pairNs"] ?? "") ?? .nan, gm = Double(g["mixedNs"] ?? "") ?? .nan
                    let pm = mr.seconds * 1e9 / Double(mixed)
                    pairRatios.append(ar.nsPerOp / gp)
                    mixedRatios.append(pm / gm)
                    print(String(format: "%5d  %9.1f  %7.1f  %5.2fx  %10.1f  %8.1f  %5.2fx", r, ar.nsPerOp, gp, ar.nsPerOp / gp, pm, gm, pm / gm))
                }
                print(String(format: "median port / Go over %d rounds: pair %.2fx, mixed %.2fx (below 1: the port is faster)",
                             rounds, median(pairRatios), median(mixedRatios)))
            }
        }
        if scav > 0 && YardstickGo127.scav[scav] == nil {
            print("  (no Go 1.27.3 check values for \(scav) operations of the scavenging mix: docs/benchmarks.md has 1,000,000 and 300,000)")
        }
        if YardstickGo.mixed.first(where: { $0.0 == mixed }) == nil {
            print("  (no Go check values for \(mixed) mixed operations: BENCH.md has 1,000,000 and 300,000)")
        }
        for (label, span) in [("random over 8 MiB", 1 << 20), ("within 4 KiB pages, hot", 4096)] {
            let (sim, plain) = try benchMemoryLayer(loads: 20_000_000, span: span)
            print(String(format: "memory layer (%@): PageView load %.2f ns, array load %.2f ns (ratio %.2fx)",
                         label as NSString, sim.nsPerOp, plain.nsPerOp, sim.nsPerOp / plain.nsPerOp))
        }
        for r in benchSummaryCode(iterations: summaryCalls) {
            print(String(format: "summary code %-22@ proved %.2f ns, plain %.2f ns (ratio %.2fx)%@",
                         r.name as NSString, r.proved.nsPerOp, r.plain.nsPerOp, r.ratio,
                         (r.agree ? "" : "  RESULTS DIFFER") as NSString))
        }
        if let peak = peakResidentBytes() { print(String(format: "peak resident memory: %.1f MiB", Double(peak) / 1048576)) }
        if checking {
            let (c, u, p) = try benchChecked(geometry: .amd64, seeds: 0..<40, ops: 300)
            print(String(format: "amd64 seeded runs: checked %.0f ops/s, port+reference %.0f ops/s, port only %.0f ops/s (checked/port %.2f)",
                         c.opsPerSecond, u.opsPerSecond, p.opsPerSecond, c.opsPerSecond / p.opsPerSecond))
            var times: [Double] = []
            var lines: [String] = []
            for k in 0..<UInt64(20) {
                guard let (t, seed, sig) = try timeToFirstFailure(variant: .preFix40191, geometry: nil, start: k * 1000, ops: 300) else { continue }
                times.append(t)
                lines.append("\(k * 1000)->\(seed) \(sig) \(String(format: "%.2fs", t))")
            }
            times.sort()
            print("preFix40191 time to first failure from 20 seed bases (all geometries in rotation):")
            print("  " + lines.joined(separator: "\n  "))
            if !times.isEmpty { print(String(format: "  median %.3f s, max %.3f s", times[times.count / 2], times.last!)) }
        }
        print(String(format: "simulated metadata pages touched: %d (%d KiB); sysStat %d bytes; mappedReady %d bytes",
                     p.mem.touchedPages, p.mem.touchedPages * Int(p.geometry.physPageSize) / 1024, p.sysStat.bytes, p.mem.mappedReady))
        if mismatches > 0 {
            printError("error: \(mismatches) check values differ from Go's: the port did not do the same work")
            throw ExitCode(1)
        }
    }
}

extension BenchCommand {
    /// Runs Go's side of the yardstick once and returns its key=value result.
    func runGoYardstick(_ bin: String) throws -> [String: String] {
        let proc = Process()
        proc.executableURL = URL(fileURLWithPath: bin)
        proc.arguments = ["-test.run=^TestAllocVerifyYardstick$", "-test.count=1"]
        // The scavenging mix only on Go 1.21+ (the scavenger it is written for).
        let minor = Int(goVersion?.split(separator: ".").dropFirst().first ?? "") ?? 0
        let scavOps = minor >= 21 ? scav : 0
        proc.environment = ProcessInfo.processInfo.environment.merging(["ALLOCVERIFY_YARDSTICK": "\(pairs),\(mixed),\(scavOps)"]) { $1 }
        let out = Pipe()
        proc.standardOutput = out
        try proc.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        proc.waitUntilExit()
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("ALLOCVERIFY-YARDSTICK") }) else {
            printError("error: Go's yardstick printed no result:\n\(text)")
            throw ExitCode(1)
        }
        var kv: [String: String] = [:]
        for f in line.split(separator: " ").dropFirst() {
            let parts = f.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { kv[String(parts[0])] = String(parts[1]) }
        }
        return kv
    }

    /// The scavenging mix's check values beside another run's: (what, ours, theirs).
    func scavChecks(_ m: YardstickScav, _ go: YardstickScav, ops: Int) -> [(String, String, String)] {
        func hx(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
        return [
            ("scav \(ops): allocs, frees, scavenges", "\(m.allocs), \(m.frees), \(m.scavenges)", "\(go.allocs), \(go.frees), \(go.scavenges)"),
            ("scav \(ops): bytes released, reused", "\(m.released), \(m.reused)", "\(go.released), \(go.reused)"),
            ("scav \(ops): FNV-1a", hx(m.hash), hx(go.hash)),
            ("scav \(ops): FNV-1a of the cursors", hx(m.cursors), hx(go.cursors)),
            ("scav \(ops): live, used", "\(m.live), \(m.used)", "\(go.live), \(go.used)"),
            ("scav \(ops): searchAddr", hx(m.searchAddr), hx(go.searchAddr)),
        ]
    }

    func line(_ kv: [String: String]) -> String {
        kv.keys.sorted().map { "\($0)=\(kv[$0]!)" }.joined(separator: " ")
    }

    func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    func validate() throws {
        guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1 (got \(rounds))") }
        guard rounds == 1 || goVersion != nil else { throw ValidationError("--rounds needs --go VERSION: the rounds alternate the port and Go") }
    }
}
