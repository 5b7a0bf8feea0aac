// Invariants about searchAddr, inUse, and the metadata memory.

import Vocabulary
import Reference
import TraceFormat
import Targets

extension Invariant {
    /// From the comment on `pageAlloc.searchAddr`: it must never point to
    /// memory outside inUse, except for maxSearchAddr ("no free space").
    /// golang/go#40191 is a violation of exactly this. The detail says
    /// whether searchAddr's leaf summary is mapped (its last word `Ready` or
    /// `unmapped`): reading an unmapped one is the crash.
    public static let searchAddr = Invariant(
        name: "searchAddr",
        statement: "inUse.contains(searchAddr) or searchAddr == maxSearchAddr (mpagealloc.go, pageAlloc.searchAddr)"
    ) { ctx in
        let s = ctx.state, g = ctx.geometry
        let sa = s.searchAddr
        if sa == g.maxSearchAddr || CheckerMath.contains(s.inUse, sa, g) { return .holds }
        let leaf = g.summaryLevels - 1
        let idx = Int(truncatingIfNeeded: g.linear(sa) >> UInt64(g.levelShift[leaf]))
        let ranges = "[" + s.inUse.map { "[\(h($0.base)), \(h($0.limit)))" }.joined(separator: " ") + "]"
        // Mapped or not: from the target's report of its mapped summary
        // memory; if it sent none with this snapshot, say so.
        let where_: String
        if let mapped = s.searchAddrLeafMapped {
            where_ = mapped ? "Ready" : "unmapped"
        } else if let e = s.summary(level: leaf, index: idx) {
            where_ = e.mapped ? "Ready" : "unmapped"
        } else {
            where_ = "of unknown mapping"
        }
        return .broken("searchAddr \(h(sa)) is outside inUse \(ranges); its leaf summary summary[\(leaf)][\(idx)] is \(where_)",
                       rule: where_ == "Ready" ? "mapped" : "unmapped")
    }

    /// From the same comment: all valid heap addresses below searchAddr are
    /// allocated, so the search may skip them.
    public static let pruning = Invariant(
        name: "pruning",
        statement: "every grown page below searchAddr is allocated (mpagealloc.go, pageAlloc.searchAddr)"
    ) { ctx in
        let r = ctx.reference
        guard let firstFree = r.free.intervals.first?.lowerBound else { return .holds }
        let saPage = ctx.geometry.linear(ctx.state.searchAddr) / Geometry.pageSize
        if firstFree < saPage {
            return .broken("page \(h(r.address(firstFree))) is free but lies below searchAddr \(h(ctx.state.searchAddr))")
        }
        return .holds
    }

    /// From mranges.go: inUse is sorted, disjoint and coalesced; grow only
    /// adds whole chunks; start/end are the chunk bounds of what was grown.
    public static let inUseShape = Invariant(
        name: "inUseShape",
        statement: "inUse sorted, disjoint, coalesced, chunk-aligned, equal to the grown set, consistent with start/end (mranges.go, pageAlloc.inUse)"
    ) { ctx in
        let s = ctx.state, g = ctx.geometry
        let rs = s.inUse
        func show(_ r: (base: UInt64, limit: UInt64)) -> String { "[\(h(r.base)), \(h(r.limit)))" }
        var total: UInt64 = 0
        for (k, r) in rs.enumerated() {
            if !(g.linear(r.base) < g.linear(r.limit)) { return .broken("range \(k) \(show(r)) is empty or inverted") }
            if r.base % Geometry.pallocChunkBytes != 0 || r.limit % Geometry.pallocChunkBytes != 0 {
                return .broken("range \(k) \(show(r)) is not chunk aligned")
            }
            if k > 0 && !(g.linear(rs[k - 1].limit) < g.linear(r.base)) {
                return .broken("ranges \(k - 1) \(show(rs[k - 1])) and \(k) \(show(r)) overlap, touch or are out of order")
            }
            total += g.linear(r.limit) - g.linear(r.base)
        }
        if let t = s.inUseTotalBytes, t != total { return .broken("totalBytes \(t) != sum of ranges \(total)") }
        let grown = ctx.reference.grown.intervals.map { (ctx.reference.address($0.lowerBound), ctx.reference.address($0.upperBound)) }
        if !grown.elementsEqual(rs, by: { $0.0 == $1.base && $0.1 == $1.limit }) {
            return .broken("inUse \(rs.map(show).joined(separator: " ")) differs from the grown ranges \(grown.map(show).joined(separator: " "))")
        }
        if let first = rs.first, let last = rs.last {
            let c0 = g.linear(first.base) / Geometry.pallocChunkBytes, c1 = g.linear(last.limit) / Geometry.pallocChunkBytes
            if s.start != c0 || s.end != c1 {
                return .broken("start/end \(s.start)/\(s.end) but inUse spans chunks \(c0)..<\(c1)")
            }
        }
        return .holds
    }

