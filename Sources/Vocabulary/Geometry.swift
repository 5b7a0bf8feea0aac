// Per-architecture constants of the page allocator, as runtime values: the
// words the port, the reference, the checker and the Go target all speak.
//
// In Go these are compile-time constants spread over malloc.go
// (heapAddrBits, arenaBaseOffset), mpagealloc.go (the equation tying them
// together), and mpagealloc_64bit.go / mpagealloc_32bit.go (summaryLevels,
// pallocChunksL1Bits, levelBits, levelShift, levelLogPages). Here one value
// carries a whole architecture so several can be checked in one process.

/// Which of Go's two metadata layouts a geometry uses.
public enum SummaryLayout: String, Sendable, Hashable {
    /// mpagealloc_64bit.go: each level reserved whole, mapped on grow.
    case sparse64
    /// mpagealloc_32bit.go: all levels reserved and mapped at init.
    case flat32
}

/// A geometry that breaks one of Go's stated constraints.
public struct GeometryError: Error, CustomStringConvertible, Equatable {
    public let geometry: String
    public let reason: String
    public var description: String { "geometry \(geometry): \(reason)" }
}

/// The constants of one architecture's page allocator.
public struct Geometry: Sendable, Hashable {
    // Constants shared by every Go architecture.
    /// log2 of the runtime page size (`pageShift`, 8 KiB pages).
    public static let pageShift: UInt64 = 13
    public static let pageSize: UInt64 = 1 << pageShift
    /// log2 of the pages per bitmap chunk (`logPallocChunkPages`).
    public static let logPallocChunkPages: UInt64 = 9
    public static let pallocChunkPages: UInt64 = 1 << logPallocChunkPages
    public static let logPallocChunkBytes: UInt64 = logPallocChunkPages + pageShift
    /// Bytes per chunk (`pallocChunkBytes`, 4 MiB).
    public static let pallocChunkBytes: UInt64 = 1 << logPallocChunkBytes
    /// Radix bits per level below the root (`summaryLevelBits`).
    public static let summaryLevelBits = 3
    /// Bytes of one packed summary (`pallocSumBytes`).
    public static let pallocSumBytes: UInt64 = 8
    /// Bytes of one chunk's bitmap data (`pallocData`: two 512-bit maps).
    public static let pallocDataBytes: UInt64 = 128

    public let name: String
    /// Bits of address space the heap may use (`heapAddrBits`).
    public let heapAddrBits: Int
    /// Levels of the radix tree (`summaryLevels`).
    public let summaryLevels: Int
    /// Bits of the chunk index resolved by the chunks L1 map.
    public let pallocChunksL1Bits: Int
    /// Offset of the linearised heap address space (`arenaBaseOffset`).
    public let arenaBaseOffset: UInt64
    /// Width of `uintptr` in bits (64 or 32); arithmetic wraps there.
    public let ptrBits: Int
    /// The OS page size (`physPageSize`).
    public let physPageSize: UInt64
    public let layout: SummaryLayout

    // Derived, as the Go constants are.
    public let summaryL0Bits: Int
    public let pallocChunksL2Bits: Int
    public let levelBits: [Int]
    public let levelShift: [Int]
    public let levelLogPages: [Int]
    /// log2 of the largest value a summary field holds (`logMaxPackedValue`).
    public let logMaxPackedValue: UInt64

