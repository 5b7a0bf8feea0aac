#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// One mapping of the simulated address space: a run of physical pages, each
// with its own state and, only once written while Ready, its own bytes.

/// A contiguous range the OS handed out (`sysAlloc`, `sysReserve`,
/// `sysReserveAligned`), tracked page by page.
///
/// Storage is sparse: a page holds bytes only after it was written while
/// Ready. Reading a Ready page that was never written returns zeroes, as
/// fresh anonymous memory does. A page that leaves the Ready state
/// (`sysUnused`, `sysFault`, `sysFree`) forfeits its bytes.
///
/// The buffers are unsafe pointers so that the allocator's hot path can hold
/// a `PageView` without retain/release traffic; they live as long as the
/// `AddressSpace` that created the region, even after the region is freed.
public final class Region: @unchecked Sendable {
    /// First address of the region (page aligned).
    public let base: UInt64
    /// Length in bytes as the caller asked for it; `sysFree`/`sysUnreserve`
    /// must pass exactly this.
    public let nbytes: UInt64
    /// The number of physical pages the region spans.
    public let npages: Int
    /// log2 of the physical page size.
    let pageShift: UInt64
    /// Per-page state.
    let states: UnsafeMutablePointer<MemState>
    /// Per-page bytes, allocated on first write while Ready.
    let storage: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>?>
    /// False once the region has been returned to the OS.
    public internal(set) var isLive = true

    init(base: UInt64, nbytes: UInt64, pageShift: UInt64, state: MemState) {
        precondition(base & ((1 << pageShift) - 1) == 0, "region base must be page aligned")
        self.base = base
        self.nbytes = nbytes
        self.pageShift = pageShift
        self.npages = Int((nbytes + (1 << pageShift) - 1) >> pageShift)
        let n = max(npages, 1)
        // Zero bytes are Reserved states and nil page pointers: calloc gives
        // them for free, page by page, as the host touches them.
        guard let st = calloc(n, MemoryLayout<MemState>.stride), let sp = calloc(n, MemoryLayout<UnsafeMutablePointer<UInt64>?>.stride) else {
            preconditionFailure("host out of memory")
        }
        self.states = st.bindMemory(to: MemState.self, capacity: n)
        self.storage = sp.bindMemory(to: UnsafeMutablePointer<UInt64>?.self, capacity: n)
        if state != .reserved { states.update(repeating: state, count: n) }
    }

    deinit {
        for i in 0..<npages { storage[i]?.deallocate() }
        free(storage)
        free(states)
    }

    /// One past the last byte of the region, rounded to whole pages.
    public var limit: UInt64 { base + (UInt64(npages) << pageShift) }

    /// The state of the page holding `address`, which must lie in the region.
    public func state(at address: UInt64) -> MemState {
        precondition(address >= base && address < limit)
        return states[Int((address - base) >> pageShift)]
    }

    /// Sets pages [first, first+count) to `state`; drops their bytes when
    /// they stop being Ready.
    func setState(firstPage: Int, count: Int, to state: MemState) {
        for p in firstPage..<(firstPage + count) {
            states[p] = state
            if state != .ready, let bytes = storage[p] {
                bytes.deallocate()
                storage[p] = nil
            }
        }
    }

    /// Counts the pages in [first, first+count) that are in `state`.
    func count(firstPage: Int, count: Int, in state: MemState) -> Int {
        var n = 0
        for p in firstPage..<(firstPage + count) where states[p] == state { n += 1 }
        return n
    }

    /// The number of pages that hold bytes (written while Ready).
    public var touchedPages: Int {
        var n = 0
        for p in 0..<npages where storage[p] != nil { n += 1 }
        return n
    }
}

/// A cheap, copyable window onto a region for 64-bit loads and stores at
/// byte offsets: the fast path the allocator uses for its summary arrays.
///
/// Every access checks the page state, so a load from a page that is not
/// Ready throws a `Fault` naming the address and the state.
public struct PageView: @unchecked Sendable {
    /// Simulated address of byte offset 0 of this view.
    public let baseAddress: UInt64
    /// Byte offset of this view's 0 within its region.
    @usableFromInline let regionOffset: UInt64
    @usableFromInline let pageShift: UInt64
    @usableFromInline let states: UnsafeMutablePointer<MemState>
    @usableFromInline let storage: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>?>
    /// Bytes the view may touch (the rest of the region).
    public let nbytes: UInt64

