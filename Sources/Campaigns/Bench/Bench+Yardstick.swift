// The speed yardstick (docs/benchmarks.md; the team's BENCH.md), exactly: the same heap, the
// same splitmix64 streams, the same prefill and mixed workload as Go's side,
// with the check values that prove the port did the same work.

import Foundation
import PageAlloc
import TraceFormat
import Targets
import GoTarget
import Checking
import Reference
import SplitMix

/// FNV-1a over 64-bit words (BENCH.md's checksum).
@inline(__always) func fnv1a(_ h: UInt64, _ word: UInt64) -> UInt64 { (h ^ word) &* 0x100_0000_01b3 }
let fnvOffset: UInt64 = 0xcbf2_9ce4_8422_2325

/// What the untimed prefill did (BENCH.md, "Prefill").
public struct YardstickPrefill: Sendable {
    public var allocations = 0
    public var pages: UInt64 = 0
    /// The request that failed, and the free pages left when it did.
    public var failedRequest: UInt64 = 0
    public var freeAtFailure: UInt64 = 0
    public var first: [(UInt64, UInt64)] = []
    public var hash = fnvOffset
    /// After freeing the even-indexed runs.
    public var live = 0
    public var used: UInt64 = 0
    public var searchAddr: UInt64 = 0
}

/// What the mixed workload did (BENCH.md, "(b) Mixed").
public struct YardstickMixed: Sendable {
    public var allocs = 0
    public var frees = 0
    public var hash = fnvOffset
    public var live = 0
    public var used: UInt64 = 0
    public var searchAddr: UInt64 = 0
    public var seconds = 0.0
}

/// The yardstick heap: 16 pieces of 4 GiB with 4 GiB gaps from
/// 0xc000000000, prefilled until an allocation fails, every other run freed.
public func yardstickHeap(scavenger: Scavenger = .go119, variant: Variant = .faithful) throws -> (PageAlloc, live: [(UInt64, UInt64)], YardstickPrefill) {
    let p = try PageAlloc(geometry: .amd64, variant: variant, scavenger: scavenger)
    for i in 0..<UInt64(16) { try p.grow(0xc0_0000_0000 + i * 0x2_0000_0000, 0x1_0000_0000) }
    var rng = SplitMix64(seed: 1)
    var all: [(UInt64, UInt64)] = []
    var f = YardstickPrefill()
    while true {
        let n = 1 + rng.next() % 600
        let (a, _) = try p.alloc(n)
        if a == 0 {
            f.failedRequest = n
            f.freeAtFailure = 8_388_608 - f.pages
            break
        }
        all.append((a, n))
        f.pages += n
        f.hash = fnv1a(f.hash, a)
    }
    f.allocations = all.count
    f.first = Array(all.prefix(3))
    for i in stride(from: 0, to: all.count, by: 2) { try p.free(all[i].0, all[i].1, scavenged: false) }
    let live = stride(from: 1, to: all.count, by: 2).map { all[$0] }
    f.live = live.count
    f.used = live.reduce(0) { $0 + $1.1 }
    f.searchAddr = p.searchAddr.a
    return (p, live, f)
}

/// (a) alloc(1)+free(1) pairs; returns the time and how many allocs did
/// not return 0xc000000000 (BENCH.md says: none).
public func yardstickAllocFree(_ p: PageAlloc, pairs: Int) throws -> (BenchResult, wrong: Int) {
    var wrong = 0
    let t0 = now()
    for _ in 0..<pairs {
        let (a, _) = try p.alloc(1)
        if a != 0xc0_0000_0000 { wrong += 1 }
        try p.free(a, 1, scavenged: false)
    }
    return (BenchResult(name: "AllocFree pair", operations: pairs, seconds: now() - t0), wrong)
}

/// (b) the mixed workload on a freshly prefilled heap.
public func yardstickMixed(_ p: PageAlloc, live start: [(UInt64, UInt64)], used: UInt64, operations: Int) throws -> YardstickMixed {
    var w = MixedStep(live: start, used: used)
    var rng = SplitMix64(seed: 2)
    var m = YardstickMixed()
    let t0 = now()
    for _ in 0..<operations { try w.step(p, rng.next()) }
    m.seconds = now() - t0
    (m.allocs, m.frees, m.hash, m.live, m.used) = (w.allocs, w.frees, w.hash, w.live.count, w.used)
    m.searchAddr = p.searchAddr.a
    return m
}

