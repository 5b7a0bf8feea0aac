// `verify report DIR...`: many campaigns' summaries on one HTML page
// (CampaignsPage.swift).

import ArgumentParser
import Checking
import Foundation
import TraceFormat
import Targets
import GoTarget
import Campaigns

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Merge the summaries of many campaigns (shards, nights, Go versions, GOARCHes) into one HTML page.",
        discussion: """
        Each argument is a summary.json written by `verify fuzz`, or a directory searched for them (a night's \
        artifacts). A coverage/coverage.txt next to a summary (fuzz --go-coverage OUT/coverage) adds its Go-side \
        coverage. The page shows checked operations per target and per GOARCH, a plot of checked operations/s, \
        state buckets and Go-side coverage over time, the findings with their shrunk traces linked, and the \
        invariants judged. Exit status: 0 written, 2 an unreadable or malformed summary.
        """
    )

    @Argument(help: "summary.json files, or directories holding them.")
    var paths: [String]

    @Option(help: ArgumentHelp("Where to write the page.", valueName: "file"))
    var out: String = "campaigns.html"

    func run() throws {
        let records: [CampaignRecord]
        do { records = try CampaignsPage.load(paths) } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        let dir = (URL(fileURLWithPath: out).standardizedFileURL.path as NSString).deletingLastPathComponent
        let page = CampaignsPage.html(records, invariants: Invariant.all.map { ($0.name, $0.statement) }
                                        + [("scavenge (transition)", ScavengeStep.statement)], relativeTo: dir)
        try writeFileAtomically(out, page)
        let (byTarget, _) = CampaignsPage.totals(records)
        for (t, v) in byTarget.sorted(by: { $0.key < $1.key }) {
            print("\(t): \(v.campaigns) campaigns, \(v.seeds) seeds, \(v.ops) checked operations, \(v.failingSeeds) failing seeds, \(v.knownSeeds) known")
        }
        print("report: \(out)")
    }
}
