import Testing
@testable import PageAlloc

@Suite("pallocBits: summarize, find, findBitRange64 against slow versions")
struct PallocBitsTests {
    let k = Geometry.amd64.sums

    func randomChunk(_ rng: inout SplitMix) -> [UInt64] {
        let mode = rng.below(7)
        return (0..<8).map { _ in rng.word(density: mode == 6 ? rng.below(7) : mode) }
    }

    @Test("summarize matches the bit-by-bit summary on 5000 random bitmaps")
    func summarize() {
        var rng = SplitMix(s: 1)
        for _ in 0..<5000 {
            let words = randomChunk(&rng)
            let (s, m, e) = SlowBits(words: words).summary
            withChunk(words) { c in
                #expect(k.unpack(c.palloc.summarize(k)) == (s, m, e), "words \(words.map { String($0, radix: 16) })")
            }
        }
    }

    @Test("find returns the first fit and the first free page, for every size class")
    func find() {
        var rng = SplitMix(s: 2)
        for _ in 0..<3000 {
            var words = randomChunk(&rng)
            // find's contract: every page below searchIdx is allocated.
            let searchIdx = rng.below(4) == 0 ? rng.below(512) : 0
            for i in 0..<Int(searchIdx) { words[i / 64] |= 1 << UInt64(i % 64) }
            let slow = SlowBits(words: words)
            for n in [1, 2, 3, 7, 31, 63, 64, 65, 100, 200, 511, 512, Int(rng.below(512)) + 1] {
                withChunk(words) { c in
                    let (j, newSearch) = c.palloc.find(UInt64(n), searchIdx)
                    let want = slow.firstFit(n).map(UInt64.init) ?? notFound
                    #expect(j == want, "n \(n) searchIdx \(searchIdx)")
                    let firstFree = slow.firstFree(from: 0).map(UInt64.init) ?? notFound
                    #expect(newSearch == firstFree, "n \(n)")
                }
            }
        }
    }

    @Test("findBitRange64 matches the slow scan for all n on 3000 words")
    func findBitRange() {
        var rng = SplitMix(s: 3)
        for t in 0..<3000 {
            let c = t == 0 ? ~0 : (t == 1 ? 0 : rng.word(density: rng.below(7)))
            for n in 1...64 {
                #expect(findBitRange64(c, UInt64(n)) == slowFindBitRange64(c, n), "c \(String(c, radix: 16)) n \(n)")
            }
        }
    }

    @Test("allocRange, free, popcntRange and the scavenged bits")
    func rangesAndScavenged() {
        var rng = SplitMix(s: 4)
        for _ in 0..<2000 {
            let i = rng.below(512), n = rng.below(512 - i) + 1
            withChunk([UInt64](repeating: 0, count: 8)) { c in
                c.scavenged.setRange(0, 512)
                #expect(c.scavenged.popcntRange(i, n) == n)
                c.allocRange(i, n)
                let slow = SlowBits(words: (0..<8).map { c.palloc.w[$0] })
                for p in 0..<512 { #expect(slow.bits[p] == (UInt64(p) >= i && UInt64(p) < i + n)) }
                #expect(c.scavenged.popcntRange(0, 512) == 512 - n)
                #expect(c.palloc.bits.popcntRange(0, 512) == n)
                c.palloc.free(i, n)
                #expect(c.palloc.bits.popcntRange(0, 512) == 0)
                c.palloc.free1(0)
                c.allocAll()
                #expect(c.palloc.bits.popcntRange(0, 512) == 512 && c.scavenged.popcntRange(0, 512) == 0)
            }
        }
    }
}