    init(region: Region, offset: UInt64) {
        precondition(offset <= region.nbytes)
        baseAddress = region.base + offset
        regionOffset = offset
        pageShift = region.pageShift
        states = region.states
        storage = region.storage
        nbytes = region.nbytes - offset
    }

    /// Loads the 8-byte word at byte offset `offset` (8-byte aligned).
    @inlinable @inline(__always)
    public func load64(_ offset: UInt64, context: @autoclosure () -> String) throws -> UInt64 {
        precondition(offset & 7 == 0 && offset < nbytes, "PageView load out of the region")
        let byte = regionOffset + offset
        let page = Int(byte >> pageShift)
        let state = states[page]
        guard state == .ready else {
            throw Fault(address: baseAddress + offset, state: state, access: .read, context: context())
        }
        guard let bytes = storage[page] else { return 0 }
        return bytes[Int((byte & ((1 << pageShift) - 1)) >> 3)]
    }

    /// Stores the 8-byte word at byte offset `offset` (8-byte aligned).
    @inlinable @inline(__always)
    public func store64(_ offset: UInt64, _ value: UInt64, context: @autoclosure () -> String) throws {
        precondition(offset & 7 == 0 && offset < nbytes, "PageView store out of the region")
        let byte = regionOffset + offset
        let page = Int(byte >> pageShift)
        let state = states[page]
        guard state == .ready else {
            throw Fault(address: baseAddress + offset, state: state, access: .write, context: context())
        }
        if let bytes = storage[page] {
            bytes[Int((byte & ((1 << pageShift) - 1)) >> 3)] = value
        } else if value != 0 {  // untouched pages read as zero already
            touch(page)[Int((byte & ((1 << pageShift) - 1)) >> 3)] = value
        }
    }

    /// The `count` words at byte offset `offset`: the read of a block of
    /// sibling summaries. When the block lies on one OS page (always on the
    /// 64-bit layout, where a block is 64 aligned bytes) the page state is
    /// checked once and a pointer into the page is returned; otherwise each
    /// word is loaded and checked on its own into `scratch` (count words).
    /// Untouched pages read as zeroes.
    @inlinable @inline(__always)
    public func loadBlock(_ offset: UInt64, count: Int, scratch: UnsafeMutablePointer<UInt64>,
                          context: @autoclosure () -> String) throws -> UnsafePointer<UInt64> {
        let byte = regionOffset + offset
        let last = byte + UInt64(count) * 8 - 1
        precondition(offset & 7 == 0 && offset + UInt64(count) * 8 <= nbytes, "PageView block load out of the region")
        guard byte >> pageShift == last >> pageShift else {
            for k in 0..<count { scratch[k] = try load64(offset + UInt64(k) * 8, context: context()) }
            return UnsafePointer(scratch)
        }
        let page = Int(byte >> pageShift)
        let state = states[page]
        guard state == .ready else {
            throw Fault(address: baseAddress + offset, state: state, access: .read, context: context())
        }
        guard let bytes = storage[page] else { return UnsafePointer(PageView.zeroes) }
        return UnsafePointer(bytes + Int((byte & ((1 << pageShift) - 1)) >> 3))
    }

    /// Zero words returned for blocks on untouched Ready pages.
    @usableFromInline nonisolated(unsafe) static let zeroes: UnsafeMutablePointer<UInt64> = {
        let p = UnsafeMutablePointer<UInt64>.allocate(capacity: 1 << 13)
        p.initialize(repeating: 0, count: 1 << 13)
        return p
    }()

    /// Gives a Ready page its bytes, zeroed, on its first non-zero store.
    @usableFromInline
    func touch(_ page: Int) -> UnsafeMutablePointer<UInt64> {
        let words = Int(1 << (pageShift - 3))
        let bytes = UnsafeMutablePointer<UInt64>.allocate(capacity: words)
        bytes.initialize(repeating: 0, count: words)
        storage[page] = bytes
        return bytes
    }
}
