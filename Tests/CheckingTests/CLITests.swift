import Foundation
import Testing
@testable import Checking

@Suite("verify command line: exact output and exit codes", .serialized)
struct CLITests {
    @Test("replay - reads standard input and prints the trace with results")
    func replayStdin() throws {
        let (status, out, _) = try runVerify(["replay", "-"], stdin: "pagealloc-trace 1\ngrow 0xc000000000 0x400000\nalloc 3\n")
        #expect(status == 0)
        #expect(out == "pagealloc-trace 1\ngeometry amd64\ngrow 0xc000000000 0x400000\nalloc 3 -> 0xc000000000 0x6000\n")
    }

    @Test("replay exits 2 on a malformed file, naming file and line")
    func replayMalformed() throws {
        let (status, out, err) = try runVerify(["replay", "-"], stdin: "pagealloc-trace 1\nalloc\n")
        #expect(status == 2 && out.isEmpty)
        #expect(err == "error: <stdin>:2: usage: alloc NPAGES\n")
    }

    @Test("replay exits 1 on a finding and names the variant's fault")
    func replayFinding() throws {
        let (status, out, err) = try runVerify(["replay", "-", "--variant", "preFix40191"], stdin: fortyOneNinetyOne)
        #expect(status == 1)
        #expect(out.hasSuffix("\nalloc 1\n# FINDING at line 8: fault: read of 0x7f0014aa0000 in Reserved memory (summary[4][33751040])\n"))
        #expect(out.contains("alloc 12 -> 0xc400000000 0x18000\n# FINDING at line 7: invariant searchAddr broken"))
        #expect(err.hasSuffix("finding: -:line 8 (alloc 1): fault: read of 0x7f0014aa0000 in Reserved memory (summary[4][33751040])\n"))
        #expect(err.hasPrefix("finding: -:line 7 (alloc 12): invariant searchAddr broken: searchAddr 0xc000000000 is outside inUse"))
    }

    @Test("a bad flag value is a usage error (exit 64)")
    func badFlag() throws {
        let (status, _, err) = try runVerify(["replay", "-", "--geometry", "vax"], stdin: "")
        #expect(status == 64)
        #expect(err.contains("unknown geometry"))
    }

    @Test("an unreadable file exits 2")
    func missingFile() throws {
        let (status, _, err) = try runVerify(["replay", "/nonexistent/x.trace"])
        #expect(status == 2 && err.contains("cannot read"))
    }
}
