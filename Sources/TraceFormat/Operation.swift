// The operations a trace or a generator applies to an allocator, and their
// results, in the syntax of trace format v1 (ARCHITECTURE.md).


/// One call into the page allocator.
public enum Operation: Equatable, Hashable, Sendable, Codable {
    /// (*pageAlloc).grow(base, bytes)
    case grow(base: UInt64, bytes: UInt64)
    /// (*pageAlloc).alloc(npages)
    case alloc(npages: UInt64)
    /// (*pageAlloc).free(base, npages, scavenged)
    case free(base: UInt64, npages: UInt64, scavenged: Bool)
    /// (*pageAlloc).allocRange(base, npages)
    case allocRange(base: UInt64, npages: UInt64)
    /// (*pageAlloc).allocToCache() into P `p`'s page cache (mpagecache.go);
    /// the runtime only refills an empty cache.
    case allocToCache(p: Int)
    /// (*pageCache).alloc(npages) on P `p`'s cache; the runtime uses the
    /// cache for npages < pageCachePages/4.
    case cacheAlloc(npages: UInt64, p: Int)
    /// (*pageCache).flush(pageAlloc) of P `p`'s cache.
    case cacheFlush(p: Int)
    /// (*pageAlloc).scavenge(nbytes, nil[, force]) (mgcscavenge.go): return
    /// at least `nbytes` of free memory to the OS, or all there is. `force`
    /// is Go 1.21+'s (the index then ignores how recently a chunk was
    /// used); Go 1.19 and 1.20 have no such argument.
    case scavenge(nbytes: UInt64, force: Bool)
    /// (*scavengeIndex).nextGen() under the heap lock, as gcMarkTermination
    /// calls it once per GC cycle (Go 1.21+): the scavenger's generation
    /// moves on, and its background cursor rises to the previous
    /// generation's highest freed page.
    case nextGen
    /// (*pageAlloc).markRandomPaddingPages(base, npages) under the heap
    /// lock, as mheap.grow calls it right after the heap's first growth
    /// (Go 1.26+, 64-bit): the pages become allocated and scavenged.
    case pad(base: UInt64, npages: UInt64)

    /// The keyword that starts the operation's trace line.
    public var keyword: String {
        switch self {
        case .grow: "grow"
        case .alloc: "alloc"
        case .free: "free"
        case .allocRange: "alloc-range"
        case .allocToCache: "alloc-to-cache"
        case .cacheAlloc: "cache-alloc"
        case .cacheFlush: "cache-flush"
        case .scavenge: "scavenge"
        case .nextGen: "next-gen"
        case .pad: "pad"
        }
    }

    /// The operation as a trace line, without a result.
    public var traceText: String {
        switch self {
        case let .grow(base, bytes): "grow \(hex(base)) \(hex(bytes))"
        case let .alloc(n): "alloc \(n)"
        case let .free(base, n, scavenged): "free \(hex(base)) \(n)" + (scavenged ? " scavenged" : "")
        case let .allocRange(base, n): "alloc-range \(hex(base)) \(n)"
        case let .allocToCache(p): "alloc-to-cache" + (p == 0 ? "" : " \(p)")
        case let .cacheAlloc(n, p): "cache-alloc \(n)" + (p == 0 ? "" : " \(p)")
        case let .cacheFlush(p): "cache-flush" + (p == 0 ? "" : " \(p)")
        case let .scavenge(n, force): "scavenge \(hex(n))" + (force ? " force" : "")
        case .nextGen: "next-gen"
        case let .pad(base, n): "pad \(hex(base)) \(n)"
        }
    }
}

/// What an operation returned.
public enum OpResult: Equatable, Hashable, Sendable, Codable {
    /// grow and free return nothing.
    case none
    /// alloc: base address (0 on failure) and scavenged bytes.
    case alloc(addr: UInt64, scav: UInt64)
    /// allocRange: scavenged bytes.
    case allocRange(scav: UInt64)
    /// allocToCache: the cache's base (0 when it is empty), its free-page
    /// bits and its scavenged bits.
    case cache(base: UInt64, cache: UInt64, scav: UInt64)
    /// cache-flush: the base of the block given back (0 when the cache was
    /// empty). Go's flush returns nothing; the base is compared between
    /// target and reference but is not part of the trace syntax.
    case flushed(base: UInt64)
    /// scavenge: the bytes released to the OS.
    case scavenged(released: UInt64)

    /// The text after `-> `, or nil for operations without a result.
    public var traceText: String? {
        switch self {
        case .none: nil
        case let .alloc(addr, scav): "\(hex(addr)) \(hex(scav))"
        case let .allocRange(scav): hex(scav)
        case let .cache(base, cache, scav): "\(hex(base)) \(hex(cache)) \(hex(scav))"
        case .flushed: nil
        case let .scavenged(released): hex(released)
        }
    }
}

extension Operation {
    /// Page caches a trace may name: Ps 0 to 3 (the runtime has one per P).
    public static let pageCaches = 4
    /// The largest cache-alloc the runtime issues: mheap.allocSpan uses the
    /// cache only for npages < pageCachePages/4.
    public static let maxCacheAllocPages: UInt64 = 15
}

/// Formats a number as `0x` hex, the trace's syntax for addresses and bytes.
public func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }

/// The operation and its result as one trace line.
public func traceLine(_ op: Operation, _ result: OpResult?) -> String {
    if let r = result?.traceText { return "\(op.traceText) -> \(r)" }
    return op.traceText
}
