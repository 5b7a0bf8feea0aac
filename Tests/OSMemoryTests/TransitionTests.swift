import Testing
@testable import OSMemory

@Suite("Simulated OS memory (runtime/mem.go)")
struct TransitionTests {
    let page: UInt64 = 4096

    @Test("sysReserve -> sysMap -> sysUsed makes memory Ready with Go's accounting")
    func reserveMapUse() throws {
        let m = AddressSpace()
        let stat = SysMemStat(name: "test")
        let v = try #require(m.sysReserve(nil, 4 * page))
        #expect(m.state(at: v) == .reserved)
        #expect(m.mappedReady == 0 && stat.bytes == 0)
        try m.sysMap(v, 2 * page, stat)
        #expect(m.state(at: v) == .prepared && m.state(at: v + page) == .prepared && m.state(at: v + 2 * page) == .reserved)
        #expect(stat.bytes == Int64(2 * page) && m.mappedReady == 0)
        try m.sysUsed(v, 2 * page, prepared: 2 * page)
        #expect(m.state(at: v) == .ready && m.mappedReady == Int64(2 * page))
        #expect(m.bytes(in: .ready) == 2 * page && m.bytes(in: .reserved) == 2 * page)
    }

    @Test("loads and stores fault on every state but Ready, naming address, state and access")
    func faults() throws {
        let m = AddressSpace()
        let stat = SysMemStat(name: "test")
        let v = try #require(m.sysReserve(nil, 3 * page))
        try m.sysMap(v + page, page, stat)
        try m.sysMap(v + 2 * page, page, stat)
        try m.sysUsed(v + 2 * page, page, prepared: page)
        #expect(throws: Fault(address: v + 8, state: .reserved, access: .read, context: "t")) { try m.load64(v + 8, context: "t") }
        let prepared = #expect(throws: Fault.self) { try m.store64(v + page, 1, context: "t") }
        #expect(prepared?.state == .prepared && prepared?.isUndefinedBehaviour == true && prepared?.access == .write)
        #expect(throws: Fault(address: 0x10, state: .none, access: .read, context: "t")) { try m.load64(0x10, context: "t") }
        try m.store64(v + 2 * page + 16, 0xdead, context: "t")
        #expect(try m.load64(v + 2 * page + 16) == 0xdead)
        #expect(try m.load64(v + 2 * page + 24) == 0)
    }

    @Test("storage is sparse: only pages written while Ready hold bytes; leaving Ready forfeits them")
    func sparse() throws {
        let m = AddressSpace()
        let stat = SysMemStat(name: "test")
        let n: UInt64 = 1 << 30  // 1 GiB reservation
        let v = try #require(m.sysReserve(nil, n))
        try m.sysMap(v, n, stat)
        try m.sysUsed(v, n, prepared: n)
        #expect(m.touchedPages == 0)
        try m.store64(v + 5 * page, 7)
        try m.store64(v + 9 * page, 0)  // a zero store to an untouched page allocates nothing
        #expect(m.touchedPages == 1)
        try m.sysUnused(v + 5 * page, page)
        #expect(m.touchedPages == 0)
        #expect(m.mappedReady == Int64(n - page))
        try m.sysUsed(v + 5 * page, page, prepared: page)
        #expect(try m.load64(v + 5 * page) == 0)
    }

    @Test("sysUsed must be told the exact Prepared byte count; it is idempotent on Ready pages")
    func usedPreparedCount() throws {
        let m = AddressSpace()
        let stat = SysMemStat(name: "test")
        let v = try #require(m.sysReserve(nil, 2 * page))
        try m.sysMap(v, 2 * page, stat)
        try m.sysUsed(v, page, prepared: page)
        #expect(throws: SysCallViolation.self) { try m.sysUsed(v, 2 * page, prepared: 2 * page) }
        try m.sysUsed(v, 2 * page, prepared: page)
        #expect(m.mappedReady == Int64(2 * page))
    }

    @Test("preconditions: sysMap only of Reserved, sysUnused/sysFault only of Ready")
    func preconditions() throws {
        let m = AddressSpace()
        let stat = SysMemStat(name: "test")
        let v = try #require(m.sysReserve(nil, 2 * page))
        try m.sysMap(v, page, stat)
        #expect(throws: SysCallViolation.self) { try m.sysMap(v, page, stat) }
        #expect(throws: SysCallViolation.self) { try m.sysUnused(v, page) }
        #expect(throws: SysCallViolation.self) { try m.sysFault(v + page, page) }
        #expect(throws: SysCallViolation.self) { try m.sysMap(v + 3 * page, page, stat) }
        try m.sysUsed(v, page, prepared: page)
        try m.sysFault(v, page)
        #expect(m.state(at: v) == .reserved && m.mappedReady == 0)
    }

    @Test("sysFree and sysUnreserve take exactly a region returned earlier")
    func exactRegions() throws {
        let m = AddressSpace()
        let stat = SysMemStat(name: "test")
        let a = try #require(m.sysAlloc(3 * page, stat))
        #expect(m.state(at: a) == .ready && stat.bytes == Int64(3 * page) && m.mappedReady == Int64(3 * page))
        #expect(throws: SysCallViolation.self) { try m.sysFree(a, page, stat) }
        #expect(throws: SysCallViolation.self) { try m.sysFree(a + page, 2 * page, stat) }
        try m.sysFree(a, 3 * page, stat)
        #expect(m.state(at: a) == .none && stat.bytes == 0 && m.mappedReady == 0)
        let r = try #require(m.sysReserve(nil, 2 * page))
        #expect(throws: SysCallViolation.self) { try m.sysUnreserve(r, page) }
        try m.sysUnreserve(r, 2 * page)
        #expect(m.state(at: r) == .none)
    }

    @Test("sysFree subtracts mappedReady even for memory never made Ready, as Go does")
    func sysFreeAccountingAsGo() throws {
        let m = AddressSpace()
        let stat = SysMemStat(name: "test")
        let r = try #require(m.sysReserve(nil, 2 * page))
        try m.sysFree(r, 2 * page, stat)
        #expect(m.mappedReady == -Int64(2 * page))
        #expect(stat.bytes == -Int64(2 * page))
    }

    @Test("sysReserve honours a free hint and moves elsewhere from a taken one")
    func hints() throws {
        let m = AddressSpace()
        let hint: UInt64 = 0x10_0000_0000
        #expect(m.sysReserve(hint, page) == hint)
        let other = try #require(m.sysReserve(hint, page))
        #expect(other != hint)
    }

    @Test("sysReserveAligned returns an aligned region and trims the rest back to None")
    func aligned() throws {
        let m = AddressSpace(osBase: 0x7f00_0000_1000)
        let align: UInt64 = 1 << 22
        let (p, size) = try #require(m.sysReserveAligned(nil, 2 * page, align))
        #expect(p % align == 0 && size == 2 * page)
        #expect(m.state(at: p) == .reserved && m.state(at: p + page) == .reserved)
        #expect(m.state(at: p - page) == .none && m.state(at: p + 2 * page) == .none)
        try m.sysUnreserve(p, size)
        #expect(m.regions.isEmpty)
    }

    @Test("huge page hints change no state but need owned memory")
    func hugePageHints() throws {
        let m = AddressSpace()
        let a = try #require(m.sysAlloc(page, SysMemStat(name: "t")))
        try m.sysHugePage(a, page)
        try m.sysNoHugePage(a, page)
        #expect(m.state(at: a) == .ready && m.hugePageHints == 1 && m.noHugePageHints == 1)
        #expect(throws: SysCallViolation.self) { try m.sysHugePage(0x1000, page) }
    }
}
