import Foundation
import Testing
import PageAlloc
@testable import Checking
@testable import TraceFormat
@testable import Targets
@testable import GoTarget
@testable import Campaigns

@Suite("Trace replay: scenarios with expected results")
struct ReplayTests {
    @Test("every scenario replays clean, and its replay output is itself a trace that replays clean", arguments: scenarioNames())
    func scenarios(_ name: String) throws {
        let t = try scenario(name)
        #expect(!t.steps.isEmpty)
        #expect(t.steps.contains { $0.expected != nil }, "a scenario must pin results")
        let r = try replay(t)
        #expect(r.exitStatus == 0, "\(r.findings)")
        #expect(r.findings.isEmpty && r.invalid == nil)
        let again = try Trace.parse(r.lines.joined(separator: "\n"), file: "replayed")
        #expect(again.operations == t.operations)
        #expect(try replay(again).exitStatus == 0)
        // Every alloc and alloc-range step of the output carries its result.
        #expect(again.steps.allSatisfy { s in
            if case .alloc = s.op { return s.expected != nil }
            if case .allocRange = s.op { return s.expected != nil }
            return true
        })
    }

    @Test("a wrong expected result is a finding (exit 1) and the run goes on")
    func mismatch() throws {
        let t = try Trace.parse("pagealloc-trace 1\ngrow 0xc000000000 0x400000\nalloc 1 -> 0xc000002000 0x2000\nalloc 1 -> 0xc000002000 0x2000\n")
        let r = try replay(t)
        #expect(r.exitStatus == 1)
        #expect(r.findings.count == 1 && r.findings[0].line == 3)
        #expect(r.findings[0].kind == .expectedMismatch(expected: .alloc(addr: 0xc0_0000_2000, scav: 0x2000), actual: .alloc(addr: 0xc0_0000_0000, scav: 0x2000)))
        #expect(r.lines.last == "alloc 1 -> 0xc000002000 0x2000")
    }

    @Test("invalid operations are refused with their line, not applied (exit 2)", arguments: [
        ("grow 0xc000001000 0x400000", "multiples of the 4 MiB"),
        ("grow 0xc000000000 0x400000", "overlaps"),
        ("free 0xc000000000 1", "not allocated"),
        ("free 0xc000000100 1", "not page aligned"),
        ("free 0xd000000000 1", "not grown"),
        ("alloc 0", "alloc 0"),
        ("grow 0xffff800000000000 0x400000", "chunk 0"),
    ])
    func invalid(_ line: String, _ why: String) throws {
        let t = try Trace.parse("pagealloc-trace 1\ngrow 0xc000000000 0x400000\n\(line)\n")
        let r = try replay(t)
        #expect(r.exitStatus == 2)
        #expect(r.invalid?.line == 3)
        #expect(r.invalid?.reason.contains(why) == true, "\(r.invalid?.reason ?? "")")
    }

    @Test("a grow beyond the geometry's heap (an amd64 address on arm64) is refused with its line, not a trap")
    func growBeyondHeap() throws {
        let t = try Trace.parse("pagealloc-trace 1\ngeometry arm64\ngrow 0xffff800000400000 0x400000\n")
        let r = try replay(t)
        #expect(r.exitStatus == 2)
        #expect(r.invalid?.line == 3)
        #expect(r.invalid?.reason.contains("leaves the 48-bit heap") == true, "\(r.invalid?.reason ?? "")")
    }

    @Test("malformed traces are errors naming the line", arguments: [
        ("grow 0x1\n", 2, "usage: grow"),
        ("alloc x\n", 2, "not a number"),
        ("frob 1\n", 2, "unknown operation 'frob'"),
        ("alloc 1\ngeometry amd64\n", 3, "before the first operation"),
        ("geometry vax\n", 2, "unknown geometry"),
        ("grow 0x0 0x400000 -> 0x0\n", 2, "has no result"),
        ("alloc 1 -> 0x0\n", 2, "ADDR SCAV"),
    ])
    func malformed(_ body: String, _ line: Int, _ message: String) {
        let e = #expect(throws: TraceSyntaxError.self) { try Trace.parse("pagealloc-trace 1\n" + body, file: "f.trace") }
        #expect(e?.line == line)
        #expect(e?.description.hasPrefix("f.trace:\(line): ") == true)
        #expect(e?.message.contains(message) == true, "\(e?.message ?? "")")
    }

    @Test("the header is required")
    func header() {
        let e = #expect(throws: TraceSyntaxError.self) { try Trace.parse("# nothing\ngrow 0x0 0x0\n", file: "f") }
        #expect(e?.line == 2)
    }

    @Test("a fault in the code under test is a finding, not a crash, and stops the replay")
    func faultIsFinding() throws {
        // The pre-fix variant of golang/go#40191 leaves searchAddr in the
        // unmapped gap of a discontiguous heap; the next alloc faults.
        // Root entries are 16 GiB: A in entry i-1, B 4 GiB into entry i with
        // one free page left, C at the start of entry i+1.
        let t = try Trace.parse(fortyOneNinetyOne)
        let good = try replay(t, variant: .faithful)
        #expect(good.exitStatus == 0)
        let bad = try replay(t, variant: .preFix40191)
        #expect(bad.exitStatus == 1)
        // First the broken invariant, right after the alloc that set searchAddr...
        #expect(bad.findings.first?.line == 7)
        #expect(bad.findings.first?.kind.signature == "invariant:searchAddr:unmapped")
        // ...then the crash the Fuchsia team saw, on the next alloc.
        guard bad.findings.count == 2, case let .fault(f) = bad.findings[1].kind else {
            Issue.record("expected a fault second, got \(bad.findings)")
            return
        }
        #expect(f.state == .reserved && f.context.hasPrefix("summary[4]"))
        #expect(bad.findings[1].line == 8)
    }
}

/// The shape of golang/go#40191 as a trace: after `alloc 12` the pre-fix
/// searchAddr is 0xc000000000, whose leaf summary page was never mapped.
let fortyOneNinetyOne = """
    pagealloc-trace 1
    grow 0xbc00000000 0x400000
    grow 0xc100000000 0x400000
    grow 0xc400000000 0x400000
    alloc-range 0xc100000000 511
    alloc 512
    alloc 12
    alloc 1
    """
