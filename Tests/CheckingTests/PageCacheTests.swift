import Foundation
import Testing
import PageAlloc
import PortAdapter
@testable import Reference
@testable import Checking
@testable import TraceFormat
@testable import Targets
@testable import GoTarget
@testable import Campaigns

/// The page cache (mpagecache.go): trace syntax, the reference's rules, the
/// port against the reference, the `pageCache` invariant and its negative
/// controls, and the historic bugs around it.
@Suite("Page cache")
struct PageCacheTests {
    /// Chunk A is the last chunk whose leaf summary shares a physical page
    /// with its predecessors (Go's DiscontiguousMappedSumBoundary tests);
    /// chunk B lies 2^20 chunks above it.
    static let a: UInt64 = 0xc0_7fc0_0000
    static let b: UInt64 = 0x4c0_7fc0_0000
    static let page: UInt64 = 8192

    func trace(_ body: String, geometry: String = "amd64") throws -> Trace {
        try Trace.parse("pagealloc-trace 1\ngeometry \(geometry)\n" + body)
    }

    @Test("cache operations parse with an optional P, print back, and carry their results")
    func syntax() throws {
        let t = try trace("""
            grow 0xc000000000 0x400000
            alloc-to-cache -> 0xc000000000 0xffffffffffffffff 0xffffffffffffffff
            cache-alloc 3 -> 0xc000000000 0x6000
            alloc-to-cache 2
            cache-alloc 1 2
            cache-flush 2
            cache-flush
            """)
        #expect(t.operations == [.grow(base: 0xc0_0000_0000, bytes: 0x40_0000), .allocToCache(p: 0), .cacheAlloc(npages: 3, p: 0),
                                 .allocToCache(p: 2), .cacheAlloc(npages: 1, p: 2), .cacheFlush(p: 2), .cacheFlush(p: 0)])
        #expect(t.steps[1].expected == .cache(base: 0xc0_0000_0000, cache: ~0, scav: ~0))
        #expect(t.steps[2].expected == .alloc(addr: 0xc0_0000_0000, scav: 0x6000))
        #expect(try Trace.parse(t.text()) == t)
        #expect(t.text().contains("\ncache-alloc 1 2\ncache-flush 2\ncache-flush\n"))
        // P out of range, a result on a flush, a short result: errors that name the line.
        for (body, line, words) in [("cache-flush 4", 3, "P 4 out of range"), ("cache-flush -> 0x0", 3, "has no result"),
                                    ("alloc-to-cache -> 0x0 0x0", 3, "BASE CACHE-BITS SCAV-BITS")] {
            do {
                _ = try trace(body)
                Issue.record("'\(body)' parsed")
            } catch let e as TraceSyntaxError {
                #expect(e.line == line && e.message.contains(words), "\(e)")
            }
        }
    }

    @Test("the port gives the reference's results; the caches' pages are allocated in the tree and free in the cache")
    func portAgrees() throws {
        let t = try trace("""
            grow 0xc000000000 0x400000
            alloc 3 -> 0xc000000000 0x6000
            alloc-to-cache -> 0xc000000000 0xfffffffffffffff8 0xfffffffffffffff8
            cache-alloc 1 -> 0xc000006000 0x2000
            cache-alloc 5 -> 0xc000008000 0xa000
            alloc-to-cache 1 -> 0xc000080000 0xffffffffffffffff 0xffffffffffffffff
            cache-alloc 2 1 -> 0xc000080000 0x4000
            free 0xc000000000 1
            cache-flush
            alloc 70 -> 0xc000100000 0x8c000
            cache-flush 1
            alloc-to-cache 2 -> 0xc000000000 0xfffffffffffffe01 0xfffffffffffffe00
            """)
        let r = try replay(t, checking: .full)
        #expect(r.exitStatus == 0, "\(r.findings) \(String(describing: r.invalid))")
    }

    @Test("the reference refuses what the runtime never does: refilling a cache that holds pages, freeing pages a cache holds, cache-alloc of 16 pages")
    func refusals() throws {
        let grown = "grow 0xc000000000 0x400000\nalloc-to-cache\n"
        for (body, words) in [("alloc-to-cache", "still holds free pages"), ("free 0xc000002000 1", "free in a page cache"),
                              ("cache-alloc 16", "only below 16 pages"), ("cache-alloc 0", "cache-alloc 0")] {
            let r = try replay(try trace(grown + body))
            #expect(r.exitStatus == 2 && r.invalid?.line == 5 && (r.invalid?.reason.contains(words) ?? false), "\(body): \(String(describing: r.invalid))")
        }
        // Pages a cache gave out are allocated: freeing them is valid.
        let ok = try replay(try trace(grown + "cache-alloc 2 -> 0xc000000000 0x4000\nfree 0xc000000000 2\ncache-flush\nalloc 64 -> 0xc000000000 0x7c000\n"))
        #expect(ok.exitStatus == 0, "\(ok.findings) \(String(describing: ok.invalid))")
    }

    /// A runner that has filled P 0's and P 1's caches.
    func filled() throws -> Runner {
        let r = try Runner(geometry: .amd64, checking: .full)
        for op: TraceFormat.Operation in [.grow(base: 0xc0_0000_0000, bytes: 0x40_0000), .alloc(npages: 3), .allocToCache(p: 0),
                              .cacheAlloc(npages: 2, p: 0), .allocToCache(p: 1)] {
            guard case .applied = r.apply(op) else { Issue.record("filling failed at \(op)"); return r }
        }
        return r
    }

    func verdict(_ r: Runner, _ edit: (inout HeapState) -> Void) -> InvariantVerdict {
        let target = r.targets[0] as! PortTarget
        var s = target.makeState(.full, touched: nil, grew: false)
        edit(&s)
        return Invariant.pageCache.evaluate(InvariantContext(state: s, geometry: .amd64, reference: r.reference))
    }

    @Test("pageCache holds on a healthy heap and fires on each way a cache can be wrong (negative controls)")
    func invariantControls() throws {
        let r = try filled()
        #expect(verdict(r) { _ in } == .holds)
        func broken(_ words: String, _ edit: (inout HeapState) -> Void) {
            let v = verdict(r, edit)
            guard case let .broken(d, _) = v, d.contains(words) else { Issue.record("expected '\(words)', got \(v)"); return }
        }
        // A cache that differs from the reference's.
        broken("the reference's") { $0.pageCaches![0].cache &= ~(1 << 63) }
        // Scavenged bits the reference's cache does not have.
        broken("the reference's") { $0.pageCaches![1].scav &= ~1 }
        // A cached page that the chunk's bitmap says is free.
        broken("says are free") { s in
            let w = Int((s.pageCaches![0].base - 0xc0_0000_0000) / (64 * Self.page))
            s.chunks[0].words[w] &= ~(1 << 63)
        }
        // A cached page still marked scavenged in the chunk.
        broken("still marked scavenged") { s in
            let w = Int((s.pageCaches![0].base - 0xc0_0000_0000) / (64 * Self.page))
            s.chunks[0].words[8 + w] |= 1 << 63
        }
        // No report at all: not applicable, never a pass.
        if case .notApplicable = verdict(r, { $0.pageCaches = nil }) {} else { Issue.record("a target without caches must be not applicable") }
    }

    @Test("pageCache's structural checks fire on a state the reference agrees with")
    func structuralControls() throws {
        // A reference whose caches are made to match a wrong target state
        // leaves only the structural rules to fire.
        let r = try filled()
        let target = r.targets[0] as! PortTarget
        var s = target.makeState(.full, touched: nil, grew: false)
        s.pageCaches![2] = s.pageCaches![1]  // two Ps holding the same pages
        var ref = r.reference
        ref.caches[2] = ref.caches[1]
        let v = Invariant.pageCache.evaluate(InvariantContext(state: s, geometry: .amd64, reference: ref))
        guard case let .broken(d, _) = v, d.contains("both hold") else { Issue.record("\(v)"); return }
        // Scavenged marks for a page the cache gave out (page 3, taken by cache-alloc 2).
        var s2 = target.makeState(.full, touched: nil, grew: false)
        var ref2 = r.reference
        s2.pageCaches![0].scav |= 1 << 3
        ref2.caches[0].scav |= 1 << 3
        let v2 = Invariant.pageCache.evaluate(InvariantContext(state: s2, geometry: .amd64, reference: ref2))
        guard case let .broken(d2, _) = v2, d2.contains("does not hold") else { Issue.record("\(v2)"); return }
    }

    @Test("golang/go#38605: allocToCache leaving searchAddr past its block is caught; the faithful port passes")
    func issue38605() throws {
        let t = try trace("""
            grow \(hex(Self.a)) 0x400000
            grow \(hex(Self.b)) 0x400000
            alloc-range \(hex(Self.a)) 511
            alloc-range \(hex(Self.b + Self.page)) 511
            alloc-to-cache -> \(hex(Self.a + 448 * Self.page)) 0x8000000000000000 0x8000000000000000
            alloc-to-cache 1 -> \(hex(Self.b)) 0x1 0x1
            alloc-to-cache 2 -> 0x0 0x0 0x0
            """)
        #expect(try replay(t).exitStatus == 0)
        let bad = try replay(t, variant: .preFix38605)
        #expect(bad.exitStatus == 1)
        #expect(bad.findings.first?.kind.signature == "invariant:searchAddr:unmapped", "\(bad.findings)")
        #expect(bad.findings.first?.stepIndex == 4)
    }

    @Test("CL 216697: find1 returning the next page as search index is caught; the faithful port passes")
    func cl216697() throws {
        let t = try trace("""
            grow \(hex(Self.a)) 0x400000
            grow \(hex(Self.b)) 0x400000
            alloc 511 -> \(hex(Self.a)) 0x3fe000
            alloc 1 -> \(hex(Self.a + 511 * Self.page)) 0x2000
            alloc 1 -> \(hex(Self.b)) 0x2000
            alloc 511 -> \(hex(Self.b + Self.page)) 0x3fe000
            alloc 1 -> 0x0 0x0
            """)
        #expect(try replay(t).exitStatus == 0)
        let bad = try replay(t, variant: .preFixCL216697)
        #expect(bad.findings.first?.kind.signature == "invariant:searchAddr:unmapped", "\(bad.findings)")
        #expect(bad.findings.first?.stepIndex == 3)
    }

    @Test("golang/go#36113: the 17th disjoint range panics (added last) or drops a range (added inside)")
    func issue36113() throws {
        let grows = (0..<17).map { "grow \(hex(0xc0_0000_0000 + UInt64($0) * 0x80_0000)) 0x400000" }
        let last = try trace(grows.joined(separator: "\n") + "\n")
        #expect(try replay(last).exitStatus == 0)
        #expect(try replay(last, variant: .preFix36113).findings.first?.kind.signature == "panic:slice bounds out")
        let inside = try trace((grows.dropFirst() + [grows[0]]).joined(separator: "\n") + "\n")
        #expect(try replay(inside).exitStatus == 0)
        #expect(try replay(inside, variant: .preFix36113).findings.first?.kind.signature == "invariant:inUseShape")
    }

    @Test("golang/go#35954: a grow ending at 2^32 is refused as the runtime never issues it; under the variant Go's throw is the finding")
    func issue35954() throws {
        let t = try trace("grow 0xffc00000 0x400000\n", geometry: "386")
        let r = try replay(t)
        #expect(r.exitStatus == 2 && (r.invalid?.reason.contains("35954") ?? false))
        let bad = try replay(t, variant: .preFix35954)
        #expect(bad.findings.first?.kind.signature == "throw:attempted to add zero-sized address range")
        // The chunk below the top stays valid.
        #expect(try replay(try trace("grow 0xff800000 0x400000\nalloc 512 -> 0xff800000 0x400000\n", geometry: "386")).exitStatus == 0)
    }

    @Test("shrink pass lowerPs renames caches down while names stay apart")
    func lowerPs() {
        let ops: [TraceFormat.Operation] = [.allocToCache(p: 2), .cacheAlloc(npages: 1, p: 2), .allocToCache(p: 3)]
        let c = ShrinkPass.lowerPs.candidates(ops, .amd64)
        #expect(c.contains([.allocToCache(p: 1), .cacheAlloc(npages: 1, p: 1), .allocToCache(p: 3)]))
        // P 3 cannot move to P 2 while P 2 is in use: one candidate only.
        #expect(c.count == 1)
    }
}
