// Obligations about Go 1.21+'s scavenge index entry (SummaryCore's
// ScavChunkData: mgcscavenge.go's scavChunkData) and the address arithmetic
// of the index's cursors (scavengeIndex.find and .free).

import SummaryCore

/// The fields of a valid entry: counts within a chunk, a uint32 generation,
/// flags within their 6 bits.
func validScavChunk<W: SumWord>(_ d: ScavChunkData<W>) -> W.Condition {
    let pages = W(Geometry.pallocChunkPages)
    return d.inUse <= pages && d.lastInUse <= pages && d.gen <= W(0xFFFF_FFFF) && d.flags <= W(63)
}

func scavFields<W: SumWord>(_ x: [W]) -> ScavChunkData<W> {
    ScavChunkData(inUse: x[0], lastInUse: x[1], gen: x[2], flags: x[3])
}

func sameScavChunk<W: SumWord>(_ a: ScavChunkData<W>, _ b: ScavChunkData<W>) -> W.Condition {
    a.inUse == b.inUse && a.lastInUse == b.lastInUse && a.gen == b.gen && a.flags == b.flags
}

func describe(_ d: ScavChunkData<UInt64>) -> String {
    "(inUse: \(d.inUse), lastInUse: \(d.lastInUse), gen: \(d.gen), flags: \(d.flags))"
}

/// Packing a valid entry and unpacking it gives it back.
struct ScavChunkPackRoundTrip: Obligation {
    let theorem = "scavChunkPackRoundTrip"
    let instance = ""
    let meaning = "For every valid scavChunkData (inUse, lastInUse <= pallocChunkPages, a uint32 gen, flags < 64), unpackScavChunkData(pack()) gives every field back."
    let mutation = "pack puts the flags one bit low, at 16 + logScavChunkInUseMax - 1."
    var geometryIndependent: Bool { true }

    func inputNames(_ g: Geometry) -> [String] { ["inUse", "lastInUse", "gen", "flags"] }
    /// Go's field types: uint16, uint16, uint32, uint8.
    func inputBits(_ g: Geometry) -> [Int] { [16, 16, 32, 8] }

    func packed<W: SumWord>(_ d: ScavChunkData<W>, _ v: Variant) -> W {
        v == .original ? d.packed : Mutants.scavChunkPack(d)
    }

    func assumption<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition { validScavChunk(scavFields(x)) }

    func goal<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        let d = scavFields(x)
        return sameScavChunk(ScavChunkData(packed: packed(d, v)), d)
    }

    func observations(_ x: [UInt64], _ g: Geometry, _ v: Variant) -> [(String, String)] {
        let p = packed(scavFields(x), v)
        return [("packed", hex(p)), ("unpacked", describe(ScavChunkData(packed: p)))]
    }
}

/// Every 64-bit word is an encoding: unpacking and packing again is the identity.
struct ScavChunkUnpackPack: Obligation {
    let theorem = "scavChunkUnpackPack"
    let instance = ""
    let meaning = "For every 64-bit word w, pack(unpackScavChunkData(w)) == w: the four fields tile the word (inUse bits 0-15, lastInUse 16-25, flags 26-31, gen 32-63), and what unpack reads is within pack's widths."
    let mutation = "unpack masks lastInUse to 9 bits."
    var geometryIndependent: Bool { true }

    func inputNames(_ g: Geometry) -> [String] { ["w"] }

    func unpack<W: SumWord>(_ w: W, _ v: Variant) -> ScavChunkData<W> {
        v == .original ? ScavChunkData(packed: w) : Mutants.scavChunkUnpack(w)
    }

    func assumption<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition { W.Condition(true) }

    func goal<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        unpack(x[0], v).packed == x[0]
    }

    func observations(_ x: [UInt64], _ g: Geometry, _ v: Variant) -> [(String, String)] {
        let d = unpack(x[0], v)
        return [("unpacked", describe(d)), ("packed again", hex(d.packed))]
    }
}

/// alloc keeps the counts within a chunk and steps the generation as Go says.
struct ScavChunkAlloc: Obligation {
    let theorem = "scavChunkAlloc"
    let instance = ""
    let meaning = "For every valid entry, npages with inUse + npages <= pallocChunkPages and a uint32 newGen, alloc(npages, newGen) gives inUse + npages, lastInUse = the old inUse when the generation changes (else unchanged), gen = newGen, the has-free flag cleared exactly when the chunk is full, other flags kept; the result is valid (packs and unpacks to itself)."
    let mutation = "alloc saves lastInUse after adding npages."
    var geometryIndependent: Bool { true }

    func inputNames(_ g: Geometry) -> [String] { ["inUse", "lastInUse", "gen", "flags", "npages", "newGen"] }
    func inputBits(_ g: Geometry) -> [Int] { [10, 10, 32, 6, 10, 32] }

