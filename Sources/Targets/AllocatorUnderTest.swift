// The seam between the checker and the allocator it checks. The runner,
// the invariants, the shrinker and the reports see only this interface and
// the HeapState it reports; the Swift port (PortTarget) and a real Go
// runtime (GoTarget, a child process) are its two producers.

import Vocabulary
import TraceFormat

/// How much state to report after an operation.
public enum SnapshotMode: UInt64, Sendable {
    /// None: the result only.
    case none = 0
    /// The chunks the operation touched (and their summaries up to the root).
    case touched = 1
    /// Every grown chunk.
    case full = 2
}

/// An operation to apply, and the snapshot wanted after it.
public struct TargetOp: Sendable {
    public var op: Operation
    public var snapshot: SnapshotMode
    public init(_ op: Operation, snapshot: SnapshotMode) {
        self.op = op
        self.snapshot = snapshot
    }
}

/// What the target did with one operation.
public enum TargetStep: Sendable {
    /// Applied: its result and the snapshot asked for (nil for `.none`).
    case applied(OpResult, HeapState?)
    /// The target failed on it (a throw, a fault, a crash, a hang); it takes
    /// no further operations.
    case failed(FindingKind)
}

/// How a target's scavenger chooses pages. Two targets side by side compare
/// scavenge results only when their policies are the same: which pages a
/// scavenger picks is its release's policy, not a bug.
public enum ScavengerPolicy: String, Sendable, Codable {
    /// Go 1.19 and 1.20: one bit per chunk (the port's default scavenger).
    case bitmapIndex = "Go 1.19's bitmap index"
    /// Go 1.21 to 1.27: the packed scavChunkData index (`port@1.21`, `port@1.27`).
    case chunkData = "Go 1.21+'s scavChunkData index"

    /// Whether the index keeps generations (`next-gen`).
    public var hasGenerations: Bool { self == .chunkData }
}

/// An allocator under test.
public protocol AllocatorUnderTest: AnyObject {
    /// The geometry the target runs (the port's choice, or what Go reported).
    var geometry: Geometry { get }
    /// Names the target in findings: `port`, `port:preFix40191`,
    /// `go1.27.3/amd64+issue40191`.
    var name: String { get }
    /// Applies `ops` in order and calls `each` with each outcome; stops when
    /// `each` returns false or after a `.failed` step.
    func run(_ ops: [TargetOp], each: (Int, TargetStep) -> Bool)
    /// A snapshot of the current state with no operation (end of a run).
    func snapshot(_ mode: SnapshotMode) -> TargetStep
    /// The port's branch counts; nil for a target without them.
    var coverage: CoverageCounts? { get }
    /// Ops per batch worth sending at once (1 for the in-process port).
    var preferredBatch: Int { get }
    /// Called once the run is over: a child process may serve the next run.
    func finishRun()
    /// Whether the target runs `scavenge` operations.
    var supportsScavenge: Bool { get }
    /// Whose scavenger the target runs. Which pages a scavenger picks is its
    /// release's policy, so targets side by side compare scavenge results
    /// only when this is the same for all of them.
    var scavengerPolicy: ScavengerPolicy { get }
    /// Whether the target's scavenge index has generations (`next-gen`:
    /// Go 1.21+'s scavChunkData index).
    var supportsNextGen: Bool { get }
    /// Whether the target pads the heap base (`pad`: Go 1.26+'s
    /// markRandomPaddingPages).
    var supportsPadding: Bool { get }
    /// Whether the target's `free` takes the `scavenged` claim (Go 1.19,
    /// 1.20 and the port); Go 1.21+'s `free(base, npages)` has no such
    /// argument, so the claim means nothing there.
    var freeTakesScavenged: Bool { get }
}

extension Array where Element == any AllocatorUnderTest {
    /// Whether these targets can run scavenges side by side: each has a
    /// scavenger, and all run the same one.
    public var shareScavenger: Bool {
        allSatisfy(\.supportsScavenge) && Set(map(\.scavengerPolicy)).count <= 1
    }
}

/// The chunks an operation touched (inclusive chunk indices), from its result:
/// the one definition the port producer and the Go driver both follow.
/// The chunks a Go 1.21+ scavenge could change (a `touched` snapshot after
/// it reports these): `find` walks down from the chunk of the cursor the
/// scavenge used (`cursorBefore`, a page in the linear address space; 0 is
/// cleared) and leaves the cursor at the last chunk it returned, or clears
/// it after walking down to `minHeapIdx`. nil: none (the cursor was
/// cleared before, or it rose, which is a finding of its own).
public func scavengeChunks(cursorBefore: UInt64, cursorAfter: UInt64, minHeapIdx: UInt64) -> ClosedRange<UInt64>? {
    guard cursorBefore != 0 else { return nil }
    let hi = cursorBefore / Geometry.pallocChunkPages
    let lo = cursorAfter == 0 ? minHeapIdx : cursorAfter / Geometry.pallocChunkPages
    return lo <= hi ? lo...hi : nil
}

public func touchedChunks(_ g: Geometry, _ op: Operation, _ result: OpResult) -> ClosedRange<UInt64>? {
    func span(_ base: UInt64, _ nbytes: UInt64) -> ClosedRange<UInt64> {
        g.chunk(of: base)...g.chunk(of: (base &+ nbytes &- 1) & g.uintptrMask)
    }
    switch (op, result) {
    case let (.grow(base, bytes), _): return span(base, bytes)
    case let (.alloc(n), .alloc(addr, _)): return addr == 0 ? nil : span(addr, n * Geometry.pageSize)
    case let (.free(base, n, _), _), let (.allocRange(base, n), _), let (.pad(base, n), _): return span(base, n * Geometry.pageSize)
    // A page cache's block lies inside one chunk; a cache-alloc touches
    // only the cache, not the heap.
    case let (.allocToCache, .cache(base, _, _)), let (.cacheFlush, .flushed(base)):
        return base == 0 ? nil : span(base, 64 * Geometry.pageSize)
    default: return nil
    }
}
