import Testing
@testable import PageAlloc

@Suite("pallocSum packing and mergeSummaries")
struct PallocSumTests {
    @Test("pack/unpack round-trips at the edges for every geometry", arguments: Geometry.all)
    func packEdges(_ g: Geometry) {
        let k = g.sums
        let m = k.maxPackedValue
        for (s, mx, e) in [(0, 0, 0), (m - 1, m - 1, m - 1), (0, m - 1, 0), (1, m - 1, m - 2), (m - 1, m - 1, 0), (3, 7, 5)] as [(UInt64, UInt64, UInt64)] {
            let p = k.pack(s, mx, e)
            #expect(k.unpack(p) == (s, mx, e), "(\(s), \(mx), \(e)) on \(g.name)")
            #expect(k.start(p) == s && k.max(p) == mx && k.end(p) == e)
            #expect(p.raw >> 63 == 0)
        }
        // All three at maxPackedValue: bit 63 alone.
        let full = k.pack(m, m, m)
        #expect(full.raw == 1 << 63)
        #expect(k.unpack(full) == (m, m, m) && k.start(full) == m && k.max(full) == m && k.end(full) == m)
        // A zero summary means no free page.
        #expect(k.pack(0, 0, 0) == .zero)
    }

    @Test("freeChunkSum is the summary of an empty chunk")
    func freeChunk() {
        let k = Geometry.amd64.sums
        #expect(k.unpack(k.freeChunkSum) == (512, 512, 512))
        withChunk([UInt64](repeating: 0, count: 8)) { c in #expect(c.palloc.summarize(k) == k.freeChunkSum) }
    }

    @Test("mergeSummaries equals the summary of the concatenated bitmaps (random, 2000 cases)")
    func mergeAgainstSlow() {
        var rng = SplitMix(s: 11)
        let k = Geometry.amd64.sums
        for _ in 0..<2000 {
            // children of 2^logPer bits each; 2...8 children
            let logPer = UInt64(rng.below(4)) + 3  // 8...64 bits
            let per = 1 << Int(logPer)
            let count = Int(rng.below(7)) + 2
            var bits: [Bool] = []
            var children: [PallocSum] = []
            for _ in 0..<count {
                let density = rng.below(7)
                var w = rng.word(density: density)
                if per < 64 { w &= (1 << UInt64(per)) - 1 }
                let child = SlowBits(words: [w]).bits.prefix(per)
                bits += child
                let s = SlowBits(words: [w])
                var sb = s
                sb.bits = Array(child)
                let (a, b, c) = sb.summary
                children.append(k.pack(a, b, c))
            }
            var whole = SlowBits(words: [])
            whole.bits = bits
            let (ws, wm, we) = whole.summary
            let merged = k.merge(children, logMaxPagesPerSum: logPer)
            #expect(k.unpack(merged) == (ws, wm, we), "children \(children.map { k.unpack($0) }) per \(per)")
        }
    }

    @Test("merge8's copies with constant sizes agree with the general fold, for every level of every geometry", arguments: Geometry.all)
    func merge8Copies(_ g: Geometry) {
        var rng = SplitMix(s: 29)
        let k = g.sums
        for l in 1..<g.summaryLevels where g.levelBits[l] == 3 {
            let log = UInt64(g.levelLogPages[l]), full = UInt64(1) << log
            for _ in 0..<500 {
                // Children that are whole (all free or all taken) or have a
                // random start, end and max, as a level's entries do.
                let kids: [UInt64] = (0..<8).map { _ in
                    switch rng.below(4) {
                    case 0: return k.pack(full, full, full).raw
                    case 1: return 0
                    default:
                        let s = rng.below(full / 2), e = rng.below(full / 2)
                        return k.pack(s, Swift.max(s, e, rng.below(full)), e).raw
                    }
                }
                kids.withUnsafeBufferPointer { p in
                    let fast = k.merge8(p.baseAddress!, logMaxPagesPerSum: log)
                    let general = k.mergeAnySize(p.baseAddress!, count: 8, logMaxPagesPerSum: log)
                    #expect(fast == general, "\(g.name) level \(l): \(kids.map { k.unpack(PallocSum(raw: $0)) })")
                }
            }
        }
    }
}
