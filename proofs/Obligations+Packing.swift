// Obligations about packPallocSum and the pallocSum accessors.

import SummaryCore

/// Packing then unpacking gives the triple back.
struct PackRoundTrip: Obligation {
    let theorem = "packRoundTrip"
    let instance = ""
    let meaning = "For every valid triple (start, end <= max <= maxPackedValue, max == maxPackedValue only when all three are), unpack, start, max and end of packPallocSum(start, max, end) give the triple back."
    let mutation = "packPallocSum masks each field one bit short."

    func inputNames(_ g: Geometry) -> [String] { ["start", "max", "end"] }

    func pack<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> PallocSum<W> {
        let f = SummaryFields(start: x[0], max: x[1], end: x[2])
        return v == .original ? PallocSum(f, g) : Mutants.pack(f, g)
    }

    func assumption<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        validTriple(SummaryFields(start: x[0], max: x[1], end: x[2]), g)
    }

    func goal<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        let f = SummaryFields(start: x[0], max: x[1], end: x[2])
        let p = pack(x, g, v)
        return p.unpack(g).equals(f) && SummaryFields(start: p.start(g), max: p.max(g), end: p.end(g)).equals(f)
    }

    func observations(_ x: [UInt64], _ g: Geometry, _ v: Variant) -> [(String, String)] {
        let p = pack(x, g, v)
        return [("packed", hex(p.raw)), ("unpacked", fields(p.unpack(g)))]
    }
}

/// The all-free encoding.
struct PackAllFree: Obligation {
    let theorem = "packAllFree"
    let instance = ""
    let meaning = "packPallocSum(maxPackedValue x3) is bit 63 alone, every word with bit 63 set unpacks (and reads through start, max, end) as maxPackedValue x3, and freeChunkSum is pallocChunkPages in every field."
    let mutation = "unpack tests bit 62 instead of bit 63."

    func inputNames(_ g: Geometry) -> [String] { ["word"] }

    func unpack<W: SumWord>(_ p: PallocSum<W>, _ g: Geometry, _ v: Variant) -> SummaryFields<W> {
        v == .original ? p.unpack(g) : Mutants.unpack(p, g)
    }

    func assumption<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        x[0] & W(1 << 63) != 0
    }

    func goal<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        let top = W(g.maxPackedValue)
        let allFree = SummaryFields(start: top, max: top, end: top)
        let word = PallocSum(raw: x[0])
        let chunk = W(Geometry.pallocChunkPages)
        let freeChunk = SummaryFields(start: chunk, max: chunk, end: chunk)
        return PallocSum(allFree, g).raw == W(1 << 63)
            && unpack(word, g, v).equals(allFree)
            && word.start(g) == top && word.max(g) == top && word.end(g) == top
            && unpack(PallocSum<W>.freeChunk(g), g, v).equals(freeChunk)
            && PallocSum(freeChunk, g).raw == PallocSum<W>.freeChunk(g).raw
    }

    func observations(_ x: [UInt64], _ g: Geometry, _ v: Variant) -> [(String, String)] {
        [("unpacked", fields(unpack(PallocSum(raw: x[0]), g, v)))]
    }
}

/// Distinct valid triples pack to distinct words.
struct PackInjective: Obligation {
    let theorem = "packInjective"
    let instance = ""
    let meaning = "No two distinct valid triples pack to the same pallocSum."
    let mutation = "packPallocSum masks each field one bit short."

    func inputNames(_ g: Geometry) -> [String] { ["start1", "max1", "end1", "start2", "max2", "end2"] }

    func pack<W: SumWord>(_ f: SummaryFields<W>, _ g: Geometry, _ v: Variant) -> PallocSum<W> {
        v == .original ? PallocSum(f, g) : Mutants.pack(f, g)
    }

    func assumption<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        validTriple(SummaryFields(start: x[0], max: x[1], end: x[2]), g)
            && validTriple(SummaryFields(start: x[3], max: x[4], end: x[5]), g)
    }

    func goal<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        let a = SummaryFields(start: x[0], max: x[1], end: x[2])
        let b = SummaryFields(start: x[3], max: x[4], end: x[5])
        return implies(pack(a, g, v).raw == pack(b, g, v).raw, a.equals(b))
    }

    func observations(_ x: [UInt64], _ g: Geometry, _ v: Variant) -> [(String, String)] {
        let a = pack(SummaryFields(start: x[0], max: x[1], end: x[2]), g, v)
        let b = pack(SummaryFields(start: x[3], max: x[4], end: x[5]), g, v)
        return [("packed1", hex(a.raw)), ("packed2", hex(b.raw))]
    }
}