/// One operation of the mixed workload (BENCH.md (b)), and its running
/// counts: below the target an allocation of 1-600 pages, else the free of
/// a random live run (swap-remove).
struct MixedStep {
    var live: [(UInt64, UInt64)]
    var used: UInt64
    var allocs = 0, frees = 0
    var hash = fnvOffset
    /// Scavenged bytes the allocations reported.
    var reused: UInt64 = 0
    static let target: UInt64 = 4_194_304

    @inline(__always)
    mutating func step(_ p: PageAlloc, _ r: UInt64) throws {
        if used < MixedStep.target {
            let n = 1 + r % 600
            let (a, s) = try p.alloc(n)
            live.append((a, n))
            used += n
            hash = fnv1a(hash, a)
            reused &+= s
            allocs += 1
        } else {
            let i = Int(r % UInt64(live.count))
            let (a, n) = live[i]
            try p.free(a, n, scavenged: false)
            live[i] = live[live.count - 1]
            live.removeLast()
            used -= n
            frees += 1
        }
    }
}

/// What the scavenging mix did (docs/benchmarks.md, "The yardstick with scavenges").
public struct YardstickScav: Sendable, Equatable {
    public var allocs = 0
    public var frees = 0
    public var scavenges = 0
    public var released: UInt64 = 0
    /// Scavenged bytes the allocations reported: where the scavenger took
    /// pages shows here.
    public var reused: UInt64 = 0
    /// FNV-1a of the index's gen, searchAddrBg (address, marked) and
    /// searchAddrForce (address, marked) after each scavenge.
    public var cursors = fnvOffset
    public var hash = fnvOffset
    public var live = 0
    public var used: UInt64 = 0
    public var searchAddr: UInt64 = 0
    public var seconds = 0.0
    public init() {}
    public init(allocs: Int, frees: Int, scavenges: Int, released: UInt64, reused: UInt64, hash: UInt64, cursors: UInt64, live: Int, used: UInt64, searchAddr: UInt64) {
        self.allocs = allocs
        self.frees = frees
        self.scavenges = scavenges
        self.released = released
        self.reused = reused
        self.cursors = cursors
        self.hash = hash
        self.live = live
        self.used = used
        self.searchAddr = searchAddr
    }
    public static func == (a: Self, b: Self) -> Bool {
        a.allocs == b.allocs && a.frees == b.frees && a.scavenges == b.scavenges && a.released == b.released && a.reused == b.reused && a.cursors == b.cursors
            && a.hash == b.hash && a.live == b.live && a.used == b.used && a.searchAddr == b.searchAddr
    }
}

/// (c) the scavenging mix, this project's extension of BENCH.md for Go
/// 1.21+'s scavenger, on a freshly prefilled heap of a port running it:
/// the mixed workload with the stream seeded with 3, except that every
/// 4096th operation is `nextGen()` (no draw) and every other 64th is
/// `scavenge(65536, force: draw is odd)`.
public func yardstickScavMixed(_ p: PageAlloc, live start: [(UInt64, UInt64)], used: UInt64, operations: Int) throws -> YardstickScav {
    precondition(p.scavenger.hasChunkData, "the scavenging mix needs a Go 1.21+ scavenger")
    var w = MixedStep(live: start, used: used)
    var rng = SplitMix64(seed: 3)
    var m = YardstickScav()
    let t0 = now()
    for k in 1...max(1, operations) where operations > 0 {
        if k % 4096 == 0 {
            try p.nextGen()
            continue
        }
        let r = rng.next()
        if k % 64 == 0 {
            m.released &+= try p.scavenge(65536, force: r & 1 == 1)
            m.scavenges += 1
            let idx = p.scavChunks!
            let (bg, bgMarked) = idx.searchAddrBg.load(p.geometry.space)
            let (force, forceMarked) = idx.searchAddrForce.load(p.geometry.space)
            for x in [UInt64(idx.gen), bg, bgMarked ? 1 : 0, force, forceMarked ? 1 : 0] { m.cursors = fnv1a(m.cursors, x) }
        } else {
            try w.step(p, r)
        }
    }
    m.seconds = now() - t0
    (m.allocs, m.frees, m.hash, m.reused, m.live, m.used) = (w.allocs, w.frees, w.hash, w.reused, w.live.count, w.used)
    m.searchAddr = p.searchAddr.a
    return m
}

