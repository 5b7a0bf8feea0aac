import Foundation
import Testing
import PageAlloc
@testable import Checking
@testable import TraceFormat
@testable import Targets
@testable import GoTarget
@testable import Campaigns

/// Traces whose expected results were produced by Go 1.19.8's own runtime
/// page allocator (GoDriver/golden/regen.sh): the port must reproduce every
/// address and scavenged byte count.
@Suite("Golden traces from Go's runtime")
struct GoldenTests {
    static func names() -> [String] {
        let dir = packageRoot.appendingPathComponent("traces/golden")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".trace") }.sorted()
    }

    @Test("there are golden traces for amd64 and 386")
    func present() {
        let n = Self.names()
        #expect(n.filter { $0.hasPrefix("amd64-") }.count >= 40)
        #expect(n.filter { $0.hasPrefix("386-") }.count >= 20)
    }

    @Test("the port gives Go's results on every golden trace", arguments: names())
    func replayGolden(_ name: String) throws {
        let url = packageRoot.appendingPathComponent("traces/golden/\(name)")
        let t = try Trace.parse(String(contentsOf: url, encoding: .utf8), file: name)
        #expect(t.steps.contains { $0.expected != nil })
        // Every invariant after every operation, the full walk only at the end.
        let r = try replay(t, checking: .incremental(fullEvery: 0))
        #expect(r.exitStatus == 0, "\(r.findings.prefix(3)) \(r.invalid.map { "\($0)" } ?? "")")
    }

    @Test("growing the last 32-bit chunk throws as Go 1.19 does (base+size wraps to 0); the runtime never issues it since golang/go#35954")
    func lastChunkOn386() throws {
        let t = try Trace.parse("pagealloc-trace 1\ngeometry 386\ngrow 0xffc00000 0x400000\n")
        #expect(try replay(t).exitStatus == 2)
        let r = try replay(t, variant: .preFix35954)
        #expect(r.exitStatus == 1)
        #expect(r.findings.first?.kind == .goThrow(GoThrow("attempted to add zero-sized address range",
                                                          printed: ["runtime: range = {0xffc00000, 0x0}"])))
    }
}
