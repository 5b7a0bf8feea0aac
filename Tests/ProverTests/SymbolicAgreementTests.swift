// The symbolic reading (SymWord, with its bound tracking and narrow bit-vectors)
// against the concrete one (UInt64): the same generic code, evaluated by Z3 at
// random inputs, must give the same numbers. This is what makes a proof about the
// SymWord reading a proof about the UInt64 code.

import Prover
import Proofs
import SummaryCore
import Testing
import SplitMix

/// Evaluates `body` on symbolic inputs once, then at each assignment compares with
/// `body` on the concrete inputs.
private func agree(
    widths: [Int], samples: Int, seed: UInt64,
    draw: (inout SplitMix64, Int) -> UInt64 = { rng, bits in bits == 64 ? rng.word() : rng.next() & ((1 << UInt64(bits)) - 1) },
    _ body: ([SymWord]) -> [SymWord],
    concrete: ([UInt64]) -> [UInt64]
) -> Int {
    let context = Z3Context()
    let variables = widths.enumerated().map { SymWord.variable("x\($0.offset)", bits: $0.element, in: context) }
    let (symbolic, _) = SymbolicEvaluation.run(in: context) { body(variables) }
    var rng = SplitMix64(seed: seed)
    var compared = 0
    for _ in 0..<samples {
        let values = widths.map { draw(&rng, $0) }
        let expected = concrete(values)
        let assignment = Array(zip(variables, values)).map { (variable: $0.0, value: $0.1) }
        let got = symbolic.map { $0.value(at: assignment) }
        #expect(got == expected, "inputs \(values.map { "0x" + String($0, radix: 16) })")
        compared += 1
    }
    return compared
}

@Suite("Symbolic agreement with UInt64")
struct SymbolicAgreementTests {
    /// Random straight-line programs over every SumWord operation.
    @Test("every SumWord operation agrees on random programs")
    func randomPrograms() {
        var programs = SplitMix64(seed: 0x60)
        var total = 0
        for program in 0..<60 {
            let widths = (0..<3).map { _ in [1, 3, 7, 13, 22, 40, 63, 64][Int(programs.below(8))] }
            var ops: [(Int, Int, Int, Int)] = []
            for _ in 0..<24 { ops.append((Int(programs.below(21)), Int(programs.below(64)), Int(programs.below(64)), Int(programs.below(70)))) }
            func run<W: SumWord>(_ inputs: [W]) -> [W] {
                var r = inputs
                for (op, a, b, c) in ops {
                    let x = r[a % r.count], y = r[b % r.count]
                    let value: W
                    switch op {
                    case 0: value = x &+ y
                    case 1: value = x &- y
                    case 2: value = x & y
                    case 3: value = x | y
                    case 4: value = x ^ y
                    case 5: value = ~x
                    case 6: value = x << c
                    case 7: value = x >> c
                    case 8: value = x << (y & 127)
                    case 9: value = x >> (y & 127)
                    case 10: value = W.select(x < y, x, y)
                    case 11: value = W.select(x <= y, y, x &+ 1)
                    case 12: value = W.select(x == y || x > W(UInt64(c)), x, W(UInt64(c)))
                    case 13: value = W.select(x != y && x >= y, y, x)
                    case 14: value = x.trailingZeros64
                    case 15: value = x.leadingZeros64
                    case 16: value = x & W(UInt64(c) << 3)
                    case 17: value = W.maximum(x, y)
                    case 19: value = x &<< c   // count mod 64, as Swift's masking shift
                    case 20: value = x &>> c
                    default: value = W.branch(x >= y, then: { x &- y }, else: { y &- x })
                    }
                    r.append(value)
                }
                return r
            }
            total += agree(widths: widths, samples: 12, seed: UInt64(program), { run($0) }, concrete: { run($0) })
        }
        #expect(total == 60 * 12)
    }

    @Test("pack, unpack and mergeSummaries agree", arguments: [Geometry.amd64, Geometry.i386])
    func merge(g: Geometry) {
        let compared = agree(widths: Array(repeating: 64, count: 8), samples: 40, seed: 0x61,
            draw: { rng, _ in
                // Well-formed children of the leaf level, packed.
                let m = rng.below(513)
                let f = m == 512 ? SummaryFields<UInt64>(start: 512, max: 512, end: 512)
                    : SummaryFields(start: rng.below(m + 1), max: m, end: rng.below(m + 1))
                return PallocSum(f, g).raw
            },
            { x in
                let f = mergeSummaries(x.map { PallocSum(raw: $0) }, logMaxPagesPerSum: 9, g).unpack(g)
                return [f.start, f.max, f.end, PallocSum(raw: x[0]).start(g), PallocSum(raw: x[1]).end(g)]
            },
            concrete: { x in
                let f = mergeSummaries(x.map { PallocSum(raw: $0) }, logMaxPagesPerSum: 9, g).unpack(g)
                return [f.start, f.max, f.end, PallocSum(raw: x[0]).start(g), PallocSum(raw: x[1]).end(g)]
            })
        #expect(compared == 40)
    }

    @Test("findBitRange64 agrees")
    func findBitRange() {
        let compared = agree(widths: [64, 7], samples: 80, seed: 0x62,
            draw: { rng, bits in bits == 7 ? rng.below(64) + 1 : rng.word() },
            { x in [findBitRange64(x[0], x[1])] }, concrete: { x in [findBitRange64(x[0], x[1])] })
        #expect(compared == 80)
    }

    @Test("summarize of one word agrees")
    func summarizeWord() {
        let g = Geometry.amd64
        let compared = agree(widths: [64], samples: 40, seed: 0x63,
            { x in [summarize(x, g).raw] }, concrete: { x in [summarize(x, g).raw] })
        #expect(compared == 40)
    }

    @Test("address arithmetic agrees", arguments: Geometry.named)
    func addresses(g: Geometry) {
        func body<W: SumWord>(_ x: [W]) -> [W] {
            let (lo, hi) = addrsToSummaryRange(level: 1, base: x[0], limit: x[1], g)
            let ci = chunkIndex(x[0], g)
            return [ci.value, chunkBase(ci, g), lo, hi, W.select(OffAddr(x[0]).lessThan(OffAddr(x[1]), g), 1, 0),
                    OffAddr(x[0]).add(x[1], g).a, chunkPageIndex(x[1])]
        }
        let compared = agree(widths: [64, 64], samples: 30, seed: 0x64,
            draw: { rng, _ in g.pointerBits == 64 ? rng.next() : rng.next() & g.uintptrMask },
            { body($0) }, concrete: { body($0) })
        #expect(compared == 30)
    }
}
