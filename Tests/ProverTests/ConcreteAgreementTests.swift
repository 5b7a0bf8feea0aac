// SummaryCore's generic code on UInt64, and the proofs' specifications on UInt64,
// against the plain bit-by-bit reference, on deterministic random inputs.

import Proofs
import SummaryCore
import Testing
import SplitMix

@Suite("Concrete agreement with the bit-by-bit reference")
struct ConcreteAgreementTests {
    static let geometries: [Geometry] = [.amd64, .i386]

    @Test("summarize of a chunk (8 words) matches the reference", arguments: geometries)
    func summarizeChunk(g: Geometry) {
        var rng = SplitMix64(seed: 0x51)
        for round in 0..<3000 {
            let words = (0..<8).map { _ in rng.word() }
            let got = summarize(words, g).unpack(g)
            let want = Reference.summary(words, bits: 512)
            #expect(got == want, "round \(round): words \(words.map { String($0, radix: 16) })")
        }
        // The entirely free chunk is freeChunkSum.
        #expect(summarize([UInt64](repeating: 0, count: 8), g) == PallocSum<UInt64>.freeChunk(g))
        #expect(summarize([UInt64](repeating: ~0, count: 8), g).unpack(g) == SummaryFields(start: 0, max: 0, end: 0))
    }

    @Test("summarize of one word matches the reference, including every 16-bit pattern")
    func summarizeWord() {
        let g = Geometry.amd64
        var rng = SplitMix64(seed: 0x52)
        var words = (0..<20_000).map { _ in rng.word() }
        for pattern in UInt64(0)..<(1 << 16) {
            words.append(pattern << rng.below(49) | (rng.below(2) == 0 ? 0 : 1 << 63))
        }
        for x in words {
            let got = summarize([x], g).unpack(g)
            let want = Reference.summary([x], bits: 64)
            if got != want { Issue.record("summarize(0x\(String(x, radix: 16))) = \(got), want \(want)"); return }
        }
        #expect(words.count == 20_000 + 65_536)
    }

    @Test("the second pass alone returns max(max, longest interior run)")
    func secondPass() {
        var rng = SplitMix64(seed: 0x53)
        var checked = 0
        for _ in 0..<50_000 {
            let x = rng.word() | 1
            let m = rng.below(62)
            let want = Swift.max(m, Reference.interiorRun(x))
            #expect(summarizeInteriorMax(x, max: m) == want, "x 0x\(String(x, radix: 16)) max \(m)")
            checked += 1
        }
        #expect(checked == 50_000)
    }

    @Test("the second pass ends well within its step bound, even on record-breaking runs")
    func secondPassSteps() {
        func steps(_ word: UInt64, _ max: UInt64) -> Int {
            var s = SummarizeInterior(word: word, max: max)
            var n = 0
            while !s.done { s = s.step(); n += 1 }
            return n
        }
        // Zero runs of 1, 2, 3, ... from the bottom, each a new record; and random words.
        var worst = 0
        for first in 1...4 {
            var word: UInt64 = 1, position = 1, run = first
            while position + run < 64 {
                position += run
                word |= 1 << UInt64(position)
                position += 1
                run += 1
            }
            for m in 0..<UInt64(first) { worst = Swift.max(worst, steps(word, m)) }
        }
        var rng = SplitMix64(seed: 0x59)
        for _ in 0..<20_000 { worst = Swift.max(worst, steps(rng.word() | 1, rng.below(8))) }
        #expect(worst == 19)   // the worst seen (a record-run word); the counting argument allows 25
        #expect(worst < SummarizeInterior<UInt64>.stepBound)
    }

    @Test("findBitRange64 matches the reference for every n")
    func findBitRange() {
        var rng = SplitMix64(seed: 0x54)
        for _ in 0..<3000 {
            let c = rng.word()
            for n in 1...64 {
                let got = findBitRange64(c, UInt64(n))
                let want = Reference.firstRun(c, n)
                if got != want { Issue.record("findBitRange64(0x\(String(c, radix: 16)), \(n)) = \(got), want \(want)"); return }
            }
        }
        #expect(findBitRange64(UInt64(0), 1) == 64)
        #expect(findBitRange64(~UInt64(0), 64) == 0)
    }

    @Test("mergeSummaries of 8 chunk summaries is the summary of the 4096 pages", arguments: geometries)
    func mergeChunks(g: Geometry) {
        var rng = SplitMix64(seed: 0x55)
        let leaf = g.levelLogPages[g.summaryLevels - 1]
        for round in 0..<300 {
            // Mostly free or mostly used chunks, so runs cross chunk boundaries often.
            let chunks: [[UInt64]] = (0..<8).map { _ in
                switch rng.below(4) {
                case 0: return [UInt64](repeating: 0, count: 8)
                case 1: return [UInt64](repeating: ~0, count: 8)
                default: return (0..<8).map { _ in rng.word() }
                }
            }
            let merged = mergeSummaries(chunks.map { summarize($0, g) }, logMaxPagesPerSum: leaf, g)
            let want = Reference.summary(chunks.flatMap { $0 }, bits: 4096)
            #expect(merged.unpack(g) == want, "round \(round)")
        }
    }

