// Go 1.21+'s scavenge index (mgcscavenge.go: scavengeIndex with init, grow,
// find, alloc, free, nextGen, setEmpty, and Go 1.21's setNoHugePage;
// mpagealloc_64bit.go / mpagealloc_32bit.go: its sysInit and sysGrow;
// mranges.go: atomicOffAddr). One packed scavChunkData word per chunk of
// the address space, read and written with SummaryCore's ScavChunkData, the
// code the prover proves.

import OSMemory
import struct SummaryCore.ScavChunkData

/// Mirrors `atomicOffAddr` (mranges.go): an address in the linear address
/// space that may be "marked" (stored negated) so that concurrent lowerings
/// do not pass over a raise. The zero value reads as minOffAddr: cleared.
public struct AtomicOffAddr: Equatable, Sendable {
    /// The linear address, negated while marked.
    public internal(set) var raw: Int64 = 0

    /// Mirrors Load: the address and whether it was marked.
    public func load(_ space: OffsetSpace) -> (addr: UInt64, marked: Bool) {
        (space.unlinear(UInt64(raw < 0 ? -raw : raw)), raw < 0)
    }

    /// Mirrors StoreMin: lowers to addr unless it already is lower or marked.
    mutating func storeMin(_ addr: UInt64, _ space: OffsetSpace) {
        let new = Int64(bitPattern: space.linear(addr))
        if raw < new { return }
        raw = new
    }

    /// Mirrors StoreUnmark: replaces the marked markedAddr by newAddr, unmarked.
    mutating func storeUnmark(_ markedAddr: UInt64, _ newAddr: UInt64, _ space: OffsetSpace) {
        if raw == -Int64(bitPattern: space.linear(markedAddr)) { raw = Int64(bitPattern: space.linear(newAddr)) }
    }

    /// Mirrors StoreMarked.
    mutating func storeMarked(_ addr: UInt64, _ space: OffsetSpace) { raw = -Int64(bitPattern: space.linear(addr)) }

    /// Mirrors Clear: back to minOffAddr, unless marked.
    mutating func clear(_ space: OffsetSpace) {
        if raw < 0 { return }
        raw = Int64(bitPattern: space.linear(space.minOffAddr.a))
    }
}

/// Mirrors Go 1.21+'s `scavengeIndex`.
///
/// On the 64-bit layout `chunks` is a reservation of one word per chunk of
/// the whole address space, mapped by `grow` from the lowest heap chunk to
/// the highest, so reading an entry nobody mapped is a `Fault`; on the
/// 32-bit layout it is Go's global array (`scavengeIndexArray`), always
/// there, with min 1 and max every chunk.
public final class ScavChunkIndex {
    enum Store {
        case simulated(PageView)
        case global(UnsafeMutablePointer<UInt64>)
    }
    /// Where the entries live: one of the two (see `Store`), apart, so that
    /// an access tests one optional.
    let view: PageView?
    let global: UnsafeMutablePointer<UInt64>?
    /// `len(chunks)`: an entry for every chunk of the address space.
    public let count: UInt64
    let space: OffsetSpace
    let physPageSize: UInt64
    let version: Scavenger

    /// Mirrors `min`, `max` (entries [min, max) are mapped) and `minHeapIdx`
    /// (the lowest chunk grown, where find stops).
    public internal(set) var min: UInt64 = 0
    public internal(set) var max: UInt64 = 0
    public internal(set) var minHeapIdx: UInt64 = 0
    /// Mirrors `searchAddrBg` and `searchAddrForce`.
    public internal(set) var searchAddrBg = AtomicOffAddr()
    public internal(set) var searchAddrForce = AtomicOffAddr()
    /// Mirrors `freeHWM`: the highest page freed in this generation.
    public internal(set) var freeHWM: OffAddr
    /// Mirrors `gen`.
    public internal(set) var gen: UInt32 = 0

