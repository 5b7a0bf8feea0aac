import Testing
import OSMemory
@testable import PageAlloc

@Suite("pageAlloc: grow, sysGrow accounting, faults")
struct PageAllocTests {
    let chunk = Geometry.pallocChunkBytes
    let l2Block: Int64 = 8192 * 128  // amd64: 2^13 pallocData of 128 bytes

    @Test("sysInit reserves every level and maps nothing on amd64")
    func initState() throws {
        let p = try PageAlloc(geometry: .amd64)
        #expect(p.mem.mappedReady == 0)
        #expect(p.sysStat.bytes == 256)  // inUse's persistentalloc'd array
        let entries: [UInt64] = [16384, 131072, 1 << 20, 8 << 20, 64 << 20]
        // Plus the scavenge index: a byte per 8 chunks of 2^48 bytes.
        let reservedBytes = entries.reduce(0, +) * 8 + (1 << 48) / (4 << 20) / 8
        #expect(p.mem.bytes(in: .reserved) == reservedBytes)
        #expect(p.searchAddr == Geometry.amd64.space.maxSearchAddr)
        #expect(try p.alloc(1) == (0, 0))
    }

    @Test("sysGrow maps exactly the summary pages Go computes, and the accounting adds up")
    func growAccounting() throws {
        let p = try PageAlloc(geometry: .amd64)
        try p.grow(0xc0_0000_0000, chunk)
        // Level 0 is one block (2^14 entries): mapped whole, 128 KiB; levels
        // 1-4: one OS page each; and one page of the scavenge index (its
        // bytes for these chunks; summaryMappedReady counts it, as Go 1.19 does).
        let summaryBytes: Int64 = 131072 + 4 * 4096 + 4096
        #expect(p.summaryMappedReady == UInt64(summaryBytes))
        #expect(p.mem.mappedReady == summaryBytes + l2Block)
        #expect(p.sysStat.bytes == summaryBytes + l2Block + 256)
        #expect(p.mem.bytes(in: .ready) == UInt64(summaryBytes + l2Block))
        #expect(p.coverage[.growMapsSummaryPages] == 1 && p.coverage[.growNewChunksBlock] == 1)

        // 4 GiB higher: a new leaf page only (levels 1-3 entries share their
        // pages; the index byte is 128 bytes up, on the same page).
        try p.grow(0xc1_0000_0000, chunk)
        #expect(p.summaryMappedReady == UInt64(summaryBytes + 4096))
        #expect(p.mem.mappedReady == summaryBytes + 4096 + l2Block)

        // Right next to the first range: everything it needs is mapped already.
        try p.grow(0xc0_0040_0000, chunk)
        #expect(p.summaryMappedReady == UInt64(summaryBytes + 4096))
        #expect(p.coverage[.growMapsNothing] == 1)
        #expect(p.inUse.ranges.count == 2)
    }

    @Test("in a discontiguous heap the leaf summaries between the pieces stay Reserved")
    func discontiguousGapIsReserved() throws {
        let p = try PageAlloc(geometry: .amd64)
        try p.grow(0xc0_0000_0000, chunk)
        try p.grow(0xc1_0000_0000, chunk)
        let sp = Geometry.amd64.space
        let gapChunk = Int(sp.chunkIndex(0xc0_8000_0000).v)  // 2 GiB above the first piece
        let f = #expect(throws: Fault.self) { try p.readSummary(level: 4, index: gapChunk) }
        #expect(f?.state == .reserved && f?.access == .read)
        #expect(f?.address == p.summaryBase(level: 4) + UInt64(gapChunk) * 8)
        // The grown chunks' leaves are Ready and say "all free".
        let s = try p.readSummary(level: 4, index: Int(sp.chunkIndex(0xc1_0000_0000).v))
        #expect(s == Geometry.amd64.sums.freeChunkSum)
    }