    @Test("packing round-trips every valid triple", arguments: Geometry.named)
    func packRoundTrip(g: Geometry) {
        var rng = SplitMix64(seed: 0x56)
        let top = g.maxPackedValue
        for _ in 0..<20_000 {
            let max = rng.below(top)
            let f = SummaryFields(start: rng.below(max + 1), max: max, end: rng.below(max + 1))
            let p = PallocSum(f, g)
            #expect(p.unpack(g) == f)
            #expect(p.start(g) == f.start && p.max(g) == f.max && p.end(g) == f.end)
        }
        let full = PallocSum(start: top, max: top, end: top, g)
        #expect(full.raw == 1 << 63)
        #expect(full.unpack(g) == SummaryFields(start: top, max: top, end: top))
    }

    @Test("the round trip as issue 4 words it is false; the validity condition is needed")
    func literalRoundTripIsFalse() {
        let g = Geometry.amd64
        let top = g.maxPackedValue
        // start, end <= max <= maxPackedValue, but max == maxPackedValue with start < max.
        let triple = SummaryFields<UInt64>(start: 0, max: top, end: 0)
        #expect(PallocSum(triple, g).unpack(g) == SummaryFields(start: top, max: top, end: top))
        #expect(PallocSum(triple, g).unpack(g) != triple)
        #expect(!validTriple(triple, g))
    }

    @Test("the proofs' specifications agree with the reference")
    func specifications() {
        var rng = SplitMix64(seed: 0x57)
        for _ in 0..<2000 {
            let words = [rng.word(), rng.word()]
            #expect(specSummary(words, bitCount: 128) == Reference.summary(words, bits: 128))
            #expect(specSummary([words[0]], bitCount: 64) == Reference.summary([words[0]], bits: 64))
            #expect(specInteriorRun(words[0]) == Reference.interiorRun(words[0]))
            let n = Int(rng.below(64)) + 1
            #expect(specFirstRun(words[0], UInt64(n)) == Reference.firstRun(words[0], n))
            // combine of the summaries of a split is the summary of the whole.
            let a = Int(rng.below(127)) + 1
            let left = Reference.summary(words, bits: a)
            let shifted: [UInt64] = (0..<2).map { w in
                (0..<64).reduce(UInt64(0)) { acc, b in
                    let i = a + 64 * w + b
                    return i < 128 && Reference.inUse(words, i) ? acc | (1 << UInt64(b)) : acc
                }
            }
            let right = Reference.summary(shifted, bits: 128 - a)
            #expect(combine(left, UInt64(a), right, UInt64(128 - a)) == Reference.summary(words, bits: 128))
            // The windowed spec summarises exactly the window.
            let window = specSummary(words, bitCount: 128, window: (lo: UInt64(a), hi: 128))
            #expect(window == right)
        }
    }

    @Test("address arithmetic matches 128-bit reference arithmetic", arguments: Geometry.named)
    func addresses(g: Geometry) {
        var rng = SplitMix64(seed: 0x58)
        let heap = UInt128(1) << UInt128(g.heapAddrBits)
        let modulus = UInt128(1) << UInt128(g.pointerBits)
        func heapAddress() -> UInt64 {
            let off = UInt128(rng.next()) % heap
            return UInt64((off + UInt128(g.arenaBaseOffset)) % modulus)
        }
        for _ in 0..<5000 {
            let p = heapAddress()
            let off = Reference.offset(p, g)
            let ci = chunkIndex(p, g)
            #expect(UInt128(ci.value) == off / UInt128(Geometry.pallocChunkBytes))
            #expect(chunkBase(ci, g) == p & ~(Geometry.pallocChunkBytes - 1))
            #expect(chunkPageIndex(p) == (p % Geometry.pallocChunkBytes) / Geometry.pageSize)
            let q = heapAddress()
            #expect(OffAddr(p).lessThan(OffAddr(q), g) == Reference.before(p, q, g))
            #expect(OffAddr(p).lessEqual(OffAddr(q), g) == (Reference.before(p, q, g) || p == q))
            // A page-aligned range [base, limit) and its summaries at each level.
            var (b, l) = (p & ~(Geometry.pageSize - 1), q & ~(Geometry.pageSize - 1))
            if Reference.offset(b, g) > Reference.offset(l, g) { swap(&b, &l) }
            let limit = UInt64((UInt128(l) + UInt128(Geometry.pageSize)) % modulus)
            for level in 0..<g.summaryLevels {
                let shift = UInt128(g.levelShift[level])
                let (lo, hi) = addrsToSummaryRange(level: level, base: b, limit: limit, g)
                #expect(UInt128(lo) == Reference.offset(b, g) >> shift)
                #expect(UInt128(hi) == (Reference.offset(l, g) >> shift) + 1)
            }
        }
    }
}
