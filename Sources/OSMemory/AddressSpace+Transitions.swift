// The transitions of runtime/mem.go, each checking the precondition its Go
// comment states and doing the accounting the Go code does, in the same
// order. A violated precondition is a `SysCallViolation`, a finding.

extension AddressSpace {
    /// Mirrors sysAlloc: None -> Ready for an OS-chosen region of `n` bytes.
    /// Adds `n` to `sysStat` and to `mappedReady`. Returns the base address,
    /// or nil when the simulated OS is out of address space.
    public func sysAlloc(_ n: UInt64, _ sysStat: SysMemStat) -> UInt64? {
        precondition(n > 0, "sysAlloc of zero bytes")
        sysStat.add(Int64(n))
        addMappedReady(Int64(n))
        guard let v = chooseAddress(n) else { return nil }
        insert(Region(base: v, nbytes: n, pageShift: pageShift, state: .ready))
        return v
    }

    /// Mirrors sysReserve: None -> Reserved. With a hint `v`, the region is
    /// placed there if that range is free, elsewhere otherwise, as the OS
    /// may. No accounting: Reserved memory costs nothing.
    public func sysReserve(_ v: UInt64?, _ n: UInt64) -> UInt64? {
        precondition(n > 0, "sysReserve of zero bytes")
        var base: UInt64
        if let v, v & (physPageSize - 1) == 0, v + n <= addressLimit, isFree(v, pageAlignUp(n)) {
            base = v
        } else {
            guard let chosen = chooseAddress(n) else { return nil }
            base = chosen
        }
        insert(Region(base: base, nbytes: n, pageShift: pageShift, state: .reserved))
        return base
    }

    /// Mirrors sysReserveAligned on non-Windows systems: reserves
    /// `size + align` bytes, then gives back the unaligned head and tail with
    /// the OS-level free (which, unlike sysFree, may release a subset).
    /// Returns the aligned base and the size now reserved there.
    public func sysReserveAligned(_ v: UInt64?, _ size: UInt64, _ align: UInt64) -> (UInt64, UInt64)? {
        precondition(align.nonzeroBitCount == 1 && align >= physPageSize, "alignment must be a power of two >= the page size")
        guard let p = sysReserve(v, size + align) else { return nil }
        if p & (align - 1) == 0 { return (p, size + align) }
        let pAligned = (p + align - 1) & ~(align - 1)
        let end = pAligned + size
        // Trim the unaligned head and the tail with the OS-level free, which
        // (unlike sysFree) may release part of a region.
        carve(regionAt: regionIndex(containing: p)!, removing: p, pAligned - p)
        let endLen = (p + size + align) - end
        if endLen > 0 { carve(regionAt: regionIndex(containing: end)!, removing: end, endLen) }
        return (pAligned, size)
    }

    /// Mirrors sysMap: Reserved -> Prepared. Every page must be Reserved
    /// (mapping over live memory would silently zero it). Adds `n` to `sysStat`.
    public func sysMap(_ v: UInt64, _ n: UInt64, _ sysStat: SysMemStat) throws {
        let (r, first, count) = try locate("sysMap", v, n)
        guard r.count(firstPage: first, count: count, in: .reserved) == count else {
            throw SysCallViolation(function: "sysMap", address: v, nbytes: n, reason: "range is not entirely Reserved")
        }
        sysStat.add(Int64(n))
        setState(r, firstPage: first, count: count, to: .prepared)
    }