    @Test("a searchAddr in unmapped summary memory faults on the next alloc (the #40191 consequence)")
    func faultThroughAlloc() throws {
        let p = try PageAlloc(geometry: .amd64)
        try p.grow(0xc0_0000_0000, chunk)
        try p.grow(0xc1_0000_0000, chunk)
        p.corruptSearchAddr(OffAddr(0xc0_8000_0000))
        let f = #expect(throws: Fault.self) { try p.alloc(1) }
        #expect(f?.state == .reserved)
        #expect(f?.context.hasPrefix("summary[4]") == true)
    }

    @Test("chunkOf on a missing L2 block of the chunks map is a fault")
    func chunkOfFault() throws {
        let p = try PageAlloc(geometry: .i386)
        let f = #expect(throws: Fault.self) { try p.allocRange(0x1000_0000, 1) }
        #expect(f?.context.contains("nil L2 block") == true && f?.state == MemState.none)
        let q = try PageAlloc(geometry: .amd64)
        try q.grow(0xc0_0000_0000, chunk)
        #expect(throws: Fault.self) { try q.free(0x10_0000_0000, 1) }
    }

    @Test("find's first-free window narrows on nested ranges, ignores disjoint ones, throws 'range partially overlaps'",
          arguments: ["amd64", "386"])
    func firstFreeWindow(_ name: String) throws {
        let g = try Geometry.named(name)
        let sp = g.space
        var w = FirstFreeWindow(sp)
        #expect(w.base == sp.minOffAddr && w.bound == sp.maxOffAddr)
        // A region of 8 chunks, then one chunk inside it, then its tail.
        let region = sp.add(sp.minOffAddr, 64 * chunk)
        try w.found(region, 8 * chunk)
        #expect(w.base == region && w.bound == sp.add(region, 8 * chunk - 1))
        let inner = sp.add(region, 3 * chunk)
        try w.found(inner, chunk)
        // Free space after the window (or before it) changes nothing.
        try w.found(sp.add(region, 5 * chunk), chunk)
        try w.found(sp.add(region, 1 * chunk), chunk)
        #expect(w.base == inner && w.bound == sp.add(inner, chunk - 1))
        let tail = sp.add(inner, 100 * Geometry.pageSize)
        try w.found(tail, chunk - 100 * Geometry.pageSize)
        #expect(w.base == tail && w.bound == sp.add(inner, chunk - 1))
        // A range that starts inside the window and runs past its end: Go throws.
        let t = #expect(throws: GoThrow.self) { try w.found(sp.add(tail, Geometry.pageSize), chunk) }
        #expect(t?.message == "range partially overlaps")
        #expect(t?.printed.first?.hasPrefix("runtime: addr = 0x") == true)
        // So does one that starts before it and ends inside.
        var w2 = FirstFreeWindow(sp)
        try w2.found(inner, chunk)
        #expect(throws: GoThrow.self) { try w2.found(sp.sub(inner, Geometry.pageSize), 2 * Geometry.pageSize) }
    }

    @Test("corrupt leaf summary: alloc's fast path throws 'bad summary data' with Go's printout")
    func badSummaryFastPath() throws {
        let p = try PageAlloc(geometry: .amd64)
        try p.grow(0xc0_0000_0000, chunk)
        _ = try p.alloc(512)  // the chunk is full, summary 0
        let ci = Int(Geometry.amd64.space.chunkIndex(0xc0_0000_0000).v)
        try p.corruptSummary(level: 4, index: ci, Geometry.amd64.sums.pack(0, 5, 0))
        p.corruptSearchAddr(OffAddr(0xc0_0000_0000))
        let t = #expect(throws: GoThrow.self) { try p.alloc(3) }
        #expect(t?.message == "bad summary data")
        #expect(t?.printed.first == "runtime: max = 5, npages = 3")
    }

