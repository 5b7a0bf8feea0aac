// The scavenger's index of chunks that may hold free, unscavenged pages
// (mgcscavenge.go, Go 1.19: scavengeIndex, find, mark, clear; its storage
// and growth in mpagealloc_64bit.go / mpagealloc_32bit.go).

import OSMemory

/// Mirrors Go 1.19's `scavengeIndex`: one bit per chunk of the whole
/// address space, set when the chunk may hold free pages that are not
/// scavenged, plus a search hint that only moves down, except that a mark
/// above it raises it and flags the raise (the "marked" state of Go's
/// `atomicOffAddr`).
///
/// The bytes live where Go keeps them: on the 64-bit layout, a reservation
/// in simulated memory that `grow` maps piece by piece, so reading a byte
/// nobody mapped is a `Fault`; on the 32-bit layout, Go's global array
/// (`scavengeIndexArray`), which is always there.
public final class ScavengeIndex {
    enum Store {
        case simulated(PageView)
        case global(UnsafeMutablePointer<UInt8>)
    }
    let store: Store
    /// `len(chunks)`: bytes for every chunk of the address space.
    public let nbytes: Int
    let space: OffsetSpace
    let physPageSize: UInt64
    /// Put back golang/go#63385's "unset" sentinel (Go 1.19 as shipped).
    let zeroMeansUnset: Bool

    /// Mirrors `searchAddr` (an `atomicOffAddr`; zero, Go's zero value,
    /// reads back as minOffAddr: "cleared", nothing to search).
    public internal(set) var searchAddr = AtomicOffAddr()
    /// Mirrors `minHeapIdx`, `min` and `max`: byte indices into `chunks`;
    /// [min, max) is mapped on the 64-bit layout.
    public internal(set) var minHeapIdx: Int32 = 0
    public internal(set) var min: Int32 = 0
    public internal(set) var max: Int32 = 0
    /// Whether grow has run (the port's "unset" test for minHeapIdx).
    var grown = false

    init(store: Store, nbytes: Int, space: OffsetSpace, physPageSize: UInt64, zeroMeansUnset: Bool) {
        self.store = store
        self.nbytes = nbytes
        self.space = space
        self.physPageSize = physPageSize
        self.zeroMeansUnset = zeroMeansUnset
    }

    deinit {
        if case let .global(p) = store { p.deallocate() }
    }

    /// The simulated address of `chunks[0]` (nil for the 32-bit global).
    public var baseAddress: UInt64? {
        if case let .simulated(v) = store { return v.baseAddress }
        return nil
    }

    // MARK: chunks[i], bounds-checked as Go's slice is, faulting where unmapped

    func byte(_ i: Int) throws -> UInt8 {
        guard i >= 0 && i < nbytes else { throw GoPanic("index out of range [\(i)] with length \(nbytes) (scavengeIndex.chunks)") }
        switch store {
        case let .global(p): return p[i]
        case let .simulated(v):
            let w = try v.load64(UInt64(i) & ~7, context: "scavengeIndex.chunks[\(i)]")
            return UInt8(truncatingIfNeeded: w >> ((UInt64(i) & 7) * 8))
        }
    }

    /// Whether the aligned 8 bytes holding byte i (all inside `chunks`) are zero.
    func zeroWord(_ i: Int) throws -> Bool {
        guard i >= 7 && i < nbytes else { throw GoPanic("index out of range [\(i)] with length \(nbytes) (scavengeIndex.chunks)") }
        switch store {
        case let .global(p): return UnsafeRawPointer(p + (i & ~7)).loadUnaligned(as: UInt64.self) == 0
        case let .simulated(v): return try v.load64(UInt64(i) & ~7, context: "scavengeIndex.chunks[\(i)]") == 0
        }
    }

    func setByte(_ i: Int, _ b: UInt8) throws {
        guard i >= 0 && i < nbytes else { throw GoPanic("index out of range [\(i)] with length \(nbytes) (scavengeIndex.chunks)") }
        switch store {
        case let .global(p): p[i] = b
        case let .simulated(v):
            let at = UInt64(i) & ~7, shift = (UInt64(i) & 7) * 8
            let w = try v.load64(at, context: "scavengeIndex.chunks[\(i)]")
            try v.store64(at, (w & ~(0xFF << shift)) | (UInt64(b) << shift), context: "scavengeIndex.chunks[\(i)]")
        }
    }

