// The reference's page caches: per P, a 64-page aligned block whose free
// pages belong to the cache. Those pages are allocated as far as the heap
// is concerned (they are not in `free`) and free as far as the cache is.

import TraceFormat

/// One P's page cache, in the reference's linear page numbers.
public struct ReferencePageCache: Hashable, Sendable {
    /// The block's first linear page (a multiple of 64).
    public var firstPage: UInt64 = 0
    /// Bit i: page firstPage+i is free in the cache.
    public var free: UInt64 = 0
    /// Bit i: page firstPage+i is free in the cache and scavenged.
    public var scav: UInt64 = 0
    /// Bit i: page firstPage+i is free in the cache and carries a free's
    /// `scavenged: true` claim (see `freedAsScavenged`); flushing gives
    /// the claim back with the page.
    public var claimed: UInt64 = 0
    public init() {}
}

extension ReferenceAllocator {
    /// The Ps that have a page cache in a trace (Ps 0 to 3).
    public static let pageCacheCount = Operation.pageCaches
    /// Pages one cache covers.
    static let cachePages: UInt64 = 64

    /// Whether any page of `r` is free in some cache.
    func heldByCache(_ r: Range<UInt64>) -> Bool {
        for c in caches where c.free != 0 {
            let lo = Swift.max(r.lowerBound, c.firstPage), hi = Swift.min(r.upperBound, c.firstPage + Self.cachePages)
            var k = lo
            while k < hi {
                if (c.free >> (k - c.firstPage)) & 1 == 1 { return true }
                k += 1
            }
        }
        return false
    }

    /// The pages a free may name: allocated, and not free in a cache.
    public var freeable: IntervalSet {
        var a = allocated
        for iv in padding.intervals { a.remove(iv) }
        for c in caches where c.free != 0 {
            for i in 0..<Self.cachePages where (c.free >> i) & 1 == 1 { a.remove((c.firstPage + i)..<(c.firstPage + i + 1)) }
        }
        return a
    }

    /// allocToCache into P `p`: the 64-page block holding the lowest free
    /// page goes to the cache with every free page in it. Returns the
    /// block's address and bits, or (0, 0, 0) when no page is free.
    public mutating func allocToCache(_ p: Int) throws(InvalidOperation) -> (base: UInt64, cache: UInt64, scav: UInt64) {
        guard p >= 0 && p < caches.count else { throw InvalidOperation("no page cache for P \(p)") }
        guard caches[p].free == 0 else {
            throw InvalidOperation("alloc-to-cache into P \(p)'s cache, which still holds free pages (the runtime refills only an empty cache)")
        }
        guard let k = free.firstFit(1) else {
            caches[p] = ReferencePageCache()
            return (0, 0, 0)
        }
        let first = k - k % Self.cachePages
        var c = ReferencePageCache()
        c.firstPage = first
        for i in 0..<Self.cachePages {
            let page = first + i
            if free.contains(page..<(page + 1)) { c.free |= 1 << i }
            // Go returns the block's scavenged bits whole: padding pages
            // (allocated and scavenged) are in them too.
            if scavenged.contains(page..<(page + 1)) || padding.contains(page..<(page + 1)) { c.scav |= 1 << i }
            if freedAsScavenged.contains(page..<(page + 1)) { c.claimed |= 1 << i }
        }
        let block = first..<(first + Self.cachePages)
        // Every free page of the block leaves the heap's free set.
        free.remove(block)
        scavenged.remove(block)
        freedAsScavenged.remove(block)
        // The index counts the block's free pages as allocated in its chunk.
        scavGen.touch(first / 512, by: c.free.nonzeroBitCount)
        caches[p] = c
        return (address(first), c.free, c.scav)
    }

    /// cache-alloc on P `p`: the lowest `npages` consecutive pages free in
    /// the cache, and their scavenged bytes; (0, 0) when none fit.
    public mutating func cacheAlloc(_ p: Int, _ npages: UInt64) throws(InvalidOperation) -> (addr: UInt64, scav: UInt64) {
        guard p >= 0 && p < caches.count else { throw InvalidOperation("no page cache for P \(p)") }
        guard npages > 0 else { throw InvalidOperation("cache-alloc 0") }
        guard npages < Self.cachePages / 4 else {
            throw InvalidOperation("cache-alloc \(npages): the runtime uses the page cache only below \(Self.cachePages / 4) pages")
        }
        var c = caches[p]
        var i: UInt64 = 0
        while i + npages <= Self.cachePages {
            let mask: UInt64 = ((1 << npages) - 1) << i
            if c.free & mask == mask {
                let scav = UInt64((c.scav & mask).nonzeroBitCount)
                c.free &= ~mask
                c.scav &= ~mask
                c.claimed &= ~mask
                caches[p] = c
                return (address(c.firstPage + i), scav * Self.pageSize)
            }
            i += 1
        }
        return (0, 0)
    }

    /// cache-flush of P `p`: the cache's free pages return to the heap,
    /// scavenged where the cache says so. Returns the block's address, or
    /// 0 when the cache held no free page (then nothing changes).
    public mutating func cacheFlush(_ p: Int) throws(InvalidOperation) -> UInt64 {
        guard p >= 0 && p < caches.count else { throw InvalidOperation("no page cache for P \(p)") }
        let c = caches[p]
        guard c.free != 0 else { return 0 }
        for i in 0..<Self.cachePages where (c.free >> i) & 1 == 1 {
            free.insert((c.firstPage + i)..<(c.firstPage + i + 1))
            scavGen.freed((c.firstPage + i)..<(c.firstPage + i + 1))
            if (c.scav >> i) & 1 == 1 { scavenged.insert((c.firstPage + i)..<(c.firstPage + i + 1)) }  // only the cache's free pages
            if (c.claimed >> i) & 1 == 1 { freedAsScavenged.insert((c.firstPage + i)..<(c.firstPage + i + 1)) }
        }
        caches[p] = ReferencePageCache()
        return address(c.firstPage)
    }
}
