// Adding address space to the allocator, and keeping the radix tree in step
// with the bitmaps (mpagealloc.go: grow, update).

import OSMemory

extension PageAlloc {
    /// Mirrors (*pageAlloc).grow: makes [base, base+size) known to the
    /// allocator, all free and all scavenged. It may map metadata, charged to
    /// `sysStat`. The range must not overlap anything grown before.
    public func grow(_ base: UInt64, _ size: UInt64) throws {
        // Whole chunks only; sysGrow insists on it.
        let limit = alignUp(base &+ size, Geometry.pallocChunkBytes) & space.uintptrMask
        let base = alignDown(base, Geometry.pallocChunkBytes)

        try sysGrow(base, limit)

        // start == 0 doubles as "never grown": the zero chunk is never heap.
        let firstGrowth = start.v == 0
        let s = space.chunkIndex(base), e = space.chunkIndex(limit)
        if firstGrowth || s < start { start = s }
        if e > end { end = e }

        let before = inUse.persistentBytes
        try inUse.add(try space.makeAddrRange(base, limit))
        sysStat.add(Int64(inUse.persistentBytes - before))

        // Like a free: new memory below searchAddr pulls it down.
        if space.lessThan(OffAddr(base), searchAddr) {
            searchAddr = OffAddr(base)
            tally.hit(.growMovesSearchAddrDown)
        }

        // Create L2 blocks of the chunks map where missing; the new chunks'
        // pages start out scavenged (fresh memory has no physical backing).
        var c = space.chunkIndex(base)
        let climit = space.chunkIndex(limit)
        while c < climit {
            let i1 = l1(c)
            guard i1 < chunks.count else { throw GoPanic("index out of range [\(i1)] with length \(chunks.count) (chunks L1)") }
            if chunks[i1] == nil { try allocChunksBlock(i1) }
            try chunkOf(c).scavenged.setRange(0, Geometry.pallocChunkPages)
            c.v += 1
        }

        // The growth is free memory: make the summaries say so.
        try update(base, size / Geometry.pageSize, contig: true, alloc: false)
    }

    /// Mirrors (*pageAlloc).update: recomputes the leaf summaries for
    /// [base, base+npages*pageSize) from the bitmaps, then walks up the tree
    /// merging children into parents while anything changes.
    ///
    /// `contig` says the range was allocated or freed as a whole, so chunks
    /// strictly inside it are all-allocated (`alloc`) or all-free.
    func update(_ base: UInt64, _ npages: UInt64, contig: Bool, alloc: Bool) throws {
        // From here on limit, sc and ec are inclusive.
        let limit = (base &+ npages &* Geometry.pageSize &- 1) & space.uintptrMask
        let sc = space.chunkIndex(base), ec = space.chunkIndex(limit)
        let leafLevel = summary[leaf]

        if sc == ec {
            // One chunk: if its summary did not change, nothing above can.
            let x = try leafLevel.at(Int(sc.v))
            let y = try chunkOf(sc).palloc.summarize(sums)
            if x == y {
                tally.hit(.updateUnchanged)
                return
            }
            if alloc && y == .zero { tally.hit(.chunkExhausted) }
            try leafLevel.set(Int(sc.v), y)
        } else if contig {
            tally.hit(.updateCrossesChunks)
            try leafLevel.set(Int(sc.v), try chunkOf(sc).palloc.summarize(sums))
            // Chunks strictly inside are wholly allocated or wholly free.
            try leafLevel.checkSlice(Int(sc.v) + 1, Int(ec.v))
            let whole = alloc ? PallocSum.zero : sums.freeChunkSum
            if alloc && ec.v > sc.v + 1 { tally.hit(.chunkExhausted) }
            var c = Int(sc.v) + 1
            while c < Int(ec.v) {
                try leafLevel.view.store64(UInt64(c) * 8, whole.raw, context: "summary[\(leaf)][\(c)]")
                c += 1
            }
            try leafLevel.set(Int(ec.v), try chunkOf(ec).palloc.summarize(sums))
        } else {
            // No shape known: summarize every chunk in the range.
            var c = sc
            while c <= ec {
                try leafLevel.set(Int(c.v), try chunkOf(c).palloc.summarize(sums))
                c.v += 1
            }
        }

        // Walk up, merging each block of children into its parent.
        // [lo, hi) at each level follows from the level below: a level's
        // shift is its child's plus the child's bits, so
        // addrsToSummaryRange's floor divisions nest.
        var changed = true
        var l = summary.count - 2
        var (lo, hi) = space.addrsToSummaryRange(summary[leaf].shift, base, (limit &+ 1) & space.uintptrMask)
        while l >= 0 && changed {
            changed = false
            // The two levels read in place, field by field, never copied whole.
            let child = UnsafePointer(summary.base + (l + 1)), parent = UnsafePointer(summary.base + l)
            let logEntriesPerBlock = child.pointee.bits
            let entriesPerBlock = 1 &<< logEntriesPerBlock
            let logMaxPages = UInt64(child.pointee.logPages)
            lo = lo &>> logEntriesPerBlock
            hi = ((hi &- 1) &>> logEntriesPerBlock) &+ 1
            var i = lo
            while i < hi {
                let first = i &<< logEntriesPerBlock
                try child.pointee.checkSlice(first, first &+ entriesPerBlock)
                // first + entriesPerBlock <= cap: inside the level's reservation.
                let block = try child.pointee.view.loadBlockInBounds(UInt64(first) &* 8, count: entriesPerBlock, scratch: scratch,
                                                                     context: "summary[\(l + 1)][\(first)]")
                let sum = logEntriesPerBlock == Geometry.summaryLevelBits
                    ? sums.merge8(block, logMaxPagesPerSum: logMaxPages)
                    : sums.mergeAnySize(block, count: entriesPerBlock, logMaxPagesPerSum: logMaxPages)
                if sum.raw == PallocSum.allFreeBit { tally.hit(.summaryAllFreeEncoding) }
                if try parent.pointee.setIfChanged(i, sum) { changed = true }
                i &+= 1
            }
            l -= 1
        }
    }
}
