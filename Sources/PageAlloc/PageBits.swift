// Bitmaps of one chunk's pages (mpallocbits.go): 512 bits in 8 words.

import func SummaryCore.findBitRange64

/// Bits per chunk bitmap word, and words per chunk bitmap.
let wordsPerChunk = Int(Geometry.pallocChunkPages / 64)

/// Mirrors `pageBits` in mpallocbits.go: a bitmap with one bit per page of a
/// chunk, stored as 8 little-endian 64-bit words. This is a view onto
/// storage owned by the chunks map.
public struct PageBits {
    @usableFromInline let w: UnsafeMutablePointer<UInt64>
    @inline(__always) init(_ w: UnsafeMutablePointer<UInt64>) { self.w = w }

    /// Mirrors pageBits.get: bit i as 0 or 1.
    @inline(__always) public func get(_ i: UInt64) -> UInt64 { (w[Int(i / 64)] >> (i % 64)) & 1 }
    /// Mirrors pageBits.block64: the aligned 64-bit word holding bit i.
    @inline(__always) public func block64(_ i: UInt64) -> UInt64 { w[Int(i / 64)] }
    /// Mirrors pageBits.set.
    @inline(__always) public func set(_ i: UInt64) { w[Int(i / 64)] |= 1 << (i % 64) }
    /// Mirrors pageBits.clear.
    @inline(__always) public func clear(_ i: UInt64) { w[Int(i / 64)] &= ~(1 << (i % 64)) }

    /// Mirrors pageBits.setRange: sets bits [i, i+n); n > 0.
    public func setRange(_ i: UInt64, _ n: UInt64) {
        precondition(n > 0 && i + n <= Geometry.pallocChunkPages, "setRange out of the chunk")
        if n == 1 { set(i); return }
        let j = i + n - 1  // inclusive last bit
        if i / 64 == j / 64 {
            w[Int(i / 64)] |= ((1 << n) &- 1) << (i % 64)
            return
        }
        w[Int(i / 64)] |= ~0 << (i % 64)
        for k in (i / 64 + 1)..<(j / 64) { w[Int(k)] = ~0 }
        w[Int(j / 64)] |= (1 << (j % 64 + 1)) &- 1
    }

    /// Mirrors pageBits.clearRange: clears bits [i, i+n); n > 0.
    public func clearRange(_ i: UInt64, _ n: UInt64) {
        precondition(n > 0 && i + n <= Geometry.pallocChunkPages, "clearRange out of the chunk")
        if n == 1 { clear(i); return }
        let j = i + n - 1  // inclusive last bit
        if i / 64 == j / 64 {
            w[Int(i / 64)] &= ~(((1 << n) &- 1) << (i % 64))
            return
        }
        w[Int(i / 64)] &= ~(~0 << (i % 64))
        for k in (i / 64 + 1)..<(j / 64) { w[Int(k)] = 0 }
        w[Int(j / 64)] &= ~((1 << (j % 64 + 1)) &- 1)
    }

    /// Mirrors pageBits.setAll.
    public func setAll() { for k in 0..<wordsPerChunk { w[k] = ~0 } }
    /// Mirrors pageBits.clearAll.
    public func clearAll() { for k in 0..<wordsPerChunk { w[k] = 0 } }

    /// Mirrors pageBits.popcntRange: how many bits of [i, i+n) are set; n > 0.
    public func popcntRange(_ i: UInt64, _ n: UInt64) -> UInt64 {
        precondition(n > 0 && i + n <= Geometry.pallocChunkPages, "popcntRange out of the chunk")
        if n == 1 { return (w[Int(i / 64)] >> (i % 64)) & 1 }
        let j = i + n - 1
        if i / 64 == j / 64 {
            return UInt64(((w[Int(i / 64)] >> (i % 64)) & ((1 << n) &- 1)).nonzeroBitCount)
        }
        var s = UInt64((w[Int(i / 64)] >> (i % 64)).nonzeroBitCount)
        for k in (i / 64 + 1)..<(j / 64) { s += UInt64(w[Int(k)].nonzeroBitCount) }
        s += UInt64((w[Int(j / 64)] & ((1 << (j % 64 + 1)) &- 1)).nonzeroBitCount)
        return s
    }
}

/// Mirrors findBitRange64: the lowest index i such that bits [i, i+n) of
/// `c` are all set, or 64 if there is none. 1 <= n <= 64.
///
/// The definition is SummaryCore's (the one the `findBitRange64` proof is about),
/// specialised for `UInt64`: shrink every run of ones by n-1 bits with shifted
/// ANDs, doubling the shift, then count trailing zeros.
@inlinable @inline(__always)
public func findBitRange64(_ c: UInt64, _ n: UInt64) -> UInt64 {
    SummaryCore.findBitRange64(c, n)
}