    /// Mirrors scavengeIndex.init with its sysInit (the runtime's, not a
    /// test's: the 32-bit array is the global, never charged).
    init(store: Store, count: UInt64, space: OffsetSpace, physPageSize: UInt64, version: Scavenger) {
        switch store {
        case let .simulated(v): (view, global) = (v, nil)
        case let .global(p): (view, global) = (nil, p)
        }
        self.count = count
        self.space = space
        self.physPageSize = physPageSize
        self.version = version
        freeHWM = space.minOffAddr
        searchAddrBg.clear(space)
        searchAddrForce.clear(space)
        if global != nil {
            min = 1  // the 0th chunk is never heap
            max = count
        }
    }

    deinit { global?.deallocate() }

    /// The simulated address of `chunks[0]` (nil for the 32-bit global).
    public var baseAddress: UInt64? { view?.baseAddress }

    // MARK: chunks[ci], bounds-checked as Go's slice is, faulting where unmapped

    /// Mirrors atomicScavChunkData.load: the entry's packed word.
    @inline(__always)
    func word(_ ci: ChunkIdx) throws -> UInt64 {
        guard ci.v < count else { throw GoPanic("index out of range [\(ci.v)] with length \(count) (scavengeIndex.chunks)") }
        if let v = view { return try v.load64(ci.v &* 8, context: "scavengeIndex.chunks[\(ci.v)]") }
        return global.unsafelyUnwrapped[Int(ci.v)]
    }

    /// Mirrors atomicScavChunkData.store.
    @inline(__always)
    func setWord(_ ci: ChunkIdx, _ w: UInt64) throws {
        guard ci.v < count else { throw GoPanic("index out of range [\(ci.v)] with length \(count) (scavengeIndex.chunks)") }
        if let v = view { return try v.store64(ci.v &* 8, w, context: "scavengeIndex.chunks[\(ci.v)]") }
        global.unsafelyUnwrapped[Int(ci.v)] = w
    }

    @inline(__always) func load(_ ci: ChunkIdx) throws -> ScavChunkData<UInt64> { ScavChunkData(packed: try word(ci)) }
    @inline(__always) func store(_ ci: ChunkIdx, _ sc: ScavChunkData<UInt64>) throws { try setWord(ci, sc.packed) }

    /// Chunk ci's packed word, or nil when its memory cannot be read: for
    /// snapshots, never faulting.
    public func peek(_ ci: UInt64) -> UInt64? {
        guard ci < count else { return nil }
        if let v = view { return v.peek64(ci &* 8) }
        return global.unsafelyUnwrapped[Int(ci)]
    }

    // MARK: The index's operations

    /// Mirrors scavengeIndex.find: the highest chunk at or below the cursor
    /// (the forced one when `force`) that shouldScavenge accepts, and the
    /// page to search down from in it; (0, 0) when there is none, and then
    /// the cursor is cleared, unless a raise marked it meanwhile.
    func find(force: Bool) throws -> (ChunkIdx, UInt64) {
        let cursor = Self.cursor(force)
        let (searchAddr, marked) = self[keyPath: cursor].load(space)
        if searchAddr == space.minOffAddr.a { return (ChunkIdx(0), 0) }
        let g = UInt64(gen)
        let start = space.chunkIndex(searchAddr).v
        // Go's loop counts a uint down to minHeapIdx. Chunk 0 is never heap
        // on the platforms Go runs, so minHeapIdx is above 0 and the count
        // never wraps; where it would, the next read is out of range, as in Go.
        var i = start
        while i >= minHeapIdx {
            // A Ready page of entries never written holds only zero words,
            // which shouldScavenge refuses (no hasFree): pass it at once. A
            // heap grown far below the cursor maps millions of them.
            if let first = view?.untouchedReadyPageStart(i &* 8) {
                let lo = first / 8
                if lo > minHeapIdx {
                    i = lo - 1
                } else {
                    // The walk ends in this page; Go's count wraps past 0.
                    i = minHeapIdx == 0 ? UInt64.max : minHeapIdx - 1
                }
                continue
            }
            if try load(ChunkIdx(i)).shouldScavenge(currGen: g, force: force) {
                if i == start { return (ChunkIdx(i), space.chunkPageIndex(searchAddr)) }
                let newSearchAddr = space.chunkBase(ChunkIdx(i)) &+ Geometry.pallocChunkBytes &- Geometry.pageSize
                lower(cursor, from: searchAddr, marked: marked, to: newSearchAddr)
                return (ChunkIdx(i), Geometry.pallocChunkPages - 1)
            }
            i &-= 1
        }
        self[keyPath: cursor].clear(space)
        return (ChunkIdx(0), 0)
    }

