// The named geometries: Go's constants for each architecture family, with the
// tables written out as numbers (not derived), so `Geometry.init`'s checks and the
// `geometryConstants` proof obligation have something to catch.
//
// Sources: heapAddrBits and arenaBaseOffset from malloc.go; summaryLevels,
// pallocChunksL1Bits and the level tables from mpagealloc_64bit.go (amd64, arm64,
// ios/arm64) and mpagealloc_32bit.go (386, wasm, mips). wasm keeps 64-bit pointers
// but uses the 32-bit page-allocator layout (see the comment in mpagealloc_32bit.go).

extension Geometry {
    /// linux/amd64: 48-bit heap addresses sign-extended to 64 bits; the heap's offset
    /// view starts at arenaBaseOffset 0xffff800000000000 (the "negative" half first).
    public static let amd64 = try! Geometry(
        name: "amd64", heapAddrBits: 48, summaryLevels: 5,
        levelBits: [14, 3, 3, 3, 3], levelShift: [34, 31, 28, 25, 22],
        levelLogPages: [21, 18, 15, 12, 9], logMaxPackedValue: 21,
        arenaBaseOffset: 0xffff_8000_0000_0000, pointerBits: 64, pallocChunksL1Bits: 13)

    /// linux/arm64: user addresses in [0, 2^48).
    public static let arm64 = try! Geometry(
        name: "arm64", heapAddrBits: 48, summaryLevels: 5,
        levelBits: [14, 3, 3, 3, 3], levelShift: [34, 31, 28, 25, 22],
        levelLogPages: [21, 18, 15, 12, 9], logMaxPackedValue: 21,
        arenaBaseOffset: 0, pointerBits: 64, pallocChunksL1Bits: 13)

    /// linux/386: the whole 32-bit address space, 4 levels, no L1 in the chunk map.
    public static let i386 = try! Geometry(
        name: "386", heapAddrBits: 32, summaryLevels: 4,
        levelBits: [1, 3, 3, 3], levelShift: [31, 28, 25, 22],
        levelLogPages: [18, 15, 12, 9], logMaxPackedValue: 18,
        arenaBaseOffset: 0, pointerBits: 32, pallocChunksL1Bits: 0)

    /// ios/arm64: 40-bit heap addresses, 64-bit layout (5 levels).
    public static let iosArm64 = try! Geometry(
        name: "ios-arm64", heapAddrBits: 40, summaryLevels: 5,
        levelBits: [6, 3, 3, 3, 3], levelShift: [34, 31, 28, 25, 22],
        levelLogPages: [21, 18, 15, 12, 9], logMaxPackedValue: 21,
        arenaBaseOffset: 0, pointerBits: 64, pallocChunksL1Bits: 13)

    /// js/wasm: 4 GiB linear memory, 32-bit layout (4 levels) with 64-bit pointers.
    public static let wasm = try! Geometry(
        name: "wasm", heapAddrBits: 32, summaryLevels: 4,
        levelBits: [1, 3, 3, 3], levelShift: [31, 28, 25, 22],
        levelLogPages: [18, 15, 12, 9], logMaxPackedValue: 18,
        arenaBaseOffset: 0, pointerBits: 64, pallocChunksL1Bits: 0)

    /// linux/mips: only the low 2 GiB, so 31 bits; the root level has a single entry.
    public static let mips = try! Geometry(
        name: "mips", heapAddrBits: 31, summaryLevels: 4,
        levelBits: [0, 3, 3, 3], levelShift: [31, 28, 25, 22],
        levelLogPages: [18, 15, 12, 9], logMaxPackedValue: 18,
        arenaBaseOffset: 0, pointerBits: 32, pallocChunksL1Bits: 0)

    /// aix/ppc64: the 64-bit layout with AIX's mmap base, arenaBaseOffset
    /// 0x0a00000000000000 (malloc.go), 48-bit heap addresses.
    public static let aixPpc64 = try! Geometry(
        name: "aix-ppc64", heapAddrBits: 48, summaryLevels: 5,
        levelBits: [14, 3, 3, 3, 3], levelShift: [34, 31, 28, 25, 22],
        levelLogPages: [21, 18, 15, 12, 9], logMaxPackedValue: 21,
        arenaBaseOffset: 0x0a00_0000_0000_0000, pointerBits: 64, pallocChunksL1Bits: 13)

    /// ios/arm64 before Go 1.17: 33-bit heap addresses and the 32-bit
    /// page-allocator layout (4 levels, summaries mapped at init, no L1 in
    /// the chunk map), with 64-bit pointers (malloc.go's table still lists
    /// the 33 bits).
    public static let iosArm64Go116 = try! Geometry(
        name: "ios-arm64-go1.16", heapAddrBits: 33, summaryLevels: 4,
        levelBits: [2, 3, 3, 3], levelShift: [31, 28, 25, 22],
        levelLogPages: [18, 15, 12, 9], logMaxPackedValue: 18,
        arenaBaseOffset: 0, pointerBits: 64, pallocChunksL1Bits: 0)

    /// Every named geometry, in a fixed order.
    public static let named: [Geometry] = [amd64, arm64, i386, iosArm64, wasm, mips]

    /// Named geometries with address proofs only (the address arithmetic and
    /// the constants; their summary arithmetic is that of amd64 and 386).
    public static let addressOnly: [Geometry] = [aixPpc64, iosArm64Go116]

    /// The named geometry called `name`, if any (address-only ones included).
    public static func named(_ name: String) -> Geometry? {
        (named + addressOnly).first { $0.name.description == name }
    }
}
