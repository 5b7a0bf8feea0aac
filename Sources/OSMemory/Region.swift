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
/// Each page is one word: the address of its bytes (8-byte aligned, or 0
/// when untouched) with the page's `MemState` in the low two bits, so that
/// an access reads the state and finds the bytes with a single load. The
/// table is unsafe memory so that the allocator's hot path can hold a
/// `PageView` without retain/release traffic; it lives as long as the
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
    /// Per-page word: bytes address | state.
    let pages: UnsafeMutablePointer<UInt>
    /// False once the region has been returned to the OS.
    public internal(set) var isLive = true
    /// Pages in the Ready state (kept by AddressSpace.setState).
    public internal(set) var readyPages = 0

    static let stateMask: UInt = 3

    init(base: UInt64, nbytes: UInt64, pageShift: UInt64, state: MemState) {
        precondition(base & ((1 << pageShift) - 1) == 0, "region base must be page aligned")
        self.base = base
        self.nbytes = nbytes
        self.pageShift = pageShift
        self.npages = Int((nbytes + (1 << pageShift) - 1) >> pageShift)
        let n = max(npages, 1)
        // A zero word is a Reserved page without bytes: calloc gives a fresh
        // reservation's table for free, page by page, as the host touches it.
        guard let raw = calloc(n, MemoryLayout<UInt>.stride) else { preconditionFailure("host out of memory") }
        self.pages = raw.bindMemory(to: UInt.self, capacity: n)
        if state != .reserved { pages.update(repeating: UInt(state.rawValue), count: n) }
        if state == .ready { readyPages = npages }
    }

    deinit {
        for i in 0..<npages { Region.bytes(pages[i])?.deallocate() }
        free(pages)
    }

    @inline(__always) static func bytes(_ word: UInt) -> UnsafeMutablePointer<UInt64>? {
        UnsafeMutablePointer(bitPattern: word & ~stateMask)
    }
    @inline(__always) static func state(_ word: UInt) -> MemState { MemState(rawValue: UInt8(word & stateMask))! }

    /// One past the last byte of the region, rounded to whole pages.
    public var limit: UInt64 { base + (UInt64(npages) << pageShift) }

    /// The state of the page holding `address`, which must lie in the region.
    public func state(at address: UInt64) -> MemState {
        precondition(address >= base && address < limit)
        return Region.state(pages[Int((address - base) >> pageShift)])
    }

    /// Sets pages [first, first+count) to `state`; drops their bytes when
    /// they stop being Ready.
    func setState(firstPage: Int, count: Int, to state: MemState) {
        for p in firstPage..<(firstPage + count) {
            var bytes = Region.bytes(pages[p])
            if state != .ready, let b = bytes {
                b.deallocate()
                bytes = nil
            }
            pages[p] = UInt(bitPattern: bytes) | UInt(state.rawValue)
        }
    }

    /// Counts the pages in [first, first+count) that are in `state`.
    func count(firstPage: Int, count: Int, in state: MemState) -> Int {
        var n = 0
        for p in firstPage..<(firstPage + count) where Region.state(pages[p]) == state { n += 1 }
        return n
    }

    /// The number of pages that hold bytes (written while Ready).
    public var touchedPages: Int {
        var n = 0
        for p in 0..<npages where Region.bytes(pages[p]) != nil { n += 1 }
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
    /// The byte offset within a page: `(1 << pageShift) - 1`, kept so that
    /// an access does not rebuild it.
    @usableFromInline let pageMask: UInt64
    @usableFromInline let pages: UnsafeMutablePointer<UInt>
    /// Bytes the view may touch (the rest of the region).
    public let nbytes: UInt64

    init(region: Region, offset: UInt64) {
        precondition(offset <= region.nbytes)
        baseAddress = region.base + offset
        regionOffset = offset
        pageShift = region.pageShift
        pageMask = (1 << region.pageShift) - 1
        pages = region.pages
        nbytes = region.nbytes - offset
    }

    /// The state bits of a Ready page's word (a constant, so the hot path
    /// compares against an immediate).
    @usableFromInline static var readyTag: UInt { @inline(__always) get { UInt(MemState.ready.rawValue) } }

    /// The word index within its page of byte `byte` (masking shifts: the
    /// page shift is always below 64).
    @inlinable @inline(__always)
    func wordInPage(_ byte: UInt64) -> Int {
        Int(truncatingIfNeeded: (byte & pageMask) &>> 3)
    }

    /// The fault for an access to a page whose word is `word`.
    @usableFromInline
    static func fault(at address: UInt64, _ word: UInt, _ access: Access, _ context: String) -> Fault {
        Fault(address: address, state: Region.state(word), access: access, context: context)
    }

    /// Loads the 8-byte word at byte offset `offset` (8-byte aligned).
    @inlinable @inline(__always)
    public func load64(_ offset: UInt64, context: @autoclosure () -> String) throws -> UInt64 {
        precondition(offset & 7 == 0 && offset < nbytes, "PageView load out of the region")
        let byte = regionOffset &+ offset
        let word = pages[Int(truncatingIfNeeded: byte &>> pageShift)]
        guard word & 3 == PageView.readyTag else { throw PageView.fault(at: baseAddress &+ offset, word, .read, context()) }
        guard let bytes = UnsafeMutablePointer<UInt64>(bitPattern: word & ~3) else { return 0 }
        return bytes[wordInPage(byte)]
    }

    /// The word at byte offset `offset` if its page is Ready, nil otherwise:
    /// a read for observers (snapshots), which must not fault.
    @inlinable @inline(__always)
    public func peek64(_ offset: UInt64) -> UInt64? {
        guard offset & 7 == 0 && offset < nbytes else { return nil }
        let byte = regionOffset &+ offset
        let word = pages[Int(truncatingIfNeeded: byte &>> pageShift)]
        guard word & 3 == PageView.readyTag else { return nil }
        guard let bytes = UnsafeMutablePointer<UInt64>(bitPattern: word & ~3) else { return 0 }
        return bytes[wordInPage(byte)]
    }

    /// Stores the 8-byte word at byte offset `offset` (8-byte aligned).
    @inlinable @inline(__always)
    public func store64(_ offset: UInt64, _ value: UInt64, context: @autoclosure () -> String) throws {
        precondition(offset & 7 == 0 && offset < nbytes, "PageView store out of the region")
        let byte = regionOffset &+ offset
        let page = Int(truncatingIfNeeded: byte &>> pageShift)
        let word = pages[page]
        guard word & 3 == PageView.readyTag else { throw PageView.fault(at: baseAddress &+ offset, word, .write, context()) }
        if let bytes = UnsafeMutablePointer<UInt64>(bitPattern: word & ~3) {
            bytes[wordInPage(byte)] = value
        } else if value != 0 {  // untouched pages read as zero already
            touch(page)[wordInPage(byte)] = value
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
        // Wrapping arithmetic: offset < nbytes and count is a block width, so
        // nothing here can overflow, and the precondition still catches a
        // block that leaves the region.
        let bytesLong = UInt64(truncatingIfNeeded: count) &<< 3
        precondition(offset & 7 == 0 && offset < nbytes && bytesLong <= nbytes &- offset, "PageView block load out of the region")
        return try loadBlockInBounds(offset, count: count, scratch: scratch, context: context())
    }

    /// `loadBlock` for a caller that has already bounded the block inside
    /// the view (the allocator's summary levels: a slice check against the
    /// level's capacity, which its reservation covers). The page-state check
    /// is the same; only the host-bounds precondition becomes a debug assert.
    @inlinable @inline(__always)
    public func loadBlockInBounds(_ offset: UInt64, count: Int, scratch: UnsafeMutablePointer<UInt64>,
                                  context: @autoclosure () -> String) throws -> UnsafePointer<UInt64> {
        let bytesLong = UInt64(truncatingIfNeeded: count) &<< 3
        assert(offset & 7 == 0 && offset < nbytes && bytesLong <= nbytes &- offset, "PageView block load out of the region")
        let byte = regionOffset &+ offset
        guard byte &>> pageShift == (byte &+ bytesLong &- 1) &>> pageShift else {
            for k in 0..<count { scratch[k] = try load64(offset &+ UInt64(k) &* 8, context: context()) }
            return UnsafePointer(scratch)
        }
        let word = pages[Int(truncatingIfNeeded: byte &>> pageShift)]
        guard word & 3 == PageView.readyTag else { throw PageView.fault(at: baseAddress &+ offset, word, .read, context()) }
        guard let bytes = UnsafeMutablePointer<UInt64>(bitPattern: word & ~3) else { return UnsafePointer(PageView.zeroes) }
        return UnsafePointer(bytes + wordInPage(byte))
    }

    /// Stores `value` at byte offset `offset` unless the word already holds
    /// it, and says whether it changed: Go's `if old != sum { s[i] = sum }`
    /// with one page-state check for the read and the write (both fault the
    /// same way on a page that is not Ready, and the read comes first). The
    /// caller has already bounded `offset` inside the view (see
    /// `loadBlockInBounds`).
    @inlinable @inline(__always)
    public func storeIfChanged64InBounds(_ offset: UInt64, _ value: UInt64, context: @autoclosure () -> String) throws -> Bool {
        assert(offset & 7 == 0 && offset < nbytes, "PageView store out of the region")
        let byte = regionOffset &+ offset
        let page = Int(truncatingIfNeeded: byte &>> pageShift)
        let word = pages[page]
        guard word & 3 == PageView.readyTag else { throw PageView.fault(at: baseAddress &+ offset, word, .read, context()) }
        if let bytes = UnsafeMutablePointer<UInt64>(bitPattern: word & ~3) {
            let slot = bytes + wordInPage(byte)
            if slot.pointee == value { return false }
            slot.pointee = value
            return true
        }
        if value == 0 { return false }
        touch(page)[wordInPage(byte)] = value
        return true
    }

    /// The byte offset of the first byte of the page holding `offset` when
    /// that page is Ready and was never written (all zeroes), else nil: lets
    /// a reader that skips zero words pass a whole page with one look, and
    /// still fault where a word-by-word read would (a page that is not
    /// Ready answers nil and is read word by word).
    @inlinable @inline(__always)
    public func untouchedReadyPageStart(_ offset: UInt64) -> UInt64? {
        guard offset < nbytes else { return nil }
        let byte = regionOffset &+ offset
        let word = pages[Int(truncatingIfNeeded: byte &>> pageShift)]
        guard word & 3 == PageView.readyTag, word & ~3 == 0 else { return nil }
        let pageStart = byte & ~pageMask
        return pageStart >= regionOffset ? pageStart - regionOffset : 0
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
        pages[page] = UInt(bitPattern: bytes) | PageView.readyTag
        return bytes
    }
}
