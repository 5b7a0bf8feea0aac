// The per-architecture constants of Go's page allocator, as one value.
//
// In Go these are compile-time constants spread over malloc.go (heapAddrBits,
// arenaBaseOffset), mpagealloc.go (logPallocChunkPages, summaryLevelBits,
// logMaxPackedValue) and mpagealloc_{64,32}bit.go (summaryLevels, levelBits,
// levelShift, levelLogPages, pallocChunksL1Bits). Here a `Geometry` carries them so
// one build can model every architecture, and `init` checks the relations Go states
// between them.
//
// `Geometry` is a trivial value (no references), so passing it on the hot path costs
// no reference counting.

/// Why a set of constants is not a valid page-allocator geometry.
public struct GeometryError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The name of the rule that failed, e.g. `"constantsEquation"`.
    public let rule: String
    /// What was found.
    public let detail: String

    public var description: String { "geometry rule \(rule) fails: \(detail)" }
}

/// A per-level table (`levelBits`, `levelShift`, `levelLogPages`): one entry per
/// summary level, root level (L0) first.
public struct LevelTable: RandomAccessCollection, Equatable, Sendable, CustomStringConvertible {
    /// At most this many levels; Go uses 4 or 5.
    public static let capacity = 8

    @usableFromInline let storage: (Int, Int, Int, Int, Int, Int, Int, Int)
    @usableFromInline let levelCount: Int

    /// A table with one entry per level; at most `capacity` entries.
    public init(_ values: [Int]) {
        precondition(values.count <= Self.capacity, "at most \(Self.capacity) levels")
        let v = values + Array(repeating: 0, count: Self.capacity - values.count)
        storage = (v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7])
        levelCount = values.count
    }

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { levelCount }

    /// The entry for summary level `level` (0 is the root).
    @inlinable
    public subscript(level: Int) -> Int {
        precondition(level >= 0 && level < levelCount, "summary level out of range")
        return withUnsafeBytes(of: storage) { $0.load(fromByteOffset: level * MemoryLayout<Int>.stride, as: Int.self) }
    }

    public static func == (a: LevelTable, b: LevelTable) -> Bool { Array(a) == Array(b) }

    public var description: String { "[" + map(String.init).joined(separator: ", ") + "]" }
}

/// The constants of Go's page allocator for one architecture.
public struct Geometry: Sendable, CustomStringConvertible {
    /// Go's `logPallocChunkPages`: a bitmap chunk covers 2^9 = 512 pages.
    public static let logPallocChunkPages = 9
    /// Go's `pageShift`: pages are 2^13 = 8 KiB.
    public static let pageShift = 13
    /// Go's `summaryLevelBits`: every level below the root has 2^3 children per parent.
    public static let summaryLevelBits = 3
    /// Go's `logPallocChunkBytes`: a chunk covers 2^22 bytes (4 MiB).
    public static let logPallocChunkBytes = logPallocChunkPages + pageShift
    /// Go's `pallocChunkPages`.
    public static let pallocChunkPages: UInt64 = 1 << logPallocChunkPages
    /// Go's `pallocChunkBytes`.
    public static let pallocChunkBytes: UInt64 = 1 << logPallocChunkBytes
    /// Go's `pageSize`.
    public static let pageSize: UInt64 = 1 << pageShift

    /// A short name (`amd64`, `386`, ...).
    public let name: StaticString
    /// Go's `heapAddrBits`: the heap spans 2^heapAddrBits bytes of (offset) address space.
    public let heapAddrBits: Int
    /// Go's `summaryLevels`: the height of the radix tree of summaries.
    public let summaryLevels: Int
    /// Go's `levelBits`: log2 of the number of entries per block at each level
    /// (the root's entry is the whole root level).
    public let levelBits: LevelTable
    /// Go's `levelShift`: `offset >> levelShift[l]` is the index of the level-l summary.
    public let levelShift: LevelTable
    /// Go's `levelLogPages`: a level-l summary covers at most 2^levelLogPages[l] pages.
    public let levelLogPages: LevelTable
    /// Go's `logMaxPackedValue`: a `pallocSum` field holds counts up to 2^logMaxPackedValue.
    public let logMaxPackedValue: Int
    /// Go's `arenaBaseOffset`: the virtual address that is offset 0 of the heap.
    public let arenaBaseOffset: UInt64
    /// The width of `uintptr` in bits (64, or 32 on 386 and mips; wasm has 64-bit pointers).
    public let pointerBits: Int
    /// Go's `pallocChunksL1Bits`: bits of a chunk index used by the L1 of the chunk map.
    public let pallocChunksL1Bits: Int

