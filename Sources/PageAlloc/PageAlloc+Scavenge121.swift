// Go 1.21+'s scavenger over its scavChunkData index (mgcscavenge.go,
// Go 1.27: (*pageAlloc).scavenge, scavengeOne; Go 1.21's setNoHugePage call
// in scavengeOne), the generation step (mgc.go's call of nextGen), and
// Go 1.26's heap-base padding (mpagealloc.go: markRandomPaddingPages).

import OSMemory

extension PageAlloc {
    /// Mirrors Go 1.21+'s (*pageAlloc).scavenge: releases at least `nbytes`
    /// (already a uintptr) of free memory, from the chunk the cursor of
    /// `force` points at downwards, until find runs out of chunks.
    func scavenge121(_ nbytes: UInt64, force: Bool, _ idx: ScavChunkIndex) throws -> UInt64 {
        var released: UInt64 = 0
        while released < nbytes {
            let (ci, pageIdx) = try idx.find(force: force)
            if ci.v == 0 { break }
            let r = try scavengeOne121(ci, pageIdx, nbytes &- released, idx)
            released &+= r
            if variant == .fixCandidateScavSkipChunk && r == 0 && pageIdx != Geometry.pallocChunkPages - 1 {
                idx.skipChunk(ci, force: force)
            }
        }
        tally.hit(released == 0 ? .scavengeNothing : .scavengeReleased)
        return released
    }

    /// Mirrors Go 1.21+'s (*pageAlloc).scavengeOne: searches chunk ci down
    /// from page `searchIdx` for a run of free, unscavenged pages (at most
    /// `max` bytes, whole physical pages, more to keep a huge page whole),
    /// releases it and returns its bytes. When the search finds nothing the
    /// chunk is marked empty in the index, however much of it lies above
    /// `searchIdx`, and 0 is returned.
    ///
    /// Unlike Go 1.19, the run is taken and given back with the chunk's own
    /// allocRange and free and an update of the tree, not the page heap's:
    /// the index's counts do not see the scavenger.
    func scavengeOne121(_ ci: ChunkIdx, _ searchIdx: UInt64, _ max: UInt64, _ idx: ScavChunkIndex) throws -> UInt64 {
        // Rounded up without overflow: max may be all ones.
        var maxPages = max / Geometry.pageSize
        if max % Geometry.pageSize != 0 { maxPages += 1 }
        let minPages = Swift.max(1, geometry.physPageSize / Geometry.pageSize)

        if sums.max(try summary[leaf].at(Int(ci.v))) >= minPages {
            let chunk = try chunkOf(ci)
            let (base, npages) = try chunk.findScavengeCandidate(
                searchIdx, minPages, maxPages,
                physHugePageSize: physHugePageSize, physPageSize: geometry.physPageSize, alignMax: true)
            if npages != 0 {
                let addr = space.chunkBase(ci) &+ base &* Geometry.pageSize
                // Taken, so no allocation grabs it while it is released.
                chunk.allocRange(base, npages)
                try update(addr, npages, contig: true, alloc: true)
                if idx.version == .go121 { try idx.setNoHugePage(ci) }
                let nbytes = npages &* Geometry.pageSize
                if let heap = heapMemory {
                    // Go's test allocator (p.test) skips this; the runtime does it.
                    try heap.sysUnused(addr, nbytes)
                    heapReleased &+= nbytes
                }
                // Given back: free again, and scavenged.
                if space.lessThan(OffAddr(addr), searchAddr) { searchAddr = OffAddr(addr) }
                chunk.palloc.free(base, npages)
                try update(addr, npages, contig: true, alloc: false)
                chunk.scavenged.setRange(base, npages)
                tally.hit(.scavengeOneReleases)
                return nbytes
            }
        }
        if try variant != .fixCandidateScavSkipChunk || searchIdx == Geometry.pallocChunkPages - 1
            || sums.max(summary[leaf].at(Int(ci.v))) < minPages {
            try idx.setEmpty(ci)
        }
        return 0
    }

    /// Mirrors (*scavengeIndex).nextGen as gcMarkTermination calls it, once
    /// per GC cycle (Go 1.21+).
    public func nextGen() throws {
        guard let idx = scavChunks else { throw GoThrow("nextGen: Go 1.19's scavenger has no generations") }
        idx.nextGen()
    }

    /// Mirrors (*pageAlloc).markRandomPaddingPages (Go 1.26+): marks
    /// [base, base+npages*pageSize) allocated and scavenged, telling the
    /// index of the allocation, and updates the tree.
    public func markRandomPaddingPages(_ base: UInt64, _ npages: UInt64) throws {
        guard let idx = scavChunks, scavenger.hasPadding else { throw GoThrow("markRandomPaddingPages: Go 1.26+ only") }
        let limit = (base &+ npages &* Geometry.pageSize &- 1) & space.uintptrMask
        let sc = space.chunkIndex(base), ec = space.chunkIndex(limit)
        let si = space.chunkPageIndex(base), ei = space.chunkPageIndex(limit)
        if sc == ec {
            let chunk = try chunkOf(sc)
            chunk.allocRange(si, ei + 1 - si)
            try idx.alloc(sc, ei + 1 - si)
            chunk.scavenged.setRange(si, ei + 1 - si)
        } else {
            var chunk = try chunkOf(sc)
            chunk.allocRange(si, Geometry.pallocChunkPages - si)
            try idx.alloc(sc, Geometry.pallocChunkPages - si)
            chunk.scavenged.setRange(si, Geometry.pallocChunkPages - si)
            var c = ChunkIdx(sc.v + 1)
            while c < ec {
                chunk = try chunkOf(c)
                chunk.allocAll()
                try idx.alloc(c, Geometry.pallocChunkPages)
                chunk.scavenged.setAll()
                c.v += 1
            }
            chunk = try chunkOf(ec)
            chunk.allocRange(0, ei + 1)
            try idx.alloc(ec, ei + 1)
            chunk.scavenged.setRange(0, ei + 1)
        }
        try update(base, npages, contig: true, alloc: true)
    }
}
