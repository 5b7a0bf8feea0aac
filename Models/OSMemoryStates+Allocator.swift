// The page allocator as a client of mem.go: sysInit (in the initial state),
// grow with sysGrow's summary mapping, allocSpan, free, and the scavenger.
// Geometry: 4 one-page chunks; summary level 0 has 2 entries (one per 2
// chunks), level 1 has 4 (one per chunk); each level's block is 2 entries;
// a physical page holds 2 entries. Units 0 (root page), 1-2 (leaf pages),
// 3-6 (heap chunks).

import ModelChecking

extension OSMemoryStates {
    /// The units of summary level `level` that hold the summaries of chunks
    /// [lo, hi): addrsToSummaryRange, then blockAlignSummaryRange, then
    /// page rounding (summaryRangeToSumAddrRange in mpagealloc_64bit.go).
    public static func summaryUnits(level: Int, chunks: Range<Int>) -> Range<Int> {
        let shift = level == 0 ? 1 : 0  // level 0 entries cover 2 chunks
        var lo = chunks.lowerBound >> shift
        var hi = ((chunks.upperBound - 1) >> shift) + 1
        lo &= ~1  // block alignment: 2 entries
        hi = (hi + 1) & ~1
        let pageLo = lo / 2, pageHi = (hi + 1) / 2  // 2 entries per page
        let offset = level == 0 ? 0 : 1
        return (offset + pageLo)..<(offset + pageHi)
    }

    /// Mirrors addrRange.subtract (mranges.go), including its "bad prune"
    /// throw, reported as a breach.
    public static func subtract(_ a: Range<Int>, _ b: Range<Int>, _ s: inout State) -> Range<Int> {
        if b.lowerBound <= a.lowerBound && a.upperBound <= b.upperBound { return a.lowerBound..<a.lowerBound }
        if a.lowerBound < b.lowerBound && b.upperBound < a.upperBound {
            breach(&s, "bad prune")
            return a
        }
        if b.upperBound < a.upperBound && a.lowerBound < b.upperBound { return b.upperBound..<a.upperBound }
        if a.lowerBound < b.lowerBound && b.lowerBound < a.upperBound { return a.lowerBound..<b.lowerBound }
        return a
    }

    /// p.inUse: the grown chunks (other than `growing`, which grow adds to
    /// inUse only after sysGrow) as sorted, merged ranges.
    static func inUse(_ s: S, excluding growing: Int) -> [Range<Int>] {
        var out: [Range<Int>] = []
        for c in 0..<chunks where s.unit[heapBase + c] != .none && c != growing {
            if let last = out.last, last.upperBound == c {
                out[out.count - 1] = last.lowerBound..<(c + 1)
            } else {
                out.append(c..<(c + 1))
            }
        }
        return out
    }

    /// Mirrors (*pageAlloc).sysGrow for chunk c: map the summary pages the
    /// new range needs, minus those its inUse neighbours already mapped.
    static func sysGrow(_ s: inout S, chunk c: Int, variant: Variant) {
        let ranges = inUse(s, excluding: c)
        let successor = ranges.firstIndex { $0.lowerBound > c } ?? ranges.count  // p.inUse.findSucc(base)
        for level in 0..<2 {
            var need = summaryUnits(level: level, chunks: c..<(c + 1))
            if variant != .controlNoPrune {
                if successor > 0 { need = subtract(need, summaryUnits(level: level, chunks: ranges[successor - 1]), &s) }
                if successor < ranges.count { need = subtract(need, summaryUnits(level: level, chunks: ranges[successor]), &s) }
            }
            if need.isEmpty { continue }
            sysMap(&s, need)
            if variant == .controlSkipSysUsed { continue }
            sysUsed(&s, need, prepared: need.count)
            s.summaryMappedReady += need.count
        }
    }

    /// (*pageAlloc).update: writes the chunk's leaf summary and its root.
    static func updateSummaries(_ s: inout S, chunk c: Int, _ what: String) {
        access(&s, summaryUnits(level: 0, chunks: c..<(c + 1)).lowerBound, what)
        access(&s, 1 + c / 2, what)
    }

    static func allocatorRules(_ variant: Variant) -> [Rule<State>] {
        var rules: [Rule<State>] = []
        // Partial-order reduction's names (Mirror's paths into State). The
        // mem.go helpers record the first breach or bad access only, so
        // they read those fields as well as write them.
        let checks = ["breach", "badAccess"]
        for c in 0..<chunks {
            let unit = heapBase + c
            // mheap.grow: reserve and map the arena (counted as released),
            // then pageAlloc.grow: sysGrow, then update, pages scavenged.
            rules.append(Rule("allocator", "grow(chunk \(c))", when: { $0.unit[unit] == .none }) { s in
                sysReserve(&s, unit..<(unit + 1))
                sysMap(&s, unit..<(unit + 1), stat: \.heapReleased)
                s.scavenged[c] = true
                sysGrow(&s, chunk: c, variant: variant)
                updateSummaries(&s, chunk: c, "grow(chunk \(c)) update")
            }.accessing(reads: ["unit", "regions", "sysStat", "heapReleased", "mappedReady", "summaryMappedReady"] + checks,
                        writes: ["unit", "regions", "sysStat", "heapReleased", "mappedReady", "summaryMappedReady", "scavenged[\(c)]"] + checks))
            // mheap.allocSpan: sysUsed with the exact scavenged amount.
            rules.append(Rule("allocator", "alloc(chunk \(c))", when: { $0.unit[unit] != .none && !$0.allocated[c] }) { s in
                let scav = s.scavenged[c] ? 1 : 0
                sysUsed(&s, unit..<(unit + 1), prepared: variant == .controlInexactPrepared ? 1 : scav)
                s.heapReleased -= scav
                s.scavenged[c] = false
                s.allocated[c] = true
                access(&s, unit, "alloc(chunk \(c)) zeroing")
                updateSummaries(&s, chunk: c, "alloc(chunk \(c)) update")
            }.accessing(reads: ["unit", "allocated[\(c)]", "scavenged[\(c)]", "mappedReady", "heapReleased"] + checks,
                        writes: ["unit", "allocated[\(c)]", "scavenged[\(c)]", "mappedReady", "heapReleased"] + checks))
            rules.append(Rule("allocator", "free(chunk \(c))", when: { $0.allocated[c] }) { s in
                s.allocated[c] = false
                updateSummaries(&s, chunk: c, "free(chunk \(c)) update")
            }.accessing(reads: ["allocated[\(c)]", "unit", "badAccess"], writes: ["allocated[\(c)]", "badAccess"]))
            // The scavenger returns a free, unscavenged page to the OS.
            rules.append(Rule("scavenger", "sysUnused(chunk \(c))", when: { s in
                s.unit[unit] == .ready && !s.allocated[c] && !s.scavenged[c]
            }) { s in
                sysUnused(&s, unit..<(unit + 1))
                s.heapReleased += 1
                s.scavenged[c] = true
            }.accessing(reads: ["unit", "allocated[\(c)]", "scavenged[\(c)]", "mappedReady", "heapReleased", "breach"],
                        writes: ["unit", "mappedReady", "heapReleased", "scavenged[\(c)]", "breach"]))
        }
        return rules
    }
}
