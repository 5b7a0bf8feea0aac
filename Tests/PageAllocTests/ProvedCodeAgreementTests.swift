import Testing
import SummaryCore


/// The prover proves theorems about SummaryCore's definitions.
///
/// The port's packPallocSum, unpack, mergeSummaries and findBitRange64 *are*
/// those definitions (SumLayout and findBitRange64 call them); the first tests
/// guard the forwarding (field widths, argument order, the page log per level).
/// The port's geometry tables, address arithmetic and summarize are its own
/// code; the tests after them check, on random inputs and the edges, that they
/// compute what the proved code computes, for every geometry the prover covers.
@Suite("The port computes what the proved definitions compute")
struct ProvedCodeAgreementTests {
    static let pairs: [(PortGeometry, SummaryCore.Geometry)] = SummaryCore.Geometry.named.map { sg in
        (try! PortGeometry.named("\(sg.name)"), sg)
    }

    @Test("packPallocSum / unpack agree", arguments: 0..<6)
    func pack(_ k: Int) {
        let (pg, sg) = Self.pairs[k]
        let lay = pg.sums
        var rng = SplitMix(s: UInt64(k) + 100)
        let m = lay.maxPackedValue
        for _ in 0..<3000 {
            let mx = rng.below(m + 1), s = rng.below(mx + 1), e = rng.below(mx + 1)
            let proved = SummaryCore.PallocSum<UInt64>(start: s, max: mx, end: e, sg)
            #expect(lay.pack(s, mx, e).raw == proved.raw)
            let f = proved.unpack(sg)
            #expect(lay.unpack(PortSum(raw: proved.raw)) == (f.start, f.max, f.end))
        }
    }

    @Test("mergeSummaries agrees on random well-formed children, every level", arguments: 0..<6)
    func merge(_ k: Int) {
        let (pg, sg) = Self.pairs[k]
        let lay = pg.sums
        var rng = SplitMix(s: UInt64(k) + 200)
        for l in 1..<pg.summaryLevels {
            let full = UInt64(1) << UInt64(pg.levelLogPages[l])
            for _ in 0..<400 {
                var kids: [PortSum] = []
                for _ in 0..<(1 << pg.levelBits[l]) {
                    if rng.below(4) == 0 { kids.append(lay.pack(full, full, full)); continue }
                    let mx = rng.below(full), s = rng.below(mx + 1), e = rng.below(mx + 1)
                    kids.append(lay.pack(s, Swift.min(mx, full - 1), e))
                }
                let mine = lay.merge(kids, logMaxPagesPerSum: UInt64(pg.levelLogPages[l]))
                let proved: SummaryCore.PallocSum<UInt64> = mergeSummaries(
                    kids.map { SummaryCore.PallocSum<UInt64>(raw: $0.raw) }, logMaxPagesPerSum: pg.levelLogPages[l], sg)
                #expect(mine.raw == proved.raw, "level \(l) on \(pg.name)")
            }
        }
    }

    @Test("findBitRange64 agrees for every n")
    func findBitRange() {
        var rng = SplitMix(s: 300)
        for t in 0..<2000 {
            let c = t < 2 ? (t == 0 ? 0 : ~0) : rng.word(density: rng.below(7))
            for n in 1...64 {
                #expect(portFindBitRange64(c, UInt64(n)) == SummaryCore.findBitRange64(c, UInt64(n)))
            }
        }
    }

    @Test("geometry tables are the ones the proofs are about", arguments: 0..<6)
    func geometry(_ k: Int) {
        let (pg, sg) = Self.pairs[k]
        #expect(pg.heapAddrBits == sg.heapAddrBits)
        #expect(pg.summaryLevels == sg.summaryLevels)
        #expect(pg.levelBits == Array(sg.levelBits))
        #expect(pg.levelShift == Array(sg.levelShift))
        #expect(pg.levelLogPages == Array(sg.levelLogPages))
        #expect(Int(pg.logMaxPackedValue) == sg.logMaxPackedValue)
        #expect(pg.arenaBaseOffset == sg.arenaBaseOffset)
        #expect(pg.space.uintptrMask == sg.uintptrMask)
        #expect(pg.pallocChunksL1Bits == sg.pallocChunksL1Bits)
    }

