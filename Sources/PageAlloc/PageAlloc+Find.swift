// The slow path of allocation: the radix-tree search (mpagealloc.go: find,
// findMappedAddr).

import OSMemory

extension PageAlloc {
    /// Mirrors (*pageAlloc).findMappedAddr: the smallest grown address >=
    /// `addr`, or maxOffAddr if there is none. (The runtime first consults
    /// mheap_.arenas; in tests, as here, it always asks inUse.)
    public func findMappedAddr(_ addr: OffAddr) throws -> OffAddr {
        if let v = try inUse.findAddrGreaterEqual(addr.a) { return OffAddr(v) }
        return space.maxOffAddr
    }

    /// Mirrors (*pageAlloc).find: the address-ordered first fit of `npages`
    /// contiguous free pages, by walking the radix tree from the root, and a
    /// candidate searchAddr: the start of the narrowest window known to hold
    /// the first free page. On failure the address is 0 and the candidate
    /// must be ignored.
    ///
    /// The walk trusts searchAddr: no chunk below chunkIndex(searchAddr)
    /// has free pages.
    func find(_ npages: UInt64) throws -> (UInt64, OffAddr) {
        // i: first index of the block of entries examined at this level.
        var i = 0

        // The window certain to hold the first free page; narrowed each time
        // free space turns up inside it.
        var firstFree = FirstFreeWindow(space)

        // The summary that sent the walk down a level, for the throw's report.
        var lastSum = sums.pack(0, 0, 0)
        var lastSumIdx = -1

        var l = 0
        nextLevel: while l < summary.count {
            let entries = summary[l]
            let entriesPerBlock = 1 << entries.bits
            let logMaxPages = UInt64(entries.logPages)
            i <<= entries.bits
            try entries.checkSlice(i, i + entriesPerBlock)

            // Start at searchAddr's entry if it lies in this block.
            var j0 = 0
            let searchIdx = space.offAddrToLevelIndex(entries.shift, searchAddr)
            if searchIdx & ~(entriesPerBlock - 1) == i { j0 = searchIdx & (entriesPerBlock - 1) }

            // base: first page (relative to the block) of the run being
            // measured; size: its length so far. Both are Go uints, and
            // their arithmetic below wraps as Go's does.
            var base: UInt64 = 0, size: UInt64 = 0
            // Below the root a block is 8 summaries on one OS page: every
            // entry the loop may read faults or not together, and the first
            // read is entry j0, so one checked load of [j0, 8) stands for
            // Go's element reads (a fault names entry j0, as Go's would).
            // The root's block spans many pages: there each entry is read
            // on its own.
            let block: UnsafePointer<UInt64>? = entriesPerBlock == 1 << Geometry.summaryLevelBits
                ? try entries.view.loadBlock(UInt64(i + j0) &* 8, count: entriesPerBlock - j0, scratch: scratch,
                                             context: "summary[\(l)][\(i + j0)]")
                : nil
            var j = j0
            while j < entriesPerBlock {
                defer { j += 1 }
                let sum: PallocSum
                if let block { sum = PallocSum(raw: block[j - j0]) } else { sum = try entries.inSlice(i + j) }
                if sum == .zero {
                    // Fully allocated: any run is broken.
                    size = 0
                    if variant == .loopInFind && l == summary.count - 1 && j > j0 { j -= 1 }
                    continue
                }
                // levelIndexToOffAddr's address, given to foundFree as its offset.
                try firstFree.found(linear: (UInt64(truncatingIfNeeded: i &+ j) &<< UInt64(truncatingIfNeeded: entries.shift)) & space.uintptrMask,
                                    (1 &<< logMaxPages) &* Geometry.pageSize)

                let s = sums.start(sum)
                if size &+ s >= npages {
                    // The run reaches npages by this entry's start.
                    if size == 0 { base = UInt64(truncatingIfNeeded: j) &<< logMaxPages }
                    size &+= s
                    break
                }
                if sums.max(sum) >= npages {
                    // The run is inside this entry: descend into it.
                    i += j
                    lastSumIdx = i
                    lastSum = sum
                    tally.descendedTo(l)
                    l += 1
                    continue nextLevel
                }
                if size == 0 || s < 1 &<< logMaxPages {
                    // Not a continuation: start a new run at this entry's end.
                    size = sums.end(sum)
                    base = (UInt64(truncatingIfNeeded: j) &+ 1) &<< logMaxPages &- size
                    continue
                }
                // Entirely free: the run goes on through it.
                size &+= 1 &<< logMaxPages
            }
            if size >= npages {
                // A run straddling entries of this level.
                tally.straddleAt(l)
                if variant == .trapInFind && levelBits[l + 1] < 0 { return (0, space.maxSearchAddr) }
                let addr = space.add(space.levelIndexToOffAddr(levelShift[l], i), base * Geometry.pageSize).a
                return (addr, try candidateSearchAddr(firstFree.base))
            }
            if l == 0 {
                // Nothing anywhere.
                return (0, space.maxSearchAddr)
            }
            // The level above promised a run that is not here.
            var printed = [
                "runtime: summary[\(l - 1)][\(lastSumIdx)] = \(sums.start(lastSum)), \(sums.max(lastSum)), \(sums.end(lastSum))",
                "runtime: level = \(l), npages = \(npages), j0 = \(j0)",
                "runtime: p.searchAddr = 0x\(String(searchAddr.a, radix: 16)), i = \(i)",
                "runtime: levelShift[level] = \(levelShift[l]), levelBits[level] = \(levelBits[l])",
            ]
            for j in 0..<entriesPerBlock {
                let sum = try entries.inSlice(i + j)
                printed.append("runtime: summary[\(l)][\(i + j)] = (\(sums.start(sum)), \(sums.max(sum)), \(sums.end(sum)))")
            }
            throw GoThrow("bad summary data", printed: printed)
        }

        // Every level said "inside": i is now a chunk index; search its bitmap.
        let ci = ChunkIdx(UInt64(i))
        let (j, searchIdx) = bitmapFind(try chunkOf(ci), npages, 0)
        if j == notFound && variant != .preFix38130 {
            let sum = try summary[leaf].at(i)
            throw GoThrow("bad summary data", printed: [
                "runtime: summary[\(leaf)][\(i)] = (\(sums.start(sum)), \(sums.max(sum)), \(sums.end(sum)))",
                "runtime: npages = \(npages)",
            ])
        }
        tally.hit(.findInsideChunk)
        let addr = space.chunkBase(ci) &+ j * Geometry.pageSize
        // Searching the chunk may narrow the free window further.
        let sa = space.chunkBase(ci) &+ searchIdx * Geometry.pageSize
        try firstFree.found(OffAddr(sa), space.chunkBase(ChunkIdx(ci.v + 1)) &- sa)
        return (addr, try candidateSearchAddr(firstFree.base))
    }