    @Test("corrupt root summary: find throws 'bad summary data' one level down")
    func badSummaryFind() throws {
        let p = try PageAlloc(geometry: .amd64)
        try p.grow(0xc0_0000_0000, chunk)
        _ = try p.alloc(512)
        let root = Geometry.amd64.space.offAddrToLevelIndex(34, OffAddr(0xc0_0000_0000))
        try p.corruptSummary(level: 0, index: root, Geometry.amd64.sums.pack(0, 1000, 0))
        p.corruptSearchAddr(Geometry.amd64.space.minOffAddr)
        let t = #expect(throws: GoThrow.self) { try p.alloc(600) }
        #expect(t?.message == "bad summary data")
        #expect(t?.printed.contains { $0.hasPrefix("runtime: level = 1, npages = 600") } == true)
    }

    @Test("summary index past the slice length panics like Go's bounds check")
    func boundsPanic() throws {
        let p = try PageAlloc(geometry: .amd64)
        try p.grow(0xc0_0000_0000, chunk)
        #expect(throws: GoPanic.self) { try p.corruptSummary(level: 4, index: p.summaryLen(level: 4), .zero) }
    }

    @Test("32-bit layout maps all summaries at init and grows only slice lengths", arguments: [Geometry.i386, .wasm, .mips])
    func flat32(_ g: Geometry) throws {
        let p = try PageAlloc(geometry: g)
        let ready = p.mem.bytes(in: .ready)
        #expect(ready > 0 && p.summaryMappedReady == ready && p.mem.mappedReady == Int64(ready))
        try p.grow(0x1000_0000, 2 * chunk)
        #expect(p.summaryMappedReady == ready)
        #expect(try p.alloc(600) == (0x1000_0000, 600 * 8192))
        #expect(try p.alloc(1) == (0x1000_0000 + 600 * 8192, 8192))
    }

    @Test("free below searchAddr moves it down; alloc(1) on a full heap sets maxSearchAddr")
    func searchAddrMoves() throws {
        let p = try PageAlloc(geometry: .arm64)
        try p.grow(0x40_0000_0000, chunk)
        #expect(p.searchAddr == OffAddr(0x40_0000_0000))
        #expect(try p.alloc(512) == (0x40_0000_0000, 512 * 8192))
        #expect(try p.alloc(1) == (0, 0))
        #expect(p.searchAddr == Geometry.arm64.space.maxSearchAddr)
        try p.free(0x40_0000_0000 + 7 * 8192, 2)
        #expect(p.searchAddr == OffAddr(0x40_0000_0000 + 7 * 8192))
        #expect(try p.alloc(2) == (0x40_0000_0000 + 7 * 8192, 0))
    }
}

@Suite("pageAlloc: the remaining throw paths")
struct ThrowPathTests {
    @Test("sysGrow refuses bounds that are not chunk aligned")
    func sysGrowAlignment() throws {
        let p = try PageAlloc(geometry: .amd64)
        let t = #expect(throws: GoThrow.self) { try p.sysGrow(0xc0_0000_1000, 0xc0_0040_0000) }
        #expect(t?.message == "sysGrow bounds not aligned to pallocChunkBytes")
        #expect(t?.printed == ["runtime: base = 0xc000001000, limit = 0xc000400000"])
    }

    @Test("no address space for the summary reservations: 'failed to reserve page summary memory'")
    func reserveFails() {
        let tiny = AddressSpace(physPageSize: 4096, osBase: 0x1000, addressLimit: 0x10_0000)
        let t = #expect(throws: GoThrow.self) { try PageAlloc(geometry: .amd64, mem: tiny) }
        #expect(t?.message == "failed to reserve page summary memory")
    }

    @Test("no address space for a chunks L2 block: 'pageAlloc: out of memory'")
    func l2AllocFails() throws {
        // Enough room for the 32-bit summaries (one reservation), none for L2 blocks.
        let mem = AddressSpace(physPageSize: 4096, osBase: 0x1000, addressLimit: 0x1000 + 0x4000)
        let p = try PageAlloc(geometry: .i386, mem: mem)
        let t = #expect(throws: GoThrow.self) { try p.grow(0x1000_0000, 4 << 20) }
        #expect(t?.message == "pageAlloc: out of memory")
    }
}
