// The simulated address space: a sorted list of regions and the global
// accounting (`gcController.mappedReady`) that runtime/mem.go updates.

/// A simulated process address space with the four memory states of
/// runtime/mem.go.
///
/// The OS picks addresses for `sysReserve(nil, ...)` and `sysAlloc` from a
/// deterministic bump pointer, so the same calls give the same addresses on
/// every machine. Regions never overlap; a freed range is never handed out
/// again (address reuse would only hide use-after-free findings).
public final class AddressSpace: @unchecked Sendable {
    /// The OS page size (`physPageSize`), a power of two.
    public let physPageSize: UInt64
    /// log2(physPageSize).
    public let pageShift: UInt64
    /// Live regions, sorted by base address.
    public private(set) var regions: [Region] = []
    /// Every region ever created; keeps buffers alive for outstanding views.
    private var allRegions: [Region] = []
    /// Next address the OS picks when the caller gives no hint.
    private var nextOSAddress: UInt64
    /// Highest address + 1 the simulated OS may hand out.
    public let addressLimit: UInt64

    /// Mirrors `gcController.mappedReady`: bytes the runtime believes are
    /// Ready. Signed so that an accounting bug shows as a negative value.
    public private(set) var mappedReady: Int64 = 0
    /// Bytes actually in the Ready state now, kept up to date by every
    /// transition (what `mappedReady` should equal).
    public private(set) var readyBytes: UInt64 = 0
    /// How many `sysHugePage`/`sysNoHugePage` hints were given (no effect).
    public private(set) var hugePageHints = 0
    public private(set) var noHugePageHints = 0

    /// Creates an empty address space.
    /// - Parameters:
    ///   - physPageSize: the OS page size in bytes (4096 on most systems,
    ///     65536 on wasm).
    ///   - osBase: where the OS starts placing regions it chooses.
    ///   - addressLimit: one past the highest usable address.
    public init(physPageSize: UInt64 = 4096, osBase: UInt64 = 0x7f00_0000_0000, addressLimit: UInt64 = 1 << 48) {
        precondition(physPageSize.nonzeroBitCount == 1 && physPageSize >= 8, "page size must be a power of two")
        self.physPageSize = physPageSize
        self.pageShift = UInt64(physPageSize.trailingZeroBitCount)
        self.nextOSAddress = osBase
        self.addressLimit = addressLimit
    }

    // MARK: - Lookup

    /// Index of the live region containing `address`, if any.
    public func regionIndex(containing address: UInt64) -> Int? {
        var lo = 0, hi = regions.count
        while lo < hi {
            let mid = (lo + hi) / 2
            let r = regions[mid]
            if address < r.base { hi = mid } else if address >= r.limit { lo = mid + 1 } else { return mid }
        }
        return nil
    }

    /// The state of the page holding `address` (None outside every region).
    public func state(at address: UInt64) -> MemState {
        guard let i = regionIndex(containing: address) else { return .none }
        return regions[i].state(at: address)
    }

    /// Bytes currently in `state` over all live regions.
    public func bytes(in state: MemState) -> UInt64 {
        var n: UInt64 = 0
        for r in regions { n += UInt64(r.count(firstPage: 0, count: r.npages, in: state)) << pageShift }
        return n
    }

    /// Bytes of [v, v+n) in `state`, where that range lies in one live
    /// region (nil otherwise). n is rounded up to whole pages.
    public func bytes(in state: MemState, from v: UInt64, _ n: UInt64) -> UInt64? {
        guard let (r, first, count) = try? locate("bytes(in:)", v, n) else { return nil }
        return UInt64(r.count(firstPage: first, count: count, in: state)) << pageShift
    }

    /// Bytes in the Ready state in the live region holding `address` (nil
    /// outside every region).
    public func readyBytes(inRegionContaining address: UInt64) -> UInt64? {
        guard let i = regionIndex(containing: address) else { return nil }
        return UInt64(regions[i].readyPages) << pageShift
    }

    /// Pages holding bytes (touched while Ready): the simulation's own memory use.
    public var touchedPages: Int { regions.reduce(0) { $0 + $1.touchedPages } }

    /// A load/store window starting at `address`, which must be inside a
    /// live region. The allocator keeps one per summary level.
    public func view(at address: UInt64) -> PageView {
        guard let i = regionIndex(containing: address) else {
            preconditionFailure("view(at:) of an address outside every region")
        }
        return PageView(region: regions[i], offset: address - regions[i].base)
    }

    // MARK: - Slow-path access (tests, tools)

