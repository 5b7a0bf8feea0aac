import Foundation
import Testing
@testable import Checking
@testable import TraceFormat
@testable import Targets
@testable import GoTarget
@testable import Campaigns

@Suite("verify command line: exact output and exit codes", .serialized)
struct CLITests {
    @Test("replay - reads standard input and prints the trace with results")
    func replayStdin() throws {
        let (status, out, _) = try runVerify(["replay", "-"], stdin: "pagealloc-trace 1\ngrow 0xc000000000 0x400000\nalloc 3\n")
        #expect(status == 0)
        #expect(out == "pagealloc-trace 1\ngeometry amd64\ngrow 0xc000000000 0x400000\nalloc 3 -> 0xc000000000 0x6000\n")
    }

    @Test("replay in isolated workers (the default) names an invalid operation's line and exits 2, as in process")
    func replayInvalidIsolated() throws {
        for isolate in [true, false] {
            let (status, _, err) = try runVerify(["replay", "-"] + (isolate ? [] : ["--no-isolate"]),
                                                 stdin: "pagealloc-trace 1\ngrow 0xc000000000 0x400000\nalloc 2\nalloc 0\n")
            #expect(status == 2 && err.contains(":4: invalid operation, not applied: alloc 0"), "isolate \(isolate): \(err)")
        }
    }

    @Test("replay reads CRLF line ends, and a malformed CRLF line is still named by its number")
    func replayCRLF() throws {
        let (status, out, _) = try runVerify(["replay", "-"], stdin: "pagealloc-trace 1\r\ngrow 0xc000000000 0x400000\r\nalloc 3 -> 0xc000000000 0x6000\r\n")
        #expect(status == 0)
        #expect(out == "pagealloc-trace 1\ngeometry amd64\ngrow 0xc000000000 0x400000\nalloc 3 -> 0xc000000000 0x6000\n")
        let (bad, _, err) = try runVerify(["replay", "-"], stdin: "pagealloc-trace 1\r\n\r\nalloc\r\n")
        #expect(bad == 2)
        #expect(err == "error: <stdin>:3: usage: alloc NPAGES\n")
    }

    @Test("verify --seed N --emit-trace FILE writes the seed's trace, which replays clean")
    func emitTrace() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("emit-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("seed7.trace").path
        let (status, out, _) = try runVerify(["--seed", "7", "--ops", "120", "--emit-trace", file])
        #expect(status == 0 && out.contains("trace written to \(file)"), "\(out)")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let t = try Trace.parse(text)
        #expect(t.steps.count == 120)
        #expect(t.steps.contains { $0.expected != nil })
        #expect(try replay(t).exitStatus == 0)
        let (usage, _, err) = try runVerify(["--emit-trace", file])
        #expect(usage == 64 && err.contains("--emit-trace needs --seed"))
    }

    @Test("verify shrink: a failing trace to a certified minimum; a small budget says it is not certified; a passing trace is refused")
    func shrinkCommand() throws {
        let (status, out, err) = try runVerify(["shrink", "-", "--variant", "preFix40191"], stdin: fortyOneNinetyOne)
        #expect(status == 0, "\(err)")
        let t = try Trace.parse(out)
        #expect(t.steps.count <= 7 && t.steps.count >= 1)
        #expect(out.contains("# certified 1-minimal") && err.contains("certified 1-minimal"))
        #expect(err.contains("evaluations"))
        let (s2, _, e2) = try runVerify(["shrink", "-", "--variant", "preFix40191", "--budget", "2"], stdin: fortyOneNinetyOne)
        #expect(s2 == 1 && e2.contains("NOT certified"))
        let (s3, _, e3) = try runVerify(["shrink", "-"], stdin: "pagealloc-trace 1\ngrow 0xc000000000 0x400000\nalloc 3\n")
        #expect(s3 == 2 && e3.contains("does not fail"))
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
