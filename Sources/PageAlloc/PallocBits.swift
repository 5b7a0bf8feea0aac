// The allocation bitmap of one chunk and its searches (mpallocbits.go).
// A set bit is an allocated page, a clear bit a free one.

/// Returned by the finds for "nothing found" (`^uint(0)` in Go).
public let notFound: UInt64 = ~0

/// Mirrors `pallocBits`: a chunk's allocation bitmap.
public struct PallocBits {
    public let bits: PageBits
    @inline(__always) init(_ w: UnsafeMutablePointer<UInt64>) { bits = PageBits(w) }
    @inline(__always) var w: UnsafeMutablePointer<UInt64> { bits.w }

    /// Mirrors pallocBits.summarize: start, max and end of the free runs.
    public func summarize(_ k: SumLayout) -> PallocSum {
        var start: UInt64 = notFound, max: UInt64 = 0, cur: UInt64 = 0
        for i in 0..<wordsPerChunk {
            let x = w[i]
            if x == 0 { cur += 64; continue }
            let t = UInt64(x.trailingZeroBitCount)
            let l = UInt64(x.leadingZeroBitCount)
            // The zeros at the bottom of x end the run in progress.
            cur += t
            if start == notFound { start = cur }
            if cur > max { max = cur }
            // The zeros at the top of x start a new run.
            cur = l
        }
        if start == notFound {
            // Every page is free.
            let n = Geometry.pallocChunkPages
            return k.pack(n, n, n)
        }
        if cur > max { max = cur }
        if max >= 64 - 2 {
            // No run inside one word can beat a run this long.
            return k.pack(start, max, cur)
        }
        // Look for longer runs of zeros strictly inside each word: shrink
        // every run of zeros by `max` with shifted ORs; any zero left marks a
        // longer run, so raise max and shrink again.
        outer: for i in 0..<wordsPerChunk {
            var x = w[i]
            x >>= UInt64(x.trailingZeroBitCount) & 63
            if x & (x &+ 1) == 0 { continue }  // only ones (and top zeros) left
            var p = max  // zeros still to remove from each run
            var kk: UInt64 = 1  // shortest run of ones in x
            while true {
                while p > 0 {
                    if p <= kk {
                        x |= x >> (p & 63)
                        if x & (x &+ 1) == 0 { continue outer }
                        break
                    }
                    x |= x >> (kk & 63)
                    if x & (x &+ 1) == 0 { continue outer }
                    p -= kk
                    kk *= 2
                }
                var j = UInt64((~x).trailingZeroBitCount)  // trailing ones
                x >>= j & 63
                j = UInt64(x.trailingZeroBitCount)  // then the zeros: a longer run
                x >>= j & 63
                max += j
                if x & (x &+ 1) == 0 { continue outer }
                p = j
            }
        }
        return k.pack(start, max, cur)
    }

    /// Mirrors pallocBits.find: the first run of `npages` free pages at or
    /// after `searchIdx`, and the first free page at or after `searchIdx`
    /// (a new search index). Both are `notFound` when absent; for npages > 1
    /// the second may still be valid when the first is not.
    @inline(__always)
    public func find(_ npages: UInt64, _ searchIdx: UInt64) -> (UInt64, UInt64) {
        if npages == 1 {
            let addr = find1(searchIdx)
            return (addr, addr)
        } else if npages <= 64 {
            return findSmallN(npages, searchIdx)
        }
        return findLargeN(npages, searchIdx)
    }

    /// Mirrors pallocBits.find1: the first free page at or after searchIdx.
    @inline(__always)
    public func find1(_ searchIdx: UInt64) -> UInt64 {
        var i = Int(searchIdx / 64)
        while i < wordsPerChunk {
            let x = w[i]
            if ~x != 0 { return UInt64(i) * 64 + UInt64((~x).trailingZeroBitCount) }
            i += 1
        }
        return notFound
    }

