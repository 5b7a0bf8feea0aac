import Testing
@testable import PageAlloc

@Suite("Geometries mirror Go's per-architecture constants")
struct GeometryTests {
    @Test("amd64 constants")
    func amd64() {
        let g = Geometry.amd64
        #expect(g.summaryL0Bits == 14 && g.pallocChunksL2Bits == 13)
        #expect(g.levelShift == [34, 31, 28, 25, 22])
        #expect(g.levelLogPages == [21, 18, 15, 12, 9])
        #expect(g.levelBits == [14, 3, 3, 3, 3])
        #expect(g.logMaxPackedValue == 21)
    }

    @Test("32-bit constants (386, mips)")
    func thirtyTwo() {
        #expect(Geometry.i386.levelBits == [1, 3, 3, 3] && Geometry.i386.levelShift == [31, 28, 25, 22])
        #expect(Geometry.i386.logMaxPackedValue == 18 && Geometry.i386.pallocChunksL2Bits == 10)
        #expect(Geometry.mips.levelBits == [0, 3, 3, 3] && Geometry.mips.levelLogPages == [18, 15, 12, 9])
        #expect(Geometry.iosArm64.summaryL0Bits == 6)
    }

    @Test("every named geometry satisfies Go's equation and init check", arguments: Geometry.catalog)
    func valid(_ g: Geometry) throws {
        #expect(g.summaryL0Bits + (g.summaryLevels - 1) * 3 + 22 == g.heapAddrBits)
        #expect(UInt64(g.levelLogPages[0]) <= g.logMaxPackedValue)
        #expect(try Geometry.named(g.name) == g)
    }

    @Test("geometries that break Go's constraints are refused with a reason")
    func invalid() {
        #expect(throws: GeometryError.self) { try Geometry(name: "x", heapAddrBits: 24, summaryLevels: 3, pallocChunksL1Bits: 0, layout: .sparse64) }
        #expect(throws: GeometryError.self) { try Geometry(name: "x", heapAddrBits: 48, summaryLevels: 5, pallocChunksL1Bits: 30, layout: .sparse64) }
        #expect(throws: GeometryError.self) { try Geometry(name: "x", heapAddrBits: 40, summaryLevels: 5, pallocChunksL1Bits: 0, ptrBits: 32, layout: .flat32) }
        #expect(throws: GeometryError.self) { try Geometry.named("vax") }
    }
}
