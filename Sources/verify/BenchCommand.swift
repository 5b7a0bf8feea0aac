// `verify bench`: raw throughput of the port (build with -c release).

import ArgumentParser
import Checking
import Foundation
import PageAlloc

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the port's raw throughput on the benchmark heap (use -c release)."
    )

    @Option(help: "alloc(1)+free(1) pairs to time.")
    var pairs: Int = 2_000_000

    @Option(help: "Operations of the mixed workload.")
    var mixed: Int = 400_000

    @Option(help: "Calls of each summary function to time (proved generic code against plain code).")
    var summaryCalls: Int = 20_000_000

    @Flag(help: "Also measure checked vs unchecked throughput and the time to find preFix40191.")
    var checking = false

    func run() throws {
        warnIfDebugBuild()
        #if DEBUG
        printError("warning: debug build; figures mean little (swift run -c release verify bench)")
        #endif
        let t0 = Date()
        let (p, live) = try makeBenchHeap()
        print(String(format: "heap: 64 GiB in 16 pieces, half full (%d live runs), built in %.2f s", live.count, Date().timeIntervalSince(t0)))
        let a = try benchAllocFreePairs(p, pairs: pairs)
        print(String(format: "%-32@ %10.1f ns/pair  %12.0f pairs/s", a.name as NSString, a.nsPerOp, a.opsPerSecond))
        let b = try benchMixed(p, live: live, operations: mixed)
        print(String(format: "%-32@ %10.1f ns/op    %12.0f ops/s", b.name as NSString, b.nsPerOp, b.opsPerSecond))
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
    }
}
