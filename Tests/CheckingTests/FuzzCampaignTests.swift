// verify fuzz: shards, the campaign's findings on disk, dedupe, buckets,
// reports.

import Foundation
import Testing
@testable import Checking
import PageAlloc
@testable import TraceFormat
@testable import Targets
@testable import GoTarget
@testable import Campaigns

func tempDir(_ tag: String) -> String {
    let d = NSTemporaryDirectory() + "fuzz-test-\(tag)-\(getpid())"
    try? FileManager.default.removeItem(atPath: d)
    return d
}

/// One preFix40191 seed that fails on amd64 (seed 88: searchAddr left in a
/// mapped gap), run as a one-seed campaign.
func preFixCampaign(_ out: String?) -> CampaignOptions {
    var o = CampaignOptions()
    o.seedBase = 88
    o.maxSeeds = 1
    o.geometry = .amd64
    o.targets = [.port(.preFix40191)]
    o.outDir = out
    o.commit = "0123abc"
    return o
}

@Suite("Fuzz campaigns")
struct FuzzCampaignTests {
    @Test("shards: i/n parses only when 0 <= i < n; shards of one base run disjoint seeds")
    func shards() {
        #expect(Shard.parse("1/3") == Shard(index: 1, count: 3))
        #expect(Shard.parse("3/3") == nil)
        #expect(Shard.parse("-1/3") == nil)
        #expect(Shard.parse("0/0") == nil)
        #expect(Shard.parse("a/b") == nil)
        var seen = Set<UInt64>()
        for i in 0..<3 {
            var o = CampaignOptions()
            o.seedBase = 1000
            o.shard = Shard(index: i, count: 3)
            for k in 0..<100 as Range<UInt64> { seen.insert(o.seed(k)) }
        }
        #expect(seen.count == 300)
        #expect(seen.min() == 1000 && seen.max() == 1299)
    }

