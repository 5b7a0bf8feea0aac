import Foundation
import Testing
import PageAlloc
@testable import Checking
@testable import TraceFormat
@testable import Targets
@testable import GoTarget
@testable import Campaigns

/// `verify report`: the page's numbers are the summaries' it merged.
@Suite("Campaign report page")
struct CampaignsPageTests {
    @Test("two campaigns merged: totals per target, the finding linked, Go-side coverage read; bad input refused")
    func merge() throws {
        let root = tempDir("report")
        let clean = root + "/night1/shard0", found = root + "/night2/shard0"
        var o = CampaignOptions()
        o.seedBase = 88
        o.maxSeeds = 8
        o.jobs = 2
        o.geometry = .amd64
        o.outDir = clean
        let s1 = try Campaign(o).run()
        try FileManager.default.createDirectory(atPath: clean, withIntermediateDirectories: true)
        try writeFileAtomically(clean + "/summary.json", try s1.jsonText())
        let s2 = try Campaign(preFixCampaign(found)).run()
        try writeFileAtomically(found + "/summary.json", try s2.jsonText())
        try FileManager.default.createDirectory(atPath: found + "/coverage", withIntermediateDirectories: true)
        try writeFileAtomically(found + "/coverage/coverage.txt",
                                "Go-side coverage, reachable through the test pageAlloc: 767 of 806 statements reached (95.2%)\n")

        let records = try CampaignsPage.load([root])
        #expect(records.count == 2)
        #expect(records.map(\.summary.seeds) == [8, 1], "ordered by start time")
        #expect(records[0].target == "port" && records[1].target == "port:preFix40191", "\(records.map(\.target))")
        #expect(records[1].goCoverage?.reached == 767 && records[1].goCoverage?.reachable == 806)
        let (byTarget, byArch) = CampaignsPage.totals(records)
        #expect(byTarget["port"]?.ops == s1.ops && byTarget["port"]?.failingSeeds == 0)
        #expect(byTarget["port:preFix40191"]?.ops == s2.ops && byTarget["port:preFix40191"]?.failingSeeds == 1)
        #expect(byArch["amd64"]?.ops == s1.ops + s2.ops && byArch["amd64"]?.seeds == 9)

        let page = CampaignsPage.html(records, invariants: Invariant.all.map { ($0.name, $0.statement) }, relativeTo: root)
        #expect(page.contains("<b id='total-ops'>\(s1.ops + s2.ops)</b>"))
        #expect(page.contains("<b id='total-failing' class='bad'>1</b>"))
        #expect(page.contains("<td class='ops'>\(s1.ops)</td>") && page.contains("<td class='ops'>\(s2.ops)</td>"))
        #expect(page.contains("767/806 (95.2%)"))
        // The finding's trace, linked relative to the page, exists there.
        let trace = try #require(s2.findings.first?.tracePath)
        let href = CampaignsPage.relative(trace, to: root)
        #expect(page.contains("href='\(href)'") && FileManager.default.fileExists(atPath: root + "/" + href), "\(href)")
        #expect(page.contains("invariant:searchAddr:mapped"))
        for i in Invariant.all { #expect(page.contains("<td class='l'>\(i.name)</td>")) }
        #expect(page.contains("<svg id='plot-ops'") && page.contains("<svg id='plot-gocov'"))
        #expect(!page.contains("<script") && !page.contains("src="))

        // Bad input: a directory without summaries, a malformed summary.
        let empty = root + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        #expect(throws: CampaignsPageError.self) { try CampaignsPage.load([empty]) }
        try writeFileAtomically(empty + "/summary.json", "{\"shard\": 1}")
        do {
            _ = try CampaignsPage.load([empty + "/summary.json"])
            Issue.record("a malformed summary was read")
        } catch let e as CampaignsPageError {
            #expect(e.description.hasPrefix(empty + "/summary.json: not a campaign summary"))
        }
    }
}
