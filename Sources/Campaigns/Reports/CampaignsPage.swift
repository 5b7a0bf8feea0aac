// `verify report DIR...`: many campaigns' summaries (shards, nights, Go
// versions, GOARCHes) merged into one self-contained HTML page: checked
// operations per target and per GOARCH, the invariants judged, state-bucket
// and Go-side coverage over time, findings with their shrunk traces linked,
// and a plot of checked operations/s. No script, no external resource.

import Foundation
import TraceFormat
import Targets
import GoTarget
import Checking
import Reference

/// One campaign's summary as the page reads it.
public struct CampaignRecord {
    /// The summary.json it came from.
    public let path: String
    public let summary: CampaignJSON
    /// Go-side coverage next to it (`coverage/coverage.txt`): statements
    /// reached of those reachable through the test pageAlloc.
    public let goCoverage: (reached: Int, reachable: Int)?

    public init(path: String, summary: CampaignJSON, goCoverage: (reached: Int, reachable: Int)? = nil) {
        self.path = path
        self.summary = summary
        self.goCoverage = goCoverage
    }

    /// The target, or `port` for summaries written before it was recorded.
    public var target: String { summary.target ?? "port" }
}

/// A summary the page cannot read, and where.
public struct CampaignsPageError: Error, CustomStringConvertible {
    public let description: String
}

/// Totals of one group of campaigns (a target, or a GOARCH).
public struct CampaignTotals: Equatable, Sendable {
    public var campaigns = 0
    public var seeds = 0
    public var ops = 0
    public var seconds = 0.0
    public var failingSeeds = 0
    public var knownSeeds = 0
    public var opsPerSecond: Double { seconds > 0 ? Double(ops) / seconds : 0 }
}