    func after<W: SumWord>(_ x: [W], _ v: Variant) -> ScavChunkData<W> {
        var d = scavFields(x)
        if v == .original { d.alloc(x[4], newGen: x[5]) } else { Mutants.scavChunkAlloc(&d, x[4], newGen: x[5]) }
        return d
    }

    func assumption<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        validScavChunk(scavFields(x)) && x[4] <= W(Geometry.pallocChunkPages) &- x[0] && x[5] <= W(0xFFFF_FFFF)
    }

    func goal<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        let d = scavFields(x)
        let a = after(x, v)
        let full = d.inUse &+ x[4] == W(Geometry.pallocChunkPages)
        let hasFree = ScavChunkData<W>.hasFree
        return a.inUse == d.inUse &+ x[4]
            && a.lastInUse == W.select(d.gen != x[5], d.inUse, d.lastInUse)
            && a.gen == x[5]
            && a.flags == W.select(full, d.flags & ~hasFree, d.flags)
            && validScavChunk(a) && sameScavChunk(ScavChunkData(packed: a.packed), a)
    }

    func observations(_ x: [UInt64], _ g: Geometry, _ v: Variant) -> [(String, String)] {
        [("after alloc", describe(after(x, v)))]
    }
}

/// free keeps the counts within a chunk and marks the chunk as holding free pages.
struct ScavChunkFree: Obligation {
    let theorem = "scavChunkFree"
    let instance = ""
    let meaning = "For every valid entry, npages <= inUse and a uint32 newGen, free(npages, newGen) gives inUse - npages, lastInUse = the old inUse when the generation changes (else unchanged), gen = newGen, the has-free flag set, other flags kept; the result is valid."
    let mutation = "free adds npages instead of subtracting them."
    var geometryIndependent: Bool { true }

    func inputNames(_ g: Geometry) -> [String] { ["inUse", "lastInUse", "gen", "flags", "npages", "newGen"] }
    func inputBits(_ g: Geometry) -> [Int] { [10, 10, 32, 6, 10, 32] }

    func after<W: SumWord>(_ x: [W], _ v: Variant) -> ScavChunkData<W> {
        var d = scavFields(x)
        if v == .original { d.free(x[4], newGen: x[5]) } else { Mutants.scavChunkFree(&d, x[4], newGen: x[5]) }
        return d
    }

    func assumption<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        validScavChunk(scavFields(x)) && x[4] <= x[0] && x[5] <= W(0xFFFF_FFFF)
    }

    func goal<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        let d = scavFields(x)
        let a = after(x, v)
        return a.inUse == d.inUse &- x[4]
            && a.lastInUse == W.select(d.gen != x[5], d.inUse, d.lastInUse)
            && a.gen == x[5]
            && a.flags == d.flags | ScavChunkData<W>.hasFree
            && validScavChunk(a) && sameScavChunk(ScavChunkData(packed: a.packed), a)
    }

    func observations(_ x: [UInt64], _ g: Geometry, _ v: Variant) -> [(String, String)] {
        [("after free", describe(after(x, v)))]
    }
}

/// The density rule, read straight off the packed word.
struct ScavChunkDensity: Obligation {
    let theorem = "scavChunkDensity"
    let instance = ""
    let meaning = "scavChunkHiOccPages is 496 (0.96875 * 512, exact); for every word w and generation g, shouldScavenge(unpack(w), g, force) is bit 26 of w (scavChunkHasFree), and without force also (w & 0xffff) < 496 and, when w >> 32 == g, ((w >> 16) & 0x3ff) < 496."
    let mutation = "the density test is inUse > hiOcc instead of >= (a chunk at exactly 496 pages counts as sparse)."
    var geometryIndependent: Bool { true }

    func inputNames(_ g: Geometry) -> [String] { ["w", "currGen"] }
    func inputBits(_ g: Geometry) -> [Int] { [64, 32] }

    func should<W: SumWord>(_ d: ScavChunkData<W>, _ gen: W, force: Bool, _ v: Variant) -> W.Condition {
        v == .original ? d.shouldScavenge(currGen: gen, force: force) : Mutants.scavChunkShouldScavenge(d, currGen: gen, force: force)
    }

    func assumption<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition { x[1] <= W(0xFFFF_FFFF) }

    func goal<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        let w = x[0], gen = x[1]
        let d = ScavChunkData(packed: w)
        let hasFree = (w >> 26) & W(1) == W(1)
        let sparse = w & W(0xFFFF) < W(496) && ((w >> 32) != gen || (w >> 16) & W(0x3FF) < W(496))
        return ScavChunkData<W>.hiOccPages == W(496)
            && iff(should(d, gen, force: true, v), hasFree)
            && iff(should(d, gen, force: false, v), hasFree && sparse)
    }

    func observations(_ x: [UInt64], _ g: Geometry, _ v: Variant) -> [(String, String)] {
        let d = ScavChunkData(packed: x[0])
        return [("unpacked", describe(d)), ("shouldScavenge(bg)", "\(should(d, x[1], force: false, v))")]
    }
}

