// Which scavenger a run means, named by the Go release that shipped it.

/// Which scavenger the port runs: Go 1.19's, with its bitmap index (the
/// port's first), or Go 1.21+'s scavChunkData index with generations and two
/// cursors. The page heap around it is the same port; only what the
/// scavenger keeps, and what alloc, free and the page cache tell it, differ.
public enum Scavenger: String, CaseIterable, Sendable, Codable {
    /// Go 1.19's (also 1.20's): a bit per chunk, one search hint.
    case go119 = "1.19"
    /// Go 1.21's: the scavChunkData index as 1.21 shipped it, with the
    /// noHugePage flag, and sysGrow taking 0 for "unset" in min and max
    /// (golang/go#63385, fixed in 1.22).
    case go121 = "1.21"
    /// Go 1.22 to 1.27's: the same index without the huge-page flag, sysGrow
    /// fixed, and Go 1.26's markRandomPaddingPages.
    case go127 = "1.27"

    /// Whether this is a scavChunkData index (Go 1.21+).
    public var hasChunkData: Bool { self != .go119 }
    /// Whether the page heap has markRandomPaddingPages (Go 1.26+).
    public var hasPadding: Bool { self == .go127 }
}
