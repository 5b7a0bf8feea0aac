// verify fuzz on the command line: signals, exit codes, libFuzzer decoding.

import Foundation
import Testing
@testable import Checking
import PageAlloc
@testable import TraceFormat
@testable import Targets
@testable import GoTarget
@testable import Campaigns
import SplitMix

@Suite("Fuzz CLI", .serialized)
struct FuzzCLITests {
    @Test("SIGINT finishes the seed in hand and writes the summary (exit 0, interrupted)")
    func sigint() throws {
        let dir = tempDir("sigint")
        let p = Process()
        p.executableURL = packageRoot.appendingPathComponent(".build/debug/verify")
        p.arguments = ["fuzz", "--time", "120s", "--jobs", "1", "--out", dir, "--geometry", "small", "--progress-every", "0.5"]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Wait for the first progress line, so the handlers are installed.
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("fuzz 0/1: elapsed") {
            let d = err.fileHandleForReading.availableData
            if d.isEmpty { break }
            seen += d
        }
        kill(p.processIdentifier, SIGINT)
        let o = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(o.contains(", interrupted\n"))
        let json = try JSONDecoder().decode(CampaignJSON.self, from: try Data(contentsOf: URL(fileURLWithPath: dir + "/summary.json")))
        #expect(json.interrupted)
        #expect(json.seeds > 0)
    }

    @Test("a finding exits 1, writes the trace and prints where; a bad shard is a usage error (64)")
    func exitCodes() throws {
        let dir = tempDir("cli")
        let (status, out, _) = try runVerify(["fuzz", "--seed-base", "88", "--seeds", "1", "--geometry", "amd64",
                                              "--variant", "preFix40191", "--out", dir, "--junit", dir + "/junit.xml"])
        #expect(status == 1)
        #expect(out.contains("FINDING invariant:searchAddr:mapped at alloc: seed 88 (amd64), 4 operations"))
        #expect(FileManager.default.fileExists(atPath: dir + "/junit.xml"))
        let (bad, _, err) = try runVerify(["fuzz", "--shard", "2/2"])
        #expect(bad == 64)
        #expect(err.contains("--shard must be i/n with 0 <= i < n, got '2/2'"))
    }

    @Test("ByteChoices: bytes little endian reduced into the range; the lower bound once exhausted")
    func byteChoices() {
        var c = ByteChoices([5, 1, 2])
        #expect(c.draw(0...9) == 5)
        #expect(c.draw(0...1000) == 513)
        #expect(!c.exhausted)
        #expect(c.draw(3...7) == 3)
        #expect(c.exhausted)
        #expect(c.draw(4...4) == 4)
    }

    @Test("a libFuzzer input decodes to a trace that replays to the same finding; --decode prints it")
    func decode() throws {
        // Search a few deterministic byte strings for one that fails on
        // preFix40191 (the generator does the work; bytes only steer it).
        var rng = SplitMix64(seed: 7)
        var found: [UInt8]?
        for _ in 0..<400 where found == nil {
            let bytes = [0] + (0..<600).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if try runBytes(bytes, variant: .preFix40191).finding != nil { found = bytes }
        }
        let bytes = try #require(found)
        let text = try traceFromBytes(bytes, variant: .preFix40191)
        #expect(text.contains("# invariant: invariant:searchAddr:"))
        let trace = try Trace.parse(text, file: "decoded")
        #expect(trace.geometry == .amd64)
        let r = try replay(trace, variant: .preFix40191)
        #expect(r.findings.first?.kind.signature == (try runBytes(bytes, variant: .preFix40191).finding?.kind.signature))
        // Negative control: the faithful port passes the same operations.
        #expect(try runBytes(bytes, variant: .faithful).finding == nil)
        let file = tempDir("bytes")
        #expect(FileManager.default.createFile(atPath: file, contents: Data(bytes)))
        let (status, out, _) = try runVerify(["fuzz", "--decode", file, "--variant", "preFix40191"])
        #expect(status == 0)
        #expect(out == text.replacingOccurrences(of: "libFuzzer input input", with: "libFuzzer input \((file as NSString).lastPathComponent)"))
    }
}