/// The cursor arithmetic of scavengeIndex.find and .free.
struct ScavCursorArithmetic: Obligation {
    let theorem = "scavCursors"
    let instance = ""
    let meaning = "For every heap chunk ci: find's new cursor chunkBase(ci) + pallocChunkBytes - pageSize lies in ci at its last page (chunkIndex gives ci, chunkPageIndex 511); and for page + npages <= 512, npages >= 1, free's addr chunkBase(ci) + (page+npages-1)*pageSize lies in ci at page+npages-1, at or below that last page in offset order."
    let mutation = "find's new cursor leaves out the - pageSize (the first page of the next chunk)."

    func inputNames(_ g: Geometry) -> [String] { ["ci", "page", "npages"] }
    func inputBits(_ g: Geometry) -> [Int] { [64, 10, 10] }

    func lastPage<W: SumWord>(_ ci: ChunkIdx<W>, _ g: Geometry, _ v: Variant) -> W {
        let end = chunkBase(ci, g) &+ W(Geometry.pallocChunkBytes)
        return g.uintptr(v == .original ? end &- W(Geometry.pageSize) : end)
    }

    func assumption<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        x[0] < W(g.chunkCount) && x[1] < W(Geometry.pallocChunkPages) && x[2] >= W(1)
            && x[2] <= W(Geometry.pallocChunkPages) && x[1] &+ x[2] <= W(Geometry.pallocChunkPages)
    }

    func goal<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
        let ci = ChunkIdx(x[0])
        let last = lastPage(ci, g, v)
        let freed = g.uintptr(chunkBase(ci, g) &+ ((x[1] &+ x[2] &- W(1)) << Geometry.pageShift))
        return chunkIndex(last, g).value == ci.value && chunkPageIndex(last) == W(Geometry.pallocChunkPages - 1)
            && chunkIndex(freed, g).value == ci.value && chunkPageIndex(freed) == x[1] &+ x[2] &- W(1)
            && OffAddr(freed).offset(g) <= OffAddr(last).offset(g)
    }

    func observations(_ x: [UInt64], _ g: Geometry, _ v: Variant) -> [(String, String)] {
        let last = lastPage(ChunkIdx(x[0]), g, v)
        return [("new cursor", hex(last)), ("its chunk", hex(chunkIndex(last, g).value))]
    }
}

extension Mutants {
    /// scavChunkData.pack with the flags one bit low.
    static func scavChunkPack<W: SumWord>(_ d: ScavChunkData<W>) -> W {
        let l = ScavChunkData<W>.logInUseMax
        return (d.inUse & W(0xFFFF)) | ((d.lastInUse & W(0xFFFF)) << 16)
            | ((d.flags & W(0xFF)) << (16 + l - 1)) | ((d.gen & W(0xFFFF_FFFF)) << 32)  // BUG: one bit low
    }

    /// unpackScavChunkData with lastInUse masked to 9 bits.
    static func scavChunkUnpack<W: SumWord>(_ w: W) -> ScavChunkData<W> {
        var d = ScavChunkData(packed: w)
        d.lastInUse = d.lastInUse & W(0x1FF)  // BUG: one bit short
        return d
    }

    /// scavChunkData.alloc saving lastInUse after the addition.
    static func scavChunkAlloc<W: SumWord>(_ d: inout ScavChunkData<W>, _ npages: W, newGen: W) {
        let newGeneration = d.gen != newGen
        d.gen = newGen & W(0xFFFF_FFFF)
        d.inUse = (d.inUse &+ npages) & W(0xFFFF)
        d.lastInUse = W.select(newGeneration, d.inUse, d.lastInUse)  // BUG: after the addition
        d.flags = W.select(d.inUse == W(Geometry.pallocChunkPages), d.flags & ~ScavChunkData<W>.hasFree, d.flags)
    }

    /// scavChunkData.free adding npages.
    static func scavChunkFree<W: SumWord>(_ d: inout ScavChunkData<W>, _ npages: W, newGen: W) {
        let newGeneration = d.gen != newGen
        d.lastInUse = W.select(newGeneration, d.inUse, d.lastInUse)
        d.gen = newGen & W(0xFFFF_FFFF)
        d.inUse = (d.inUse &+ npages) & W(0xFFFF)  // BUG: wrong sign
        d.flags = d.flags | ScavChunkData<W>.hasFree
    }

    /// shouldScavenge with `>` for the density test.
    static func scavChunkShouldScavenge<W: SumWord>(_ d: ScavChunkData<W>, currGen: W, force: Bool) -> W.Condition {
        if force { return !d.isEmpty }
        let hi = ScavChunkData<W>.hiOccPages
        let dense = d.inUse > hi || (d.gen == currGen && d.lastInUse > hi)  // BUG: > for >=
        return !d.isEmpty && !dense
    }
}
