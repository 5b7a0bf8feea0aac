import Testing
import OSMemory
import PageAlloc
import PortAdapter
import Reference
@testable import Checking
@testable import TraceFormat
@testable import Targets
@testable import GoTarget
@testable import Campaigns

/// Negative controls: each invariant, by name, must fire on a state
/// corrupted in the way it guards against; and none fires on a healthy run.
@Suite("Invariants and their negative controls", .serialized)
struct InvariantTests {
    let chunk = Geometry.pallocChunkBytes

    /// A healthy amd64 heap: two pieces 4 GiB apart, some allocations.
    func healthy() throws -> Runner {
        let r = try Runner(geometry: .amd64, checking: .full)
        for op: Operation in [.grow(base: 0xc0_0000_0000, bytes: 2 * chunk), .grow(base: 0xc1_0000_0000, bytes: chunk),
                              .alloc(npages: 3), .alloc(npages: 700), .free(base: 0xc0_0000_2000, npages: 1, scavenged: false)] {
            guard case .applied = r.apply(op) else { Issue.record("healthy run failed at \(op)"); return r }
        }
        return r
    }

    func fired(_ r: Runner) -> [String] {
        let ctx = InvariantContext(port: r.port, reference: r.reference, touched: nil, full: true)
        return Invariant.all.filter {
            if case .broken = $0.evaluate(ctx) { return true }
            return false
        }.map(\.name)
    }

    @Test("no invariant fires on a healthy heap")
    func healthyHolds() throws {
        #expect(fired(try healthy()) == [])
    }

    @Test("every registered invariant has a distinct name and a statement")
    func registry() {
        let names = Invariant.all.map(\.name)
        #expect(Set(names).count == names.count && names.count == 17)
        #expect(Invariant.all.allSatisfy { !$0.statement.isEmpty })
        #expect(Invariant.named("searchAddr") != nil && Invariant.named("nope") == nil)
    }

    @Test("searchAddr fires when searchAddr leaves inUse")
    func searchAddr() throws {
        let r = try healthy()
        r.port.corruptSearchAddr(OffAddr(0xc0_8000_0000))
        #expect(fired(r).contains("searchAddr"))
    }

    @Test("pruning fires when a free page lies below searchAddr")
    func pruning() throws {
        let r = try healthy()
        r.port.corruptSearchAddr(OffAddr(0xc0_0040_0000))  // inside inUse, above the freed page
        let f = fired(r)
        #expect(f.contains("pruning") && !f.contains("searchAddr"))
    }

    @Test("inUseShape fires when end disagrees with inUse")
    func inUseShape() throws {
        let r = try healthy()
        r.port.corruptEnd(ChunkIdx(r.port.end.v + 1))
        #expect(fired(r).contains("inUseShape"))
    }

    @Test("memory fires when a grown range's summary page is no longer Ready")
    func memoryState() throws {
        let r = try healthy()
        let leafBase = r.port.summaryBase(level: 4)
        let idx = Geometry.amd64.space.chunkIndex(0xc1_0000_0000).v
        let page = (leafBase + idx * 8) & ~UInt64(4095)
        try r.port.mem.sysFault(page, 4096)
        #expect(fired(r).contains("memory"))
    }

    @Test("accounting fires when sysStat is off by a page")
    func memoryAccounting() throws {
        let r = try healthy()
        r.port.sysStat.add(4096)
        #expect(fired(r) == ["accounting"])
    }

    @Test("summaryReady fires when summary memory is Ready that summaryMappedReady does not count")
    func summaryReady() throws {
        let r = try healthy()
        #expect(!fired(r).contains("summaryReady"))
        // Map one more page of the leaf level, far from the heap, behind the
        // allocator's back: the OS holds more than the allocator counted.
        let leafBase = r.port.summaryBase(level: 4)
        let page = (leafBase + 1 << 20) & ~UInt64(4095)
        try r.port.mem.sysMap(page, 4096, SysMemStat(name: "test"))
        try r.port.mem.sysUsed(page, 4096, prepared: 4096)
        let f = fired(r)
        #expect(f.contains("summaryReady") && !f.contains("memory"), "\(f)")
    }

