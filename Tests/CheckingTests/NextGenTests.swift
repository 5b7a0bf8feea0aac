import Foundation
import Testing
@testable import Checking
import Reference
import PageAlloc
@testable import TraceFormat
@testable import Targets
@testable import GoTarget
@testable import Campaigns

/// `next-gen`: the scavenge index's nextGen (Go 1.21+), as a trace line.
@Suite("next-gen: syntax, and refused where the target has no generations")
struct NextGenTests {
    @Test("the line is exactly 'next-gen'; it prints back the same; an argument is a syntax error with its line")
    func syntax() throws {
        let t = try Trace.parse("pagealloc-trace 1\ngrow 0xc000000000 0x400000\nnext-gen\n")
        #expect(t.operations.last == .nextGen)
        #expect(TraceFormat.Operation.nextGen.traceText == "next-gen")
        #expect(try Trace.parseOperation("next-gen") == .nextGen)
        #expect(throws: TraceSyntaxError.self) { try Trace.parse("pagealloc-trace 1\nnext-gen 1\n") }
    }

    @Test("the port (Go 1.19's scavenger) refuses it: exit status 2 at its line, nothing applied")
    func portRefuses() throws {
        let t = try Trace.parse("pagealloc-trace 1\ngrow 0xc000000000 0x400000\nalloc 1\nnext-gen\nalloc 1\n")
        let r = try replay(t)
        #expect(r.exitStatus == 2)
        #expect(r.invalid?.line == 4)
        #expect(r.invalid?.reason.contains("no scavenger generations") == true, "\(String(describing: r.invalid))")
    }

    @Test("the generator draws next-gen only for targets with generations: the port's seeds are the seeds they were")
    func generatorMix() {
        var withGen = 0
        for seed in UInt64(0)..<40 {
            var a = OperationGenerator(geometry: .amd64, source: RandomChoices(seed: seed), scavenge: true)
            var b = OperationGenerator(geometry: .amd64, source: RandomChoices(seed: seed), scavenge: true, nextGen: true)
            var ref = ReferenceAllocator(geometry: .amd64)
            var first: [TraceFormat.Operation] = []
            for _ in 0..<50 {
                let op = a.next(ref)
                if (try? ref.apply(op)) != nil { first.append(op) }
            }
            #expect(!first.contains(.nextGen))
            var ref2 = ReferenceAllocator(geometry: .amd64)
            for _ in 0..<200 {
                let op = b.next(ref2)
                if op == .nextGen { withGen += 1 }
                _ = try? ref2.apply(op)
            }
        }
        #expect(withGen > 0)
    }
}

/// `pad`: Go 1.26+'s markRandomPaddingPages, in the reference and judged by
/// scavengedFree.
@Suite("pad: heap-base padding, validated by the reference, judged by scavengedFree")
struct PadTests {
    let base: UInt64 = 0xc0_0000_0000

    @Test("only right after the first grow, at its base, 1 to 511 pages; padding is never freed; the port refuses it")
    func validity() throws {
        var r = ReferenceAllocator(geometry: .amd64)
        _ = try r.apply(.grow(base: base, bytes: 8 << 20))
        #expect(throws: InvalidOperation.self) { _ = try r.apply(.pad(base: base + 0x2000, npages: 3)) }
        #expect(throws: InvalidOperation.self) { _ = try r.apply(.pad(base: base, npages: 512)) }
        _ = try r.apply(.pad(base: base, npages: 3))
        #expect(r.padding.count == 3 && r.allocated.count == 3 && r.freeable.isEmpty)
        #expect(throws: InvalidOperation.self) { _ = try r.apply(.free(base: base, npages: 1, scavenged: false)) }
        // The first allocation lands after the padding and reports its pages scavenged.
        #expect(try r.apply(.alloc(npages: 1)) == .alloc(addr: base + 3 * 0x2000, scav: 0x2000))
        var late = ReferenceAllocator(geometry: .amd64)
        _ = try late.apply(.grow(base: base, bytes: 4 << 20))
        _ = try late.apply(.alloc(npages: 1))
        #expect(throws: InvalidOperation.self) { _ = try late.apply(.pad(base: base, npages: 3)) }
        let t = try Trace.parse("pagealloc-trace 1\ngrow 0xc000000000 0x400000\npad 0xc000000000 3\n")
        let rep = try replay(t)
        #expect(rep.exitStatus == 2 && rep.invalid?.line == 3, "\(rep.lines)")
    }

    /// The port cannot pad, but it can hold the state Go's padding leaves:
    /// pages allocated (allocRange) with their scavenged bits set.
    @Test("scavengedFree holds on padding pages allocated and scavenged; negative controls: padding left unscavenged, or scavenged allocated pages that are not padding")
    func judged() throws {
        var ref = ReferenceAllocator(geometry: .amd64)
        _ = try ref.apply(.grow(base: base, bytes: 4 << 20))
        _ = try ref.apply(.pad(base: base, npages: 3))
        func portState(scavengePadding: Bool) throws -> Runner {
            let r = try Runner(geometry: .amd64, checking: .full)
            _ = r.apply(.grow(base: base, bytes: 4 << 20))
            _ = r.apply(.allocRange(base: base, npages: 3))
            if scavengePadding {
                let data = try #require(r.port.tryChunkOf(Geometry.amd64.space.chunkIndex(base)))
                for i: UInt64 in 0..<3 { data.scavenged.set(i) }
            }
            return r
        }
        func verdict(_ r: Runner, _ reference: ReferenceAllocator) -> InvariantVerdict {
            Invariant.scavengedFree.evaluate(InvariantContext(port: r.port, reference: reference, touched: nil, full: true))
        }
        let good = try portState(scavengePadding: true)
        if case .broken(let why, _) = verdict(good, ref) { Issue.record("padding judged broken: \(why)") }
        let unscavenged = try portState(scavengePadding: false)
        guard case .broken(let why, _) = verdict(unscavenged, ref) else { Issue.record("padding left unscavenged was not caught"); return }
        #expect(why.contains("padding page"), "\(why)")
        // Without padding in the reference, the same scavenged allocated pages are a defect.
        var plain = ReferenceAllocator(geometry: .amd64)
        _ = try plain.apply(.grow(base: base, bytes: 4 << 20))
        _ = try plain.apply(.allocRange(base: base, npages: 3))
        guard case .broken = verdict(good, plain) else { Issue.record("scavenged allocated pages passed without padding"); return }
    }
}
