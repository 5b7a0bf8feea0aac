// Reserving and mapping the summary arrays: mpagealloc_64bit.go and
// mpagealloc_32bit.go.

import OSMemory

extension PageAlloc {
    /// Mirrors (*pageAlloc).sysInit for the geometry's layout.
    func sysInit() throws {
        switch geometry.layout {
        case .sparse64: try sysInit64()
        case .flat32: try sysInit32()
        }
    }

    /// Mirrors (*pageAlloc).sysGrow for the geometry's layout.
    func sysGrow(_ base: UInt64, _ limit: UInt64) throws {
        if base % Geometry.pallocChunkBytes != 0 || limit % Geometry.pallocChunkBytes != 0 {
            throw GoThrow("sysGrow bounds not aligned to pallocChunkBytes",
                          printed: ["runtime: base = 0x\(String(base, radix: 16)), limit = 0x\(String(limit, radix: 16))"])
        }
        switch geometry.layout {
        case .sparse64: try sysGrow64(base, limit)
        case .flat32: try sysGrow32(base, limit)
        }
    }

    // MARK: 64-bit (mpagealloc_64bit.go)

    /// Mirrors sysInit in mpagealloc_64bit.go: reserves every level whole,
    /// rounded up to OS pages; nothing is mapped yet, every slice has len 0.
    func sysInit64() throws {
        for l in 0..<geometry.summaryLevels {
            let entries = geometry.entries(level: l)
            let b = alignUp(UInt64(entries) * Geometry.pallocSumBytes, geometry.physPageSize)
            guard let r = mem.sysReserve(nil, b) else { throw GoThrow("failed to reserve page summary memory") }
            summary.append(SummaryLevel(view: mem.view(at: r), len: 0, cap: entries, level: l, geometry: geometry))
        }
        if scavenger.hasChunkData {
            // Go 1.21+: a scavChunkData word per chunk of the address
            // space, reserved whole (scavengeIndex.sysInit).
            let n = geometry.chunkCount
            guard let r = mem.sysReserve(nil, n * 8) else { throw GoThrow("failed to reserve scavenge index memory") }
            scavChunks = ScavChunkIndex(store: .simulated(mem.view(at: r)), count: n, space: space,
                                        physPageSize: geometry.physPageSize, version: scavenger)
            return
        }
        // The scavenge index: a byte per 8 chunks of the address space,
        // reserved whole, its slice as long as the reservation.
        let nbytes = geometry.chunkCount / 8
        guard let r = mem.sysReserve(nil, nbytes) else { throw GoThrow("failed to reserve scavenge index memory") }
        scavIndex = ScavengeIndex(store: .simulated(mem.view(at: r)), nbytes: Int(nbytes), space: space,
                                  physPageSize: geometry.physPageSize, zeroMeansUnset: variant == .preFix63385)
    }

    /// The summary indices at level l needed for addresses r, widened to
    /// whole blocks (a parent needs all its children). (addrRangeToSummaryRange)
    func addrRangeToSummaryRange(_ l: Int, _ r: AddrRange) -> (Int, Int) {
        let (lo, hi) = space.addrsToSummaryRange(levelShift[l], r.base.a, r.limit.a)
        return blockAlignSummaryRange(levelBits[l], lo, hi)
    }

    /// The OS-page-aligned addresses of summary[l][lo..<hi]. (summaryRangeToSumAddrRange)
    func summaryRangeToSumAddrRange(_ l: Int, _ lo: Int, _ hi: Int) -> AddrRange {
        let baseOffset = alignDown(UInt64(lo) * Geometry.pallocSumBytes, geometry.physPageSize)
        let limitOffset = alignUp(UInt64(hi) * Geometry.pallocSumBytes, geometry.physPageSize)
        let b = summary[l].view.baseAddress
        return AddrRange(base: OffAddr(b + baseOffset), limit: OffAddr(b + limitOffset))
    }

