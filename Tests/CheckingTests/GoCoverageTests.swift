import Foundation
import Testing
@testable import Checking

/// Go-side coverage's own arithmetic (the profiles come from a coverage
/// build of the driver; here they are written by hand): merging, the page
/// heap's functions, reached and unreached statements.
@Suite("Go-side coverage: profiles merged, blocks assigned to the page heap's functions")
struct GoCoverageTests {
    /// A small Go source in gofmt style, with a page heap function, a
    /// one-line method, and a function the filter must leave out.
    let source = """
    package runtime

    func (s *scavengeIndex) find(force bool) (chunkIdx, uint) {
    \tif force {
    \t\treturn 1, 0
    \t}
    \treturn 0, 0
    }

    func (sc *scavChunkFlags) isEmpty() bool { return *sc&scavChunkHasFree == 0 }

    func (s *scavengerState) wake() {
    \ts.sleepStub = false
    }

    func (p *pageAlloc) scavenge(nbytes uintptr, shouldStop func() bool, force bool) uintptr {
    \treturn 0
    }
    """

    func write(_ dir: String, _ name: String, _ text: String) throws {
        try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
    }

    @Test("counts add across processes; a block reached by any process is reached; unreached blocks are listed with their lines")
    func mergeAndAssign() throws {
        let dir = scratchDir("gocov")
        let src = dir + "/mgcscavenge.go"
        try write(dir, "mgcscavenge.go", source)
        try write(dir, "cover-1.out", """
        mode: count
        \(src):3.60,4.11 1 2
        \(src):4.11,6.3 1 0
        \(src):7.2,7.13 1 2
        \(src):10.44,10.80 1 0
        \(src):12.34,13.22 1 5
        \(src):16.88,17.10 1 0

        """)
        try write(dir, "cover-2.out", """
        mode: count
        \(src):3.60,4.11 1 1
        \(src):4.11,6.3 1 3
        \(src):7.2,7.13 1 0
        \(src):10.44,10.80 1 0
        \(src):12.34,13.22 1 0
        \(src):16.88,17.10 1 4

        """)
        let blocks = try GoCoverage.merge(directory: dir)
        #expect(blocks.count == 6)
        #expect(blocks.map(\.count) == [3, 3, 2, 0, 5, 4])
        let rows = try GoCoverage.functions(blocks)
        // scavengerState.wake is not the page heap, whatever it reached.
        #expect(rows.map(\.name) == ["find", "isEmpty", "scavenge"])
        #expect(rows[0].statements == 3 && rows[0].reached == 3)
        #expect(rows[1].statements == 1 && rows[1].reached == 0 && rows[1].unreached.map(\.line0) == [10])
        #expect(rows[2].reached == 1)
        let table = GoCoverage.table(rows, header: "test")
        #expect(table.contains("total: 4 of 5 statements reached (80.0%) in 3 functions"), "\(table)")
        #expect(table.contains("mgcscavenge.go:10 in isEmpty (1 statement)"))
        // The merged profile is Go's format again.
        #expect(GoCoverage.profileText(blocks).hasPrefix("mode: count\n\(src):3.60,4.11 1 3\n"))
    }

    @Test("negative control: a profile in which nothing was reached gives 0 reached, every block listed")
    func nothingReached() throws {
        let dir = scratchDir("gocov-none")
        let src = dir + "/mranges.go"
        try write(dir, "mranges.go", "package runtime\n\nfunc (a *addrRanges) init() {\n\ta.ranges = nil\n}\n")
        try write(dir, "cover-9.out", "mode: count\n\(src):3.30,4.16 1 0\n")
        let rows = try GoCoverage.functions(try GoCoverage.merge(directory: dir))
        #expect(rows.count == 1 && rows[0].reached == 0 && rows[0].unreached.count == 1)
    }

    @Test("bad input: no profile, or a malformed line, is an error naming the file and line")
    func badInput() throws {
        let dir = scratchDir("gocov-bad")
        #expect(throws: GoCoverageError.self) { try GoCoverage.merge(directory: dir) }
        try write(dir, "cover-3.out", "mode: count\nnot a line\n")
        let e = #expect(throws: GoCoverageError.self) { try GoCoverage.merge(directory: dir) }
        #expect(e?.description.contains("cover-3.out:2") == true)
    }
}
