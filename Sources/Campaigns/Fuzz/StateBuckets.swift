// State coverage buckets: the allocator states a fuzzing campaign must
// reach, by name. Most come straight from the port's coverage marks
// (Sources/Vocabulary/Coverage.swift); the rest are read off the operations
// and their results, so the allocator's hot path pays nothing for them.

import PageAlloc
import TraceFormat
import Targets
import GoTarget
import Checking
import Reference

/// The deepest tree any named geometry has (amd64: 5 levels).
public let maxSummaryLevels = Geometry.all.map(\.summaryLevels).max() ?? 5

/// Counts per named bucket, in a fixed order (never a Dictionary walk, so
/// reports are stable).
public struct StateBuckets: Sendable, Equatable, Codable {
    /// Marks and per-level find counts, merged over runs.
    public var marks = CoverageCounts(levels: maxSummaryLevels)
    /// Allocations (alloc or alloc-range) whose pages span two chunks.
    public var allocStraddlesChunks = 0
    /// Allocations whose pages span two root (L0) entries.
    public var allocStraddlesL0 = 0
    /// alloc returned 0 although some grown page was free (fragmentation).
    public var allocFailsFragmented = 0

    public init() {}

    /// Bucket names and counts, in report order.
    public var rows: [(name: String, count: Int)] {
        var r: [(String, Int)] = [
            ("alloc.fastPath", marks[.allocFastPath]),
            ("alloc.slowPath", marks[.allocSlowPath]),
        ]
        for l in 0..<maxSummaryLevels { r.append(("find.descend.L\(l)", marks.findDescendedTo[l])) }
        for l in 0..<maxSummaryLevels { r.append(("find.straddle.L\(l)", marks.findStraddleAt[l])) }
        r += [
            ("chunk.exhausted", marks[.chunkExhausted]),
            ("alloc.straddlesChunks", allocStraddlesChunks),
            ("alloc.straddlesL0", allocStraddlesL0),
            ("summary.maxPackedValue", marks[.summaryAllFreeEncoding]),
            ("searchAddr.max", marks[.searchAddrExhausted]),
            ("alloc.failsFragmented", allocFailsFragmented),
            ("findMappedAddr.moved", marks[.findMappedAddrMoved]),
            ("grow.mapsSummaryPages", marks[.growMapsSummaryPages]),
            ("grow.mapsNothing", marks[.growMapsNothing]),
        ]
        return r
    }

    public var hit: Int { rows.filter { $0.count > 0 }.count }
    public var missing: [String] { rows.filter { $0.count == 0 }.map(\.name) }

    /// Adds one run: its marks, and the buckets read off its results.
    public mutating func add(_ run: RunOutcome) {
        marks.merge(run.coverage)
        allocFailsFragmented += run.fragmentedFailures
        let g = run.geometry
        for (i, op) in run.ops.enumerated() where i < run.results.count {
            var span: (base: UInt64, npages: UInt64)?
            switch (op, run.results[i]) {
            case let (.alloc(n), .alloc(addr, _)?) where addr != 0: span = (addr, n)
            case let (.allocRange(base, n), .allocRange?): span = (base, n)
            default: break
            }
            guard let (base, npages) = span, npages > 0 else { continue }
            // [base, base + npages*pageSize), inclusive last page from here.
            let first = g.linear(base)
            let last = first &+ npages &* Geometry.pageSize &- 1
            if first / Geometry.pallocChunkBytes != last / Geometry.pallocChunkBytes { allocStraddlesChunks += 1 }
            let rootShift = UInt64(g.levelShift[0])
            if first >> rootShift != last >> rootShift { allocStraddlesL0 += 1 }
        }
    }

    public mutating func merge(_ o: StateBuckets) {
        marks.merge(o.marks)
        allocStraddlesChunks += o.allocStraddlesChunks
        allocStraddlesL0 += o.allocStraddlesL0
        allocFailsFragmented += o.allocFailsFragmented
    }
}
