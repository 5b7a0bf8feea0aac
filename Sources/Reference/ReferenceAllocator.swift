// The reference page allocator: address-ordered first fit over plain sets
// of pages. It shares no code with the port, only value types (Geometry).

import Vocabulary

/// Why the reference refused an operation: the trace asked for something
/// the runtime never does (Go itself does not guard these).
public struct InvalidOperation: Error, Equatable, Sendable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// The obviously-correct page allocator the port is compared against.
///
/// State: the grown pages, the free pages, and the scavenged pages, each an
/// `IntervalSet` of page numbers in the linear (offset) address space, where
/// page k is the k-th page above `arenaBaseOffset`. Allocation takes the
/// lowest k with n consecutive free pages.
public struct ReferenceAllocator: Hashable, Sendable {
    public let geometry: Geometry
    /// Pages passed to grow.
    public internal(set) var grown = IntervalSet()
    /// Grown pages not allocated.
    public internal(set) var free = IntervalSet()
    /// Pages whose memory is released to the OS: grown pages that were not
    /// allocated since they were grown (allocation clears the mark; a free
    /// does not set it).
    public internal(set) var scavenged = IntervalSet()
    /// Free pages whose free said they were scavenged (Go 1.19's
    /// `free(..., scavenged: true)`). Go's bitmap does not record that
    /// claim, and the runtime itself always passes false; the scavenge
    /// index invariant needs to know which free pages carry it.
    public internal(set) var freedAsScavenged = IntervalSet()
    /// Random heap-base padding (Go 1.26+'s markRandomPaddingPages): pages
    /// at the start of the heap's first growth that are allocated and
    /// scavenged at once and never freed. Not in `scavenged` (which holds
    /// free pages only) nor freeable.
    public internal(set) var padding = IntervalSet()
    /// The base of the heap's first growth while nothing else has happened
    /// since: the only place and moment mheap.grow pads.
    public internal(set) var padBase: UInt64?
    /// Go 1.21+'s scavenge index bookkeeping, modelled
    /// (ReferenceAllocator+ScavGen.swift).
    public internal(set) var scavGen = ScavGenModel()
    /// The per-P page caches (ReferenceAllocator+PageCache.swift).
    public internal(set) var caches = [ReferencePageCache](repeating: ReferencePageCache(), count: ReferenceAllocator.pageCacheCount)

    /// Whether a grow may end exactly at the top of a 32-bit address space
    /// (its limit wraps to 0). The runtime stopped issuing such grows with
    /// the fix of golang/go#35954 (mheap.grow and linearAlloc.init guard
    /// it, not the page allocator); the `preFix35954` variant puts them back.
    public var acceptsTopOfSpaceGrow = false

    public init(geometry: Geometry, acceptsTopOfSpaceGrow: Bool = false) {
        self.geometry = geometry
        self.acceptsTopOfSpaceGrow = acceptsTopOfSpaceGrow
    }

    static let pageSize: UInt64 = 8192
    static let chunkBytes: UInt64 = 4 << 20

    var mask: UInt64 { geometry.ptrBits == 64 ? ~0 : (1 << 32) - 1 }
    /// The linear page number of plain address `a`.
    public func page(_ a: UInt64) -> UInt64 { ((a &- geometry.arenaBaseOffset) & mask) / Self.pageSize }
    /// The plain address of linear page `k`.
    public func address(_ k: UInt64) -> UInt64 { (k &* Self.pageSize &+ geometry.arenaBaseOffset) & mask }
    /// Pages in the heap address space.
    var heapPages: UInt64 { (1 << UInt64(geometry.heapAddrBits)) / Self.pageSize }

    /// The allocated pages: grown and not free.
    public var allocated: IntervalSet {
        var a = grown
        for iv in free.intervals { a.remove(iv) }
        return a
    }

    /// Checks a grow as the runtime would issue it.
    public func validateGrow(_ base: UInt64, _ size: UInt64) throws(InvalidOperation) {
        guard size > 0 else { throw InvalidOperation("grow of 0 bytes") }
        guard base % Self.chunkBytes == 0, size % Self.chunkBytes == 0 else {
            throw InvalidOperation("grow base and size must be multiples of the 4 MiB chunk size")
        }
        let first = page(base)
        guard first < heapPages, size / Self.pageSize <= heapPages - first else {
            throw InvalidOperation("grow range leaves the \(geometry.heapAddrBits)-bit heap address space")
        }
        let r = first..<(first + size / Self.pageSize)
        if geometry.ptrBits == 32 && base &+ size == 1 << 32 && !acceptsTopOfSpaceGrow {
            throw InvalidOperation("grow ends at the top of the 32-bit address space (its limit wraps to 0); since golang/go#35954 the runtime never issues it")
        }
        guard first >= Self.chunkBytes / Self.pageSize else {
            throw InvalidOperation("grow covers chunk 0, Go's 'not grown yet' sentinel; the runtime never grows there")
        }
        if geometry.arenaBaseOffset != 0 {
            let zero = page(0)
            guard !(r.lowerBound <= zero && zero <= r.upperBound) else {
                throw InvalidOperation("grow range touches address 0, the arenaBaseOffset discontinuity")
            }
        }
        guard !grown.intersects(r) else { throw InvalidOperation("grow overlaps an already grown range") }
    }

