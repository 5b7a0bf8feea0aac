import Testing
@testable import PageAlloc

@Suite("addrRange and addrRanges (mranges.go)")
struct AddrRangesTests {
    let amd = Geometry.amd64.space
    let plain = Geometry.arm64.space

    func r(_ b: UInt64, _ l: UInt64) -> AddrRange { AddrRange(base: OffAddr(b), limit: OffAddr(l)) }

    @Test("add coalesces down, up, both ways, and keeps order")
    func addCoalesces() throws {
        var a = AddrRanges(space: plain)
        try a.add(r(0x1000, 0x2000))
        try a.add(r(0x5000, 0x6000))
        #expect(a.ranges == [r(0x1000, 0x2000), r(0x5000, 0x6000)])
        try a.add(r(0x2000, 0x3000))  // down
        try a.add(r(0x4000, 0x5000))  // up
        #expect(a.ranges == [r(0x1000, 0x3000), r(0x4000, 0x6000)])
        try a.add(r(0x3000, 0x4000))  // both
        #expect(a.ranges == [r(0x1000, 0x6000)])
        try a.add(r(0x100, 0x200))  // before everything
        #expect(a.ranges == [r(0x100, 0x200), r(0x1000, 0x6000)])
        #expect(a.totalBytes == 0x5000 + 0x100)
        #expect(throws: GoThrow.self) { try a.add(r(0x9000, 0x9000)) }
    }

    @Test("findSucc, findAddrGreaterEqual and contains agree with a linear scan over many ranges")
    func searches() throws {
        var a = AddrRanges(space: plain)
        // 40 ranges so the binary-search part of findSucc is exercised.
        for k in 0..<UInt64(40) { try a.add(r(0x10000 * (k + 1), 0x10000 * (k + 1) + 0x8000)) }
        #expect(a.capacity == 64 && a.persistentBytes == 16 * 16 + 32 * 16 + 64 * 16)
        for x in stride(from: UInt64(0), to: 0x10000 * 42, by: 0x1000) {
            let succ = a.ranges.firstIndex { x < $0.base.a } ?? a.ranges.count
            let inside = a.ranges.firstIndex { $0.base.a <= x && x < $0.limit.a }
            #expect(a.findSucc(x) == (inside.map { $0 + 1 } ?? succ), "x \(x)")
            #expect(a.contains(x) == (inside != nil))
            let ge: UInt64? = inside != nil ? x : a.ranges.first { $0.base.a > x }?.base.a
            #expect(try a.findAddrGreaterEqual(x) == ge)
        }
    }

    @Test("findAddrGreaterEqual on an empty list panics as Go's ranges[0] would")
    func emptyPanics() {
        let a = AddrRanges(space: plain)
        #expect(throws: GoPanic.self) { try a.findAddrGreaterEqual(0x1000) }
    }

    @Test("subtract trims either end, empties a covered range, and throws on a hole")
    func subtract() throws {
        #expect(try plain.subtract(r(0x1000, 0x4000), r(0x0, 0x2000)) == r(0x2000, 0x4000))
        #expect(try plain.subtract(r(0x1000, 0x4000), r(0x3000, 0x5000)) == r(0x1000, 0x3000))
        #expect(plain.size(try plain.subtract(r(0x1000, 0x4000), r(0x1000, 0x4000))) == 0)
        #expect(try plain.subtract(r(0x1000, 0x4000), r(0x5000, 0x6000)) == r(0x1000, 0x4000))
        #expect(throws: GoThrow("bad prune", printed: ["runtime: a = [0x1000, 0x4000), b = [0x2000, 0x3000)"])) {
            try plain.subtract(r(0x1000, 0x4000), r(0x2000, 0x3000))
        }
    }

    @Test("offset-space order on amd64: 0xffff800000000000 is lowest, and wraps past 0")
    func offsetOrder() throws {
        let lowest = OffAddr(0xffff_8000_0000_0000)
        #expect(amd.lessThan(lowest, OffAddr(0)))
        #expect(amd.lessThan(OffAddr(0xffff_ffff_ffff_f000), OffAddr(0x1000)))
        #expect(amd.lessThan(OffAddr(0x1000), OffAddr(0x7fff_ffff_f000)))
        #expect(amd.minOffAddr == lowest && amd.maxOffAddr == OffAddr(0x7fff_ffff_ffff))
        #expect(throws: GoThrow.self) { try amd.makeAddrRange(0xffff_ffff_ffc0_0000, 0x40_0000) }
        #expect(try amd.makeAddrRange(0xc0_0000_0000, 0xc0_0040_0000) == r(0xc0_0000_0000, 0xc0_0040_0000))
        #expect(amd.chunkIndex(0xffff_8000_0000_0000) == ChunkIdx(0))
        #expect(amd.chunkBase(ChunkIdx(1)) == 0xffff_8000_0040_0000)
    }
}
