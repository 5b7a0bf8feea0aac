// The per-P page cache (mpagecache.go, Go 1.19): a 64-page aligned block
// of one chunk taken from the page heap at once, so that small allocations
// need no lock. Pages in a cache are allocated in the tree and free in the
// cache; flushing gives the cache's free pages back to the tree.

/// Mirrors `pageCachePages`: the pages one cache covers (the bits of a word).
public let pageCachePages: UInt64 = 64

/// Mirrors `pageCache`. The cache covers [base, base+64*pageSize).
public struct PageCache: Equatable, Sendable {
    /// The block's first page (64-page aligned inside its chunk); 0 for none.
    public var base: UInt64 = 0
    /// Bit i set: page i of the block is free in the cache.
    public var cache: UInt64 = 0
    /// Bit i set: page i is free in the cache and its memory is scavenged.
    public var scav: UInt64 = 0

    public init(base: UInt64 = 0, cache: UInt64 = 0, scav: UInt64 = 0) {
        self.base = base
        self.cache = cache
        self.scav = scav
    }

    /// Mirrors (*pageCache).empty: no free page left in the cache.
    public var empty: Bool { cache == 0 }

    /// Mirrors (*pageCache).alloc: `npages` contiguous pages from the cache,
    /// the lowest that fit, and how many of their bytes were scavenged;
    /// (0, 0) when the cache cannot hold them.
    public mutating func alloc(_ npages: UInt64) -> (addr: UInt64, scav: UInt64) {
        if cache == 0 { return (0, 0) }
        if npages == 1 {
            let i = UInt64(cache.trailingZeroBitCount)
            let s = (scav >> i) & 1
            cache &= ~(1 << i)
            scav &= ~(1 << i)
            return (base &+ i &* Geometry.pageSize, s &* Geometry.pageSize)
        }
        return allocN(npages)
    }

    /// Mirrors (*pageCache).allocN: the multi-page case of alloc.
    mutating func allocN(_ npages: UInt64) -> (addr: UInt64, scav: UInt64) {
        let i = findBitRange64(cache, npages)
        if i >= 64 { return (0, 0) }
        let mask: UInt64 = ((UInt64(1) << npages) &- 1) << i
        let s = UInt64((scav & mask).nonzeroBitCount)
        cache &= ~mask
        scav &= ~mask
        return (base &+ i &* Geometry.pageSize, s &* Geometry.pageSize)
    }
}

extension PallocData {
    /// Mirrors pallocBits.pages64: the aligned word of allocation bits
    /// holding page i.
    @inline(__always) public func pages64(_ i: UInt64) -> UInt64 { palloc.bits.block64(i) }
    /// Mirrors pallocBits.allocPages64: marks the pages set in `alloc`
    /// allocated, in the aligned word holding page i.
    @inline(__always) func allocPages64(_ i: UInt64, _ alloc: UInt64) { palloc.w[Int(i / 64)] |= alloc }
    /// Mirrors pageBits.clearBlock64 on the scavenged bits.
    @inline(__always) func clearScavengedBlock64(_ i: UInt64, _ mask: UInt64) { scavenged.w[Int(i / 64)] &= ~mask }
}

extension PageAlloc {
    /// Mirrors (*pageCache).flush: returns the cache's free pages to the
    /// tree, with their scavenged marks, and lowers searchAddr as a free
    /// does. The cache is left empty.
    public func flush(_ c: inout PageCache) throws {
        if c.empty { return }
        let ci = space.chunkIndex(c.base)
        let pi = space.chunkPageIndex(c.base)
        // Go walks the bits one at a time here: the path is rare. Go 1.21+
        // tells its scavenge index of each page freed.
        let idx = scavChunks
        for i in 0..<pageCachePages {
            if c.cache & (1 << i) != 0 {
                try chunkOf(ci).palloc.free1(pi + i)
                try idx?.free(ci, pi + i, 1)
            }
            if c.scav & (1 << i) != 0 { try chunkOf(ci).scavenged.setRange(pi + i, 1) }
        }
        if space.lessThan(OffAddr(c.base), searchAddr) {
            searchAddr = OffAddr(c.base)
            tally.hit(.flushMovesSearchAddrDown)
        }
        // Like a free, the flush may leave free, unscavenged pages: with Go
        // 1.19's bitmap index, the port marks the chunk. Go 1.19 does not
        // (its flush predates the index; the variant puts that back); Go
        // 1.21+ tells its index page by page, above. Without it the
        // scavenger may never find those pages again.
        if idx == nil && variant != .go119FlushUnmarked {
            try scavIndex.mark(c.base, (c.base &+ pageCachePages &* Geometry.pageSize) & space.uintptrMask)
        }
        try update(c.base, pageCachePages, contig: false, alloc: false)
        c = PageCache()
    }

    /// Mirrors (*pageAlloc).allocToCache: takes the 64-page aligned block
    /// holding the first free page and hands all its free pages to a new
    /// cache. Returns an empty cache when no page is free.
    public func allocToCache() throws -> PageCache {
        // searchAddr beyond every known chunk: out of memory.
        if space.chunkIndex(searchAddr.a) >= end { return PageCache() }
        var c = PageCache()
        var ci = space.chunkIndex(searchAddr.a)
        let chunk: PallocData
        if try summary[leaf].at(Int(ci.v)).raw != 0 {
            // Fast path: the chunk at searchAddr has a free page at or past it.
            tally.hit(.cacheFastPath)
            chunk = try chunkOf(ci)
            let j = chunk.palloc.find(1, space.chunkPageIndex(searchAddr.a)).0
            if j == notFound && variant != .preFix38130 {
                throw GoThrow("bad summary data", printed: [
                    "runtime: allocToCache: searchIdx = \(space.chunkPageIndex(searchAddr.a)), p.searchAddr = 0x\(String(searchAddr.a, radix: 16))",
                ])
            }
            c = PageCache(base: space.chunkBase(ci) &+ (j & ~63) &* Geometry.pageSize,
                          cache: ~chunk.pages64(j), scav: chunk.scavenged.block64(j))
        } else {
            // Slow path: the tree search for one page.
            tally.hit(.cacheSlowPath)
            let (addr, _) = try find(1)
            if addr == 0 {
                // Nothing free anywhere: the heap is exhausted.
                searchAddr = space.maxSearchAddr
                return PageCache()
            }
            ci = space.chunkIndex(addr)
            chunk = try chunkOf(ci)
            let pi = space.chunkPageIndex(addr)
            c = PageCache(base: addr & ~(pageCachePages &* Geometry.pageSize &- 1),
                          cache: ~chunk.pages64(pi), scav: chunk.scavenged.block64(pi))
        }
        // Only the pages that go to the cache change state in the chunk.
        let cpi = space.chunkPageIndex(c.base)
        chunk.allocPages64(cpi, c.cache)
        chunk.clearScavengedBlock64(cpi, c.cache & c.scav)
        // An allocation, though not of a contiguous run.
        try update(c.base, pageCachePages, contig: false, alloc: true)
        try scavChunks?.alloc(ci, UInt64(c.cache.nonzeroBitCount))
        // The block's last page: every free page below the block's end went
        // to the cache, and searchAddr must stay in mapped heap memory.
        if variant == .preFix38605 {
            // golang/go#38605: the page after the block, which may lie
            // outside every grown range.
            searchAddr = OffAddr((c.base &+ Geometry.pageSize &* pageCachePages) & space.uintptrMask)
        } else {
            searchAddr = OffAddr(c.base &+ Geometry.pageSize &* (pageCachePages - 1))
        }
        return c
    }
}
