// The speed of the proved summary code on the concrete path.
//
// The port's packPallocSum, unpack, mergeSummaries and findBitRange64 are
// SummaryCore's generic definitions specialised for UInt64 (so the proofs are
// about the code that runs). These benchmarks time them, through the port's
// `SumLayout`, against plain hand-written versions of the same functions: the
// code the port had before the switch, kept here only as the speed baseline.

import PageAlloc
import TraceFormat
import Targets
import GoTarget
import Checking
import Reference
import SplitMix

/// The plain versions: straight-line UInt64 code, no protocol, no generics.
enum PlainSummaryCode {
    @inline(__always)
    static func pack(_ start: UInt64, _ max: UInt64, _ end: UInt64, log w: UInt64) -> UInt64 {
        let top: UInt64 = 1 &<< w
        if max == top { return 1 << 63 }
        let m = top &- 1
        return (start & m) | ((max & m) &<< w) | ((end & m) &<< (2 &* w))
    }

    @inline(__always)
    static func unpack(_ raw: UInt64, log w: UInt64) -> (UInt64, UInt64, UInt64) {
        let top: UInt64 = 1 &<< w
        if raw & (1 << 63) != 0 { return (top, top, top) }
        let m = top &- 1
        return (raw & m, (raw &>> w) & m, (raw &>> (2 &* w)) & m)
    }

    @inline(__always)
    static func merge8(_ sums: UnsafePointer<UInt64>, logMaxPagesPerSum lp: UInt64, log w: UInt64) -> UInt64 {
        var (start, max, end) = unpack(sums[0], log: w)
        let perSum: UInt64 = 1 &<< lp
        var i = 1
        while i < 8 {
            let (si, mi, ei) = unpack(sums[i], log: w)
            if start == UInt64(i) &<< lp { start &+= si }
            if end &+ si > max { max = end &+ si }
            if mi > max { max = mi }
            if ei == perSum { end &+= perSum } else { end = ei }
            i += 1
        }
        return pack(start, max, end, log: w)
    }

    @inline(__always)
    static func findBitRange64(_ c: UInt64, _ n: UInt64) -> UInt64 {
        precondition(n >= 1 && n <= 64)
        var c = c, p = n - 1, k: UInt64 = 1
        while p > 0 {
            if p <= k { c &= c >> (p & 63); break }
            c &= c >> (k & 63)
            if c == 0 { return 64 }
            p -= k
            k *= 2
        }
        return UInt64(c.trailingZeroBitCount)
    }
}

/// One summary-code benchmark: the proved (generic) code and the plain code on
/// the same inputs, and whether they computed the same checksum.
public struct SummaryCodeBench: Sendable {
    public let name: String
    public let proved: BenchResult
    public let plain: BenchResult
    public let agree: Bool
    public var ratio: Double { proved.nsPerOp / plain.nsPerOp }
}

/// Times pack+unpack, merge of 8 children, and findBitRange64, `iterations`
/// calls each, over fixed-seed inputs of the amd64 geometry.
public func benchSummaryCode(iterations: Int) -> [SummaryCodeBench] {
    let layout = Geometry.amd64.sums
    let w = layout.logMaxPackedValue
    var rng = SplitMix64(seed: 4)
    let inputCount = 4096
    // Well-formed leaf-level summaries (fields <= 512), some all free / all used.
    let leaves: [UInt64] = (0..<inputCount).map { _ in
        switch rng.int(in: 0...3) {
        case 0: return layout.freeChunkSum.raw
        case 1: return 0
        default:
            let m = rng.int(in: 0...511)
            return layout.pack(rng.int(in: 0...m), m, rng.int(in: 0...m)).raw
        }
    }
    let words: [UInt64] = (0..<inputCount).map { _ in rng.next() | rng.next() }
    let counts: [UInt64] = (0..<inputCount).map { _ in rng.int(in: 1...64) }
    let leafLog: UInt64 = 9
    var out: [SummaryCodeBench] = []

    func run(_ name: String, _ proved: () -> UInt64, _ plain: () -> UInt64) {
        var t0 = now()
        let a = proved()
        let tp = BenchResult(name: name + " (proved)", operations: iterations, seconds: now() - t0)
        t0 = now()
        let b = plain()
        let tq = BenchResult(name: name + " (plain)", operations: iterations, seconds: now() - t0)
        out.append(SummaryCodeBench(name: name, proved: tp, plain: tq, agree: a == b))
    }

    run("packPallocSum+unpack", {
        var acc: UInt64 = 0
        for i in 0..<iterations {
            let (s, m, e) = layout.unpack(PallocSum(raw: leaves[i & 4095] ^ acc & 1))
            acc &+= layout.pack(s, m, e).raw
        }
        return acc
    }, {
        var acc: UInt64 = 0
        for i in 0..<iterations {
            let (s, m, e) = PlainSummaryCode.unpack(leaves[i & 4095] ^ acc & 1, log: w)
            acc &+= PlainSummaryCode.pack(s, m, e, log: w)
        }
        return acc
    })
    leaves.withUnsafeBufferPointer { buf in
        let base = buf.baseAddress!
        run("mergeSummaries of 8", {
            var acc: UInt64 = 0
            for i in 0..<iterations { acc &+= layout.merge8(base + (i & 4087), logMaxPagesPerSum: leafLog).raw }
            return acc
        }, {
            var acc: UInt64 = 0
            for i in 0..<iterations { acc &+= PlainSummaryCode.merge8(base + (i & 4087), logMaxPagesPerSum: leafLog, log: w) }
            return acc
        })
    }
    run("findBitRange64", {
        var acc: UInt64 = 0
        for i in 0..<iterations { acc &+= findBitRange64(words[i & 4095], counts[(i &+ Int(acc & 7)) & 4095]) }
        return acc
    }, {
        var acc: UInt64 = 0
        for i in 0..<iterations { acc &+= PlainSummaryCode.findBitRange64(words[i & 4095], counts[(i &+ Int(acc & 7)) & 4095]) }
        return acc
    })
    return out
}