    /// Builds a geometry from Go's tables written out, and checks every relation
    /// Go states between the constants (see `validate()`).
    public init(
        name: StaticString,
        heapAddrBits: Int,
        summaryLevels: Int,
        levelBits: [Int],
        levelShift: [Int],
        levelLogPages: [Int],
        logMaxPackedValue: Int,
        arenaBaseOffset: UInt64,
        pointerBits: Int,
        pallocChunksL1Bits: Int
    ) throws(GeometryError) {
        for (table, values) in [("levelBits", levelBits), ("levelShift", levelShift), ("levelLogPages", levelLogPages)]
        where values.count != summaryLevels || values.count > LevelTable.capacity {
            throw GeometryError(rule: "tableLength", detail: "\(table) has \(values.count) entries for \(summaryLevels) levels")
        }
        self.name = name
        self.heapAddrBits = heapAddrBits
        self.summaryLevels = summaryLevels
        self.levelBits = LevelTable(levelBits)
        self.levelShift = LevelTable(levelShift)
        self.levelLogPages = LevelTable(levelLogPages)
        self.logMaxPackedValue = logMaxPackedValue
        self.arenaBaseOffset = arenaBaseOffset
        self.pointerBits = pointerBits
        self.pallocChunksL1Bits = pallocChunksL1Bits
        try validate()
    }

    /// Builds a geometry whose tables follow Go's formulas in mpagealloc_64bit.go and
    /// mpagealloc_32bit.go from `heapAddrBits` and `summaryLevels`.
    public static func derived(
        name: StaticString,
        heapAddrBits: Int,
        summaryLevels: Int,
        arenaBaseOffset: UInt64 = 0,
        pointerBits: Int = 64,
        pallocChunksL1Bits: Int = 0
    ) throws(GeometryError) -> Geometry {
        guard summaryLevels >= 1 && summaryLevels <= LevelTable.capacity else {
            throw GeometryError(rule: "tableLength", detail: "summaryLevels \(summaryLevels) not in 1...\(LevelTable.capacity)")
        }
        let l0Bits = heapAddrBits - logPallocChunkBytes - (summaryLevels - 1) * summaryLevelBits
        let bits = [l0Bits] + Array(repeating: summaryLevelBits, count: summaryLevels - 1)
        let shifts = (0..<summaryLevels).map { heapAddrBits - l0Bits - $0 * summaryLevelBits }
        let logPages = (0..<summaryLevels).map { logPallocChunkPages + (summaryLevels - 1 - $0) * summaryLevelBits }
        return try Geometry(
            name: name, heapAddrBits: heapAddrBits, summaryLevels: summaryLevels,
            levelBits: bits, levelShift: shifts, levelLogPages: logPages,
            logMaxPackedValue: logPallocChunkPages + (summaryLevels - 1) * summaryLevelBits,
            arenaBaseOffset: arenaBaseOffset, pointerBits: pointerBits,
            pallocChunksL1Bits: pallocChunksL1Bits)
    }

    public var description: String { name.description }
}

// MARK: - Derived constants

extension Geometry {
    /// Go's `summaryL0Bits`, from the constants equation.
    @inlinable
    public var summaryL0Bits: Int {
        heapAddrBits - Geometry.logPallocChunkBytes - (summaryLevels - 1) * Geometry.summaryLevelBits
    }

    /// Go's `maxPackedValue`: the largest count a `pallocSum` field can hold.
    @inlinable
    public var maxPackedValue: UInt64 { 1 << UInt64(logMaxPackedValue) }

    /// Go's `pallocChunksL2Bits`.
    @inlinable
    public var pallocChunksL2Bits: Int { heapAddrBits - Geometry.logPallocChunkBytes - pallocChunksL1Bits }

    /// All ones in the low `pointerBits` bits: Go's `uintptrMask`.
    @inlinable
    public var uintptrMask: UInt64 { pointerBits == 64 ? ~0 : (1 << UInt64(pointerBits)) - 1 }

    /// The number of chunks in the heap's address space: 2^(heapAddrBits - logPallocChunkBytes).
    @inlinable
    public var chunkCount: UInt64 { 1 << UInt64(heapAddrBits - Geometry.logPallocChunkBytes) }

    /// The number of summaries at level `level`: 2^(heapAddrBits - levelShift[level]).
    @inlinable
    public func summaryCount(level: Int) -> UInt64 { 1 << UInt64(heapAddrBits - levelShift[level]) }

    /// `x` cut to the width of `uintptr`: models Go's wrap-around `uintptr` arithmetic
    /// on 32-bit geometries. The identity on 64-bit geometries.
    @inlinable @inline(__always)
    public func uintptr<W: SumWord>(_ x: W) -> W {
        pointerBits == 64 ? x : x & W(uintptrMask)
    }
}

// MARK: - Validation

