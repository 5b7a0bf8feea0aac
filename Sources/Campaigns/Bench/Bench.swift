// Raw throughput of the port, measured (never asserted) for the notes.

import Foundation
import OSMemory
import PageAlloc
import TraceFormat
import Targets
import GoTarget
import Checking
import Reference
import SplitMix

/// One benchmark's figures.
public struct BenchResult: Sendable {
    public let name: String
    public let operations: Int
    public let seconds: Double
    public var nsPerOp: Double { seconds * 1e9 / Double(operations) }
    public var opsPerSecond: Double { Double(operations) / seconds }
}

/// Peak resident memory of this process in bytes (VmHWM), if known.
public func peakResidentBytes() -> UInt64? {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in s.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = line.split(separator: " ").compactMap { UInt64($0) }.first ?? 0
        return kb * 1024
    }
    return nil
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// The cost of the simulated memory layer: summary-sized loads through a
/// PageView against loads from a plain Swift array, same index pattern.
public func benchMemoryLayer(loads: Int, span: Int = 1 << 20) throws -> (simulated: BenchResult, plain: BenchResult) {
    let mem = AddressSpace()
    let entries = 1 << 20
    let base = mem.sysReserve(nil, UInt64(entries) * 8)!
    try mem.sysMap(base, UInt64(entries) * 8, SysMemStat(name: "bench"))
    try mem.sysUsed(base, UInt64(entries) * 8, prepared: UInt64(entries) * 8)
    let view = mem.view(at: base)
    var plain = [UInt64](repeating: 0, count: entries)
    for i in stride(from: 0, to: entries, by: 7) {
        try view.store64(UInt64(i) * 8, UInt64(i), context: "bench")
        plain[i] = UInt64(i)
    }
    var rng = SplitMix64(seed: 3)
    let idx = (0..<4096).map { _ in Int(rng.int(in: 0...UInt64(min(span, entries) - 1))) }
    var sum: UInt64 = 0
    var t0 = now()
    for k in 0..<loads { sum &+= try view.load64(UInt64(idx[k & 4095]) * 8, context: "bench") }
    let sim = BenchResult(name: "PageView.load64", operations: loads, seconds: now() - t0)
    t0 = now()
    for k in 0..<loads { sum &+= plain[idx[k & 4095]] }
    let pl = BenchResult(name: "[UInt64] subscript", operations: loads, seconds: now() - t0)
    if sum == 42 { print("") }  // keep the loops alive
    return (sim, pl)
}

/// Checked against unchecked throughput of seeded runs (operations/s): the
/// same seeds and operations with every invariant on, and with the port and
/// the reference only.
public func benchChecked(geometry: Geometry, seeds: Range<UInt64>, ops: Int) throws -> (checked: BenchResult, unchecked: BenchResult, portOnly: BenchResult) {
    func timed(_ level: CheckLevel) throws -> BenchResult {
        var n = 0
        let t0 = now()
        for s in seeds { n += try runSeed(s, RunConfig(geometry: geometry, ops: ops, checking: level)).ops.count }
        return BenchResult(name: "\(level)", operations: n, seconds: now() - t0)
    }
    let checked = try timed(.incremental(fullEvery: 64))
    let unchecked = try timed(.none)
    // The port alone on the same operation lists.
    var lists: [[Operation]] = []
    for s in seeds { lists.append(try runSeed(s, RunConfig(geometry: geometry, ops: ops, checking: .none)).ops) }
    var n = 0
    let t0 = now()
    for ops in lists {
        let p = try PageAlloc(geometry: geometry)
        var caches = [PageCache](repeating: PageCache(), count: Operation.pageCaches)
        for op in ops {
            switch op {
            case let .grow(b, x): try p.grow(b, x)
            case let .alloc(x): _ = try p.alloc(x)
            case let .free(b, x, s): try p.free(b, x, scavenged: s)
            case let .allocRange(b, x): _ = try p.allocRange(b, x)
            case let .allocToCache(k): caches[k] = try p.allocToCache()
            case let .cacheAlloc(x, k): _ = caches[k].alloc(x)
            case let .cacheFlush(k): try p.flush(&caches[k])
            case .scavenge, .nextGen, .pad: break  // the port's seeds draw none of them
            }
            n += 1
        }
    }
    return (checked, unchecked, BenchResult(name: "port only", operations: n, seconds: now() - t0))
}

/// Seconds from `start` until the first failing seed of `variant`, running
/// seeds upward one at a time; and that seed.
public func timeToFirstFailure(variant: Variant, geometry: Geometry?, start: UInt64, ops: Int, limit: UInt64 = 100_000) throws -> (seconds: Double, seed: UInt64, signature: String)? {
    let t0 = now()
    let options = CheckOptions(geometry: geometry, targets: [.port(variant)], ops: ops, outDir: nil)
    for s in start..<(start + limit) {
        let run = try runSeed(s, options.config(s))
        if let f = run.finding { return (now() - t0, s, f.kind.signature) }
    }
    return nil
}