    /// Builds and validates a geometry against the constraints Go states.
    public init(name: String, heapAddrBits: Int, summaryLevels: Int, pallocChunksL1Bits: Int,
                arenaBaseOffset: UInt64 = 0, ptrBits: Int = 64, physPageSize: UInt64 = 4096,
                layout: SummaryLayout) throws(GeometryError) {
        func fail(_ r: String) -> GeometryError { GeometryError(geometry: name, reason: r) }
        guard ptrBits == 64 || ptrBits == 32 else { throw fail("uintptr must be 32 or 64 bits") }
        guard summaryLevels >= 1 && summaryLevels <= 8 else { throw fail("summaryLevels must be 1...8") }
        guard heapAddrBits <= ptrBits else { throw fail("heapAddrBits exceeds the pointer width") }
        guard physPageSize.nonzeroBitCount == 1 && physPageSize >= 8 else { throw fail("physPageSize must be a power of two >= 8") }
        let lb = Geometry.summaryLevelBits
        let l0 = heapAddrBits - Int(Geometry.logPallocChunkBytes) - (summaryLevels - 1) * lb
        guard l0 >= 0 else { throw fail("summaryL0Bits would be negative (\(l0))") }
        // summaryL0Bits + (summaryLevels-1)*summaryLevelBits + logPallocChunkBytes == heapAddrBits
        guard l0 + (summaryLevels - 1) * lb + Int(Geometry.logPallocChunkBytes) == heapAddrBits else {
            throw fail("constants equation does not hold")
        }
        let l2 = heapAddrBits - Int(Geometry.logPallocChunkBytes) - pallocChunksL1Bits
        guard pallocChunksL1Bits >= 0 && l2 >= 0 else { throw fail("pallocChunksL1Bits leaves a negative L2 width") }
        if ptrBits == 32 { guard arenaBaseOffset < (1 << 32) else { throw fail("arenaBaseOffset does not fit in uintptr") } }
        self.name = name
        self.heapAddrBits = heapAddrBits
        self.summaryLevels = summaryLevels
        self.pallocChunksL1Bits = pallocChunksL1Bits
        self.arenaBaseOffset = arenaBaseOffset
        self.ptrBits = ptrBits
        self.physPageSize = physPageSize
        self.layout = layout
        self.summaryL0Bits = l0
        self.pallocChunksL2Bits = l2
        self.levelBits = (0..<summaryLevels).map { $0 == 0 ? l0 : lb }
        self.levelShift = (0..<summaryLevels).map { heapAddrBits - l0 - $0 * lb }
        self.levelLogPages = (0..<summaryLevels).map { Int(Geometry.logPallocChunkPages) + (summaryLevels - 1 - $0) * lb }
        self.logMaxPackedValue = Geometry.logPallocChunkPages + UInt64((summaryLevels - 1) * lb)
        // (*pageAlloc).init's check: the root level's page count must fit a summary.
        guard UInt64(levelLogPages[0]) <= logMaxPackedValue else {
            throw fail("root level max pages = \(1 << levelLogPages[0]) doesn't fit in summary (max \(1 << logMaxPackedValue))")
        }
    }

    /// Summary entries in level `l` (`1 << (heapAddrBits - levelShift[l])`).
    public func entries(level l: Int) -> Int { 1 << (heapAddrBits - levelShift[l]) }
    /// Number of chunks in the whole heap address space.
    public var chunkCount: UInt64 { 1 << (UInt64(heapAddrBits) - Geometry.logPallocChunkBytes) }
    /// All ones in the low `ptrBits` bits (`uintptrMask`): uintptr
    /// arithmetic wraps there.
    @inlinable public var uintptrMask: UInt64 { ptrBits == 64 ? ~0 : (1 << 32) - 1 }
    /// Bytes of the heap address space.
    public var heapBytes: UInt64 { 1 << UInt64(heapAddrBits) }
}

extension Geometry {
    // Mirrors the per-GOARCH values of heapAddrBits (malloc.go), arenaBaseOffset
    // (malloc.go), summaryLevels and pallocChunksL1Bits (mpagealloc_64bit.go /
    // mpagealloc_32bit.go) and physPageSize on Linux (65536 on wasm).
    public static let amd64 = try! Geometry(name: "amd64", heapAddrBits: 48, summaryLevels: 5, pallocChunksL1Bits: 13,
                                            arenaBaseOffset: 0xffff_8000_0000_0000, layout: .sparse64)
    public static let arm64 = try! Geometry(name: "arm64", heapAddrBits: 48, summaryLevels: 5, pallocChunksL1Bits: 13, layout: .sparse64)
    public static let iosArm64 = try! Geometry(name: "ios-arm64", heapAddrBits: 40, summaryLevels: 5, pallocChunksL1Bits: 13, layout: .sparse64)
    public static let i386 = try! Geometry(name: "386", heapAddrBits: 32, summaryLevels: 4, pallocChunksL1Bits: 0, ptrBits: 32, layout: .flat32)
    public static let wasm = try! Geometry(name: "wasm", heapAddrBits: 32, summaryLevels: 4, pallocChunksL1Bits: 0,
                                           physPageSize: 65536, layout: .flat32)
    public static let mips = try! Geometry(name: "mips", heapAddrBits: 31, summaryLevels: 4, pallocChunksL1Bits: 0, ptrBits: 32, layout: .flat32)
    /// Built for exhaustive checking: 28-bit heap (64 chunks), two levels,
    /// a chunks L1 map of 8 blocks, and 64-byte OS pages so that summary
    /// pages are mapped piecemeal as on amd64.
    public static let small = try! Geometry(name: "small", heapAddrBits: 28, summaryLevels: 2, pallocChunksL1Bits: 3,
                                            physPageSize: 64, layout: .sparse64)
    /// Built for exhaustive checking with an amd64-like wrap: 31-bit heap,
    /// three levels, arenaBaseOffset placing the heap across address 0.
    public static let smallOffset = try! Geometry(name: "small-offset", heapAddrBits: 31, summaryLevels: 3, pallocChunksL1Bits: 4,
                                                  arenaBaseOffset: 0xffff_ffff_c000_0000, physPageSize: 64, layout: .sparse64)

