import Testing
import SummaryCore


/// The prover proves theorems about SummaryCore's definitions; the allocator
/// port runs its own. These tests tie the two: on random inputs (and the
/// edges) the port computes exactly what the proved code computes, for every
/// geometry the prover covers.
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
}
