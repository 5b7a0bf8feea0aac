// Returning free pages to the OS, page by page (mgcscavenge.go, Go 1.19:
// (*pageAlloc).scavenge, scavengeOne, fillAligned,
// (*pallocData).findScavengeCandidate).

import OSMemory

/// Go's `maxPagesPerPhysPage`: the largest physical page the scavenger
/// handles, in runtime pages (512 KiB / 8 KiB).
let maxPagesPerPhysPage: UInt64 = 64

/// Mirrors fillAligned: x with every m-aligned group of m bits that holds
/// any set bit made all ones. m is a power of two, at most 64.
func fillAligned(_ x: UInt64, _ m: UInt64) throws -> UInt64 {
    // For each group, set its top bit when the group is all zeros (the
    // "has a zero byte" trick, widened to groups of m bits).
    func apply(_ x: UInt64, _ c: UInt64) -> UInt64 { ~((((x & c) &+ c) | x) | c) }
    var x = x
    switch m {
    case 1: return x
    case 2: x = apply(x, 0x5555_5555_5555_5555)
    case 4: x = apply(x, 0x7777_7777_7777_7777)
    case 8: x = apply(x, 0x7F7F_7F7F_7F7F_7F7F)
    case 16: x = apply(x, 0x7FFF_7FFF_7FFF_7FFF)
    case 32: x = apply(x, 0x7FFF_FFFF_7FFF_FFFF)
    case 64: x = apply(x, 0x7FFF_FFFF_FFFF_FFFF)
    default: throw GoThrow("bad m value")
    }
    // Only the top bit of each all-zero group is set: subtracting the bit
    // shifted to the group's bottom fills the group below it; complementing
    // the union leaves ones exactly in the groups that had a set bit.
    return ~((x &- (x >> (m - 1))) | x)
}

extension PallocData {
    /// Mirrors (*pallocData).findScavengeCandidate: the highest run of free,
    /// unscavenged pages at or below page `searchIdx`, as (start, size);
    /// (0, 0) when there is none. Runs are whole, aligned groups of `min`
    /// pages (one physical page); `max` caps the size (rounded up to `min`),
    /// but a run may grow back down to a huge page boundary so as not to
    /// split a free, unscavenged huge page.
    func findScavengeCandidate(_ searchIdx: UInt64, _ min: UInt64, _ max: UInt64,
                               physHugePageSize: UInt64, physPageSize: UInt64, alignMax: Bool) throws -> (UInt64, UInt64) {
        if min & (min &- 1) != 0 || min == 0 {
            throw GoThrow("min must be a non-zero power of 2", printed: ["runtime: min = \(min)"])
        } else if min > maxPagesPerPhysPage {
            throw GoThrow("min too large", printed: ["runtime: min = \(min)"])
        }
        // Rounding max up to min keeps the run whole physical pages when it
        // is cut to max (golang/go#35445 is the run cut unaligned).
        var max = max
        if alignMax {
            max = max == 0 ? min : (max &+ min &- 1) & ~(min &- 1)
        } else if max < min {
            max = min
        }
        // A set bit below means "allocated or scavenged"; zeros are candidates.
        func blocked(_ k: Int) throws -> UInt64 { try fillAligned(scavenged.w[k] | palloc.w[k], min) }

        var i = Int(searchIdx / 64)
        while i >= 0 {
            if try blocked(i) != ~0 { break }
            i -= 1
        }
        if i < 0 { return (0, 0) }
        // The run's top is in word i; it may continue into the words below.
        let x = try blocked(i)
        let z1 = UInt64((~x).leadingZeroBitCount)
        var run: UInt64
        let end = UInt64(i) * 64 + (64 - z1)
        if x << z1 != 0 {
            run = UInt64((x << z1).leadingZeroBitCount)
        } else {
            run = 64 - z1
            var j = i - 1
            while j >= 0 {
                let y = try blocked(j)
                run += UInt64(y.leadingZeroBitCount)
                if y != 0 { break }
                j -= 1
            }
        }
        var size = Swift.min(run, max)
        var start = end - size
        // Never break a free, unscavenged huge page: if the cut lands inside
        // one that the whole run covers, move the start down to its boundary.
        if physHugePageSize > Geometry.pageSize && physHugePageSize > physPageSize {
            let pagesPerHugePage = physHugePageSize / Geometry.pageSize
            let hugePageAbove = alignUp(start, pagesPerHugePage)
            if hugePageAbove <= end {
                let hugePageBelow = alignDown(start, pagesPerHugePage)
                if hugePageBelow >= end - run {
                    size += start - hugePageBelow
                    start = hugePageBelow
                }
            }
        }
        return (start, size)
    }
}

