import Testing
import PageAlloc
import Reference
@testable import Checking
@testable import TraceFormat
@testable import Targets
@testable import GoTarget
@testable import Campaigns
import SplitMix

@Suite("Differential runs, generator, shrinker, and the #40191 variant", .serialized)
struct DifferentialTests {
    @Test("seeds 0..<48 pass on the faithful port, every geometry, every invariant")
    func faithfulSeeds() throws {
        let s = try check(CheckOptions(seeds: 0..<48, jobs: 2, ops: 200, fullEvery: 50, outDir: nil))
        #expect(s.seedsRun == 48 && s.opsRun == 48 * 200)
        #expect(s.failures.isEmpty, "\(s.failures)")
        #expect(Set(s.totals.keys) == Set(Geometry.all.map(\.name)))
    }

    @Test("the same seed gives the same operations and results")
    func deterministic() throws {
        let cfg = RunConfig(geometry: .amd64, ops: 150)
        let a = try runSeed(42, cfg), b = try runSeed(42, cfg)
        #expect(a.ops == b.ops && a.results == b.results)
        let c = try runSeed(43, cfg)
        #expect(a.ops != c.ops)
        // The first operations of seed 42 are pinned: a change to the
        // generator or the PRNG shows up here.
        var g = OperationGenerator(geometry: .amd64, source: RandomChoices(seed: 42))
        #expect(g.plan.pieces.count >= 1)
        #expect(g.next(ReferenceAllocator(geometry: .amd64)) == a.ops[0])
    }

    @Test("SplitMix64 matches the published reference output for seed 1234567")
    func splitMix() {
        var r = SplitMix64(seed: 1234567)
        #expect([r.next(), r.next(), r.next()] == [6457827717110365317, 3203168211198807973, 9817491932198370423])
    }

    @Test("the generator reaches discontiguous layouts and gaps over 2 GiB on amd64")
    func layouts() {
        var gapsOver2GiB = 0, contiguous = 0
        for seed in 0..<UInt64(200) {
            let g = OperationGenerator(geometry: .amd64, source: RandomChoices(seed: seed))
            let p = g.plan.pieces.sorted { $0.base < $1.base }
            for (a, b) in zip(p, p.dropFirst()) {
                if b.base - (a.base + a.bytes) > 2 << 30 { gapsOver2GiB += 1 }
                if b.base == a.base + a.bytes { contiguous += 1 }
            }
        }
        #expect(gapsOver2GiB > 20 && contiguous > 20)
    }

    @Test("preFix40191: the check fails with the searchAddr invariant, shrunk to at most 7 operations; one more alloc faults")
    func preFix() throws {
        let s = try check(CheckOptions(seeds: 0..<400, jobs: 2, geometry: .amd64, targets: [.port(.preFix40191)], ops: 300, outDir: nil))
        #expect(!s.failures.isEmpty)
        let unmapped = try #require(s.shrunk.first { $0.finding.kind.signature == "invariant:searchAddr:unmapped" })
        #expect(unmapped.ops.count <= 7)
        // The shrunk trace replays to the same invariant...
        let trace = try Trace.parse(unmapped.text, file: "shrunk")
        let r = try replay(trace, variant: .preFix40191)
        #expect(r.exitStatus == 1 && r.findings.first?.kind.signature == "invariant:searchAddr:unmapped")
        // ...and one more allocation shows the consequence: a fault on
        // summary memory that is not Ready.
        var more = trace
        more.steps.append(TraceStep(op: .alloc(npages: 1)))
        let r2 = try replay(more, variant: .preFix40191)
        guard case let .fault(f)? = r2.findings.last?.kind else {
            Issue.record("no fault after one more alloc: \(r2.findings)")
            return
        }
        #expect(f.state != .ready)
        // The faithful port passes the same operations.
        #expect(try replay(more, variant: .faithful).exitStatus == 0)
    }
}

@Suite("Shrinker passes: from a known failing trace to the exact minimal trace")
struct ShrinkerTests {
    /// A config whose "failure" is easy to reason about: the faithful port
    /// on the pre-fix variant's trace shape.
    let config = RunConfig(geometry: .amd64, variant: .preFix40191, ops: 0)
    let base: [Operation] = [
        .grow(base: 0xbc_0000_0000, bytes: 4 << 20),
        .grow(base: 0xc1_0000_0000, bytes: 4 << 20),
        .grow(base: 0xc4_0000_0000, bytes: 4 << 20),
        .allocRange(base: 0xc1_0000_0000, npages: 511),
        .alloc(npages: 512),
        .alloc(npages: 12),
    ]

    func shrink(_ ops: [Operation], _ passes: [ShrinkPass]) throws -> [Operation] {
        let sig = try #require(try runOps(ops, config)?.finding).kind.signature
        var s = Shrinker(config: config, signature: sig, budget: 500, passes: passes)
        return s.shrink(ops)
    }

    @Test("deleteBlocks removes operations that play no part")
    func deleteBlocks() throws {
        var noisy = base
        noisy.insert(.grow(base: 0xd0_0000_0000, bytes: 4 << 20), at: 3)
        noisy.insert(.allocRange(base: 0xd0_0000_0000, npages: 7), at: 4)
        noisy.insert(.free(base: 0xd0_0000_0000, npages: 7, scavenged: false), at: 5)
        let out = try shrink(noisy, [.deleteBlocks])
        // Six operations remain; the piece at 0xd000000000 took the place of
        // the one at 0xc400000000 (deleting that grow was the first block
        // that still failed).
        var want = base
        want[2] = .grow(base: 0xd0_0000_0000, bytes: 4 << 20)
        #expect(out == want)
    }