    /// `chunks[i] |= mask` (Go's atomic Or8): one bounds check and one page
    /// lookup for the read; the word is written only when a bit changes, so
    /// a byte that already holds the mask costs a load, as on the hardware
    /// the result is the same. Faults as `byte` does: the read comes first.
    @inline(__always)
    func orByte(_ i: Int, _ mask: UInt8) throws {
        guard i >= 0 && i < nbytes else { throw GoPanic("index out of range [\(i)] with length \(nbytes) (scavengeIndex.chunks)") }
        switch store {
        case let .global(p): p[i] |= mask
        case let .simulated(v):
            let at = UInt64(i) & ~7
            let w = try v.load64(at, context: "scavengeIndex.chunks[\(i)]")
            let set = UInt64(mask) << ((UInt64(i) & 7) * 8)
            if w & set != set { try v.store64(at, w | set, context: "scavengeIndex.chunks[\(i)]") }
        }
    }

    /// Bit ci of the index, or nil when its byte cannot be read: for
    /// snapshots, never faulting.
    public func peekBit(_ ci: ChunkIdx) -> Bool? {
        let i = Int(truncatingIfNeeded: ci.v / 8)
        guard i >= 0 && i < nbytes else { return nil }
        switch store {
        case let .global(p): return (p[i] >> UInt8(ci.v % 8)) & 1 != 0
        case let .simulated(v):
            guard let w = v.peek64(UInt64(i) & ~7) else { return nil }
            return (w >> ((UInt64(i) & 7) * 8 + ci.v % 8)) & 1 != 0
        }
    }

    // MARK: searchAddr

    /// Mirrors atomicOffAddr.Load: the address and whether it was marked.
    public func loadSearchAddr() -> (addr: UInt64, marked: Bool) { searchAddr.load(space) }

    // MARK: The index's operations

    /// Mirrors scavengeIndex.find: the highest marked chunk at or below the
    /// search hint, and the page to start from in it; (0, 0) when there is
    /// none (and then the hint is cleared, unless a mark raised it).
    public func find() throws -> (ChunkIdx, UInt64) {
        let (searchAddr, marked) = loadSearchAddr()
        if searchAddr == space.minOffAddr.a { return (ChunkIdx(0), 0) }
        let minIdx = minHeapIdx
        let searchChunk = space.chunkIndex(searchAddr)
        var i = Int32(truncatingIfNeeded: searchChunk.v / 8)
        while i >= minIdx {
            // Go reads one byte at a time; eight zero bytes of one aligned
            // word (one OS page, so the same fault if any) are skipped at once.
            if i & 7 == 7 && i - 7 >= minIdx, try zeroWord(Int(i)) { i -= 8; continue }
            let b = try byte(Int(i))
            if b == 0 { i -= 1; continue }
            // The highest set bit of the byte is the highest marked chunk.
            let ci = ChunkIdx(UInt64(i) * 8 + UInt64(7 - b.leadingZeroBitCount))
            if searchChunk == ci { return (ci, space.chunkPageIndex(searchAddr)) }
            let newSearchAddr = space.chunkBase(ci) &+ Geometry.pallocChunkBytes &- Geometry.pageSize
            if marked {
                self.searchAddr.storeUnmark(searchAddr, newSearchAddr, space)
            } else {
                self.searchAddr.storeMin(newSearchAddr, space)
            }
            return (ci, Geometry.pallocChunkPages - 1)
        }
        self.searchAddr.clear(space)
        return (ChunkIdx(0), 0)
    }

    /// Mirrors scavengeIndex.mark: marks the chunks of [base, limit) and
    /// raises the search hint (marked) when limit's last page is above it.
    public func mark(_ base: UInt64, _ limit: UInt64) throws {
        let start = space.chunkIndex(base).v
        let end = space.chunkIndex(limit &- Geometry.pageSize).v  // inclusive
        @inline(__always) func or(_ i: UInt64, _ mask: UInt8) throws { try orByte(Int(truncatingIfNeeded: i), mask) }
        if start == end {
            try or(start / 8, 1 << UInt8(start % 8))
        } else if start / 8 == end / 8 {
            try or(start / 8, UInt8(truncatingIfNeeded: (UInt16(1) << UInt16(end - start + 1)) &- 1) << UInt8(start % 8))
        } else {
            let startAligned = (start + 7) & ~7
            let endAligned = end & ~7
            // The top of the first byte, the whole bytes between, the bottom
            // of the last byte (end is inclusive, so at least one bit).
            let width = startAligned - start
            if width > 0 {
                try or(start / 8, UInt8(truncatingIfNeeded: (UInt16(1) << UInt16(width)) &- 1) << UInt8(start % 8))
            }
            var ci = startAligned
            while ci < endAligned {
                try setByte(Int(truncatingIfNeeded: ci / 8), 0xFF)
                ci += 8
            }
            let last = end - endAligned + 1
            try or(end / 8, UInt8(truncatingIfNeeded: (UInt16(1) << UInt16(last)) &- 1))
        }
        let newSearchAddr = limit &- Geometry.pageSize
        let (searchAddr, _) = loadSearchAddr()
        if space.lessThan(OffAddr(searchAddr), OffAddr(newSearchAddr)) { self.searchAddr.storeMarked(newSearchAddr, space) }
    }