    @Test("a campaign on preFix40191 writes the shrunk finding with its header and an HTML report; exit code says found")
    func findingWritten() throws {
        let dir = tempDir("find")
        let s = try Campaign(preFixCampaign(dir)).run()
        #expect(s.seeds == 1)
        #expect(s.failingSeeds == 1)
        #expect(s.findings.count == 1)
        let f = try #require(s.findings.first)
        #expect(f.signature == "invariant:searchAddr:mapped")
        let path = try #require(f.tracePath)
        #expect(path.hasPrefix(dir + "/findings/amd64-port-preFix40191-invariant-searchAddr-mapped-"))
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for line in ["# seed: 88", "# geometry: amd64", "# variant: preFix40191", "# invariant: invariant:searchAddr:mapped",
                     "# failing-op: alloc", "# commit: 0123abc"] {
            #expect(text.contains(line + "\n"), "header line \(line)")
        }
        // The written trace fails on the variant and passes on the faithful port.
        let trace = try Trace.parse(text, file: path)
        #expect(try replay(trace, variant: .preFix40191).findings.first?.kind.signature == "invariant:searchAddr:mapped")
        var bare = trace
        bare.steps = bare.steps.map { TraceStep(op: $0.op) }
        #expect(try replay(bare, variant: .faithful).findings.isEmpty)
        // Nothing half-written is left behind.
        let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/findings").sorted()
        #expect(files.count == 2)
        #expect(files.allSatisfy { $0.hasSuffix(".trace") || $0.hasSuffix(".html") })
        let html = try String(contentsOfFile: try #require(f.htmlPath), encoding: .utf8)
        #expect(html.contains("<svg"))
        #expect(html.contains("class='step failing'"))
        #expect(html.contains("invariant:searchAddr:mapped"))
        #expect(html.contains("outside every grown range"))
        #expect(!html.contains("<script") && !html.contains("src=") && !html.contains("href="))
    }

    @Test("fuzz --known: a seed failing with a kept finding's signature is counted as known, not shrunk, and the campaign passes; another signature still fails it")
    func known() throws {
        var o = preFixCampaign(nil)
        o.knownSignatures = ["invariant:searchAddr:mapped"]
        let s = try Campaign(o).run()
        #expect(s.seeds == 1 && !s.found && s.findings.isEmpty)
        #expect(s.knownFailures == ["invariant:searchAddr:mapped": 1])
        #expect(s.text().contains { $0.hasPrefix("known: 1 seed(s) fail with invariant:searchAddr:mapped") })
        #expect(try s.jsonText().contains("\"invariant:searchAddr:mapped\" : 1"))
        // Control: a different known signature does not hide this one.
        o.knownSignatures = ["invariant:scavIndex"]
        let s2 = try Campaign(o).run()
        #expect(s2.found && s2.failingSeeds == 1 && s2.knownFailures.isEmpty)
    }

    @Test("dedupe: the same failing seed twice is one finding seen twice; a class past its limit is only counted")
    func dedupe() throws {
        var o = preFixCampaign(nil)
        let c = Campaign(o)
        let run = try runSeed(88, o.config(.amd64))
        try c.handleFailure(run)
        try c.handleFailure(run)
        #expect(c.summary.findings.count == 1)
        #expect(c.summary.findings.first?.occurrences == 2)
        o.maxShrinksPerClass = 0
        let c2 = Campaign(o)
        try c2.handleFailure(run)
        #expect(c2.summary.findings.isEmpty)
        #expect(c2.summary.unshrunk == 1)
    }

    @Test("negative control: the faithful port on the same seeds finds nothing; buckets are counted")
    func faithfulClean() throws {
        var o = CampaignOptions()
        o.seedBase = 88
        o.maxSeeds = 8
        o.jobs = 2
        o.geometry = .amd64
        let s = try Campaign(o).run()
        #expect(s.seeds == 8)
        #expect(!s.found)
        #expect(s.findings.isEmpty)
        #expect(s.buckets.rows.first { $0.name == "alloc.fastPath" }!.count > 0)
        #expect(s.buckets.hit >= 10)
    }

    @Test("state buckets read off results: an alloc across a chunk boundary counts, one inside a chunk does not")
    func straddles() throws {
        let g = Geometry.amd64
        var run = RunOutcome(seed: 0, geometry: g, coverage: CoverageCounts(levels: g.summaryLevels))
        run.ops = [.grow(base: 0xc000000000, bytes: 0x800000), .alloc(npages: 511), .alloc(npages: 2), .alloc(npages: 3)]
        run.results = [OpResult.none, .alloc(addr: 0xc000000000, scav: 0), .alloc(addr: 0xc0003fe000, scav: 0), .alloc(addr: 0, scav: 0)]
        var b = StateBuckets()
        b.add(run)
        #expect(b.allocStraddlesChunks == 1)
        #expect(b.allocStraddlesL0 == 0)
        // The root entry boundary of amd64 is every 2^34 bytes (levelShift[0]).
        run.ops = [.allocRange(base: 0xc3ffffe000, npages: 2)]
        run.results = [.allocRange(scav: 0)]
        var b2 = StateBuckets()
        b2.add(run)
        #expect(b2.allocStraddlesL0 == 1 && b2.allocStraddlesChunks == 1)
        #expect(b.rows.count == 11 + 2 * maxSummaryLevels)
    }

    @Test("chunkExhausted: marked when an allocation takes a chunk's last free page, not before")
    func chunkExhausted() throws {
        let r = try Runner(geometry: .amd64)
        _ = r.apply(.grow(base: 0xc000000000, bytes: 0x400000))
        _ = r.apply(.alloc(npages: 511))
        #expect(r.port.coverage[.chunkExhausted] == 0)
        _ = r.apply(.alloc(npages: 1))
        #expect(r.port.coverage[.chunkExhausted] == 1)
    }

    @Test("JSON and JUnit reports: counts, one test case per shard and per finding, the trace in the failure")
    func reports() throws {
        let s = try Campaign(preFixCampaign(nil)).run()
        let data = Data(try s.jsonText().utf8)
        let j = try JSONDecoder().decode(CampaignJSON.self, from: data)
        #expect(j.seeds == 1 && j.failingSeeds == 1 && j.findings.count == 1)
        #expect(j.findings.first?.seed == 88)
        #expect(j.buckets.count == s.buckets.rows.count)
        let x = s.junitXML()
        #expect(x.components(separatedBy: "<testcase ").count - 1 == 2)
        #expect(x.components(separatedBy: "<failure ").count - 1 == 2)
        #expect(x.contains("# seed: 88"))
        #expect(x.contains("geometry amd64\ngrow 0x"))
        // A clean shard: one passing case, no failure.
        var clean = CampaignSummary(options: CampaignOptions())
        clean.seeds = 3
        #expect(!clean.junitXML().contains("<failure"))
    }

    @Test("writeFileAtomically replaces the file whole and leaves no temporary file")
    func atomic() throws {
        let dir = tempDir("atomic")
        try writeFileAtomically(dir + "/a/x.txt", "one")
        try writeFileAtomically(dir + "/a/x.txt", "two")
        #expect(try String(contentsOfFile: dir + "/a/x.txt", encoding: .utf8) == "two")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/a") == ["x.txt"])
        // Onto a directory: the rename fails, named, and the temporary file is gone.
        #expect(throws: FileWriteError.self) { try writeFileAtomically(dir + "/a", "y") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["a"])
    }
}
