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

/// The scavenger's transition rules (ScavengeStep), on snapshots edited the
/// way a scavenger would change them, rightly and wrongly.
@Suite("Scavenge step: the rules every scavenger keeps")
struct ScavengeStepTests {
    /// A heap with 600 pages allocated then freed (free, unscavenged) in
    /// chunk 0, and its full snapshot.
    func heap(_ g: Geometry = .amd64) throws -> (Runner, HeapState) {
        let r = try Runner(geometry: g, checking: .full)
        let base: UInt64 = g.heapAddrBits > 32 ? 0xc0_0000_0000 : 0x1000_0000
        for op: TraceFormat.Operation in [.grow(base: base, bytes: 2 * Geometry.pallocChunkBytes), .alloc(npages: 600),
                                       .free(base: base, npages: 600, scavenged: false)] {
            guard case .applied = r.apply(op) else { Issue.record("setup failed at \(op)"); break }
        }
        let s = (r.targets[0] as! PortTarget).makeState(.full, touched: nil, grew: false)
        return (r, s)
    }

    @Test("a right scavenge passes, and its pages are what the reference adopts")
    func right() throws {
        let (r, before) = try heap()
        var s = before
        s.chunks[0].words[8 + 7] = ~0  // pages 448-511 of chunk 0 released
        let j = ScavengeStep.judge(s, geometry: .amd64, reference: r.reference, released: 64 * 8192)
        #expect(j.broken == nil)
        let first = r.reference.page(0xc0_0000_0000)
        #expect(j.newlyScavenged.intervals == [(first + 448)..<(first + 512)])
        // Nothing released is right too.
        #expect(ScavengeStep.judge(before, geometry: .amd64, reference: r.reference, released: 0).broken == nil)
    }

    @Test("each rule fires by itself (negative controls)")
    func controls() throws {
        let (r, before) = try heap()
        func broken(_ words: String, released: UInt64, _ edit: (inout HeapState) -> Void) {
            var s = before
            edit(&s)
            let j = ScavengeStep.judge(s, geometry: .amd64, reference: r.reference, released: released)
            #expect(j.broken?.contains(words) == true, "expected '\(words)', got \(j.broken ?? "nothing")")
        }
        // A page that was scavenged (chunk 1's last word was never allocated) is not any more.
        broken("was scavenged before", released: 0) { $0.chunks[1].words[8 + 7] &= ~1 }
        // An allocated page scavenged (page 0, allocated in this reference).
        var ref = r.reference
        _ = try ref.allocRange(0xc0_0000_0000, 1)
        var s = before
        s.chunks[0].words[8] |= 1
        #expect(ScavengeStep.judge(s, geometry: .amd64, reference: ref, released: 8192).broken?.contains("is allocated") == true)
        // Released bytes that do not add up.
        broken("became scavenged", released: 8192) { $0.chunks[0].words[8 + 7] = ~0 }
    }

    @Test("a run that is not whole physical pages is caught (golang/go#35445: an unaligned sysUnused), on 64 KiB OS pages")
    func alignment() throws {
        let (r, before) = try heap(.wasm)
        #expect(Geometry.wasm.physPageSize == 65536)
        var s = before
        s.chunks[0].words[8 + 7] = 0b1111_1111 << 8  // pages 456-463: one whole 64 KiB page
        #expect(ScavengeStep.judge(s, geometry: .wasm, reference: r.reference, released: 8 * 8192).broken == nil)
        s.chunks[0].words[8 + 7] = 0b1111_1111 << 5  // pages 453-460: straddles two
        let j = ScavengeStep.judge(s, geometry: .wasm, reference: r.reference, released: 8 * 8192)
        #expect(j.broken?.contains("not aligned to the 65536-byte physical page") == true, "\(j.broken ?? "nothing")")
    }

    @Test("scavenge parses with force and a result; the port runs Go 1.19's scavenger and its results are checked")
    func syntaxAndPort() throws {
        let t = try Trace.parse("pagealloc-trace 1\ngrow 0xc000000000 0x400000\nscavenge 0x10000 force -> 0x10000\nscavenge 8192\n")
        #expect(t.operations.dropFirst() == [.scavenge(nbytes: 0x10000, force: true), .scavenge(nbytes: 8192, force: false)])
        #expect(t.steps[1].expected == .scavenged(released: 0x10000))
        let again = try Trace.parse(t.text())
        #expect(again.operations == t.operations && again.steps.map(\.expected) == t.steps.map(\.expected))
        // Fresh memory is scavenged already: the port releases nothing, and
        // the recorded 0x10000 is a mismatch at line 3.
        let r = try replay(t)
        #expect(r.exitStatus == 1 && r.findings.first?.line == 3, "\(r.lines)")
        // Eight pages allocated (all scavenged) and freed: the scavenger
        // takes exactly them back, then finds nothing more.
        let ok = try Trace.parse("""
            pagealloc-trace 1
            grow 0xc000000000 0x400000
            alloc 8 -> 0xc000000000 0x10000
            free 0xc000000000 8
            scavenge 0x10000 force -> 0x10000
            scavenge 8192 -> 0x0
            alloc 8 -> 0xc000000000 0x10000

            """)
        let r2 = try replay(ok)
        #expect(r2.exitStatus == 0, "\(r2.lines)")
    }

    @Test("an alloc-range or free far beyond the address space is refused with its line (exit 2), not a trap in the reference")
    func beyondTheHeap() throws {
        for op in ["alloc-range 0x10000000000000 1", "free 0x10000000000000 1"] {
            let t = try Trace.parse("pagealloc-trace 1\ngrow 0xc000000000 0x400000\n\(op)\n")
            let r = try replay(t)
            #expect(r.exitStatus == 2 && r.invalid?.line == 3 && r.invalid?.reason.contains("leaves the heap address space") == true, "\(op): \(String(describing: r.invalid))")
        }
    }

    @Test("a forced scavenge that releases less than asked while a free, unscavenged page is left is caught (Go 1.19's minHeapIdx sentinel, put back by preFix63385)")
    func exhaustive() throws {
        let t = try Trace.parse("""
            pagealloc-trace 1
            geometry arm64
            grow 0x400000 0x400000
            grow 0xc000000000 0x400000
            alloc 1 -> 0x400000 0x2000
            free 0x400000 1
            scavenge 0x2000 force

            """)
        #expect(try replay(t).exitStatus == 0)
        let bad = try replay(t, variant: .preFix63385)
        #expect(bad.exitStatus == 1 && bad.findings.first?.kind.signature == "invariant:scavenge:forced", "\(bad.lines)")
        #expect(bad.findings.first?.description.contains("page 0x400000 is free and unscavenged") == true)
    }
}
