// Coverage marks: named branches of the allocator that a campaign wants to
// see taken. Counting is a single array increment, cheap enough to leave on.

/// A branch of the page allocator worth reaching, by name.
public enum CoverageMark: Int, CaseIterable, Sendable {
    /// alloc served from the chunk at searchAddr without a tree search.
    case allocFastPath
    /// alloc fell back to find, the radix-tree search.
    case allocSlowPath
    /// alloc found no run; searchAddr unchanged (npages > 1).
    case allocFailed
    /// alloc(1) found nothing: searchAddr set to maxSearchAddr.
    case searchAddrExhausted
    /// find returned a candidate searchAddr that findMappedAddr had to move
    /// (the first free window began in unmapped memory).
    case findMappedAddrMoved
    /// find located the run inside one chunk's bitmap (reached the leaves).
    case findInsideChunk
    /// update of a range inside one chunk whose summary did not change.
    case updateUnchanged
    /// update of a contiguous range crossing chunk boundaries.
    case updateCrossesChunks
    /// allocRange spanning more than one chunk.
    case allocRangeStraddlesChunks
    /// grow mapped new summary pages.
    case growMapsSummaryPages
    /// grow needed no new summary pages (they were mapped for a neighbour).
    case growMapsNothing
    /// grow moved searchAddr down to the new range.
    case growMovesSearchAddrDown
    /// grow created a new L2 block of the chunks map.
    case growNewChunksBlock
    /// A summary was packed with max == maxPackedValue (the bit-63 form).
    case summaryAllFreeEncoding
    /// free moved searchAddr down.
    case freeMovesSearchAddrDown
    /// An allocation left a chunk with no free page (its leaf summary is 0).
    case chunkExhausted
    /// allocToCache took the block from the chunk at searchAddr.
    case cacheFastPath
    /// allocToCache needed the tree search.
    case cacheSlowPath
    /// A page-cache flush moved searchAddr down.
    case flushMovesSearchAddrDown
    /// scavengeOne released a run of pages to the OS.
    case scavengeOneReleases
    /// A scavenge released something.
    case scavengeReleased
    /// A scavenge found nothing to release (the index ran out of chunks).
    case scavengeNothing

    public var name: String { String(describing: self) }
}

/// Counts of coverage marks, plus per-level counts for find.
public struct CoverageCounts: Sendable, Equatable, Codable {
    public var counts: [Int] = Array(repeating: 0, count: CoverageMark.allCases.count)
    /// find descended from an entry of level l into the level below it (or,
    /// from the leaf level, into a chunk bitmap).
    public var findDescendedTo: [Int]
    /// find found a run straddling entries at level l.
    public var findStraddleAt: [Int]

    public init(levels: Int) {
        findDescendedTo = Array(repeating: 0, count: levels)
        findStraddleAt = Array(repeating: 0, count: levels)
    }

    @inline(__always) public mutating func hit(_ m: CoverageMark) { counts[m.rawValue] &+= 1 }
    public subscript(_ m: CoverageMark) -> Int { counts[m.rawValue] }

    /// Adds another set of counts into this one.
    public mutating func merge(_ o: CoverageCounts) {
        for i in counts.indices { counts[i] += o.counts[i] }
        for i in findDescendedTo.indices where i < o.findDescendedTo.count {
            findDescendedTo[i] += o.findDescendedTo[i]
            findStraddleAt[i] += o.findStraddleAt[i]
        }
    }
}