    /// Mirrors sysUsed: Prepared -> Ready, idempotent on Ready pages.
    /// `prepared` must be the exact number of Prepared bytes in the range;
    /// it is what gets added to `mappedReady`.
    public func sysUsed(_ v: UInt64, _ n: UInt64, prepared: UInt64) throws {
        let (r, first, count) = try locate("sysUsed", v, n)
        let preparedPages = r.count(firstPage: first, count: count, in: .prepared)
        let readyPages = r.count(firstPage: first, count: count, in: .ready)
        guard preparedPages + readyPages == count else {
            throw SysCallViolation(function: "sysUsed", address: v, nbytes: n, reason: "range holds memory that is neither Prepared nor Ready")
        }
        let actual = UInt64(preparedPages) << pageShift
        guard actual == prepared else {
            throw SysCallViolation(function: "sysUsed", address: v, nbytes: n,
                                   reason: "caller claims \(prepared) Prepared bytes, range holds \(actual)")
        }
        addMappedReady(Int64(prepared))
        setState(r, firstPage: first, count: count, to: .ready)
    }

    /// Mirrors sysUnused: Ready -> Prepared; the contents are forfeit.
    /// Subtracts `n` from `mappedReady`.
    public func sysUnused(_ v: UInt64, _ n: UInt64) throws {
        let (r, first, count) = try locate("sysUnused", v, n)
        guard r.count(firstPage: first, count: count, in: .ready) == count else {
            throw SysCallViolation(function: "sysUnused", address: v, nbytes: n, reason: "range is not entirely Ready")
        }
        addMappedReady(-Int64(n))
        setState(r, firstPage: first, count: count, to: .prepared)
    }

    /// Mirrors sysFault: Ready -> Reserved (debugging aid). Subtracts `n`
    /// from `mappedReady`, as the Go code does.
    public func sysFault(_ v: UInt64, _ n: UInt64) throws {
        let (r, first, count) = try locate("sysFault", v, n)
        guard r.count(firstPage: first, count: count, in: .ready) == count else {
            throw SysCallViolation(function: "sysFault", address: v, nbytes: n, reason: "range is not entirely Ready")
        }
        addMappedReady(-Int64(n))
        setState(r, firstPage: first, count: count, to: .reserved)
    }

    /// Mirrors sysFree: any state -> None, for exactly a region an earlier
    /// sysAlloc/sysReserve/sysReserveAligned returned. Subtracts `n` from
    /// `sysStat` and from `mappedReady` unconditionally, as Go does (even
    /// when part of the region was never Ready: the accounting invariant will
    /// show that discrepancy rather than this function hiding it).
    public func sysFree(_ v: UInt64, _ n: UInt64, _ sysStat: SysMemStat) throws {
        guard let i = regionIndex(containing: v), regions[i].base == v, regions[i].nbytes == n else {
            throw SysCallViolation(function: "sysFree", address: v, nbytes: n, reason: "not exactly a region returned earlier")
        }
        sysStat.add(-Int64(n))
        addMappedReady(-Int64(n))
        remove(at: i)
    }

    /// Mirrors sysUnreserve: Reserved -> None for exactly a region returned
    /// by sysReserve/sysReserveAligned. No accounting.
    public func sysUnreserve(_ v: UInt64, _ n: UInt64) throws {
        guard let i = regionIndex(containing: v), regions[i].base == v, regions[i].nbytes == n else {
            throw SysCallViolation(function: "sysUnreserve", address: v, nbytes: n, reason: "not exactly a region returned earlier")
        }
        let r = regions[i]
        guard r.count(firstPage: 0, count: r.npages, in: .reserved) == r.npages else {
            throw SysCallViolation(function: "sysUnreserve", address: v, nbytes: n, reason: "region is not entirely Reserved")
        }
        remove(at: i)
    }

    /// Mirrors sysHugePage: a hint, no transition. The range must be owned.
    public func sysHugePage(_ v: UInt64, _ n: UInt64) throws {
        _ = try locate("sysHugePage", v, n)
        noteHint(huge: true)
    }

    /// Mirrors sysNoHugePage: a hint, no transition. The range must be owned.
    public func sysNoHugePage(_ v: UInt64, _ n: UInt64) throws {
        _ = try locate("sysNoHugePage", v, n)
        noteHint(huge: false)
    }
}