    /// Loads the 8-byte word at `address`; faults unless it is Ready.
    public func load64(_ address: UInt64, context: String = "load") throws -> UInt64 {
        guard let i = regionIndex(containing: address) else {
            throw Fault(address: address, state: .none, access: .read, context: context)
        }
        return try PageView(region: regions[i], offset: 0).load64(address - regions[i].base, context: context)
    }

    /// Stores the 8-byte word at `address`; faults unless it is Ready.
    public func store64(_ address: UInt64, _ value: UInt64, context: String = "store") throws {
        guard let i = regionIndex(containing: address) else {
            throw Fault(address: address, state: .none, access: .write, context: context)
        }
        try PageView(region: regions[i], offset: 0).store64(address - regions[i].base, value, context: context)
    }

    // MARK: - Internal bookkeeping used by the transitions

    func pageAlignUp(_ n: UInt64) -> UInt64 { (n + physPageSize - 1) & ~(physPageSize - 1) }

    /// True when [v, v+n) touches no live region.
    func isFree(_ v: UInt64, _ n: UInt64) -> Bool {
        let end = v + n
        for r in regions where r.base < end && v < r.limit { return false }
        return true
    }

    /// Picks an address for an OS-chosen mapping of `n` bytes.
    func chooseAddress(_ n: UInt64) -> UInt64? {
        let size = pageAlignUp(max(n, 1))
        var v = nextOSAddress
        while !isFree(v, size) { v += physPageSize }
        guard v + size <= addressLimit else { return nil }
        nextOSAddress = v + size
        return v
    }

    func insert(_ r: Region) {
        readyBytes += UInt64(r.count(firstPage: 0, count: r.npages, in: .ready)) << pageShift
        var i = 0
        while i < regions.count && regions[i].base < r.base { i += 1 }
        regions.insert(r, at: i)
        allRegions.append(r)
    }

    func remove(at i: Int) {
        setState(regions[i], firstPage: 0, count: regions[i].npages, to: .none)
        regions[i].isLive = false
        regions.remove(at: i)
    }

    /// Finds the single live region holding all of [v, v+n), and the page
    /// indices of that range within it.
    func locate(_ function: String, _ v: UInt64, _ n: UInt64) throws -> (region: Region, first: Int, count: Int) {
        guard n > 0 else { throw SysCallViolation(function: function, address: v, nbytes: n, reason: "zero length") }
        guard v & (physPageSize - 1) == 0 else {
            throw SysCallViolation(function: function, address: v, nbytes: n, reason: "address not page aligned")
        }
        guard let i = regionIndex(containing: v), v + n <= regions[i].limit else {
            throw SysCallViolation(function: function, address: v, nbytes: n, reason: "range is not inside one region owned by the runtime")
        }
        let r = regions[i]
        let first = Int((v - r.base) >> pageShift)
        let count = Int((pageAlignUp(v + n) - v) >> pageShift)
        return (r, first, count)
    }

    func addMappedReady(_ n: Int64) { mappedReady += n }

    /// Changes the state of pages of `r`, keeping `readyBytes` exact.
    func setState(_ r: Region, firstPage: Int, count: Int, to state: MemState) {
        let wasReadyPages = r.count(firstPage: firstPage, count: count, in: .ready)
        r.setState(firstPage: firstPage, count: count, to: state)
        r.readyPages += (state == .ready ? count : 0) - wasReadyPages
        readyBytes = readyBytes - UInt64(wasReadyPages) << pageShift + (state == .ready ? UInt64(count) << pageShift : 0)
    }
    func noteHint(huge: Bool) { if huge { hugePageHints += 1 } else { noHugePageHints += 1 } }

    /// Replaces the live region at index `i` by the pieces of it that lie
    /// outside [v, v+n) (the OS may release a subset; only the runtime's
    /// sysFree/sysUnreserve insist on whole regions).
    func carve(regionAt i: Int, removing v: UInt64, _ n: UInt64) {
        let r = regions[i]
        var pieces: [Region] = []
        func keep(_ lo: UInt64, _ hi: UInt64) {
            guard lo < hi else { return }
            let piece = Region(base: lo, nbytes: hi - lo, pageShift: pageShift, state: .none)
            let off = Int((lo - r.base) >> pageShift)
            for p in 0..<piece.npages {
                piece.pages[p] = r.pages[off + p]
                r.pages[off + p] &= Region.stateMask  // the bytes moved to the piece
            }
            pieces.append(piece)
        }
        keep(r.base, v)
        keep(v + n, r.limit)
        remove(at: i)
        for p in pieces { insert(p) }
    }
}
