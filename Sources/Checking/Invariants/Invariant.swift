// The registry of executable invariants: each a named value with a one-line
// statement of what it guarantees and where in Go it comes from. Reports,
// `--list-invariants` and the negative-control tests use the same names.
//
// Invariants read a HeapState snapshot (from the port or from a Go runtime)
// and the reference allocator, and judge them with the checker's own code
// (CheckerMath.swift): they never call the target's methods.

import Vocabulary
import Reference
import TraceFormat
import Targets

/// What an invariant may look at after an operation.
public struct InvariantContext {
    /// The target's state after the operation.
    public let state: HeapState
    /// The target's geometry.
    public let geometry: Geometry
    public let reference: ReferenceAllocator
    /// The operation changed the grown set (metadata mappings change only then).
    public let grew: Bool
    /// The heap's released bytes as the runtime would count them from the
    /// results so far (Runner.releasedFromResults): grown bytes, plus the
    /// bytes scavenges released, minus the scavenged bytes allocations
    /// reported. Nil where nobody counted.
    public let releasedFromResults: Int64?

    public init(state: HeapState, geometry: Geometry, reference: ReferenceAllocator, grew: Bool = false,
                releasedFromResults: Int64? = nil) {
        self.state = state
        self.geometry = geometry
        self.reference = reference
        self.grew = grew
        self.releasedFromResults = releasedFromResults
    }

    /// Whether the snapshot covers every grown chunk.
    public var full: Bool { state.full }
}

/// What an invariant concluded.
public enum InvariantVerdict: Equatable, Sendable {
    case holds
    /// Broken: why, for people; and, when the invariant has several rules,
    /// which one (part of the finding's signature).
    case broken(String, rule: String? = nil)
    /// The target does not report what the invariant needs (say why).
    case notApplicable(String)
}

/// An executable invariant.
public struct Invariant: Sendable {
    /// The name reports and tests use.
    public let name: String
    /// One line: what it guarantees, and which Go comment it comes from.
    public let statement: String
    /// Returns the verdict on a snapshot.
    let check: @Sendable (InvariantContext) -> InvariantVerdict

    public init(name: String, statement: String, check: @escaping @Sendable (InvariantContext) -> InvariantVerdict) {
        self.name = name
        self.statement = statement
        self.check = check
    }

    /// Evaluates the invariant; an unreadable (unmapped) summary where one
    /// must be readable is itself a violation.
    public func evaluate(_ ctx: InvariantContext) -> InvariantVerdict { check(ctx) }
}

extension Invariant {
    /// Every invariant, in the order they are checked and reported.
    public static let all: [Invariant] = [
        .searchAddr, .pruning, .inUseShape, .memory, .summaryReady, .accounting, .leaves, .merge, .wellFormed, .scavengedFree,
        .allocatedPages, .scavIndex, .scavGen, .scavCursors, .scavExtent, .pageCache, .heapReleased,
    ]

    /// Looks an invariant up by name.
    public static func named(_ name: String) -> Invariant? { all.first { $0.name == name } }
}

/// Formats an address for invariant details.
func h(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