    /// grow: the range becomes free and scavenged.
    public mutating func grow(_ base: UInt64, _ size: UInt64) throws(InvalidOperation) {
        try validateGrow(base, size)
        let r = page(base)..<(page(base) + size / Self.pageSize)
        padBase = grown.isEmpty ? base : nil
        grown.insert(r)
        free.insert(r)
        scavenged.insert(r)
    }

    /// Any operation but a pad ends the moment after the first grow.
    public mutating func endPadWindow() { padBase = nil }

    /// markRandomPaddingPages(base, npages) as mheap.grow issues it: right
    /// after the heap's first growth, at its base, fewer pages than a chunk
    /// (the offset is random below pallocChunkBytes). The pages become
    /// allocated and stay scavenged.
    public mutating func pad(_ base: UInt64, _ npages: UInt64) throws(InvalidOperation) {
        guard padBase == base else {
            throw InvalidOperation("pad only right after the heap's first grow, at its base (mheap.grow's random heap-base padding)")
        }
        guard npages >= 1, npages < Self.chunkBytes / Self.pageSize else {
            throw InvalidOperation("pad of \(npages) pages: the runtime pads 1 to \(Self.chunkBytes / Self.pageSize - 1)")
        }
        let r = try pages("pad", base, npages)
        free.remove(r)
        scavenged.remove(r)
        padding.insert(r)
        scavGen.allocated(r)
        padBase = nil
    }

    /// alloc: first fit; returns (0, 0) when no run is long enough.
    public mutating func alloc(_ npages: UInt64) throws(InvalidOperation) -> (addr: UInt64, scav: UInt64) {
        guard npages > 0 else { throw InvalidOperation("alloc 0") }
        guard let k = free.firstFit(npages) else { return (0, 0) }
        let r = k..<(k + npages)
        let scav = scavenged.count(in: r)
        free.remove(r)
        scavenged.remove(r)
        freedAsScavenged.remove(r)
        scavGen.allocated(r)
        return (address(k), scav * Self.pageSize)
    }

    /// The pages [base, base+npages) after checking alignment and growth.
    func pages(_ what: String, _ base: UInt64, _ npages: UInt64) throws(InvalidOperation) -> Range<UInt64> {
        guard npages > 0 else { throw InvalidOperation("\(what) of 0 pages") }
        guard base % Self.pageSize == 0 else { throw InvalidOperation("\(what) base is not page aligned") }
        let k = page(base)
        guard k < heapPages, npages <= heapPages - k else { throw InvalidOperation("\(what) range leaves the heap address space") }
        let r = k..<(k + npages)
        guard grown.contains(r) else { throw InvalidOperation("\(what) of pages that are not grown") }
        return r
    }

    /// allocRange: the pages must be grown and free.
    public mutating func allocRange(_ base: UInt64, _ npages: UInt64) throws(InvalidOperation) -> UInt64 {
        let r = try pages("alloc-range", base, npages)
        guard free.contains(r) else { throw InvalidOperation("alloc-range of pages already allocated") }
        let scav = scavenged.count(in: r)
        free.remove(r)
        scavenged.remove(r)
        freedAsScavenged.remove(r)
        scavGen.allocated(r)
        return scav * Self.pageSize
    }

    /// free: the pages must be grown and allocated.
    public mutating func free(_ base: UInt64, _ npages: UInt64, scavenged claimed: Bool = false) throws(InvalidOperation) {
        let r = try pages("free", base, npages)
        guard !free.intersects(r) else { throw InvalidOperation("free of pages that are not allocated") }
        guard !heldByCache(r) else { throw InvalidOperation("free of pages that are free in a page cache") }
        guard !padding.intersects(r) else { throw InvalidOperation("free of heap-base padding pages, which the runtime never frees") }
        free.insert(r)
        if claimed { freedAsScavenged.insert(r) }
        scavGen.freed(r)
    }
}
