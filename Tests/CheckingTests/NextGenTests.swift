import Foundation
import Testing
@testable import Checking
import Reference

/// `next-gen`: the scavenge index's nextGen (Go 1.21+), as a trace line.
@Suite("next-gen: syntax, and refused where the target has no generations")
struct NextGenTests {
    @Test("the line is exactly 'next-gen'; it prints back the same; an argument is a syntax error with its line")
    func syntax() throws {
        let t = try Trace.parse("pagealloc-trace 1\ngrow 0xc000000000 0x400000\nnext-gen\n")
        #expect(t.operations.last == .nextGen)
        #expect(Checking.Operation.nextGen.traceText == "next-gen")
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
            var first: [Checking.Operation] = []
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