extension Geometry {
    /// Checks the relations Go states (or relies on) between the constants; the first
    /// broken one is thrown, named by its rule.
    ///
    /// * `pointerWidth`: `pointerBits` is 32 or 64 and `heapAddrBits` fits in it.
    /// * `levelBits`: the root has `summaryL0Bits >= 0` bits, every other level 3.
    /// * `constantsEquation`: summaryL0Bits + (summaryLevels-1)*summaryLevelBits +
    ///   logPallocChunkBytes == heapAddrBits (mpagealloc.go), written with the table.
    /// * `levelShift`: levelShift[l] == heapAddrBits - (levelBits[0] + ... + levelBits[l]),
    ///   so the leaf shift is logPallocChunkBytes.
    /// * `logMaxPackedValue`: logPallocChunkPages + (summaryLevels-1)*summaryLevelBits.
    /// * `rootFitsSummary`: levelLogPages[0] <= logMaxPackedValue, the check in
    ///   `(*pageAlloc).init` ("root level max pages doesn't fit in summary").
    /// * `levelLogPages`: levelLogPages[l] == levelShift[l] - pageShift.
    /// * `packedFieldsFit`: three fields of logMaxPackedValue bits fit below bit 63.
    /// * `arenaBaseOffset`: fits in a `uintptr` and is chunk-aligned.
    /// * `chunksL1Bits`: 0 <= pallocChunksL1Bits <= heapAddrBits - logPallocChunkBytes.
    public func validate() throws(GeometryError) {
        func check(_ ok: Bool, _ rule: String, _ detail: @autoclosure () -> String) throws(GeometryError) {
            if !ok { throw GeometryError(rule: rule, detail: detail()) }
        }
        try check(pointerBits == 32 || pointerBits == 64, "pointerWidth", "pointerBits \(pointerBits)")
        try check(heapAddrBits > Geometry.logPallocChunkBytes && heapAddrBits <= pointerBits,
                  "pointerWidth", "heapAddrBits \(heapAddrBits) with \(pointerBits)-bit pointers")
        try check(summaryLevels >= 1 && summaryLevels <= LevelTable.capacity, "tableLength", "summaryLevels \(summaryLevels)")
        try check(levelBits[0] >= 0, "levelBits", "root level has \(levelBits[0]) bits")
        for l in 1..<summaryLevels {
            try check(levelBits[l] == Geometry.summaryLevelBits, "levelBits", "levelBits[\(l)] = \(levelBits[l])")
        }
        try check(levelBits[0] + (summaryLevels - 1) * Geometry.summaryLevelBits + Geometry.logPallocChunkBytes == heapAddrBits,
                  "constantsEquation",
                  "\(levelBits[0]) + \(summaryLevels - 1)*3 + \(Geometry.logPallocChunkBytes) != \(heapAddrBits)")
        var covered = 0
        for l in 0..<summaryLevels {
            covered += levelBits[l]
            try check(levelShift[l] == heapAddrBits - covered, "levelShift",
                      "levelShift[\(l)] = \(levelShift[l]), expected \(heapAddrBits - covered)")
        }
        try check(logMaxPackedValue == Geometry.logPallocChunkPages + (summaryLevels - 1) * Geometry.summaryLevelBits,
                  "logMaxPackedValue", "\(logMaxPackedValue)")
        // Go's own check, before the table formula that implies it, so a root entry
        // that is too large is reported as Go reports it.
        try check(levelLogPages[0] <= logMaxPackedValue, "rootFitsSummary",
                  "root level max pages 2^\(levelLogPages[0]) > summary max pages 2^\(logMaxPackedValue)")
        for l in 0..<summaryLevels {
            try check(levelLogPages[l] == levelShift[l] - Geometry.pageShift, "levelLogPages",
                      "levelLogPages[\(l)] = \(levelLogPages[l]), expected \(levelShift[l] - Geometry.pageShift)")
        }
        try check(3 * logMaxPackedValue <= 63, "packedFieldsFit", "3 * \(logMaxPackedValue) bits > 63")
        try check(arenaBaseOffset & ~uintptrMask == 0 && arenaBaseOffset % Geometry.pallocChunkBytes == 0,
                  "arenaBaseOffset", "0x\(String(arenaBaseOffset, radix: 16))")
        try check(pallocChunksL1Bits >= 0 && pallocChunksL1Bits <= heapAddrBits - Geometry.logPallocChunkBytes,
                  "chunksL1Bits", "\(pallocChunksL1Bits)")
    }
}

extension Geometry: Equatable {
    public static func == (a: Geometry, b: Geometry) -> Bool {
        a.name.description == b.name.description && a.heapAddrBits == b.heapAddrBits
            && a.summaryLevels == b.summaryLevels && a.levelBits == b.levelBits
            && a.levelShift == b.levelShift && a.levelLogPages == b.levelLogPages
            && a.logMaxPackedValue == b.logMaxPackedValue && a.arenaBaseOffset == b.arenaBaseOffset
            && a.pointerBits == b.pointerBits && a.pallocChunksL1Bits == b.pallocChunksL1Bits
    }
}
