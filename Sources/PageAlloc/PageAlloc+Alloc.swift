// Allocating and freeing pages (mpagealloc.go: allocRange, alloc, free).

import OSMemory

extension PageAlloc {
    /// Mirrors (*pageAlloc).allocRange: marks [base, base+npages*pageSize)
    /// allocated and updates the summaries. Returns how many bytes of the
    /// range were scavenged (their scavenged bits are cleared).
    @discardableResult
    public func allocRange(_ base: UInt64, _ npages: UInt64) throws -> UInt64 {
        // Go 1.21+ tells its scavenge index of every chunk's allocation.
        if let ref = scavChunksRef {
            return try ref._withUnsafeGuaranteedRef { try allocRange(base, npages, index: $0) }
        }
        return try allocRange(base, npages, index: nil)
    }

    /// allocRange's body, with Go 1.21+'s index when there is one.
    @inline(__always)
    func allocRange(_ base: UInt64, _ npages: UInt64, index idx: ScavChunkIndex?) throws -> UInt64 {
        let limit = (base &+ npages &* Geometry.pageSize &- 1) & space.uintptrMask
        let sc = space.chunkIndex(base), ec = space.chunkIndex(limit)
        let si = space.chunkPageIndex(base), ei = space.chunkPageIndex(limit)
        var scav: UInt64 = 0
        if sc == ec {
            let chunk = try chunkOf(sc)
            scav += chunk.scavenged.popcntRange(si, ei + 1 - si)
            chunk.allocRange(si, ei + 1 - si)
            try idx?.alloc(sc, ei + 1 - si)
        } else {
            tally.hit(.allocRangeStraddlesChunks)
            var chunk = try chunkOf(sc)
            scav += chunk.scavenged.popcntRange(si, Geometry.pallocChunkPages - si)
            chunk.allocRange(si, Geometry.pallocChunkPages - si)
            try idx?.alloc(sc, Geometry.pallocChunkPages - si)
            var c = ChunkIdx(sc.v + 1)
            while c < ec {
                chunk = try chunkOf(c)
                scav += chunk.scavenged.popcntRange(0, Geometry.pallocChunkPages)
                chunk.allocAll()
                try idx?.alloc(c, Geometry.pallocChunkPages)
                c.v += 1
            }
            chunk = try chunkOf(ec)
            scav += chunk.scavenged.popcntRange(0, ei + 1)
            chunk.allocRange(0, ei + 1)
            try idx?.alloc(ec, ei + 1)
        }
        try update(base, npages, contig: true, alloc: true)
        return scav * Geometry.pageSize
    }

    /// Mirrors (*pageAlloc).alloc: allocates `npages` contiguous pages at the
    /// lowest address that has them. Returns the base and the scavenged
    /// bytes in the run, or (0, 0) when no run is large enough.
    ///
    /// Fast path: if the chunk holding searchAddr can hold npages, search
    /// its bitmap directly. Otherwise the radix-tree search, find.
    public func alloc(_ npages: UInt64) throws -> (addr: UInt64, scav: UInt64) {
        precondition(npages > 0, "alloc of zero pages")
        // searchAddr beyond every known chunk: out of memory.
        if space.chunkIndex(searchAddr.a) >= end { return (0, 0) }

        var candidate = space.minOffAddr
        var addr: UInt64 = 0
        var found = false
        if Geometry.pallocChunkPages - space.chunkPageIndex(searchAddr.a) >= npages {
            // npages <= pallocChunkPages here.
            let i = space.chunkIndex(searchAddr.a)
            let max = sums.max(try summary[leaf].at(Int(i.v)))
            if max >= npages {
                let (j, searchIdx) = bitmapFind(try chunkOf(i), npages, space.chunkPageIndex(searchAddr.a))
                if j == notFound && variant != .preFix38130 {
                    throw GoThrow("bad summary data", printed: [
                        "runtime: max = \(max), npages = \(npages)",
                        "runtime: searchIdx = \(space.chunkPageIndex(searchAddr.a)), p.searchAddr = 0x\(String(searchAddr.a, radix: 16))",
                    ])
                }
                addr = space.chunkBase(i) &+ j * Geometry.pageSize
                candidate = OffAddr(space.chunkBase(i) &+ searchIdx * Geometry.pageSize)
                found = true
                tally.hit(.allocFastPath)
            }
        }
        if !found {
            tally.hit(.allocSlowPath)
            (addr, candidate) = try find(npages)
            if addr == 0 {
                if npages == 1 {
                    // Not even one page: the heap is exhausted.
                    searchAddr = space.maxSearchAddr
                    tally.hit(.searchAddrExhausted)
                } else {
                    tally.hit(.allocFailed)
                }
                return (0, 0)
            }
        }
        let scav = try allocRange(addr, npages)
        // Everything below the candidate is allocated now: move searchAddr up.
        if space.lessThan(searchAddr, candidate) { searchAddr = candidate }
        return (addr, scav)
    }

    /// Mirrors (*pageAlloc).free: returns [base, base+npages*pageSize) to
    /// the allocator. `scavenged` says the memory was already released to
    /// the OS (it then does not raise the scavenger's free high-water mark);
    /// Go 1.21+'s free has no such argument and tells its index instead.
    public func free(_ base: UInt64, _ npages: UInt64, scavenged: Bool = false) throws {
        if let ref = scavChunksRef {
            return try ref._withUnsafeGuaranteedRef { try free(base, npages, scavenged: false, index: $0) }
        }
        try free(base, npages, scavenged: scavenged, index: nil)
    }

    /// free's body, with Go 1.21+'s index when there is one.
    @inline(__always)
    func free(_ base: UInt64, _ npages: UInt64, scavenged: Bool, index idx: ScavChunkIndex?) throws {
        precondition(npages > 0, "free of zero pages")
        if space.lessThan(OffAddr(base), searchAddr) {
            searchAddr = OffAddr(base)
            tally.hit(.freeMovesSearchAddrDown)
        }
        let limit = (base &+ npages &* Geometry.pageSize &- 1) & space.uintptrMask
        if idx == nil && !scavenged {
            let offLimit = OffAddr(limit)
            if space.lessThan(freeHWM, offLimit) { freeHWM = offLimit }
            // Go 1.19: the pages may now be scavenged: mark their chunks.
            try scavIndexRef!._withUnsafeGuaranteedRef { try $0.mark(base, (limit &+ 1) & space.uintptrMask) }
        }
        if npages == 1 {
            // One bit, known exactly.
            let i = space.chunkIndex(base)
            let pi = space.chunkPageIndex(base)
            try chunkOf(i).palloc.free1(pi)
            try idx?.free(i, pi, 1)
        } else {
            let sc = space.chunkIndex(base), ec = space.chunkIndex(limit)
            let si = space.chunkPageIndex(base), ei = space.chunkPageIndex(limit)
            if sc == ec {
                try chunkOf(sc).palloc.free(si, ei + 1 - si)
                try idx?.free(sc, si, ei + 1 - si)
            } else {
                try chunkOf(sc).palloc.free(si, Geometry.pallocChunkPages - si)
                try idx?.free(sc, si, Geometry.pallocChunkPages - si)
                var c = ChunkIdx(sc.v + 1)
                while c < ec {
                    try chunkOf(c).palloc.freeAll()
                    try idx?.free(c, 0, Geometry.pallocChunkPages)
                    c.v += 1
                }
                try chunkOf(ec).palloc.free(0, ei + 1)
                try idx?.free(ec, 0, ei + 1)
            }
        }
        try update(base, npages, contig: true, alloc: false)
    }
}