    /// Mirrors scavengeIndex.clear: chunk ci has nothing left to scavenge.
    public func clear(_ ci: ChunkIdx) throws {
        let at = Int(truncatingIfNeeded: ci.v / 8)
        try setByte(at, try byte(at) & ~(1 << UInt8(ci.v % 8)))
    }

    /// Mirrors scavengeIndex.grow (mpagealloc_64bit.go): maps the index bytes
    /// from the lowest to the highest heap chunk, contiguously, never mapping
    /// a page twice (a second mmap would zero it). Returns the bytes mapped.
    ///
    /// Go 1.19 took `min == 0` and `max == 0` for "nothing mapped yet", and
    /// extended a first growth down to byte 0; golang/go#63385 (Go 1.22)
    /// tests `max == 0` only and extends only towards a mapping that exists.
    /// The port runs the fixed tests; `zeroMeansUnset` puts 1.19's back.
    func grow(_ base: UInt64, _ limit: UInt64, mem: AddressSpace, _ sysStat: SysMemStat) throws -> UInt64 {
        guard case let .simulated(view) = store else { return 0 }
        if base % Geometry.pallocChunkBytes != 0 || limit % Geometry.pallocChunkBytes != 0 {
            throw GoThrow("sysGrow bounds not aligned to pallocChunkBytes",
                          printed: ["runtime: base = 0x\(String(base, radix: 16)), limit = 0x\(String(limit, radix: 16))"])
        }
        let haveMin = min, haveMax = max
        var needMin = Int32(truncatingIfNeeded: alignDown(space.chunkIndex(base).v / 8, physPageSize))
        var needMax = Int32(truncatingIfNeeded: alignUp((space.chunkIndex(limit).v + 7) / 8, physPageSize))
        // One contiguous mapping: extend towards what is mapped already.
        if needMax < haveMin { needMax = haveMin }
        if zeroMeansUnset {
            if needMin > haveMax { needMin = haveMax }
        } else if haveMax != 0 && needMin > haveMax {
            needMin = haveMax
        }
        let b = view.baseAddress
        let plain = OffsetSpace(arenaBaseOffset: 0, uintptrMask: ~0, heapAddrBits: 64)
        let have = AddrRange(base: OffAddr(b &+ UInt64(haveMin)), limit: OffAddr(b &+ UInt64(haveMax)))
        let need = try plain.subtract(AddrRange(base: OffAddr(b &+ UInt64(needMin)), limit: OffAddr(b &+ UInt64(needMax))), have)
        let size = plain.size(need)
        if size != 0 {
            try mem.sysMap(need.base.a, size, sysStat)
            try mem.sysUsed(need.base.a, size, prepared: size)
            // The bounds move only once the memory is there.
            if zeroMeansUnset {
                if haveMin == 0 || needMin < haveMin { min = needMin }
                if haveMax == 0 || needMax > haveMax { max = needMax }
            } else {
                if haveMax == 0 || needMin < haveMin { min = needMin }
                if needMax > haveMax { max = needMax }
            }
        }
        // A lower heap start counts even when nothing had to be mapped. Go
        // 1.19 takes minHeapIdx == 0 for "unset" too, so a heap whose first
        // growth lies in the lowest 8 chunks (minHeapIdx 0) has it raised by
        // the next growth, and find never walks down to those chunks again:
        // the port tests for "no growth yet" instead (the variant keeps 1.19's).
        let baseIdx = Int32(truncatingIfNeeded: space.chunkIndex(base).v / 8)
        let unset = zeroMeansUnset ? minHeapIdx == 0 : !grown
        if unset || baseIdx < minHeapIdx { minHeapIdx = baseIdx }
        grown = true
        return size
    }
}
