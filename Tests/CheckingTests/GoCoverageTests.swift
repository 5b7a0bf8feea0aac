import Foundation
import Testing
@testable import Checking
@testable import TraceFormat
@testable import Targets
@testable import GoTarget
@testable import Campaigns

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
        #expect(table.contains("mgcscavenge.go:10 in scavChunkFlags.isEmpty (1 statement)"), "\(table)")
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

@Suite("Go-side coverage: what the test pageAlloc cannot reach is left out, with its reason")
struct GoCoverageExclusionTests {
    @Test("a throw block, a function only the runtime's own heap calls, and a branch the call site never takes are left out; other unreached blocks stay listed")
    func leftOut() throws {
        let dir = scratchDir("gocov-left")
        let src = dir + "/mpagealloc.go"
        try """
        package runtime

        func (p *pageAlloc) markRandomPaddingPages(base uintptr, npages uintptr) {
        \tif sc == ec {
        \t\tchunk.allocRange(si, ei+1-si)
        \t} else {
        \t\tchunk.allocAll()
        \t}
        \tp.update(base, npages, true, true)
        }

        func (p *pageAlloc) enableChunkHugePages() {
        \tp.chunkHugePages = true
        }

        func (p *pageAlloc) alloc(npages uintptr) (addr uintptr, scav uintptr) {
        \tif bad {
        \t\tthrow("bad")
        \t}
        \treturn 0, 0
        }
        """.write(toFile: src, atomically: true, encoding: .utf8)
        try """
        mode: count
        \(src):3.77,4.14 1 1
        \(src):4.14,6.4 1 1
        \(src):6.10,8.3 1 0
        \(src):9.2,9.37 1 0
        \(src):12.46,13.25 1 0
        \(src):16.70,17.10 1 1
        \(src):17.10,19.3 1 0
        \(src):20.2,20.13 1 0

        """.write(toFile: dir + "/cover-1.out", atomically: true, encoding: .utf8)
        let rows = try GoCoverage.functions(try GoCoverage.merge(directory: dir))
        let pad = try #require(rows.first { $0.name == "markRandomPaddingPages" })
        #expect(pad.excluded == 1 && pad.excludedWhy.first?.reason.contains("sc == ec") == true)
        // The update after the branch is not in it: still listed as unreached.
        #expect(pad.unreached.map(\.line0) == [9])
        let huge = try #require(rows.first { $0.name == "enableChunkHugePages" })
        #expect(huge.excluded == 1 && huge.unreached.isEmpty)
        let alloc = try #require(rows.first { $0.name == "alloc" })
        #expect(alloc.excluded == 1 && alloc.excludedWhy.first?.reason.hasPrefix("a throw") == true)
        #expect(alloc.unreached.map(\.line0) == [20])
        let table = GoCoverage.table(rows, header: "t")
        #expect(table.contains("reachable through the test pageAlloc: 3 of 5 statements reached (60.0%); 3 statements left out"), "\(table)")
    }
}