    /// Mirrors pallocData.find (the bitmap search inside one chunk), with
    /// the variant of CL 216697: for one page, the search index it returns
    /// is the page after the free page it found.
    @inline(__always)
    func bitmapFind(_ d: PallocData, _ npages: UInt64, _ searchIdx: UInt64) -> (UInt64, UInt64) {
        let r = d.palloc.find(npages, searchIdx)
        if npages == 1 && variant == .preFixCL216697 { return (r.0, r.0 &+ 1) }
        return r
    }

    /// The searchAddr candidate find returns. Faithfully `findMappedAddr`
    /// of the window's base; before the fix of golang/go#40191 the base
    /// itself, which may lie in an unmapped part of the address space.
    @inline(__always)
    func candidateSearchAddr(_ firstFreeBase: OffAddr) throws -> OffAddr {
        switch variant {
        case .faithful:
            let mapped = try findMappedAddr(firstFreeBase)
            if mapped != firstFreeBase { tally.hit(.findMappedAddrMoved) }
            return mapped
        case .preFix40191:
            return firstFreeBase
        default:
            return try findMappedAddr(firstFreeBase)
        }
    }
}

/// The `firstFree` window of (*pageAlloc).find and its `foundFree` closure: the
/// inclusive range [base, bound] of offset space known to hold the first free
/// page. Free space found inside the window narrows it to that space; free
/// space entirely outside it says nothing; free space that straddles an edge
/// means the tree's ranges do not nest, and Go throws.
struct FirstFreeWindow {
    let space: OffsetSpace
    /// The window's ends as offsets into the address space (`linear`), the
    /// order offAddr's comparisons use: each found range is then compared
    /// with plain integer compares, without converting the window's ends
    /// again on every call.
    private var baseLinear: UInt64
    private var boundLinear: UInt64
    var base: OffAddr { OffAddr(space.unlinear(baseLinear)) }
    var bound: OffAddr { OffAddr(space.unlinear(boundLinear)) }

    init(_ space: OffsetSpace) {
        self.space = space
        baseLinear = space.linear(space.minOffAddr.a)
        boundLinear = space.linear(space.maxOffAddr.a)
    }

    /// Mirrors foundFree: `size` free bytes at `addr`.
    @inline(__always)
    mutating func found(_ addr: OffAddr, _ size: UInt64) throws {
        try found(linear: space.linear(addr.a), size)
    }

    /// foundFree of the range at offset `addrLinear` (`linear` of its
    /// address). The last byte, `addr.add(size-1)` in Go, wraps in uintptr
    /// arithmetic; its offset is the same sum taken in offsets.
    @inline(__always)
    mutating func found(linear addrLinear: UInt64, _ size: UInt64) throws {
        let lastLinear = (addrLinear &+ size &- 1) & space.uintptrMask
        if baseLinear <= addrLinear && lastLinear <= boundLinear {
            baseLinear = addrLinear
            boundLinear = lastLinear
        } else if !(lastLinear < baseLinear || boundLinear < addrLinear) {
            // Find always visits ranges that nest (aligned summary regions, then a
            // tail of one chunk), so this is Go's guard against a broken walk.
            throw partialOverlap(OffAddr(space.unlinear(addrLinear)), size)
        }
    }

    /// foundFree's throw, kept out of line so the hot path stays small.
    @inline(never)
    func partialOverlap(_ addr: OffAddr, _ size: UInt64) -> GoThrow {
        GoThrow("range partially overlaps", printed: [
            "runtime: addr = 0x\(String(addr.a, radix: 16)), size = \(size)",
            "runtime: base = 0x\(String(base.a, radix: 16)), bound = 0x\(String(bound.a, radix: 16))",
        ])
    }
}