public enum CampaignsPage {
    /// The summaries under `paths`: a summary.json file, or a directory
    /// searched (recursively) for summary.json files. Ordered by start time
    /// (summaries without one first, by path).
    public static func load(_ paths: [String]) throws -> [CampaignRecord] {
        let fm = FileManager.default
        var files: [String] = []
        for p in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: p, isDirectory: &isDir) else {
                throw CampaignsPageError(description: "\(p): no such file or directory")
            }
            if !isDir.boolValue { files.append(p); continue }
            let found = (fm.enumerator(atPath: p)?.allObjects as? [String] ?? [])
                .filter { ($0 as NSString).lastPathComponent == "summary.json" }.sorted()
            if found.isEmpty { throw CampaignsPageError(description: "\(p): no summary.json in it") }
            files += found.map { (p as NSString).appendingPathComponent($0) }
        }
        var out: [CampaignRecord] = []
        for f in files {
            guard let data = fm.contents(atPath: f) else { throw CampaignsPageError(description: "\(f): cannot read") }
            let s: CampaignJSON
            do { s = try JSONDecoder().decode(CampaignJSON.self, from: data) } catch {
                throw CampaignsPageError(description: "\(f): not a campaign summary (\(error))")
            }
            let dir = (f as NSString).deletingLastPathComponent
            out.append(CampaignRecord(path: f, summary: s, goCoverage: readCoverage(dir + "/coverage/coverage.txt")))
        }
        return out.sorted { ($0.summary.startedAt ?? "", $0.path) < ($1.summary.startedAt ?? "", $1.path) }
    }

    /// "... reachable through the test pageAlloc: 767 of 806 statements reached ..." in a coverage report.
    static func readCoverage(_ path: String) -> (reached: Int, reachable: Int)? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.contains("reachable through the test pageAlloc") {
            let nums = line.split { !$0.isNumber }.compactMap { Int($0) }
            if nums.count >= 2 { return (nums[0], nums[1]) }
        }
        return nil
    }

    /// Totals per target, and per GOARCH (the geometry rows' names).
    public static func totals(_ records: [CampaignRecord]) -> (byTarget: [String: CampaignTotals], byArch: [String: CampaignTotals]) {
        var t: [String: CampaignTotals] = [:], a: [String: CampaignTotals] = [:]
        for r in records {
            let s = r.summary
            t[r.target, default: CampaignTotals()].campaigns += 1
            t[r.target]!.seeds += s.seeds
            t[r.target]!.ops += s.ops
            t[r.target]!.seconds += s.elapsedSeconds
            t[r.target]!.failingSeeds += s.failingSeeds
            t[r.target]!.knownSeeds += (s.knownFailures ?? [:]).values.reduce(0, +)
            for g in s.geometries {
                a[g.geometry, default: CampaignTotals()].campaigns += 1
                a[g.geometry]!.seeds += g.seeds
                a[g.geometry]!.ops += g.ops
                a[g.geometry]!.failingSeeds += g.failures
                // A campaign's time, shared among its geometries by operations.
                a[g.geometry]!.seconds += s.ops > 0 ? s.elapsedSeconds * Double(g.ops) / Double(s.ops) : 0
            }
        }
        return (t, a)
    }

    /// The page.
    public static func html(_ records: [CampaignRecord], invariants: [(name: String, statement: String)], relativeTo outDir: String? = nil) -> String {
        let (byTarget, byArch) = totals(records)
        var h = """
        <!doctype html><html><head><meta charset="utf-8"><title>allocverify campaigns</title>
        <style>body{font:14px/1.4 sans-serif;margin:2em;max-width:72em}table{border-collapse:collapse;margin:.5em 0 1.5em}
        td,th{border:1px solid #bbb;padding:2px 8px;text-align:right}td.l,th.l{text-align:left}
        .bad{color:#b00;font-weight:bold}.ok{color:#070}svg{border:1px solid #ddd;margin:.5em 0}</style></head><body>
        <h1>allocverify: \(records.count) campaign\(records.count == 1 ? "" : "s")</h1>

        """
        let totalOps = records.reduce(0) { $0 + $1.summary.ops }
        let failing = records.reduce(0) { $0 + $1.summary.failingSeeds }
        h += "<p id='overall'>checked operations: <b id='total-ops'>\(totalOps)</b>; seeds: <b id='total-seeds'>\(records.reduce(0) { $0 + $1.summary.seeds })</b>; "
        h += "failing seeds (not known): <b id='total-failing' class='\(failing > 0 ? "bad" : "ok")'>\(failing)</b>; distinct findings: <b id='total-findings'>\(records.reduce(0) { $0 + $1.summary.findings.count })</b></p>\n"

        func totalsTable(_ id: String, _ title: String, _ rows: [String: CampaignTotals]) {
            h += "<h2>\(title)</h2><table id='\(id)'><tr><th class='l'>\(id == "by-target" ? "target" : "GOARCH (geometry)")</th><th>campaigns</th><th>seeds</th><th>checked operations</th><th>operations/s</th><th>failing seeds</th><th>known</th></tr>\n"
            for (k, v) in rows.sorted(by: { $0.key < $1.key }) {
                h += "<tr><td class='l'>\(esc(k))</td><td>\(v.campaigns)</td><td>\(v.seeds)</td><td class='ops'>\(v.ops)</td><td>\(Int(v.opsPerSecond.rounded()))</td><td class='\(v.failingSeeds > 0 ? "bad" : "")'>\(v.failingSeeds)</td><td>\(v.knownSeeds)</td></tr>\n"
            }
            h += "</table>\n"
        }
        totalsTable("by-target", "Checked operations per target (Go version)", byTarget)
        totalsTable("by-arch", "Checked operations per GOARCH", byArch)

        h += "<h2>Checked operations/s, campaign by campaign</h2>\n" + plot(records.map { $0.summary.opsPerSecond }, label: "operations/s", id: "plot-ops")
        h += "<h2>Coverage over time</h2><p>State buckets hit (of the campaign's buckets) and Go-side coverage (statements reached of those reachable through the test pageAlloc), in start order.</p>\n"
        h += plot(records.map { Double($0.summary.bucketsHit) }, label: "state buckets hit", id: "plot-buckets")
        let cov = records.map { r in r.goCoverage.map { Double($0.reached) * 100 / Double(max($0.reachable, 1)) } ?? -1 }
        if cov.contains(where: { $0 >= 0 }) { h += plot(cov.map { max($0, 0) }, label: "Go-side coverage %", id: "plot-gocov") }

        h += "<h2>Campaigns</h2><table id='campaigns'><tr><th class='l'>started</th><th class='l'>target</th><th class='l'>shard</th><th>seeds</th><th>operations</th><th>operations/s</th><th>buckets</th><th>Go coverage</th><th>failing</th><th>known</th><th class='l'>commit</th></tr>\n"
        for r in records {
            let s = r.summary
            let c = r.goCoverage.map { String(format: "%d/%d (%.1f%%)", $0.reached, $0.reachable, Double($0.reached) * 100 / Double(max($0.reachable, 1))) } ?? "-"
            h += "<tr><td class='l'>\(esc(s.startedAt ?? "-"))</td><td class='l'>\(esc(r.target))</td><td class='l'>\(esc(s.shard)) @\(s.seedBase)</td><td>\(s.seeds)</td><td>\(s.ops)</td><td>\(Int(s.opsPerSecond))</td><td>\(s.bucketsHit)/\(s.buckets.count)</td><td>\(c)</td><td class='\(s.failingSeeds > 0 ? "bad" : "")'>\(s.failingSeeds)</td><td>\((s.knownFailures ?? [:]).values.reduce(0, +))</td><td class='l'>\(esc(String(s.commit.prefix(12))))</td></tr>\n"
        }
        h += "</table>\n"

        h += "<h2>Findings</h2>\n"
        let findings = records.flatMap { r in r.summary.findings.map { (r, $0) } }
        if findings.isEmpty {
            h += "<p id='no-findings' class='ok'>none</p>\n"
        } else {
            h += "<table id='findings'><tr><th class='l'>signature</th><th class='l'>target</th><th>seed</th><th>operations</th><th>seen</th><th class='l'>trace</th><th class='l'>report</th></tr>\n"
            for (r, f) in findings {
                func link(_ p: String?) -> String {
                    guard let p else { return "-" }
                    let href = relative(resolve(p, near: r.path), to: outDir)
                    return "<a href='\(esc(href))'>\(esc((p as NSString).lastPathComponent))</a>"
                }
                h += "<tr><td class='l bad'>\(esc(f.signature))</td><td class='l'>\(esc(r.target))</td><td>\(f.seed)</td><td>\(f.operations)</td><td>\(f.occurrences)</td><td class='l'>\(link(f.trace))</td><td class='l'>\(link(f.html))</td></tr>\n"
            }
            h += "</table>\n"
        }
        let known = records.flatMap { r in (r.summary.knownFailures ?? [:]).map { (r.target, $0.key, $0.value) } }
        if !known.isEmpty {
            h += "<p>Known (kept findings, <code>--known</code>): " + known.map { "\(esc($0.0)): \(esc($0.1)) &times; \($0.2)" }.joined(separator: "; ") + "</p>\n"
        }

        h += "<h2>Invariants judged</h2><p>Every campaign runs the whole registry after every operation (the tree and bitmap ones on the chunks the operation touched, all of them every 64 operations and at the end; a target that lacks what one needs reports it not applicable).</p><table id='invariants'><tr><th class='l'>invariant</th><th class='l'>guarantees</th></tr>\n"
        for i in invariants { h += "<tr><td class='l'>\(esc(i.name))</td><td class='l'>\(esc(i.statement))</td></tr>\n" }
        h += "</table></body></html>\n"
        return h
    }

    /// A line plot of `values` (one point per campaign, in order), inline SVG.
    static func plot(_ values: [Double], label: String, id: String) -> String {
        let w = 720.0, ht = 200.0, pad = 40.0
        let top = max(values.max() ?? 1, 1)
        let n = values.count
        func x(_ i: Int) -> Double { n <= 1 ? pad + (w - 2 * pad) / 2 : pad + Double(i) * (w - 2 * pad) / Double(n - 1) }
        func y(_ v: Double) -> Double { ht - pad + -(v / top) * (ht - 2 * pad) }
        var s = "<svg id='\(id)' width='\(Int(w))' height='\(Int(ht))' viewBox='0 0 \(Int(w)) \(Int(ht))' role='img' aria-label='\(esc(label))'>"
        s += "<line x1='\(pad)' y1='\(ht - pad)' x2='\(w - pad)' y2='\(ht - pad)' stroke='#888'/><line x1='\(pad)' y1='\(pad)' x2='\(pad)' y2='\(ht - pad)' stroke='#888'/>"
        s += "<text x='\(pad)' y='\(pad - 8)' font-size='12'>\(esc(label)) (max \(Int(top.rounded())))</text>"
        let pts = values.enumerated().map { String(format: "%.1f,%.1f", x($0.offset), y($0.element)) }.joined(separator: " ")
        if n > 1 { s += "<polyline fill='none' stroke='#246' stroke-width='2' points='\(pts)'/>" }
        for (i, v) in values.enumerated() {
            s += String(format: "<circle cx='%.1f' cy='%.1f' r='3' fill='#246'><title>%@</title></circle>", x(i), y(v), "\(Int(v.rounded()))")
        }
        return s + "</svg>\n"
    }

    /// A finding's path as written (relative to where the campaign ran, or
    /// absolute): kept if it exists, else looked up beside the summary.
    static func resolve(_ p: String, near summary: String) -> String {
        if p.hasPrefix("/") || FileManager.default.fileExists(atPath: p) { return p }
        let beside = ((summary as NSString).deletingLastPathComponent as NSString).appendingPathComponent("findings/" + (p as NSString).lastPathComponent)
        return FileManager.default.fileExists(atPath: beside) ? beside : p
    }

    /// `p` relative to the directory `dir` (the page's), when both are absolute or both relative.
    static func relative(_ p: String, to dir: String?) -> String {
        guard let dir else { return p }
        let a = URL(fileURLWithPath: p).standardizedFileURL.pathComponents
        let b = URL(fileURLWithPath: dir).standardizedFileURL.pathComponents
        var i = 0
        while i < a.count && i < b.count && a[i] == b[i] { i += 1 }
        return (Array(repeating: "..", count: b.count - i) + a[i...]).joined(separator: "/")
    }

    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "'", with: "&#39;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
