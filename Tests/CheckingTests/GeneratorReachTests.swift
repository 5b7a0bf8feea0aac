import Foundation
import Testing
import PageAlloc
import Reference
@testable import Checking
@testable import TraceFormat
@testable import Targets
@testable import GoTarget
@testable import Campaigns

/// What the randomized check reaches without golden traces: many disjoint
/// ranges, the edges of the address space, both sides of amd64's
/// arenaBaseOffset wrap, and the page cache mix.
@Suite("Generator reach")
struct GeneratorReachTests {
    /// The grown ranges (coalesced, in offset order) of the first `seeds`
    /// seeds' generated operations on `g`.
    static func heaps(_ g: Geometry, seeds: Range<UInt64>) -> [(seed: UInt64, ranges: [Range<UInt64>], ops: [TraceFormat.Operation])] {
        // The generator against the reference alone (as the runner stages
        // operations), without a target: the same operations, faster.
        seeds.map { s in
            var gen = OperationGenerator(geometry: g, source: RandomChoices(seed: s))
            var r = ReferenceAllocator(geometry: g)
            var ops: [TraceFormat.Operation] = []
            while ops.count < 300 {
                let op = gen.next(r)
                if (try? r.apply(op)) != nil { ops.append(op) }
            }
            return (s, r.grown.intervals, ops)
        }
    }

    @Test("some seeds grow more than 16, and more than 32, disjoint ranges (addrRanges' growth paths)")
    func manyRanges() throws {
        for g in [Geometry.amd64, .i386] {
            let counts = Self.heaps(g, seeds: 0..<200).map(\.ranges.count)
            #expect(counts.contains { $0 > 16 }, "\(g.name): max \(counts.max() ?? 0)")
            #expect(counts.contains { $0 > 32 }, "\(g.name): max \(counts.max() ?? 0)")
        }
    }

    @Test("every geometry's bottom chunk (1) and top chunk are grown by some seed")
    func edges() throws {
        for g in Geometry.all {
            let heaps = Self.heaps(g, seeds: 0..<200)
            let chunkPages = Geometry.pallocChunkPages
            let bottom = heaps.contains { $0.ranges.contains { $0.lowerBound == chunkPages } }
            // The top: the last chunk, or on 32-bit pointers (where the last
            // chunk's grow wraps and is refused) the one below its neighbour.
            let topPage = g.chunkCount * chunkPages
            let top = heaps.contains { $0.ranges.contains { $0.upperBound == topPage || (g.ptrBits == 32 && $0.upperBound == topPage - 2 * chunkPages) } }
            #expect(bottom, "\(g.name): chunk 1 never grown")
            #expect(top, "\(g.name): the top never grown")
        }
    }

    @Test("on amd64 some seed grows on both sides of the arenaBaseOffset wrap: offset order differs from address order")
    func bothSidesOfTheWrap() throws {
        let heaps = Self.heaps(.amd64, seeds: 0..<200)
        let r = ReferenceAllocator(geometry: .amd64)
        let both = heaps.contains { h in
            let bases = h.ranges.map { r.address($0.lowerBound) }
            return bases.contains { $0 >= 0xffff_8000_0000_0000 } && bases.contains { $0 < 0x8000_0000_0000 }
        }
        #expect(both)
    }

    @Test("about half the seeds mix in page cache operations, and the mix reaches every cache operation")
    func cacheMix() throws {
        let heaps = Self.heaps(.amd64, seeds: 0..<100)
        let mixing = heaps.filter { $0.ops.contains { if case .allocToCache = $0 { return true }; return false } }.count
        #expect(mixing > 25 && mixing < 75, "\(mixing)")
        let all = heaps.flatMap(\.ops)
        #expect(all.contains { if case .cacheAlloc = $0 { return true }; return false })
        #expect(all.contains { if case .cacheFlush = $0 { return true }; return false })
    }
}
