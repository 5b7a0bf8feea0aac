// The registry of executable invariants: each a named value with a one-line
// statement of what it guarantees and where in Go it comes from. Reports,
// `--list-invariants` and the negative-control tests use the same names.

import OSMemory
import PageAlloc
import Reference

/// What an invariant may look at after an operation.
public struct InvariantContext {
    public let port: PageAlloc
    public let reference: ReferenceAllocator
    /// Chunks the last operation touched (inclusive range of chunk indices),
    /// or nil when it touched none; ignored by a full check.
    public let touched: ClosedRange<UInt64>?
    /// Walk everything instead of only what the operation touched.
    public let full: Bool
    /// The operation changed the grown set (metadata mappings change only then).
    public let grew: Bool

    public init(port: PageAlloc, reference: ReferenceAllocator, touched: ClosedRange<UInt64>?, full: Bool, grew: Bool = false) {
        self.port = port
        self.reference = reference
        self.touched = touched
        self.full = full
        self.grew = grew
    }

    /// The chunks to examine: all grown chunks for a full check, otherwise
    /// the grown chunks among those touched.
    public func chunksToCheck() -> [ChunkIdx] {
        let sp = port.geometry.space
        var out: [ChunkIdx] = []
        for r in port.inUse.ranges {
            var c = sp.chunkIndex(r.base.a).v
            let end = sp.chunkIndex(r.limit.a).v
            if !full, let t = touched {
                c = Swift.max(c, t.lowerBound)
                let e = Swift.min(end, t.upperBound + 1)
                while c < e { out.append(ChunkIdx(c)); c += 1 }
            } else if full {
                while c < end { out.append(ChunkIdx(c)); c += 1 }
            }
        }
        return out
    }
}

/// An executable invariant.
public struct Invariant: Sendable {
    /// The name reports and tests use.
    public let name: String
    /// One line: what it guarantees, and which Go comment it comes from.
    public let statement: String
    /// Returns nil when it holds, or the values that break it.
    let check: @Sendable (InvariantContext) -> String?

    public init(name: String, statement: String, check: @escaping @Sendable (InvariantContext) -> String?) {
        self.name = name
        self.statement = statement
        self.check = check
    }

    /// Evaluates the invariant; a fault while reading metadata is itself a
    /// violation (the invariant could not be read where it must be readable).
    public func evaluate(_ ctx: InvariantContext) -> String? { check(ctx) }
}

extension Invariant {
    /// Every invariant, in the order they are checked and reported.
    public static let all: [Invariant] = [
        .searchAddr, .pruning, .inUseShape, .memory, .leaves, .merge, .wellFormed, .scavengedFree, .allocatedPages,
    ]

    /// Looks an invariant up by name.
    public static func named(_ name: String) -> Invariant? { all.first { $0.name == name } }
}

/// Formats an address for invariant details.
func h(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