    @Test("dropGrows drops an unneeded grow")
    func dropGrows() throws {
        let out = try shrink([.grow(base: 0xd0_0000_0000, bytes: 4 << 20)] + base, [.dropGrows])
        #expect(out == base)
    }

    @Test("dropFrees drops an unneeded free")
    func dropFrees() throws {
        var ops = base
        ops.insert(.allocRange(base: 0xc4_0000_0000 + (4 << 20) - 8192, npages: 1), at: 3)
        ops.insert(.free(base: 0xc4_0000_0000 + (4 << 20) - 8192, npages: 1, scavenged: false), at: 4)
        let out = try shrink(ops, [.dropFrees])
        #expect(!out.contains { if case .free = $0 { return true }; return false })
    }

    @Test("mergeGrows joins two touching grows")
    func mergeGrows() throws {
        var ops = base
        ops.insert(.grow(base: 0xc4_0040_0000, bytes: 4 << 20), at: 3)
        let out = try shrink(ops, [.mergeGrows])
        var want = base
        want[2] = .grow(base: 0xc4_0000_0000, bytes: 8 << 20)
        #expect(out == want)
    }

    @Test("lowerNpages lowers page counts to the smallest that still fails")
    func lowerNpages() throws {
        let out = try shrink(base, [.lowerNpages])
        // The one-page run left in B and the request that skips it: the
        // request must exceed the run, and the run must exist.
        // allocRange walks down until B's free run (512 - n pages) would
        // hold the 12-page request; at 501 it holds 11, one short.
        var want = base
        want[3] = .allocRange(base: 0xc1_0000_0000, npages: 501)
        #expect(out == want)
    }

    @Test("mergeFrees merges two frees of touching ranges")
    func mergeFrees() throws {
        var ops = base
        ops.insert(.allocRange(base: 0xc4_0020_0000, npages: 4), at: 3)
        ops.insert(.free(base: 0xc4_0020_0000, npages: 2, scavenged: false), at: 4)
        ops.insert(.free(base: 0xc4_0020_4000, npages: 2, scavenged: false), at: 5)
        let out = try shrink(ops, [.mergeFrees])
        #expect(out.contains(.free(base: 0xc4_0020_0000, npages: 4, scavenged: false)))
        #expect(out.count == ops.count - 1)
    }

    @Test("mergeAllocs folds a run of allocs into one")
    func mergeAllocs() throws {
        var ops = base
        ops.replaceSubrange(4...4, with: Array(repeating: .alloc(npages: 64), count: 8))
        let out = try shrink(ops, [.mergeAllocs])
        #expect(out == base)
    }

    @Test("all passes to a fixed point, with per-pass counters")
    func allPasses() throws {
        let sig = try #require(try runOps(base, config)?.finding).kind.signature
        var s = Shrinker(config: config, signature: sig, budget: 2000)
        let out = s.shrink([.grow(base: 0xd0_0000_0000, bytes: 8 << 20)] + base + [.alloc(npages: 1)])
        #expect(out.count <= base.count)
        #expect(s.stats.values.reduce(0) { $0 + $1.accepted } > 0)
        #expect(try runOps(out, config)?.finding?.kind.signature == sig)
        #expect(s.certified && !s.budgetSpent)
        // Certified means it: no single deletion of the result fails the same way.
        for i in out.indices {
            var c = out
            c.remove(at: i)
            #expect(try runOps(c, config, skipInvalid: true)?.finding?.kind.signature != sig, "deleting \(out[i]) keeps the failure")
        }
        // A budget too small to finish a sweep is said, never certified.
        var small = Shrinker(config: config, signature: sig, budget: 5)
        _ = small.shrink([.grow(base: 0xd0_0000_0000, bytes: 8 << 20)] + base + [.alloc(npages: 1)])
        #expect(!small.certified && small.budgetSpent && small.runs == 5)
    }

    @Test("rebuildPrefix collapses the history that fragmented a heap into grows and alloc-ranges")
    func rebuildPrefix() throws {
        // The 10-operation unmapped form a 10-second check used to write.
        let ten: [Operation] = [
            .grow(base: 0xcb_25c0_0000, bytes: 0x80_0000), .grow(base: 0xc4_e400_0000, bytes: 0x40_0000), .alloc(npages: 64),
            .free(base: 0xc4_e406_e000, npages: 7, scavenged: false), .grow(base: 0xcc_3300_0000, bytes: 0x40_0000),
            .free(base: 0xc4_e407_c000, npages: 2, scavenged: false), .alloc(npages: 456), .alloc(npages: 514), .alloc(npages: 1), .alloc(npages: 511),
        ]
        let sig = try #require(try runOps(ten, config)?.finding).kind.signature
        #expect(sig == "invariant:searchAddr:unmapped")
        var s = Shrinker(config: config, signature: sig, budget: 2000)
        let out = s.shrink(ten)
        #expect(out.count <= 7, "\(out)")
        #expect(s.certified)
        #expect(s.stats["rebuildPrefix"]!.accepted >= 1)
    }
}
