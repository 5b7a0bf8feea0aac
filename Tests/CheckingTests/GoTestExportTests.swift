import Foundation
import Testing
import PageAlloc
@testable import Checking
@testable import TraceFormat
@testable import Targets
@testable import GoTarget
@testable import Campaigns

/// `verify export-go-test`: what the Go test asserts comes from the
/// reference, not from the trace's recorded (possibly broken) results.
@Suite("export-go-test: a finding as a Go runtime test")
struct GoTestExportTests {
    @Test("the kept Go 1.21+ finding: setup results asserted, the forced scavenge judged against the reference's free pages")
    func keptFinding() throws {
        let path = GoDriverFiles.findingsDirectory + "/go1.27-scavenge-setEmpty-hides-free-pages.trace"
        let trace = try Trace.parse(try String(contentsOfFile: path, encoding: .utf8))
        let name = GoTestExport.testName(forFile: path)
        #expect(name == "TestAllocVerifyGo127ScavengeSetEmptyHidesFreePages")
        let go = try GoTestExport.render(trace, testName: name, source: path)
        #expect(go.contains("func \(name)(t *testing.T) {"))
        #expect(go.contains("p.Grow(PageBase(ChunkIdx(0x203434e), 0), 0x400000)"))
        // alloc before any scavenge: address and scavenged bytes.
        #expect(go.contains("if a, s := p.Alloc(1); a != PageBase(ChunkIdx(0x203434e), 0) || s != 0x2000 {"))
        #expect(go.contains("p.FreeUnscavenged(PageBase(ChunkIdx(0x203434e), 401), 1)"))
        #expect(go.contains("p.ScavengeBackground(0x4000)"))
        // The forced scavenge: the whole chunk is free (the reference's view),
        // and the recorded broken result (-> 0x0) is not asserted.
        #expect(go.contains("if got := p.Scavenge(0x2000); got < 0x2000 {"))
        #expect(go.contains("[]AllocVerifyRun{{0x203434e, 0, 512}}"))
        #expect(!go.contains("!= 0x0 {"))
        #expect(go.contains("if !p.NextGen() {"))
        // One grow: no order twin.
        #expect(!go.contains("SummaryMappedReady"))
        // The companion exists and declares every wrapper the test calls.
        let companion = try String(contentsOfFile: GoTestExport.companionPath, encoding: .utf8)
        for f in ["Grow", "FreeUnscavenged", "ScavengeBackground", "NextGen", "FirstUnscavenged", "AllocRange", "SummaryMappedReady", "MarkRandomPaddingPages"] {
            #expect(companion.contains("func (p *PageAlloc) \(f)("), "\(f)")
        }
    }

    @Test("every kept finding's Go test is committed beside it (traces/go-findings/gotests/) as export-go-test writes it today")
    func committedTests() throws {
        let dir = GoDriverFiles.findingsDirectory
        let traces = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".trace") }.sorted()
        #expect(traces.count >= 5)
        for t in traces {
            let path = dir + "/" + t
            let stem = (t as NSString).deletingPathExtension.map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
            let committed = try String(contentsOfFile: dir + "/gotests/allocverify_\(stem)_test.go", encoding: .utf8)
            let now = try GoTestExport.render(try Trace.parse(try String(contentsOfFile: path, encoding: .utf8)),
                                              testName: GoTestExport.testName(forFile: path), source: path)
            // The copyright line carries the year it was written.
            func body(_ s: String) -> [Substring] { Array(s.split(separator: "\n", omittingEmptySubsequences: false).dropFirst()) }
            #expect(body(committed) == body(now), "\(t): regenerate with verify export-go-test \(t) --out traces/go-findings/gotests")
        }
        // They share the one companion in GoDriver/gotest (gotest.sh finds it), not a copy.
        #expect(!FileManager.default.fileExists(atPath: dir + "/gotests/export_allocverify_test.go"))
        #expect(FileManager.default.fileExists(atPath: GoTestExport.companionPath))
    }

    @Test("grows out of address order get the order twin; after a scavenge, allocations assert their address only")
    func twinAndScav() throws {
        let trace = try Trace.parse("""
        pagealloc-trace 1
        geometry amd64
        grow 0xc000400000 0x400000
        grow 0xc000000000 0x400000
        alloc 1
        scavenge 0x2000 force
        alloc 1
        """)
        let go = try GoTestExport.render(trace, testName: "TestAllocVerifyX", source: "x.trace")
        #expect(go.contains("q.Grow(PageBase(ChunkIdx(0x2030000), 0), 0x400000)\n\tq.Grow(PageBase(ChunkIdx(0x2030001), 0), 0x400000)"))
        #expect(go.contains("p.SummaryMappedReady(), q.SummaryMappedReady()"))
        #expect(go.contains("if a, s := p.Alloc(1); a != PageBase(ChunkIdx(0x2030000), 0) || s != 0x2000 {"))
        #expect(go.contains("if a, s := p.Alloc(1); a != PageBase(ChunkIdx(0x2030000), 1) {"))
    }

    @Test("a trace the exporter cannot write is refused with its reason: another geometry, an invalid operation")
    func refusals() throws {
        let other = try Trace.parse("pagealloc-trace 1\ngeometry 386\ngrow 0x400000 0x400000\n")
        #expect(throws: GoTestExportError.self) { try GoTestExport.render(other, testName: "TestAllocVerifyX", source: "x.trace") }
        let bad = try Trace.parse("pagealloc-trace 1\ngeometry amd64\nfree 0xc000000000 1\n")
        do {
            _ = try GoTestExport.render(bad, testName: "TestAllocVerifyX", source: "x.trace")
            Issue.record("an invalid free was exported")
        } catch let e as GoTestExportError {
            #expect(e.description.contains("x.trace:3"), "\(e.description)")
        }
    }
}