/// The scavenging mix's check values, from real Go 1.27.3 (the driver's
/// TestAllocVerifyYardstick with ALLOCVERIFY_YARDSTICK=0,0,N).
public enum YardstickGo127 {
    /// operations -> what Go 1.27.3 did.
    public static let scav: [Int: YardstickScav] = [
        1_000_000: YardstickScav(allocs: 492_250, frees: 492_125, scavenges: 15_381, released: 29_031_374_848, reused: 0,
                                 hash: 0x975d_d9b8_6105_39cd, cursors: 0x2034_ed7b_a4f6_38d0, live: 13_988, used: 4_194_380,
                                 searchAddr: 0xc0_0002_2000),
        300_000: YardstickScav(allocs: 147_672, frees: 147_641, scavenges: 4_614, released: 6_451_339_264, reused: 0,
                               hash: 0xa972_08c6_235b_3205, cursors: 0x8e22_34c7_96b3_15c5, live: 13_894, used: 4_194_051,
                               searchAddr: 0xc0_0006_a000),
    ]
}

/// BENCH.md's check values, from real Go 1.19.8.
public enum YardstickGo {
    public static let prefillAllocations = 27_726
    public static let prefillPages: UInt64 = 8_388_413
    public static let failedRequest: UInt64 = 393
    public static let freeAtFailure: UInt64 = 195
    public static let first: [(UInt64, UInt64)] = [(0xc0_0000_0000, 66), (0xc0_0008_4000, 320), (0xc0_0030_4000, 391)]
    public static let prefillHash: UInt64 = 0x4da6_e549_cb14_a7dd
    public static let live = 13_863
    public static let used: UInt64 = 4_169_198
    public static let searchAddr: UInt64 = 0xc0_0000_0000
    /// (operations, allocs, frees, hash, live, used, searchAddr)
    public static let mixed: [(Int, Int, Int, UInt64, Int, UInt64, UInt64)] = [
        (1_000_000, 500_028, 499_972, 0x8438_7172_a66d_8055, 13_919, 4_194_567, 0xc0_0002_c000),
        (300_000, 150_038, 149_962, 0xa480_896c_19fc_807d, 13_939, 4_194_569, 0xc0_0000_a000),
    ]
}

/// Every check value of a run against Go's: (what, ours, Go's) rows.
public func yardstickChecks(_ f: YardstickPrefill, _ m: YardstickMixed?, mixedOps: Int, allocFreeWrong: Int?) -> [(String, String, String)] {
    func hx(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
    var rows: [(String, String, String)] = [
        ("prefill allocations", "\(f.allocations)", "\(YardstickGo.prefillAllocations)"),
        ("prefill pages", "\(f.pages)", "\(YardstickGo.prefillPages)"),
        ("failing request (free pages)", "\(f.failedRequest) (\(f.freeAtFailure))", "\(YardstickGo.failedRequest) (\(YardstickGo.freeAtFailure))"),
        ("first three", f.first.map { "\(hx($0.0))+\($0.1)" }.joined(separator: " "),
         YardstickGo.first.map { "\(hx($0.0))+\($0.1)" }.joined(separator: " ")),
        ("prefill FNV-1a", hx(f.hash), hx(YardstickGo.prefillHash)),
        ("after frees: live, used", "\(f.live), \(f.used)", "\(YardstickGo.live), \(YardstickGo.used)"),
        ("after frees: searchAddr", hx(f.searchAddr), hx(YardstickGo.searchAddr)),
    ]
    if let w = allocFreeWrong { rows.append(("AllocFree: alloc(1) != 0xc000000000", "\(w)", "0")) }
    if let m, let go = YardstickGo.mixed.first(where: { $0.0 == mixedOps }) {
        rows.append(("mixed \(mixedOps): allocs, frees", "\(m.allocs), \(m.frees)", "\(go.1), \(go.2)"))
        rows.append(("mixed \(mixedOps): FNV-1a", hx(m.hash), hx(go.3)))
        rows.append(("mixed \(mixedOps): live, used", "\(m.live), \(m.used)", "\(go.4), \(go.5)"))
        rows.append(("mixed \(mixedOps): searchAddr", hx(m.searchAddr), hx(go.6)))
    }
    return rows
}