    /// Mirrors pallocBits.findSmallN: a run of 2...64 free pages, possibly
    /// crossing one word boundary.
    public func findSmallN(_ npages: UInt64, _ searchIdx: UInt64) -> (UInt64, UInt64) {
        var end: UInt64 = 0, newSearchIdx = notFound
        var i = Int(searchIdx / 64)
        while i < wordsPerChunk {
            defer { i += 1 }
            let bi = w[i]
            if ~bi == 0 { end = 0; continue }
            if newSearchIdx == notFound {
                newSearchIdx = UInt64(i) * 64 + UInt64((~bi).trailingZeroBitCount)
            }
            // Free pages at the bottom of this word, joined to those at the top of the last.
            let start = UInt64(bi.trailingZeroBitCount)
            if end + start >= npages { return (UInt64(i) * 64 - end, newSearchIdx) }
            // A run wholly inside this word.
            let j = findBitRange64(~bi, npages)
            if j < 64 { return (UInt64(i) * 64 + j, newSearchIdx) }
            end = UInt64(bi.leadingZeroBitCount)
        }
        return (notFound, newSearchIdx)
    }

    /// Mirrors pallocBits.findLargeN: a run of more than 64 free pages.
    public func findLargeN(_ npages: UInt64, _ searchIdx: UInt64) -> (UInt64, UInt64) {
        var start = notFound, size: UInt64 = 0, newSearchIdx = notFound
        var i = Int(searchIdx / 64)
        while i < wordsPerChunk {
            defer { i += 1 }
            let x = w[i]
            if x == ~0 { size = 0; continue }
            if newSearchIdx == notFound {
                newSearchIdx = UInt64(i) * 64 + UInt64((~x).trailingZeroBitCount)
            }
            if size == 0 {
                size = UInt64(x.leadingZeroBitCount)
                start = UInt64(i) * 64 + 64 - size
                continue
            }
            let s = UInt64(x.trailingZeroBitCount)
            if s + size >= npages {
                size += s
                return (start, newSearchIdx)
            }
            if s < 64 {
                size = UInt64(x.leadingZeroBitCount)
                start = UInt64(i) * 64 + 64 - size
                continue
            }
            size += 64
        }
        if size < npages { return (notFound, newSearchIdx) }
        return (start, newSearchIdx)
    }

    /// Mirrors pallocBits.allocRange.
    @inline(__always) public func allocRange(_ i: UInt64, _ n: UInt64) { bits.setRange(i, n) }
    /// Mirrors pallocBits.allocAll.
    @inline(__always) public func allocAll() { bits.setAll() }
    /// Mirrors pallocBits.free1.
    @inline(__always) public func free1(_ i: UInt64) { bits.clear(i) }
    /// Mirrors pallocBits.free.
    @inline(__always) public func free(_ i: UInt64, _ n: UInt64) { bits.clearRange(i, n) }
    /// Mirrors pallocBits.freeAll.
    @inline(__always) public func freeAll() { bits.clearAll() }
}

/// Mirrors `pallocData`: a chunk's allocation bitmap and its scavenged
/// bitmap (a set bit there is a page whose memory was returned to the OS).
public struct PallocData {
    public let palloc: PallocBits
    public let scavenged: PageBits
    /// `w` points at 16 words: 8 of allocation bits, then 8 scavenged bits.
    @inline(__always) init(_ w: UnsafeMutablePointer<UInt64>) {
        palloc = PallocBits(w)
        scavenged = PageBits(w + wordsPerChunk)
    }

    /// Mirrors pallocData.allocRange: marks [i, i+n) allocated and no longer scavenged.
    @inline(__always) public func allocRange(_ i: UInt64, _ n: UInt64) {
        palloc.allocRange(i, n)
        scavenged.clearRange(i, n)
    }

    /// Mirrors pallocData.allocAll.
    @inline(__always) public func allocAll() {
        palloc.allocAll()
        scavenged.clearAll()
    }
}
