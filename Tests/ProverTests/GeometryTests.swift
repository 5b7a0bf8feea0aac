// The named geometries, and Geometry's validation rule by rule.

import SummaryCore
import Testing

@Suite("Geometry")
struct GeometryTests {
    @Test("named geometries validate and match Go's formulas", arguments: Geometry.named + Geometry.addressOnly)
    func named(g: Geometry) throws {
        try g.validate()
        let derived = try Geometry.derived(
            name: g.name, heapAddrBits: g.heapAddrBits, summaryLevels: g.summaryLevels,
            arenaBaseOffset: g.arenaBaseOffset, pointerBits: g.pointerBits, pallocChunksL1Bits: g.pallocChunksL1Bits)
        #expect(derived == g)
        #expect(g.summaryL0Bits + (g.summaryLevels - 1) * 3 + 22 == g.heapAddrBits)
        #expect(g.levelLogPages[0] <= g.logMaxPackedValue)
    }

    @Test("the named geometries carry Go's per-architecture constants")
    func constants() {
        #expect(Geometry.named.map { $0.name.description } == ["amd64", "arm64", "386", "ios-arm64", "wasm", "mips"])
        #expect(Geometry.named.map(\.heapAddrBits) == [48, 48, 32, 40, 32, 31])
        #expect(Geometry.named.map(\.summaryLevels) == [5, 5, 4, 5, 4, 4])
        #expect(Geometry.named.map(\.pointerBits) == [64, 64, 32, 64, 64, 32])
        #expect(Geometry.named.map(\.pallocChunksL1Bits) == [13, 13, 0, 13, 0, 0])
        #expect(Geometry.amd64.arenaBaseOffset == 0xffff_8000_0000_0000)
        // The address-only ones: aix/ppc64's mmap base, pre-1.17 ios/arm64's 33 bits.
        #expect(Geometry.addressOnly.map { $0.name.description } == ["aix-ppc64", "ios-arm64-go1.16"])
        let aix = Geometry.aixPpc64, ios116 = Geometry.iosArm64Go116
        #expect(aix.arenaBaseOffset == 0x0a00_0000_0000_0000)
        #expect(aix.heapAddrBits == 48)
        #expect(ios116.heapAddrBits == 33)
        #expect(ios116.summaryLevels == 4)
        #expect(ios116.summaryL0Bits == 2)
        #expect(ios116.pallocChunksL1Bits == 0)
        #expect(Geometry.named("aix-ppc64") == Geometry.aixPpc64)
        #expect(Geometry.named.dropFirst().allSatisfy { $0.arenaBaseOffset == 0 })
        #expect(Geometry.amd64.summaryL0Bits == 14 && Geometry.i386.summaryL0Bits == 1 && Geometry.mips.summaryL0Bits == 0)
        #expect(Geometry.amd64.pallocChunksL2Bits == 13 && Geometry.i386.pallocChunksL2Bits == 10)
        #expect(OffAddr<UInt64>.maxOffAddr(.amd64).a == 0x0000_7fff_ffff_ffff)
        #expect(OffAddr<UInt64>.maxOffAddr(.arm64).a == 0x0000_ffff_ffff_ffff)
        #expect(OffAddr<UInt64>.maxOffAddr(.i386).a == 0xffff_ffff)
        #expect(OffAddr<UInt64>.minOffAddr(.amd64).a == 0xffff_8000_0000_0000)
    }

    /// Builds the 48-bit, 5-level table with one thing changed.
    func amd64Like(
        heapAddrBits: Int = 48, levels: Int = 5, bits: [Int] = [14, 3, 3, 3, 3], shifts: [Int] = [34, 31, 28, 25, 22],
        logPages: [Int] = [21, 18, 15, 12, 9], logMax: Int = 21, offset: UInt64 = 0, pointerBits: Int = 64, l1: Int = 13
    ) -> GeometryError? {
        do {
            _ = try Geometry(name: "test", heapAddrBits: heapAddrBits, summaryLevels: levels, levelBits: bits,
                             levelShift: shifts, levelLogPages: logPages, logMaxPackedValue: logMax,
                             arenaBaseOffset: offset, pointerBits: pointerBits, pallocChunksL1Bits: l1)
            return nil
        } catch {
            return error
        }
    }

    @Test("each broken constant is rejected by its rule")
    func rules() {
        #expect(amd64Like() == nil)
        #expect(amd64Like(pointerBits: 48)?.rule == "pointerWidth")
        #expect(amd64Like(heapAddrBits: 40, pointerBits: 32)?.rule == "pointerWidth")
        #expect(amd64Like(bits: [14, 3, 3, 3])?.rule == "tableLength")
        #expect(amd64Like(bits: [14, 3, 4, 3, 2])?.rule == "levelBits")
        #expect(amd64Like(heapAddrBits: 49)?.rule == "constantsEquation")
        #expect(amd64Like(bits: [13, 3, 3, 3, 3])?.rule == "constantsEquation")
        #expect(amd64Like(shifts: [34, 31, 28, 24, 22])?.rule == "levelShift")
        #expect(amd64Like(logMax: 20)?.rule == "logMaxPackedValue")
        #expect(amd64Like(logPages: [24, 18, 15, 12, 9])?.rule == "rootFitsSummary")
        #expect(amd64Like(logPages: [21, 18, 16, 12, 9])?.rule == "levelLogPages")
        #expect(amd64Like(offset: 0x1000)?.rule == "arenaBaseOffset")
        #expect(amd64Like(l1: 27)?.rule == "chunksL1Bits")
        // Six levels fit the equation but three 24-bit fields do not fit below bit 63.
        let six = try? Geometry.derived(name: "six", heapAddrBits: 48, summaryLevels: 6)
        #expect(six == nil)
        #expect((try? Geometry.derived(name: "two", heapAddrBits: 30, summaryLevels: 2)) != nil)
    }

    @Test("32-bit geometries wrap uintptr arithmetic at 2^32")
    func wrap() {
        #expect(Geometry.i386.uintptr(UInt64(0x1_0000_0005)) == 5)
        #expect(Geometry.wasm.uintptr(UInt64(0x1_0000_0005)) == 0x1_0000_0005)
        // limit = 0 is the end of the 32-bit address space: the last summary is included.
        let (lo, hi) = addrsToSummaryRange(level: 0, base: UInt64(0xffc0_0000), limit: 0, .i386)
        #expect(lo == 1 && hi == 2)
        #expect(chunkIndex(UInt64(0xffff_ffff), .i386).value == 1023)
        #expect(chunkBase(ChunkIdx(UInt64(1023)), .i386) == 0xffc0_0000)
    }
}
