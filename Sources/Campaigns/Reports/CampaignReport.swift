// Reports of a campaign for machines: a JSON summary and JUnit XML (one
// test case per shard and one per finding, the shrunk trace in the failure
// message) for CI dashboards.

import Foundation
import PageAlloc
import TraceFormat
import Targets
import GoTarget
import Checking
import Reference

/// The JSON summary's shape (stable field names; CI scripts read it).
public struct CampaignJSON: Codable, Equatable {
    public struct Bucket: Codable, Equatable { public let name: String; public let count: Int }
    public struct GeometryRow: Codable, Equatable { public let geometry: String; public let seeds: Int; public let ops: Int; public let failures: Int }
    public struct FindingRow: Codable, Equatable {
        public let signature: String
        public let failingOp: String
        public let seed: UInt64
        public let geometry: String
        public let variant: String
        public let operations: Int
        public let occurrences: Int
        public let foundAfterSeconds: Double
        public let trace: String?
        public let html: String?
    }
    public let shard: String
    public let seedBase: UInt64
    public let variant: String
    public let commit: String
    public let jobs: Int
    public let elapsedSeconds: Double
    public let seeds: Int
    public let ops: Int
    public let opsPerSecond: Double
    public let cpuSeconds: Double
    public let opsPerCPUSecond: Double
    public let failingSeeds: Int
    /// Seeds failing with a kept finding's signature (`--known`), by signature
    /// (absent in summaries written before it existed).
    public let knownFailures: [String: Int]?
    public let unshrunkSeeds: Int
    public let interrupted: Bool
    public let rssBytes: Int
    public let peakRSSBytes: Int
    public let bucketsHit: Int
    public let buckets: [Bucket]
    public let geometries: [GeometryRow]
    public let findings: [FindingRow]
    /// What ran: `port`, `port:VARIANT`, `go1.27.3/amd64`, `port,go1.21.13/arm64`
    /// (absent in older summaries).
    public var target: String? = nil
    /// When the campaign started, ISO 8601 in UTC (absent in older summaries).
    public var startedAt: String? = nil
}

extension CampaignSummary {
    public var json: CampaignJSON {
        CampaignJSON(
            shard: options.shard.description, seedBase: options.seedBase, variant: options.targets.variant.rawValue, commit: options.commit,
            jobs: options.jobs, elapsedSeconds: (elapsed * 1000).rounded() / 1000, seeds: seeds, ops: ops,
            opsPerSecond: opsPerSecond.rounded(),
            cpuSeconds: (cpuSeconds * 10).rounded() / 10, opsPerCPUSecond: cpuSeconds > 0 ? (Double(ops) / cpuSeconds).rounded() : 0,
            failingSeeds: failingSeeds, knownFailures: knownFailures, unshrunkSeeds: unshrunk, interrupted: interrupted,
            rssBytes: rssBytes, peakRSSBytes: peakRSSBytes, bucketsHit: buckets.hit,
            buckets: buckets.rows.map { .init(name: $0.name, count: $0.count) },
            geometries: (Geometry.catalog.map(\.name).filter { totals[$0] != nil }
                + totals.keys.filter { n in !Geometry.catalog.contains { $0.name == n } }.sorted())
                .compactMap { n in totals[n].map { .init(geometry: n, seeds: $0.seeds, ops: $0.ops, failures: $0.failures) } },
            findings: findings.map {
                .init(signature: $0.signature, failingOp: $0.shrunk.finding.opKeyword, seed: $0.shrunk.seed, geometry: $0.shrunk.geometry.name,
                      variant: $0.shrunk.variant.rawValue, operations: $0.shrunk.ops.count, occurrences: $0.occurrences,
                      foundAfterSeconds: ($0.foundAfter * 10).rounded() / 10, trace: $0.tracePath, html: $0.htmlPath)
            },
            target: options.config(options.geometry ?? .amd64).targetName,
            startedAt: startedAt.map { ISO8601DateFormatter().string(from: $0) })
    }