    @Test("address arithmetic agrees: chunkIndex/chunkBase, offAddr order, level indices, addrsToSummaryRange",
          arguments: 0..<6)
    func addresses(_ k: Int) {
        let (pg, sg) = Self.pairs[k]
        let sp = pg.space
        var rng = SplitMix(s: UInt64(k) + 400)
        let heap = UInt64(1) << UInt64(pg.heapAddrBits)
        // A heap address: an offset into the heap, shifted to a real address.
        func addr(_ off: UInt64) -> UInt64 { sp.unlinear(off) }
        let edges: [UInt64] = [0, 1, Geometry.pallocChunkBytes - 1, Geometry.pallocChunkBytes, heap / 2, heap - 1]
        for t in 0..<3000 {
            let p = addr(t < edges.count ? edges[t] : rng.below(heap))
            let q = addr(rng.below(heap))
            #expect(sp.chunkIndex(p).v == chunkIndex(p, sg).value)
            let ci = rng.below(sg.chunkCount)
            #expect(sp.chunkBase(PortChunkIdx(ci)) == chunkBase(SummaryCore.ChunkIdx(ci), sg))
            #expect(sp.chunkPageIndex(p) == chunkPageIndex(p))
            let (po, qo) = (SummaryCore.OffAddr(p), SummaryCore.OffAddr(q))
            #expect(sp.lessThan(PortOffAddr(p), PortOffAddr(q)) == po.lessThan(qo, sg))
            #expect(sp.lessEqual(PortOffAddr(p), PortOffAddr(q)) == po.lessEqual(qo, sg))
            for l in 0..<pg.summaryLevels {
                #expect(UInt64(sp.offAddrToLevelIndex(pg.levelShift[l], PortOffAddr(p))) == offAddrToLevelIndex(level: l, po, sg))
                // An aligned range [base, limit) inside the heap; limit may be the heap's end.
                let lo = rng.below(heap / Geometry.pageSize), hi = lo + 1 + rng.below(heap / Geometry.pageSize - lo)
                let base = addr(lo * Geometry.pageSize), limit = (addr(0) &+ hi * Geometry.pageSize) & sp.uintptrMask
                let mine = sp.addrsToSummaryRange(pg.levelShift[l], base, limit)
                let proved = addrsToSummaryRange(level: l, base: base, limit: limit, sg)
                #expect(UInt64(mine.lo) == proved.lo && UInt64(mine.hi) == proved.hi,
                        "\(pg.name) level \(l) [\(String(base, radix: 16)), \(String(limit, radix: 16)))")
            }
        }
        #expect(sp.minOffAddr.a == SummaryCore.OffAddr<UInt64>.minOffAddr(sg).a)
        #expect(sp.maxOffAddr.a == SummaryCore.OffAddr<UInt64>.maxOffAddr(sg).a)
    }

    @Test("the port's summarize computes what the proved summarize computes")
    func summarizeAgrees() {
        let (pg, sg) = Self.pairs[0]
        var rng = SplitMix(s: 500)
        let words = UnsafeMutablePointer<UInt64>.allocate(capacity: 8)
        defer { words.deallocate() }
        for t in 0..<20_000 {
            for i in 0..<8 {
                words[i] = t == 0 ? 0 : t == 1 ? ~0 : rng.word(density: rng.below(9))
            }
            let mine = portSummarize(words, pg)
            let proved: SummaryCore.PallocSum<UInt64> = summarize(Array(UnsafeBufferPointer(start: words, count: 8)), sg)
            #expect(mine == proved.raw, "words \((0..<8).map { String(words[$0], radix: 16) })")
        }
    }
}
