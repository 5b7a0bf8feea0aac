import Testing
import OSMemory
@testable import PageAlloc

/// Go 1.19's page-level scavenger in the port (PageAlloc+Scavenge.swift,
/// ScavengeIndex.swift), each piece against an obviously-correct version.
@Suite("Scavenger (mgcscavenge.go, Go 1.19)")
struct ScavengerTests {
    /// A fixed xorshift, so the random cases are the same everywhere.
    struct Bits { var s: UInt64; mutating func next() -> UInt64 { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s } }

    /// fillAligned by definition: each m-bit group with any set bit becomes all ones.
    func naiveFill(_ x: UInt64, _ m: UInt64) -> UInt64 {
        var r: UInt64 = 0
        let mask: UInt64 = m == 64 ? ~0 : (1 << m) - 1
        for g in stride(from: UInt64(0), to: 64, by: Int(m)) where (x >> g) & mask != 0 { r |= mask << g }
        return r
    }

    @Test("fillAligned: Go's own example, and the definition on random words for every group size")
    func fillAlignedMatches() throws {
        #expect(try fillAligned(0x0100a3, 8) == 0xff00ff)
        var rng = Bits(s: 0x9E37_79B9_7F4A_7C15)
        for m: UInt64 in [1, 2, 4, 8, 16, 32, 64] {
            for _ in 0..<2000 {
                // Sparse words too, so that whole groups are zero.
                let x = rng.next() & rng.next() & rng.next()
                #expect(try fillAligned(x, m) == naiveFill(x, m), "m=\(m) x=\(x)")
            }
            #expect(try fillAligned(0, m) == 0)
        }
        #expect(throws: GoThrow.self) { try fillAligned(1, 3) }
    }

    /// The highest run of whole free, unscavenged m-page groups, cut to
    /// alignUp(max, m) from its top (no huge pages): by enumeration.
    func naiveCandidate(_ alloc: [UInt64], _ scav: [UInt64], _ m: UInt64, _ max: UInt64) -> (UInt64, UInt64) {
        func pageFree(_ p: UInt64) -> Bool {
            let word: UInt64 = alloc[Int(p / 64)] | scav[Int(p / 64)]
            return (word >> (p % 64)) & 1 == 0
        }
        func groupFree(_ k: UInt64) -> Bool {
            var p = k * m
            while p < (k + 1) * m {
                if !pageFree(p) { return false }
                p += 1
            }
            return true
        }
        var k = Int(512 / m) - 1
        while k >= 0 && !groupFree(UInt64(k)) { k -= 1 }
        if k < 0 { return (0, 0) }
        let top = UInt64(k + 1) * m
        var low = UInt64(k)
        while low > 0 && groupFree(low - 1) { low -= 1 }
        let run = top - low * m
        let cap = max == 0 ? m : (max + m - 1) / m * m
        let size = Swift.min(run, cap)
        return (top - size, size)
    }

    @Test("findScavengeCandidate finds the highest aligned run, cut to max rounded up to a physical page")
    func candidateMatchesEnumeration() throws {
        let w = UnsafeMutablePointer<UInt64>.allocate(capacity: 16)
        defer { w.deallocate() }
        let d = PallocData(w)
        var rng = Bits(s: 12345)
        for trial in 0..<3000 {
            for i in 0..<16 { w[i] = rng.next() & rng.next() & (trial % 3 == 0 ? rng.next() : ~0) }
            // Some chunks with long free stretches.
            if trial % 4 == 0 { for i in 0..<16 where rng.next() % 3 == 0 { w[i] = 0 } }
            let m = UInt64(1) << (rng.next() % 7)
            let max = rng.next() % 600
            let got = try d.findScavengeCandidate(511, m, max, physHugePageSize: 0, physPageSize: m * 8192, alignMax: true)
            let want = naiveCandidate(Array(0..<8).map { w[$0] }, Array(8..<16).map { w[$0] }, m, max)
            #expect(got.1 == want.1 && (got.1 == 0 || got.0 == want.0), "trial \(trial) m=\(m) max=\(max): \(got) vs \(want)")
        }
    }

    @Test("findScavengeCandidate grows a cut run down to a huge page boundary when the whole run covers it; #35445 cuts unaligned")
    func hugePagesAndTheAlignmentBug() throws {
        let w = UnsafeMutablePointer<UInt64>.allocate(capacity: 16)
        defer { w.deallocate() }
        w.initialize(repeating: 0, count: 16)
        let d = PallocData(w)
        // Every page free and unscavenged. Asking for 10 pages, 2 MiB huge
        // pages (256 runtime pages): the top huge page [256, 512) is taken whole.
        let r = try d.findScavengeCandidate(511, 1, 10, physHugePageSize: 2 << 20, physPageSize: 4096, alignMax: true)
        #expect(r == (256, 256))
        // Without huge pages: exactly the top 10.
        #expect(try d.findScavengeCandidate(511, 1, 10, physHugePageSize: 0, physPageSize: 4096, alignMax: true) == (502, 10))
        // 64 KiB pages (8 runtime pages), max 10: rounded up to 16.
        #expect(try d.findScavengeCandidate(511, 8, 10, physHugePageSize: 0, physPageSize: 65536, alignMax: true) == (496, 16))
        // golang/go#35445: max not rounded, the run starts mid physical page.
        let bad = try d.findScavengeCandidate(511, 8, 10, physHugePageSize: 0, physPageSize: 65536, alignMax: false)
        #expect(bad == (502, 10) && bad.0 % 8 != 0)
    }