    /// linux/loong64 as Go reports it (under qemu-user): arm64's constants
    /// with the 16 KiB physical pages its kernels are built with, so that
    /// summary memory is mapped 16 KiB at a time.
    public static let loong64 = try! Geometry(name: "loong64", heapAddrBits: 48, summaryLevels: 5, pallocChunksL1Bits: 13,
                                              physPageSize: 16384, layout: .sparse64)

    /// aix/ppc64: the 64-bit layout with AIX's mmap base (arenaBaseOffset
    /// 0x0a00000000000000 in malloc.go). AIX's 64 KiB pages are not
    /// modelled here (the address arithmetic is the point); no Go target
    /// runs it (qemu-user has no AIX).
    public static let aixPpc64 = try! Geometry(name: "aix-ppc64", heapAddrBits: 48, summaryLevels: 5, pallocChunksL1Bits: 13,
                                               arenaBaseOffset: 0x0a00_0000_0000_0000, layout: .sparse64)
    /// ios/arm64 before Go 1.17: 33-bit heap addresses on the 32-bit
    /// page-allocator layout with 64-bit pointers (like wasm's, 4 KiB pages).
    public static let iosArm64Go116 = try! Geometry(name: "ios-arm64-go1.16", heapAddrBits: 33, summaryLevels: 4,
                                                    pallocChunksL1Bits: 0, layout: .flat32)

    /// The named geometries that seeds rotate over, in a fixed order (a
    /// seed's geometry is `all[seed % all.count]`: never reorder or extend
    /// it, or every recorded seed changes meaning).
    public static let all: [Geometry] = [.amd64, .arm64, .i386, .iosArm64, .wasm, .mips, .small, .smallOffset]

    /// Named geometries outside the seed rotation: chosen with --geometry,
    /// and matched by the Go target to what a real runtime reports.
    public static let extra: [Geometry] = [.loong64, .aixPpc64, .iosArm64Go116]

    /// Every named geometry.
    public static let catalog: [Geometry] = all + extra

    /// Looks a geometry up by name.
    public static func named(_ name: String) throws(GeometryError) -> Geometry {
        guard let g = catalog.first(where: { $0.name == name }) else {
            throw GeometryError(geometry: name, reason: "unknown geometry; known: \(catalog.map(\.name).joined(separator: ", "))")
        }
        return g
    }
}

// MARK: - Plain address arithmetic, for everyone but the port

extension Geometry {
    // The checker, the seam and the reports compute positions in the offset
    // address space with these few lines. The port does not: it mirrors Go's
    // offAddr with its own OffsetSpace (PageAlloc), so that a slip in either
    // shows up as a disagreement instead of being shared.

    /// The position of plain address `a` in the offset address space: its
    /// distance from arenaBaseOffset, wrapped at the pointer width.
    @inlinable public func linear(_ a: UInt64) -> UInt64 { (a &- arenaBaseOffset) & uintptrMask }
    /// The plain address at position `x` of the offset address space.
    @inlinable public func unlinear(_ x: UInt64) -> UInt64 { (x &+ arenaBaseOffset) & uintptrMask }
    /// The chunk holding plain address `a`, counted from arenaBaseOffset.
    @inlinable public func chunk(of a: UInt64) -> UInt64 { linear(a) / Geometry.pallocChunkBytes }
    /// The highest address of the heap's space: the value of searchAddr that
    /// means "no free page" (Go's maxSearchAddr).
    @inlinable public var maxSearchAddr: UInt64 { unlinear((1 << UInt64(heapAddrBits)) &- 1) }
}