    /// The cursor a search of this kind walks: `searchAddrForce` or `searchAddrBg`.
    static func cursor(_ force: Bool) -> ReferenceWritableKeyPath<ScavChunkIndex, AtomicOffAddr> {
        force ? \.searchAddrForce : \.searchAddrBg
    }

    /// find's step down: a marked cursor is unmarked at the new address
    /// (StoreUnmark), an unmarked one only lowered (StoreMin).
    func lower(_ cursor: ReferenceWritableKeyPath<ScavChunkIndex, AtomicOffAddr>, from searchAddr: UInt64, marked: Bool, to newSearchAddr: UInt64) {
        if marked {
            self[keyPath: cursor].storeUnmark(searchAddr, newSearchAddr, space)
        } else {
            self[keyPath: cursor].storeMin(newSearchAddr, space)
        }
    }

    /// Mirrors scavengeIndex.alloc with scavChunkData.alloc: npages of chunk
    /// ci were allocated. Go 1.21 also marks a chunk grown dense as backed
    /// by huge pages (it clears noHugePage).
    @inline(__always)
    func alloc(_ ci: ChunkIdx, _ npages: UInt64) throws {
        var sc = try load(ci)
        if sc.inUse &+ npages > Geometry.pallocChunkPages {
            throw GoThrow("too many pages allocated in chunk?", printed: ["runtime: inUse=\(sc.inUse) npages=\(npages)"])
        }
        sc.alloc(npages, newGen: UInt64(gen))
        if version == .go121 && sc.flags & Self.noHugePage != 0 && sc.inUse > ScavChunkData<UInt64>.hiOccPages {
            sc.flags &= ~Self.noHugePage
        }
        try store(ci, sc)
    }

    /// Mirrors scavengeIndex.free with scavChunkData.free: npages from page
    /// `page` of chunk ci were freed. The free high-water mark and the
    /// forced cursor rise to the last page freed (the cursor marked).
    @inline(__always)
    func free(_ ci: ChunkIdx, _ page: UInt64, _ npages: UInt64) throws {
        var sc = try load(ci)
        if sc.inUse < npages {
            throw GoThrow("allocated pages below zero?", printed: ["runtime: inUse=\(sc.inUse) npages=\(npages)"])
        }
        sc.free(npages, newGen: UInt64(gen))
        try store(ci, sc)
        let addr = space.chunkBase(ci) &+ (page &+ npages &- 1) &* Geometry.pageSize
        if space.lessThan(freeHWM, OffAddr(addr)) { freeHWM = OffAddr(addr) }
        let (searchAddr, _) = searchAddrForce.load(space)
        if space.lessThan(OffAddr(searchAddr), OffAddr(addr)) { searchAddrForce.storeMarked(addr, space) }
    }

    /// Mirrors scavengeIndex.nextGen: a new generation; the background
    /// cursor rises (marked) to the last generation's highest free.
    func nextGen() {
        gen &+= 1
        let (searchAddr, _) = searchAddrBg.load(space)
        if space.lessThan(OffAddr(searchAddr), freeHWM) { searchAddrBg.storeMarked(freeHWM.a, space) }
        freeHWM = space.minOffAddr
    }