    @Test("the index marks freed chunks, find walks down from the hint and unmarks empties, and a cleared hint finds nothing")
    func indexFindsAndClears() throws {
        let p = try PageAlloc(geometry: .amd64)
        try p.grow(0xc000000000, 0x1000000)  // chunks c..c+3
        let c = p.space.chunkIndex(0xc000000000).v
        #expect(try p.scavIndex.find() == (ChunkIdx(0), 0))  // grown memory is scavenged: nothing marked
        let (a, _) = try p.alloc(600)  // chunk c whole, and 88 pages of c+1
        try p.free(a, 600)
        #expect(p.scavIndex.peekBit(ChunkIdx(c)) == true && p.scavIndex.peekBit(ChunkIdx(c + 1)) == true)
        #expect(p.scavIndex.peekBit(ChunkIdx(c + 2)) == false)
        // The hint was raised to the freed range's last page (marked).
        #expect(p.scavIndex.loadSearchAddr() == (a + 599 * 8192, true))
        #expect(try p.scavIndex.find() == (ChunkIdx(c + 1), 87))
        // Scavenge everything: 600 pages, from the top chunk down.
        #expect(try p.scavenge(~0) == 600 * 8192)
        #expect(p.scavIndex.peekBit(ChunkIdx(c)) == false && p.scavIndex.peekBit(ChunkIdx(c + 1)) == false)
        #expect(try p.scavenge(8192) == 0)
        // What was scavenged comes back as scavenged bytes.
        #expect(try p.alloc(600) == (a, 600 * 8192))
    }

    @Test("find walks down over thousands of empty index bytes to the one marked chunk, and unmarks it once it is scavenged")
    func indexFindsFarBelow() throws {
        let p = try PageAlloc(geometry: .amd64)
        try p.grow(0xc000000000, 0x400000)
        try p.grow(0xc000000000 + 3001 * 0x400000, 0x400000)  // 3001 chunks up: about 375 index bytes
        let low = p.space.chunkIndex(0xc000000000)
        let (a, _) = try p.alloc(2)
        #expect(a == 0xc000000000)
        let (b, _) = try p.alloc(512)  // the whole upper chunk
        try p.free(b, 512)
        try p.free(a, 2)  // marks the low chunk; the hint stays up at the upper chunk's top
        #expect(try p.scavenge(512 * 8192) == 512 * 8192)  // the upper chunk first
        // The upper chunk stays marked until a scavenge finds nothing there.
        let upper = p.space.chunkIndex(b)
        #expect(try p.scavIndex.find() == (upper, Geometry.pallocChunkPages - 1))
        // Then the walk down: about 375 empty bytes to the low chunk's two pages.
        #expect(try p.scavenge(~0) == 2 * 8192)
        #expect(p.scavIndex.peekBit(low) == false && p.scavIndex.peekBit(upper) == false)
        #expect(p.scavIndex.loadSearchAddr() == (p.space.minOffAddr.a, false))
    }

    @Test("faithful index growth maps each index page once; Go 1.19's zero sentinel (#63385 class) maps one twice")
    func indexGrowthSentinel() throws {
        // The three grows that Go 1.19.8 fails (traces/go-findings/go1.19-scavengeIndex-grow-remap.trace).
        let grows: [(UInt64, UInt64)] = [(0xd803c00000, 0x400000), (0xe004c00000, 0x400000), (0xc7ff800000, 0x400000)]
        let p = try PageAlloc(geometry: .amd64)
        for (b, n) in grows { try p.grow(b, n) }
        #expect(p.summaryMappedReady == p.mem.readyBytes - UInt64(p.chunkBlockCount * p.l2BlockBytes))
        let bad = try PageAlloc(geometry: .amd64, variant: .preFix63385)
        try bad.grow(grows[0].0, grows[0].1)
        try bad.grow(grows[1].0, grows[1].1)
        #expect(throws: SysCallViolation.self) { try bad.grow(grows[2].0, grows[2].1) }
    }

    @Test("with the heap's memory simulated, scavenging releases whole physical pages with sysUnused; #35445 is a refused sysUnused")
    func sysUnusedOnTheHeap() throws {
        func port(_ v: Variant) throws -> (PageAlloc, AddressSpace) {
            let p = try PageAlloc(geometry: .wasm, variant: v)
            let heap = AddressSpace(physPageSize: 65536, osBase: 0x8000_0000, addressLimit: 1 << 32)
            let base: UInt64 = 0x40_0000
            #expect(heap.sysReserve(base, 0x40_0000) == base)
            try heap.sysMap(base, 0x40_0000, SysMemStat(name: "heap"))
            try heap.sysUsed(base, 0x40_0000, prepared: 0x40_0000)
            p.heapMemory = heap
            p.physHugePageSize = 0
            try p.grow(base, 0x40_0000)
            let (a, _) = try p.alloc(512)
            try p.free(a, 512)
            return (p, heap)
        }
        let (good, heap) = try port(.faithful)
        // 10 pages asked, 16 (two 64 KiB pages) released, at the top.
        #expect(try good.scavenge(10 * 8192) == 16 * 8192)
        #expect(heap.state(at: 0x80_0000 - 65536) == .prepared && heap.state(at: 0x80_0000 - 3 * 65536) == .ready)
        #expect(good.heapReleased == 16 * 8192)
        let (bad, _) = try port(.preFix35445)
        #expect(throws: SysCallViolation.self) { try bad.scavenge(10 * 8192) }
    }
}
