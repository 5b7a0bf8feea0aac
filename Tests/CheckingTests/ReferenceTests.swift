import Testing
import PageAlloc
@testable import Reference

@Suite("Reference allocator and its interval sets")
struct ReferenceTests {
    @Test("IntervalSet insert/remove/contains agree with a Set<UInt64> (random)")
    func intervalSet() {
        var s = IntervalSet()
        var model = Set<UInt64>()
        var x: UInt64 = 5
        for _ in 0..<3000 {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            let lo = (x >> 33) % 200, len = (x >> 20) % 20
            let r = lo..<(lo + len)
            if (x >> 60) & 1 == 0 { s.insert(r); model.formUnion(r) } else { s.remove(r); model.subtract(r) }
            #expect(s.count == UInt64(model.count))
            #expect(s.contains(r) == r.allSatisfy { model.contains($0) })
            #expect(s.intersects(r) == r.contains { model.contains($0) })
            #expect(s.count(in: r) == UInt64(r.filter { model.contains($0) }.count))
            // Sorted, disjoint, not touching.
            for (a, b) in zip(s.intervals, s.intervals.dropFirst()) { #expect(a.upperBound < b.lowerBound) }
        }
    }

    @Test("first fit in offset order across a discontiguous heap")
    func firstFit() throws {
        var r = ReferenceAllocator(geometry: .amd64)
        try r.grow(0xc1_0000_0000, 4 << 20)
        try r.grow(0xc0_0000_0000, 4 << 20)
        #expect(try r.alloc(600) == (0, 0))
        #expect(try r.alloc(512) == (0xc0_0000_0000, 4 << 20))
        #expect(try r.alloc(3) == (0xc1_0000_0000, 3 * 8192))
        try r.free(0xc0_0000_0000 + 8192, 2)
        #expect(try r.alloc(2) == (0xc0_0000_2000, 0))
        #expect(throws: InvalidOperation.self) { try r.free(0xc0_0000_0000, 600) }
        #expect(throws: InvalidOperation.self) { try r.allocRange(0xc1_0000_0000, 1) }
    }

    @Test("amd64 offset order: addresses just below 2^64 come before address 0x1000")
    func offsetOrder() throws {
        var r = ReferenceAllocator(geometry: .amd64)
        try r.grow(0x40_0000, 4 << 20)
        try r.grow(0xffff_ffff_f000_0000, 4 << 20)
        #expect(try r.alloc(1).addr == 0xffff_ffff_f000_0000)
        #expect(throws: InvalidOperation.self) { try r.grow(0xffff_ffff_ffc0_0000, 4 << 20) }
    }
}

@Suite("IntervalSet.bits")
struct IntervalBitsTests {
    @Test("bits(from:words:) agrees with contains for random sets and windows")
    func bits() {
        var s = IntervalSet()
        var x: UInt64 = 99
        for _ in 0..<200 {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            let lo = (x >> 33) % 1000, len = (x >> 16) % 130
            if (x >> 61) & 1 == 0 { s.insert(lo..<(lo + len)) } else { s.remove(lo..<(lo + len)) }
            let start = (x >> 40) % 900
            let w = s.bits(from: start, words: 3)
            for k in 0..<UInt64(192) { #expect(((w[Int(k / 64)] >> (k % 64)) & 1 == 1) == s.contains(start + k)) }
        }
    }
}