extension PageAlloc {
    /// Mirrors (*pageAlloc).scavenge (Go 1.19, which has no `force`):
    /// releases at least `nbytes` of free memory, highest chunks first,
    /// unless the index runs out of marked chunks. Returns the bytes released.
    /// With a Go 1.21+ scavenger, Go 1.21+'s scavenge (`force` chooses the
    /// cursor and the density rule); Go 1.19's has no `force`.
    public func scavenge(_ nbytes: UInt64, force: Bool = true) throws -> UInt64 {
        // nbytes is a uintptr: 32 bits wide on the 32-bit geometries.
        let nbytes = nbytes & space.uintptrMask
        if let idx = scavChunks { return try scavenge121(nbytes, force: force, idx) }
        var released: UInt64 = 0
        while released < nbytes {
            let (ci, pageIdx) = try scavIndex.find()
            if ci.v == 0 { break }
            released += try scavengeOne(ci, pageIdx, nbytes - released)
        }
        tally.hit(released == 0 ? .scavengeNothing : .scavengeReleased)
        return released
    }

    /// Mirrors (*pageAlloc).scavengeOne: scavenges one run of chunk `ci`
    /// (at most `max` bytes, rounded to whole physical pages, or more to keep
    /// a huge page whole) and returns its bytes; when the chunk has none,
    /// clears its index bit and returns 0. Go 1.19 searches the whole chunk
    /// from its top page, whatever `searchIdx` says.
    func scavengeOne(_ ci: ChunkIdx, _ searchIdx: UInt64, _ max: UInt64) throws -> UInt64 {
        var maxPages = max / Geometry.pageSize
        if max % Geometry.pageSize != 0 { maxPages += 1 }
        let minPages = Swift.max(1, geometry.physPageSize / Geometry.pageSize)

        if variant.hasFastPath14, let n = try fastPath14(minPages: minPages, maxPages: maxPages) { return n }

        // Only a chunk whose longest free run can hold a physical page is
        // searched.
        if sums.max(try summary[leaf].at(Int(ci.v))) >= minPages {
            let (base, npages) = try chunkOf(ci).findScavengeCandidate(
                Geometry.pallocChunkPages - 1, minPages, maxPages,
                physHugePageSize: physHugePageSize, physPageSize: geometry.physPageSize, alignMax: variant != .preFix35445)
            if npages != 0 { return try scavengeRange(ci, base, npages) }
        }
        try scavIndex.clear(ci)
        return 0
    }

    /// The body scavengeOne runs on a run it found (Go 1.19 inlines it;
    /// Go 1.14-1.18 called it scavengeRangeLocked): allocate the run so no
    /// one takes it, release it to the OS, free it back as scavenged, and
    /// set its scavenged bits.
    func scavengeRange(_ ci: ChunkIdx, _ base: UInt64, _ npages: UInt64) throws -> UInt64 {
        let addr = space.chunkBase(ci) &+ base &* Geometry.pageSize
        if try allocRange(addr, npages) != 0 { throw GoThrow("double scavenge") }
        let nbytes = npages &* Geometry.pageSize
        if let heap = heapMemory {
            // Go's test allocator (p.test) skips this; the runtime does it.
            try heap.sysUnused(addr, nbytes)
            heapReleased &+= nbytes
        }
        try free(addr, npages, scavenged: true)
        try chunkOf(ci).scavenged.setRange(base, npages)
        tally.hit(.scavengeOneReleases)
        if variant.hasFastPath14 { scavAddr14 = addr &- 1 }
        return nbytes
    }

    /// Go 1.14's scavengeOne fast path, put in front of Go 1.19's for the
    /// variants that study it: first search the chunk holding the
    /// scavenger's address (just below the last run scavenged, which in a
    /// discontiguous heap may be no heap at all). As Go 1.14 shipped it, the
    /// chunk is searched only if inUse holds the address and the chunk's
    /// leaf summary has room for a physical page; the two pre-fix variants
    /// drop those checks. nil: nothing found here, go on as Go 1.19 does.
    func fastPath14(minPages: UInt64, maxPages: UInt64) throws -> UInt64? {
        guard let a = scavAddr14 else { return nil }
        let ci = space.chunkIndex(a)
        if ci < start { return nil }
        if variant == .scavFastPath14 && !inUse.contains(a) { return nil }
        if try variant != .preFixScavSummary14 && sums.max(summary[leaf].at(Int(ci.v))) < minPages { return nil }
        let (base, npages) = try chunkOf(ci).findScavengeCandidate(
            space.chunkPageIndex(a), minPages, maxPages,
            physHugePageSize: physHugePageSize, physPageSize: geometry.physPageSize, alignMax: true)
        if npages == 0 { return nil }
        return try scavengeRange(ci, base, npages)
    }
}
