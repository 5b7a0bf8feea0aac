import Testing
import PageAlloc
@testable import Checking
@testable import TraceFormat
@testable import Targets
@testable import GoTarget
@testable import Campaigns
import SplitMix

/// The checker's own arithmetic must agree with the port's (two independent
/// writings of the same definitions) on random inputs, and must disagree
/// with a deliberately wrong answer.
@Suite("The checker's own summary arithmetic")
struct CheckerMathTests {
    @Test("summarize agrees with the port's pallocBits.summarize on random bitmaps")
    func summarizeAgrees() throws {
        var rng = SplitMix64(seed: 40191)
        let g = Geometry.amd64
        for round in 0..<300 {
            let p = try PageAlloc(geometry: g)
            let base: UInt64 = 0xc0_0000_0000
            try p.grow(base, Geometry.pallocChunkBytes)
            // Runs of random lengths, allocated or not; some rounds all free or all allocated.
            var page: UInt64 = 0
            let mode = round % 10
            while page < 512 {
                let len = Swift.min(512 - page, 1 + rng.next() % (mode == 0 ? 512 : 70))
                if mode != 1 && (mode == 2 || rng.next() % 2 == 0) { _ = try p.allocRange(base + page * Geometry.pageSize, len) }
                page += len
            }
            let data = try #require(p.tryChunkOf(g.space.chunkIndex(base)))
            let words = (0..<8).map { data.palloc.bits.block64(UInt64($0 * 64)) }
            let mine = CheckerMath.summarize { words[$0] }
            let (s, m, e) = g.sums.unpack(data.palloc.summarize(g.sums))
            #expect(mine == Sum3(start: s, max: m, end: e), "round \(round): \(words.map { String($0, radix: 16) })")
        }
    }

    @Test("merge and unpack agree with the port's mergeSummaries and unpack on random children")
    func mergeAgrees() {
        var rng = SplitMix64(seed: 35445)
        let g = Geometry.amd64
        let k = g.sums
        for round in 0..<2000 {
            let childLog = UInt64(9 + 3 * (round % 4))
            let full = UInt64(1) << childLog
            var kids: [PallocSum] = []
            var mine: [Sum3] = []
            for _ in 0..<8 {
                let choice = rng.next() % 4
                var st: UInt64, mx: UInt64, en: UInt64
                if choice == 0 { (st, mx, en) = (full, full, full) } else {
                    mx = rng.next() % full
                    st = choice == 1 ? 0 : rng.next() % (mx + 1)
                    en = rng.next() % (mx + 1)
                    if st + en > mx && st + en > full - 1 { en = 0 }
                }
                let packed = k.pack(st, mx, en)
                kids.append(packed)
                mine.append(CheckerMath.unpack(packed.raw, g))
                #expect(mine.last == Sum3(start: st, max: mx, end: en))
            }
            let (s, m, e) = k.unpack(k.merge(kids, logMaxPagesPerSum: childLog))
            #expect(CheckerMath.merge(mine, childPages: full) == Sum3(start: s, max: m, end: e), "round \(round)")
        }
    }

    @Test("negative control: a bitmap with one page flipped summarizes differently")
    func summarizeDetects() {
        let free: [UInt64] = [0, 0, 0, 0, 0, 0, 0, 0]
        var oneTaken = free
        oneTaken[3] = 1 << 17
        #expect(CheckerMath.summarize { free[$0] } == Sum3(start: 512, max: 512, end: 512))
        #expect(CheckerMath.summarize { oneTaken[$0] } == Sum3(start: 209, max: 302, end: 302))
    }
}