    /// Mirrors sysGrow in mpagealloc_64bit.go: for each level, extends the
    /// slice length to cover [base, limit), and maps (Reserved -> Prepared
    /// -> Ready) the OS pages of summaries that neither neighbouring inUse
    /// range already mapped.
    func sysGrow64(_ base: UInt64, _ limit: UInt64) throws {
        // Summary memory is itself never in the offset space: compare plainly.
        let plain = OffsetSpace(arenaBaseOffset: 0, uintptrMask: ~0, heapAddrBits: 64)
        func addrRangeToSumAddrRange(_ l: Int, _ r: AddrRange) -> AddrRange {
            let (lo, hi) = addrRangeToSummaryRange(l, r)
            return summaryRangeToSumAddrRange(l, lo, hi)
        }
        // The insertion point of this growth among the known ranges.
        let inUseIndex = inUse.findSucc(base)
        var mappedAny = false
        for l in 0..<summary.count {
            let (needIdxBase, needIdxLimit) = addrRangeToSummaryRange(l, try space.makeAddrRange(base, limit))
            // Extend the slice, mapped or not, for tight bounds checks above.
            if needIdxLimit > summary[l].len {
                try summary[l].checkSlice(0, needIdxLimit)
                summary[l].len = needIdxLimit
            }
            var need = summaryRangeToSumAddrRange(l, needIdxBase, needIdxLimit)
            // Drop the pages the neighbours already mapped.
            if inUseIndex > 0 {
                need = try plain.subtract(need, addrRangeToSumAddrRange(l, inUse.ranges[inUseIndex - 1]))
            }
            if inUseIndex < inUse.ranges.count {
                need = try plain.subtract(need, addrRangeToSumAddrRange(l, inUse.ranges[inUseIndex]))
            }
            let size = plain.size(need)
            if size == 0 { continue }
            try mem.sysMap(need.base.a, size, sysStat)
            try mem.sysUsed(need.base.a, size, prepared: size)
            summaryMappedReady += size
            mappedAny = true
        }
        tally.hit(mappedAny ? .growMapsSummaryPages : .growMapsNothing)
        if let idx = scavChunks {
            summaryMappedReady += try idx.grow(base, limit, mem: mem, sysStat)
        } else {
            summaryMappedReady += try scavIndex.grow(base, limit, mem: mem, sysStat)
        }
    }

    // MARK: 32-bit (mpagealloc_32bit.go)

    /// Mirrors sysInit in mpagealloc_32bit.go: one reservation for all
    /// levels, mapped and made Ready at once (a few KiB), cut into slices.
    func sysInit32() throws {
        var total: UInt64 = 0
        for l in 0..<geometry.summaryLevels { total += UInt64(geometry.entries(level: l)) * Geometry.pallocSumBytes }
        total = alignUp(total, geometry.physPageSize)
        guard let reservation = mem.sysReserve(nil, total) else { throw GoThrow("failed to reserve page summary memory") }
        try mem.sysMap(reservation, total, sysStat)
        try mem.sysUsed(reservation, total, prepared: total)
        summaryMappedReady += total
        var at = reservation
        for l in 0..<geometry.summaryLevels {
            let entries = geometry.entries(level: l)
            summary.append(SummaryLevel(view: mem.view(at: at), len: 0, cap: entries, level: l, geometry: geometry))
            at += UInt64(entries) * Geometry.pallocSumBytes
        }
        // The scavenge index is Go's global array here (scavengeIndexArray):
        // always there, never mapped, never charged.
        if scavenger.hasChunkData {
            let n = geometry.chunkCount
            let global = UnsafeMutablePointer<UInt64>.allocate(capacity: Int(n))
            global.initialize(repeating: 0, count: Int(n))
            scavChunks = ScavChunkIndex(store: .global(global), count: n, space: space,
                                        physPageSize: geometry.physPageSize, version: scavenger)
            return
        }
        let nbytes = Int(geometry.chunkCount / 8)
        let global = UnsafeMutablePointer<UInt8>.allocate(capacity: nbytes)
        global.initialize(repeating: 0, count: nbytes)
        scavIndex = ScavengeIndex(store: .global(global), nbytes: nbytes, space: space,
                                  physPageSize: geometry.physPageSize, zeroMeansUnset: variant == .preFix63385)
    }

    /// Mirrors sysGrow in mpagealloc_32bit.go: everything is mapped already,
    /// so only the slice lengths grow (to whole blocks).
    func sysGrow32(_ base: UInt64, _ limit: UInt64) throws {
        for l in stride(from: summary.count - 1, through: 0, by: -1) {
            let (lo, hi0) = space.addrsToSummaryRange(levelShift[l], base, limit)
            let (_, hi) = blockAlignSummaryRange(levelBits[l], lo, hi0)
            if hi > summary[l].len {
                try summary[l].checkSlice(0, hi)
                summary[l].len = hi
            }
        }
        tally.hit(.growMapsNothing)
        // scavengeIndex.grow: minHeapIdx (the array itself is all there).
        if let idx = scavChunks { _ = try idx.grow(base, limit, mem: mem, sysStat) }
    }
}