    @Test("scavIndex: holds on the port's own index; on Go-shaped snapshots it holds when right and fires when wrong, in both index forms")
    func scavIndex() throws {
        func verdict(_ r: Runner, _ edit: (inout HeapState) -> Void) -> InvariantVerdict {
            var s = InvariantContext(port: r.port, reference: r.reference, touched: nil, full: true).state
            edit(&s)
            return Invariant.scavIndex.evaluate(InvariantContext(state: s, geometry: .amd64, reference: r.reference))
        }
        func broken(_ v: InvariantVerdict) -> Bool { if case .broken = v { return true }; return false }
        let r = try healthy()
        // The port keeps Go 1.19's bitmap index, and a healthy run keeps it right.
        #expect(verdict(r, { _ in }) == .holds)
        #expect(broken(verdict(r) { s in for k in s.chunks.indices { s.chunks[k].scavIndex = 0 } }))
        // Go 1.21+ form, filled right from the bitmaps: holds.
        func packed(_ c: ChunkBits, hasFree: Bool) -> UInt64 {
            let inUse = (0..<8).reduce(0) { $0 + c.alloc($1).nonzeroBitCount }
            return UInt64(inUse) | (hasFree ? 1 << 26 : 0) | 7 << 32
        }
        let right = verdict(r) { s in
            s.scavIndexKind = .chunkData
            for k in s.chunks.indices { s.chunks[k].scavIndex = packed(s.chunks[k], hasFree: true) }
        }
        #expect(right == .holds)
        // A wrong count of allocated pages.
        #expect(broken(verdict(r) { s in
            s.scavIndexKind = .chunkData
            for k in s.chunks.indices { s.chunks[k].scavIndex = packed(s.chunks[k], hasFree: true) + (k == 0 ? 1 : 0) }
        }))
        // The chunk holding the freed (unscavenged) page not marked as having free pages.
        #expect(broken(verdict(r) { s in
            s.scavIndexKind = .chunkData
            for k in s.chunks.indices { s.chunks[k].scavIndex = packed(s.chunks[k], hasFree: k != 0) }
        }))
        // An entry whose memory is not mapped.
        #expect(broken(verdict(r) { s in
            s.scavIndexKind = .chunkData
            for k in s.chunks.indices { s.chunks[k].scavIndex = k == 0 ? nil : packed(s.chunks[k], hasFree: true) }
        }))
        // Go 1.19 form: the bit set holds, the bit clear fires...
        #expect(verdict(r) { s in s.scavIndexKind = .chunkBitmap; for k in s.chunks.indices { s.chunks[k].scavIndex = 1 } } == .holds)
        #expect(broken(verdict(r) { s in s.scavIndexKind = .chunkBitmap; for k in s.chunks.indices { s.chunks[k].scavIndex = 0 } }))
        // ...unless the only free unscavenged pages were freed as "scavenged" (Go 1.19's free flag).
        let claimed = try Runner(geometry: .amd64, checking: .full)
        for op: Operation in [.grow(base: 0xc0_0000_0000, bytes: chunk), .alloc(npages: 5),
                              .free(base: 0xc0_0000_2000, npages: 1, scavenged: true)] {
            guard case .applied = claimed.apply(op) else { Issue.record("run failed at \(op)"); return }
        }
        #expect(verdict(claimed) { s in s.scavIndexKind = .chunkBitmap; for k in s.chunks.indices { s.chunks[k].scavIndex = 0 } } == .holds)
    }

    @Test("leaves fires on a leaf summary that does not match its bitmap")
    func leaves() throws {
        let r = try healthy()
        let idx = Int(Geometry.amd64.space.chunkIndex(0xc1_0000_0000).v)
        try r.port.corruptSummary(level: 4, index: idx, Geometry.amd64.sums.pack(5, 5, 5))
        #expect(fired(r).contains("leaves"))
    }

    @Test("merge fires on a parent that is not the merge of its children")
    func merge() throws {
        let r = try healthy()
        let idx = Geometry.amd64.space.offAddrToLevelIndex(28, OffAddr(0xc1_0000_0000))
        try r.port.corruptSummary(level: 2, index: idx, Geometry.amd64.sums.pack(1, 1, 1))
        let f = fired(r)
        #expect(f.contains("merge") && !f.contains("leaves"))
    }

    @Test("wellFormed fires on start > max")
    func wellFormed() throws {
        let r = try healthy()
        let idx = Geometry.amd64.space.offAddrToLevelIndex(22, OffAddr(0xc1_0000_0000))
        try r.port.corruptSummary(level: 4, index: idx, Geometry.amd64.sums.pack(9, 3, 0))
        #expect(fired(r).contains("wellFormed"))
    }

    @Test("scavengedFree fires on an allocated page marked scavenged")
    func scavengedFree() throws {
        let r = try healthy()
        let data = try #require(r.port.tryChunkOf(Geometry.amd64.space.chunkIndex(0xc0_0000_0000)))
        data.scavenged.set(0)  // page 0 is allocated
        #expect(fired(r).contains("scavengedFree"))
    }

    @Test("allocatedPages fires when the bitmap disagrees with the reference")
    func allocatedPages() throws {
        let r = try healthy()
        let data = try #require(r.port.tryChunkOf(Geometry.amd64.space.chunkIndex(0xc1_0000_0000)))
        data.palloc.bits.set(511)
        #expect(fired(r).contains("allocatedPages"))
    }

    @Test("the incremental check sees the corruption in the chunk an operation touches")
    func incremental() throws {
        let r = try Runner(geometry: .amd64, checking: .incremental(fullEvery: 0))
        _ = r.apply(.grow(base: 0xc0_0000_0000, bytes: 2 * chunk))
        let data = try #require(r.port.tryChunkOf(Geometry.amd64.space.chunkIndex(0xc0_0000_0000)))
        data.palloc.bits.set(100)  // corrupt chunk 0: page 100 "allocated"...
        data.scavenged.clear(100)  // ...and consistently not scavenged
        // An operation in chunk 0 reveals it; the result itself still matches.
        guard case let .finding(f, _) = r.apply(.allocRange(base: 0xc0_0000_0000, npages: 1)) else {
            Issue.record("the corruption went unseen")
            return
        }
        #expect(["invariant:leaves", "invariant:allocatedPages", "invariant:scavengedFree"].contains(f.kind.signature), "\(f)")
    }

    @Test("a corruption in an untouched chunk escapes the incremental check and is caught by the full walk")
    func fullWalk() throws {
        let r = try Runner(geometry: .amd64, checking: .incremental(fullEvery: 0))
        _ = r.apply(.grow(base: 0xc0_0000_0000, bytes: 2 * chunk))
        let data = try #require(r.port.tryChunkOf(Geometry.amd64.space.chunkIndex(0xc0_0040_0000)))
        data.palloc.bits.set(7)  // chunk 1
        data.scavenged.clear(7)
        guard case .applied = r.apply(.allocRange(base: 0xc0_0000_0000, npages: 1)) else {
            Issue.record("chunk 0's operation should not look at chunk 1")
            return
        }
        let f = try #require(r.finish())
        #expect(f.atEnd && f.kind.signature.hasPrefix("invariant:"))
    }
}