    /// From mpagealloc_64bit.go sysGrow: the summary blocks of every grown
    /// range are mapped. The target reports its mapped summary memory after
    /// each grow (the port from its simulated OS, Go from /proc/self/maps).
    public static let memory = Invariant(
        name: "memory",
        statement: "the summary blocks of every grown range are mapped (mpagealloc_64bit.go, sysGrow)"
    ) { ctx in
        let s = ctx.state, g = ctx.geometry
        // Mappings change only when the heap grows; the target reports them then.
        guard let mapped = s.mappedSummaryRanges else {
            return ctx.grew ? .notApplicable("the target reported no summary mappings") : .holds
        }
        for r in s.inUse {
            for l in 0..<g.summaryLevels {
                // The summary indices the range needs, widened to whole
                // blocks of children (what sysGrow maps).
                let shift = UInt64(g.levelShift[l])
                let lo0 = Int(g.linear(r.base) >> shift)
                let hi0 = Int(g.linear(r.limit &- 1) >> shift) + 1
                let per = 1 << g.levelBits[l]
                let lo = lo0 / per * per, hi = Swift.min((hi0 + per - 1) / per * per, g.entries(level: l))
                var i = lo
                for m in mapped[l] where m.upperBound > i && m.lowerBound <= i { i = m.upperBound }
                if i < hi {
                    return .broken("summary[\(l)][\(i)] for grown range [\(h(r.base)), \(h(r.limit))) is not mapped")
                }
            }
        }
        return .holds
    }

    /// From mpagealloc.go's `summaryMappedReady` ("bytes mapped in the Ready
    /// state by the summary structure", to which sysGrow adds what it maps,
    /// and, in versions that count it, the scavenge index's store): the
    /// allocator's own count equals what the OS holds mapped there, as the
    /// target measured it (the port's simulated OS; Go's /proc/self/maps).
    public static let summaryReady = Invariant(
        name: "summaryReady",
        statement: "summaryMappedReady == bytes the OS holds Ready in the summary arrays, plus the scavenge index's store where the version counts it (mpagealloc.go, sysGrow)"
    ) { ctx in
        let s = ctx.state
        guard let smr = s.summaryMappedReady else { return .notApplicable("the target has no summaryMappedReady") }
        // The OS side changes only when the heap grows; the target reports it then.
        guard let mapped = s.metadataMappedBytes else {
            return ctx.grew ? .notApplicable("the target reported no mapped metadata bytes") : .holds
        }
        if smr != mapped {
            let what = s.scavIndexKind == .none ? "the summary arrays" : "the summary arrays and the scavenge index"
            return .broken("summaryMappedReady \(smr) != \(mapped) bytes the OS holds Ready in \(what)")
        }
        return .holds
    }

    /// From mem.go's accounting, where the OS is simulated and its Ready
    /// bytes are known exactly (the port only; not applicable to real Go):
    /// mappedReady, summaryMappedReady and sysStat add up to them.
    public static let accounting = Invariant(
        name: "accounting",
        statement: "mappedReady == Ready bytes; summaryMappedReady + chunks L2 == Ready bytes; sysStat == Ready bytes + persistentalloc (mem.go; simulated OS only)"
    ) { ctx in
        guard let m = ctx.state.simulatedMemory else {
            return .notApplicable("needs the simulated OS's exact Ready bytes (port only)")
        }
        if m.mappedReady != Int64(m.readyBytes) { return .broken("mappedReady \(m.mappedReady) != Ready bytes \(m.readyBytes)") }
        if let smr = ctx.state.summaryMappedReady, smr + m.chunkL2Bytes != m.readyBytes {
            return .broken("summaryMappedReady \(smr) + chunks L2 \(m.chunkL2Bytes) != Ready bytes \(m.readyBytes)")
        }
        if m.sysStat != Int64(m.readyBytes + m.persistentBytes) {
            return .broken("sysStat \(m.sysStat) != Ready bytes \(m.readyBytes) + persistentalloc \(m.persistentBytes)")
        }
        return .holds
    }
}
