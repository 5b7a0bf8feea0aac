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

    func run() throws {
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
        let (sim, plain) = try benchMemoryLayer(loads: 20_000_000)
        print(String(format: "memory layer: PageView load %.2f ns, array load %.2f ns (ratio %.2fx)", sim.nsPerOp, plain.nsPerOp, sim.nsPerOp / plain.nsPerOp))
        if let peak = peakResidentBytes() { print(String(format: "peak resident memory: %.1f MiB", Double(peak) / 1048576)) }
        print(String(format: "simulated metadata pages touched: %d (%d KiB); sysStat %d bytes; mappedReady %d bytes",
                     p.mem.touchedPages, p.mem.touchedPages * Int(p.geometry.physPageSize) / 1024, p.sysStat.bytes, p.mem.mappedReady))
    }
}