@Suite("heapReleased: the runtime's count of released heap bytes")
struct HeapReleasedTests {
    @Test("holds through grows, allocations, a cache and scavenges on the port's simulated heap; fires when the count or a scavenged bit is off")
    func heapReleased() throws {
        let r = try Runner(geometry: .amd64, checking: .full)
        let chunk = Geometry.pallocChunkBytes
        for op: Operation in [.grow(base: 0xc0_0000_0000, bytes: 2 * chunk), .alloc(npages: 700), .allocToCache(p: 1),
                              .free(base: 0xc0_0000_0000, npages: 600, scavenged: false), .scavenge(nbytes: 0x10_0000, force: false),
                              .cacheAlloc(npages: 3, p: 1), .alloc(npages: 40)] {
            guard case .applied = r.apply(op) else { Issue.record("run failed at \(op)"); return }
        }
        let t = try #require(r.targets[0] as? PortTarget)
        let s = t.makeState(.full, touched: nil, grew: true)
        func verdict(_ s: HeapState) -> InvariantVerdict {
            Invariant.heapReleased.evaluate(InvariantContext(state: s, geometry: .amd64, reference: r.reference))
        }
        #expect(verdict(s) == .holds)
        // Something was released and something reused: the count moved both ways.
        #expect(t.port.heapReleased > 0 && (s.simulatedMemory?.heapReleased ?? 0) > 0)
        var off = s
        off.simulatedMemory?.heapReleased! += 8192
        if case .broken = verdict(off) {} else { Issue.record("an extra page counted as released must fire") }
        var bit = s
        bit.chunks[0].words[8] ^= 1 << 63
        if case .broken = verdict(bit) {} else { Issue.record("a scavenged bit nobody counted must fire") }
        // Not judged on a partial snapshot, nor where nobody keeps the count.
        var partial = s
        partial.full = false
        if case .notApplicable = verdict(partial) {} else { Issue.record("partial snapshots are not judged") }
        var none = s
        none.simulatedMemory?.heapReleased = nil
        if case .notApplicable = verdict(none) {} else { Issue.record("no count, no verdict") }
    }
}