    /// Mirrors scavengeIndex.setEmpty: the scavenger is done with chunk ci
    /// until something is freed in it.
    func setEmpty(_ ci: ChunkIdx) throws {
        var sc = try load(ci)
        sc.flags &= ~ScavChunkData<UInt64>.hasFree
        try store(ci, sc)
    }

    /// The candidate fix's skipChunk (not Go's code; see
    /// Variant.fixCandidateScavSkipChunk): the cursor, if still in chunk
    /// ci, moves to the last page of the chunk below.
    func skipChunk(_ ci: ChunkIdx, force: Bool) {
        let cursor = Self.cursor(force)
        let (searchAddr, marked) = self[keyPath: cursor].load(space)
        if searchAddr == space.minOffAddr.a || space.chunkIndex(searchAddr) != ci { return }
        lower(cursor, from: searchAddr, marked: marked, to: space.chunkBase(ci) &- Geometry.pageSize)
    }

    /// Go 1.21's `scavChunkNoHugePage` flag (bit 1).
    static let noHugePage: UInt64 = 2

    /// Mirrors Go 1.21's scavengeIndex.setNoHugePage: scavengeOne is about
    /// to break up the chunk's huge pages.
    func setNoHugePage(_ ci: ChunkIdx) throws {
        var sc = try load(ci)
        if sc.flags & Self.noHugePage != 0 { return }
        sc.flags |= Self.noHugePage
        try store(ci, sc)
    }

    /// Mirrors scavengeIndex.grow and its sysGrow: minHeapIdx comes down to
    /// the new base's chunk (0 reads as "unset", as in Go), and on the
    /// 64-bit layout the entries from the lowest heap chunk to the highest
    /// are mapped, contiguously, never a page twice. Returns the bytes mapped.
    func grow(_ base: UInt64, _ limit: UInt64, mem: AddressSpace, _ sysStat: SysMemStat) throws -> UInt64 {
        let baseIdx = space.chunkIndex(base).v
        if minHeapIdx == 0 || baseIdx < minHeapIdx { minHeapIdx = baseIdx }
        guard let view else { return 0 }
        if base % Geometry.pallocChunkBytes != 0 || limit % Geometry.pallocChunkBytes != 0 {
            throw GoThrow("sysGrow bounds not aligned to pallocChunkBytes",
                          printed: ["runtime: base = 0x\(String(base, radix: 16)), limit = 0x\(String(limit, radix: 16))"])
        }
        let perPage = physPageSize / 8
        let haveMin = min, haveMax = max
        var needMin = alignDown(space.chunkIndex(base).v, perPage)
        var needMax = alignUp(space.chunkIndex(limit).v, perPage)
        // One contiguous mapping: extend towards what is there already.
        if needMax < haveMin { needMax = haveMin }
        if haveMax != 0 && needMin > haveMax { needMin = haveMax }
        let b = view.baseAddress
        let plain = OffsetSpace(arenaBaseOffset: 0, uintptrMask: ~0, heapAddrBits: 64)
        let have = AddrRange(base: OffAddr(b &+ haveMin &* 8), limit: OffAddr(b &+ haveMax &* 8))
        let need = try plain.subtract(AddrRange(base: OffAddr(b &+ needMin &* 8), limit: OffAddr(b &+ needMax &* 8)), have)
        let size = plain.size(need)
        if size != 0 {
            try mem.sysMap(need.base.a, size, sysStat)
            try mem.sysUsed(need.base.a, size, prepared: size)
            // The bounds move only once the memory is there. Go 1.21 takes
            // 0 for "unset" in both; 1.22 asks only whether max is set.
            if version == .go121 {
                if haveMin == 0 || needMin < haveMin { min = needMin }
                if haveMax == 0 || needMax > haveMax { max = needMax }
            } else {
                if haveMax == 0 || needMin < haveMin { min = needMin }
                if needMax > haveMax { max = needMax }
            }
        }
        return size
    }
}