    public func jsonText() throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try e.encode(json), as: UTF8.self) + "\n"
    }

    /// JUnit XML: a suite per shard; the shard's own case fails when anything
    /// was found, and each distinct finding is a failing case of its own.
    public func junitXML() -> String {
        func attr(_ s: String) -> String { htmlEscape(s) }
        let name = "verify fuzz shard \(options.shard)"
        var cases: [String] = []
        let shardCase = "<testcase classname=\"fuzz\" name=\"\(attr("\(name): \(seeds) seeds, \(ops) operations"))\" time=\"\(String(format: "%.3f", elapsed))\">"
        if found {
            cases.append(shardCase + "<failure message=\"\(attr("\(failingSeeds) failing seeds, \(findings.count) distinct findings"))\"/></testcase>")
        } else {
            cases.append(shardCase + "</testcase>")
        }
        for f in findings {
            let n = "\(f.signature) at \(f.shrunk.finding.opKeyword) (seed \(f.shrunk.seed), \(f.shrunk.geometry.name), \(f.shrunk.variant.rawValue))"
            cases.append("<testcase classname=\"fuzz.findings\" name=\"\(attr(n))\" time=\"0\">"
                + "<failure message=\"\(attr(f.shrunk.finding.description))\" type=\"\(attr(f.signature))\">"
                + attr(f.text) + "</failure></testcase>")
        }
        return """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuites tests="\(cases.count)" failures="\(found ? cases.count : 0)">
        <testsuite name="\(attr(name))" tests="\(cases.count)" failures="\(found ? cases.count : 0)" time="\(String(format: "%.3f", elapsed))">
        \(cases.joined(separator: "\n"))
        </testsuite>
        </testsuites>

        """
    }

    /// The human summary: totals, buckets with counts, findings.
    public func text() -> [String] {
        var out: [String] = []
        out.append(String(format: "fuzz shard %@ seed base %llu: %d seeds, %d operations in %.1f s (%.0f ops/s, %d jobs)%@",
                          options.shard.description, options.seedBase, seeds, ops, elapsed, opsPerSecond, options.jobs,
                          interrupted ? ", interrupted" : ""))
        out.append(String(format: "memory: rss %d MiB, peak %d MiB; cpu %.1f s (%.0f ops per cpu-second)", rssBytes >> 20, peakRSSBytes >> 20,
                          cpuSeconds, cpuSeconds > 0 ? Double(ops) / cpuSeconds : 0))
        out.append("state buckets hit: \(buckets.hit)/\(buckets.rows.count)")
        for (n, c) in buckets.rows {
            out.append("  " + n.padding(toLength: 24, withPad: " ", startingAt: 0) + String(repeating: " ", count: max(0, 12 - String(c).count)) + String(c) + (c == 0 ? "  NOT HIT" : ""))
        }
        for (sig, n) in knownFailures.sorted(by: { $0.key < $1.key }) {
            out.append("known: \(n) seed(s) fail with \(sig), a kept finding's signature (--known)")
        }
        if findings.isEmpty {
            out.append("findings: none")
        } else {
            out.append("findings: \(findings.count) distinct, \(failingSeeds) failing seeds (\(unshrunk) not shrunk: class already shrunk \(options.maxShrinksPerClass) times)")
            for f in findings {
                out.append("FINDING \(f.signature) at \(f.shrunk.finding.opKeyword): seed \(f.shrunk.seed) (\(f.shrunk.geometry.name)), \(f.shrunk.ops.count) operations, seen \(f.occurrences)x, first after \(String(format: "%.1f", f.foundAfter)) s")
                if let p = f.tracePath {
                    out.append("  trace: \(p)")
                    out.append("  reproduce: swift run verify replay \(p) --variant \(f.shrunk.variant.rawValue)")
                }
                if let h = f.htmlPath { out.append("  report: \(h)") }
            }
        }
        return out
    }
}
