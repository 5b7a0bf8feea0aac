// Invariants about searchAddr, inUse, and the metadata memory.

import OSMemory
import PageAlloc
import Reference

extension Invariant {
    /// From the comment on `pageAlloc.searchAddr`: it must never point to
    /// memory outside inUse, except for maxSearchAddr ("no free space").
    /// golang/go#40191 is a violation of exactly this.
    public static let searchAddr = Invariant(
        name: "searchAddr",
        statement: "inUse.contains(searchAddr) or searchAddr == maxSearchAddr (mpagealloc.go, pageAlloc.searchAddr)"
    ) { ctx in
        let p = ctx.port
        let sa = p.searchAddr
        if sa == p.geometry.space.maxSearchAddr || p.inUse.contains(sa.a) { return nil }
        // Say where it points: into unmapped summary memory is the crash.
        let leaf = p.levels - 1
        let idx = p.geometry.space.offAddrToLevelIndex(p.geometry.levelShift[leaf], sa)
        let state = p.mem.state(at: p.summaryBase(level: leaf) &+ UInt64(idx) &* 8)
        return "searchAddr \(h(sa.a)) is outside inUse \(p.inUse.ranges); its leaf summary summary[\(leaf)][\(idx)] is \(state)"
    }

    /// From the same comment: all valid heap addresses below searchAddr are
    /// allocated, so the search may skip them.
    public static let pruning = Invariant(
        name: "pruning",
        statement: "every grown page below searchAddr is allocated (mpagealloc.go, pageAlloc.searchAddr)"
    ) { ctx in
        let r = ctx.reference
        guard let firstFree = r.free.intervals.first?.lowerBound else { return nil }
        let saPage = ctx.port.geometry.space.linear(ctx.port.searchAddr.a) / Geometry.pageSize
        if firstFree < saPage {
            return "page \(h(r.address(firstFree))) is free but lies below searchAddr \(h(ctx.port.searchAddr.a))"
        }
        return nil
    }

    /// From mranges.go: inUse is sorted, disjoint and coalesced; grow only
    /// adds whole chunks; start/end are the chunk bounds of what was grown.
    public static let inUseShape = Invariant(
        name: "inUseShape",
        statement: "inUse sorted, disjoint, coalesced, chunk-aligned, equal to the grown set, consistent with start/end (mranges.go, pageAlloc.inUse)"
    ) { ctx in
        let p = ctx.port
        let sp = p.geometry.space
        let rs = p.inUse.ranges
        var total: UInt64 = 0
        for (k, r) in rs.enumerated() {
            if !sp.lessThan(r.base, r.limit) { return "range \(k) \(r) is empty or inverted" }
            if r.base.a % Geometry.pallocChunkBytes != 0 || r.limit.a % Geometry.pallocChunkBytes != 0 {
                return "range \(k) \(r) is not chunk aligned"
            }
            if k > 0 && !sp.lessThan(rs[k - 1].limit, r.base) {
                return "ranges \(k - 1) \(rs[k - 1]) and \(k) \(r) overlap, touch or are out of order"
            }
            total += sp.size(r)
        }
        if total != p.inUse.totalBytes { return "totalBytes \(p.inUse.totalBytes) != sum of ranges \(total)" }
        let grown = ctx.reference.grown.intervals.map {
            AddrRange(base: OffAddr(ctx.reference.address($0.lowerBound)), limit: OffAddr(ctx.reference.address($0.upperBound)))
        }
        if grown != rs { return "inUse \(rs) differs from the grown ranges \(grown)" }
        if let first = rs.first, let last = rs.last {
            if p.start != sp.chunkIndex(first.base.a) || p.end != sp.chunkIndex(last.limit.a) {
                return "start/end \(p.start)/\(p.end) but inUse spans chunks \(sp.chunkIndex(first.base.a))..<\(sp.chunkIndex(last.limit.a))"
            }
        }
        return nil
    }

    /// From mpagealloc_64bit.go sysGrow and mem.go's accounting: the summary
    /// blocks of every grown range are Ready, and sysStat/mappedReady add up
    /// to the Ready bytes actually mapped.
    public static let memory = Invariant(
        name: "memory",
        statement: "summaries of grown ranges are Ready; mappedReady == Ready bytes; sysStat == Ready bytes + persistentalloc (mem.go, sysGrow)"
    ) { ctx in
        let p = ctx.port
        let m = p.mem
        if m.mappedReady != Int64(m.readyBytes) { return "mappedReady \(m.mappedReady) != Ready bytes \(m.readyBytes)" }
        let l2Bytes = UInt64(p.chunkBlockCount) * UInt64(p.l2BlockBytes)
        if p.summaryMappedReady + l2Bytes != m.readyBytes {
            return "summaryMappedReady \(p.summaryMappedReady) + chunks L2 \(l2Bytes) != Ready bytes \(m.readyBytes)"
        }
        if p.sysStat.bytes != Int64(m.readyBytes + p.inUse.persistentBytes) {
            return "sysStat \(p.sysStat.bytes) != Ready bytes \(m.readyBytes) + persistentalloc \(p.inUse.persistentBytes)"
        }
        // Mappings change only when the heap grows.
        guard ctx.full || (ctx.grew && ctx.touched != nil) else { return nil }
        let g = p.geometry
        for r in p.inUse.ranges {
            if !ctx.full, let t = ctx.touched {
                let lo = g.space.chunkIndex(r.base.a).v, hi = g.space.chunkIndex(r.limit.a).v
                if t.upperBound < lo || t.lowerBound >= hi { continue }
            }
            for l in 0..<p.levels {
                let (lo0, hi0) = g.space.addrsToSummaryRange(g.levelShift[l], r.base.a, r.limit.a)
                let (lo, hi) = blockAlignSummaryRange(g.levelBits[l], lo0, hi0)
                var a = p.summaryBase(level: l) + UInt64(lo) * 8
                let end = p.summaryBase(level: l) + UInt64(hi) * 8
                while a < end {
                    let s = m.state(at: a)
                    if s != .ready { return "summary[\(l)] at \(h(a)) for grown range \(r) is \(s)" }
                    a = (a | (g.physPageSize - 1)) + 1
                }
            }
        }
        return nil
    }
}
