// A set of integers kept as sorted, disjoint, non-touching half-open
// intervals: the plain data structure the reference allocator is built on.

/// A set of UInt64 values stored as sorted, disjoint, coalesced intervals
/// [lo, hi). Every operation is a direct scan or binary search; nothing is
/// clever here on purpose.
public struct IntervalSet: Hashable, Sendable {
    /// The intervals, sorted by `lo`; no two overlap or touch.
    public private(set) var intervals: [Range<UInt64>] = []

    public init() {}

    /// Number of values in the set.
    public var count: UInt64 { intervals.reduce(0) { $0 + UInt64($1.count) } }
    public var isEmpty: Bool { intervals.isEmpty }

    /// Index of the first interval whose upper end is > x.
    func firstEndingAfter(_ x: UInt64) -> Int {
        var lo = 0, hi = intervals.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if intervals[mid].upperBound > x { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }

    /// True when every value of `r` is in the set.
    public func contains(_ r: Range<UInt64>) -> Bool {
        if r.isEmpty { return true }
        let i = firstEndingAfter(r.lowerBound)
        return i < intervals.count && intervals[i].lowerBound <= r.lowerBound && r.upperBound <= intervals[i].upperBound
    }

    /// True when `x` is in the set.
    public func contains(_ x: UInt64) -> Bool { contains(x..<(x + 1)) }

    /// True when some value of `r` is in the set.
    public func intersects(_ r: Range<UInt64>) -> Bool {
        if r.isEmpty { return false }
        let i = firstEndingAfter(r.lowerBound)
        return i < intervals.count && intervals[i].lowerBound < r.upperBound
    }

    /// How many values of `r` are in the set.
    public func count(in r: Range<UInt64>) -> UInt64 {
        var n: UInt64 = 0
        var i = firstEndingAfter(r.lowerBound)
        while i < intervals.count && intervals[i].lowerBound < r.upperBound {
            let lo = Swift.max(intervals[i].lowerBound, r.lowerBound)
            let hi = Swift.min(intervals[i].upperBound, r.upperBound)
            n += hi - lo
            i += 1
        }
        return n
    }

    /// Adds every value of `r`.
    public mutating func insert(_ r: Range<UInt64>) {
        if r.isEmpty { return }
        var lo = r.lowerBound, hi = r.upperBound
        // Absorb every interval that overlaps or touches r.
        var i = firstEndingAfter(lo == 0 ? 0 : lo - 1)
        if i > 0 && intervals[i - 1].upperBound == lo { i -= 1 }
        var j = i
        while j < intervals.count && intervals[j].lowerBound <= hi {
            lo = Swift.min(lo, intervals[j].lowerBound)
            hi = Swift.max(hi, intervals[j].upperBound)
            j += 1
        }
        intervals.replaceSubrange(i..<j, with: [lo..<hi])
    }

    /// Removes every value of `r`.
    public mutating func remove(_ r: Range<UInt64>) {
        if r.isEmpty { return }
        let i = firstEndingAfter(r.lowerBound)
        var j = i
        var keep: [Range<UInt64>] = []
        while j < intervals.count && intervals[j].lowerBound < r.upperBound {
            let iv = intervals[j]
            if iv.lowerBound < r.lowerBound { keep.append(iv.lowerBound..<r.lowerBound) }
            if r.upperBound < iv.upperBound { keep.append(r.upperBound..<iv.upperBound) }
            j += 1
        }
        intervals.replaceSubrange(i..<j, with: keep)
    }

    /// Membership of [start, start + 64*words) as bit words: bit b of word w
    /// is set when start + 64*w + b is in the set.
    public func bits(from start: UInt64, words: Int) -> [UInt64] {
        var out = [UInt64](repeating: 0, count: words)
        let end = start + UInt64(words) * 64
        var i = firstEndingAfter(start)
        while i < intervals.count && intervals[i].lowerBound < end {
            var x = Swift.max(intervals[i].lowerBound, start)
            let hi = Swift.min(intervals[i].upperBound, end)
            while x < hi {
                let w = Int((x - start) / 64), b = (x - start) % 64
                let n = Swift.min(64 - b, hi - x)
                out[w] |= (n == 64 ? ~0 : ((1 << n) - 1)) << b
                x += n
            }
            i += 1
        }
        return out
    }

    /// The lowest `lo` such that [lo, lo+n) is in the set: first fit.
    public func firstFit(_ n: UInt64) -> UInt64? {
        for iv in intervals where UInt64(iv.count) >= n { return iv.lowerBound }
        return nil
    }
}
