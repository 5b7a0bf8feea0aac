// Applies operations to the allocators under test and to the reference, and
// turns every disagreement or failure into a Finding. Operations are staged
// (validated by a reference that runs ahead, so a generator can go on) and
// sent to the targets in batches; each result is then judged in order, with
// the reference at that step and the target's snapshot after it.

import Foundation
import Vocabulary
import Reference
import TraceFormat
import Targets

/// The outcome of one step.
public enum StepOutcome: Equatable, Sendable {
    /// Applied; the target's result.
    case applied(OpResult)
    /// Not applied: the operation is invalid (bad input, not a finding).
    case refused(InvalidOperation)
    /// A target failed; it must not be used further if the kind is a fault,
    /// throw, panic, crash or sys call violation.
    case finding(Finding, OpResult?)
}

/// How much invariant checking a run does.
public enum CheckLevel: Equatable, Sendable {
    /// None: raw targets and reference only (results still compared).
    case none
    /// What each operation touched plus the cheap global checks after every
    /// operation, and the full walk every `fullEvery` operations (0: never).
    case incremental(fullEvery: Int)
    /// The full walk after every operation (slow; for small runs).
    case full
}

/// Runs the allocators under test and the reference in lock step.
public final class Runner {
    public let geometry: Geometry
    /// The targets (one, or the port and a Go runtime side by side).
    public let targets: [any AllocatorUnderTest]
    /// The reference at the step being judged.
    public private(set) var reference: ReferenceAllocator
    /// The reference after every staged operation (the generator's view),
    /// kept apart only while operations wait in a batch.
    private var ahead: ReferenceAllocator?
    /// Staged operations: the op, its expected result, trace line, and the
    /// reference's result when it was computed at staging time.
    private var queue: [Staged] = []
    typealias Staged = (op: Operation, expected: OpResult?, line: Int, ref: OpResult?)
    /// Steps applied so far (refused steps do not count).
    public private(set) var stepsApplied = 0
    /// Set once a target has failed in a way that leaves it unusable.
    public private(set) var broken = false
    /// Which invariants run after each operation.
    public let checking: CheckLevel
    /// Invariant evaluations so far (incremental and full).
    public private(set) var invariantChecks = 0
    /// Per invariant (registry order): evaluations that were not applicable
    /// to a target, with the last reason.
    public private(set) var notApplicable: [String: (count: Int, reason: String)] = [:]
    /// Operations per batch.
    public let batch: Int
    /// The heap's released bytes as the runtime counts them, from the
    /// judged results: grown bytes + released by scavenges - scavenged
    /// bytes reported by allocations (heapReleased judges it).
    public private(set) var releasedFromResults: Int64 = 0

    /// `variant` decides the validity rules of the reference where a
    /// historic bug lay outside the page allocator (preFix35954).
    public init(targets: [any AllocatorUnderTest], checking: CheckLevel = .incremental(fullEvery: 64), variant: Variant = .faithful) {
        precondition(!targets.isEmpty, "a runner needs a target")
        self.targets = targets
        self.geometry = targets[0].geometry
        self.checking = checking
        self.reference = ReferenceAllocator(geometry: geometry, acceptsTopOfSpaceGrow: variant == .preFix35954)
        self.batch = targets.map(\.preferredBatch).max() ?? 1
    }

    /// Snapshot every grown chunk after each scavenge, as before scoped
    /// snapshots (`ALLOCVERIFY_FULL_SCAVENGE_SNAPSHOTS=1`). Otherwise a
    /// scavenge on Go 1.21+'s index (every target's) is judged on the chunks
    /// it could change (`scavengeChunks`) plus the periodic full walk; Go
    /// 1.19's bitmap scavenger is always judged on a full snapshot.
    public static let fullScavengeSnapshotsByDefault =
        ProcessInfo.processInfo.environment["ALLOCVERIFY_FULL_SCAVENGE_SNAPSHOTS"].map { $0 != "" && $0 != "0" } ?? false
    /// This runner's choice (tests set it).
    public var fullScavengeSnapshots = Runner.fullScavengeSnapshotsByDefault

    /// Whether scavenges get scoped snapshots in this run.
    var scopedScavengeSnapshots: Bool {
        !fullScavengeSnapshots && targets.allSatisfy { $0.scavengerPolicy == .chunkData }
    }

    deinit { for t in targets { t.finishRun() } }

    /// The port's branch counts, when a target is the port.
    public var coverage: CoverageCounts? { targets.lazy.compactMap(\.coverage).first }

    /// The reference as it will be after every staged operation.
    public var planner: ReferenceAllocator { ahead ?? reference }

    /// Names the targets in findings.
    public var targetName: String { targets.map(\.name).joined(separator: ",") }

    /// Applies `reference`'s twin of `op`; throws when it refuses.
    private static func applyReference(_ r: inout ReferenceAllocator, _ op: Operation) throws(InvalidOperation) -> OpResult {
        try r.apply(op)
    }

    /// Validates `op` and queues it; returns why it was refused, if it was.
    /// Nothing is applied to a target until `flush`.
    public func stage(_ op: Operation, expected: OpResult? = nil, line: Int = 0) -> InvalidOperation? {
        precondition(!broken, "a target failed earlier; start a new Runner")
        var op = op
        // A `scavenged` claim on a free means nothing to a target whose free
        // has no such argument (Go 1.21+): the reference must not keep it.
        if case let .free(base, n, true) = op, !targets.contains(where: \.freeTakesScavenged) {
            op = .free(base: base, npages: n, scavenged: false)
        }
        if case .nextGen = op, let t = targets.first(where: { !$0.supportsNextGen }) {
            return InvalidOperation("\(t.name) has no scavenger generations (next-gen is Go 1.21+'s scavChunkData index)")
        }
        if case .pad = op, let t = targets.first(where: { !$0.supportsPadding }) {
            return InvalidOperation("\(t.name) has no heap-base padding (pad is Go 1.26+'s markRandomPaddingPages)")
        }
        if case .scavenge = op {
            if let t = targets.first(where: { !$0.supportsScavenge }) { return InvalidOperation("\(t.name) has no scavenger") }
            if !targets.shareScavenger {
                let who = targets.map { "\($0.name): \($0.scavengerPolicy.rawValue)" }.joined(separator: ", ")
                return InvalidOperation("the targets run different scavengers (\(who)); their choices differ by policy, not by bug: replay a scavenge on one target")
            }
        }
        if batch == 1 && queue.isEmpty {
            do {
                let r = try Runner.applyReference(&reference, op)
                queue.append((op, expected, line, r))
            } catch { return error }
            return nil
        }
        // The reference changes nothing when it refuses.
        if ahead == nil { ahead = reference }
        do { _ = try Runner.applyReference(&ahead!, op) } catch { return error }
        queue.append((op, expected, line, nil))
        return nil
    }

    /// Whether a batch is full and worth sending.
    public var batchFull: Bool {
        // A scavenge ends its batch: what it released is known only from
        // the target, and later operations' results depend on it.
        if let last = queue.last, case .scavenge = last.op { return true }
        return queue.count >= batch
    }

    /// Sends the staged operations and judges each result in order. Stops at
    /// a finding that leaves a target unusable; other findings are returned
    /// and judging goes on.
    public func flush() -> [StepOutcome] {
        guard !queue.isEmpty else { return [] }
        let staged = queue
        queue.removeAll(keepingCapacity: true)
        ahead = nil
        let first = stepsApplied
        let scoped = scopedScavengeSnapshots
        let tops = staged.enumerated().map { k, s in
            // A scavenge is always judged (and adopted) on a snapshot: of
            // the chunks it could change (Go 1.21+), or of every chunk.
            if case .scavenge = s.op {
                return TargetOp(s.op, snapshot: scoped && snapshotMode(step: first + k) != .full ? .touched : .full)
            }
            return TargetOp(s.op, snapshot: snapshotMode(step: first + k))
        }
        var out: [StepOutcome] = []
        out.reserveCapacity(staged.count)
        if targets.count == 1 {
            // One target: judge each step as it comes, so the snapshot is
            // released before the next is made.
            streamStaged = staged
            streamOut = out
            targets[0].run(tops) { [unowned self] k, step in self.judgeStreamed(k, step) }
            out = streamOut
            streamOut = []
            streamStaged = []
            if out.count < staged.count && !broken { out.append(judgeStaged(staged[out.count], [nil])) }
            return out
        }
        // Several targets: each runs the whole batch (stopping at its own failure).
        var steps: [[TargetStep]] = []
        for t in targets {
            var got: [TargetStep] = []
            got.reserveCapacity(tops.count)
            t.run(tops) { _, step in got.append(step); return true }
            steps.append(got)
        }
        for k in staged.indices {
            out.append(judgeStaged(staged[k], steps.map { k < $0.count ? $0[k] : nil }))
            if broken { break }
        }
        return out
    }

    /// Stages and flushes one operation (the unbatched path).
    public func apply(_ op: Operation, expected: OpResult? = nil, line: Int = 0) -> StepOutcome {
        if !queue.isEmpty {
            // Earlier staged work must be judged first; the caller mixes modes.
            preconditionFailure("apply with staged operations pending; flush first")
        }
        if let why = stage(op, expected: expected, line: line) { return .refused(why) }
        return flush().last ?? .refused(InvalidOperation("not applied"))
    }

    private func snapshotMode(step: Int) -> SnapshotMode {
        switch checking {
        case .none: return .none
        case .full: return .full
        case let .incremental(k): return k > 0 && (step + 1) % k == 0 ? .full : .touched
        }
    }

    /// The batch being judged step by step, and its outcomes so far.
    private var streamStaged: [Staged] = []
    private var streamOut: [StepOutcome] = []

    private func judgeStreamed(_ k: Int, _ step: TargetStep) -> Bool {
        streamOut.append(judgeStaged(streamStaged[k], [step]))
        return !broken
    }

    /// Judges the next staged operation, with the reference brought to it.
    private func judgeStaged(_ s: Staged, _ steps: [TargetStep?]) -> StepOutcome {
        let refResult = s.ref ?? (try! Runner.applyReference(&reference, s.op))
        let index = stepsApplied
        stepsApplied += 1
        return judge(s.op, s.expected, s.line, refResult, index, steps)
    }

    /// Judges one operation from each target's step (nil: the target gave none).
    private func judge(_ op: Operation, _ expected: OpResult?, _ line: Int, _ refResult: OpResult,
                       _ index: Int, _ steps: [TargetStep?]) -> StepOutcome {
        func finding(_ kind: FindingKind, _ r: OpResult?, target: Int) -> StepOutcome {
            .finding(Finding(kind: kind, stepIndex: index, op: op, line: line,
                             target: targets.count > 1 ? targets[target].name : nil), r)
        }
        // Failures first, in target order; then the first target's result.
        var result: OpResult = .none
        for (t, step) in steps.enumerated() {
            switch step {
            case nil:
                // The target stopped earlier in the batch: nothing to judge here.
                broken = true
                return finding(.protocolError("no result for this operation"), nil, target: t)
            case let .failed(kind)?:
                broken = true
                return finding(kind, nil, target: t)
            case let .applied(r, _)?:
                if t == 0 { result = r }
            }
        }
        if let expected, expected != result {
            return finding(.expectedMismatch(expected: expected, actual: result), result, target: 0)
        }
        if let bad = Runner.judgeScavCount(op, result, refResult) {
            return finding(.invariant(name: "heapReleased", rule: "memory-safety", detail: bad), result, target: 0)
        }
        for (t, step) in steps.enumerated() {
            guard t > 0, case let .applied(r, _)? = step, r != result else { continue }
            return .finding(Finding(kind: .targetsDisagree(first: targets[0].name, firstResult: result,
                                                          second: targets[t].name, secondResult: r),
                                    stepIndex: index, op: op, line: line), result)
        }
        // Per target, the chunks a scoped scavenge snapshot must report.
        var scavengeSpans: [ClosedRange<UInt64>?] = Array(repeating: nil, count: steps.count)
        if case let .scavenged(released) = result {
            // The scavenger's choice is the target's: judge it, adopt it.
            var adopted: IntervalSet?
            var cursor: UInt64?
            for (t, step) in steps.enumerated() {
                guard case let .applied(.scavenged(r), state?)? = step else {
                    broken = true
                    return finding(.protocolError("no full snapshot after scavenge"), result, target: t)
                }
                // Go 1.19's scavenger (the port's too) is always forced; from
                // 1.21 on only `force` makes it take every free page.
                guard case let .scavenge(nbytes, force) = op else { preconditionFailure("a scavenge result for \(op)") }
                let forced = force || targets[t].scavengerPolicy == .bitmapIndex
                let ranOut = r < nbytes & geometry.uintptrMask
                // The background scavenger of a scavChunkData index (Go
                // 1.21+) has its own rule: where it may look, and what it
                // may leave behind (ScavengeStep.background).
                let bg = !forced && state.scavIndexKind == .chunkData ? reference.scavGen : nil
                if !state.full, let sc = state.scavIndexScalars {
                    // The model's cursor before, the target's after.
                    scavengeSpans[t] = scavengeChunks(
                        cursorBefore: force ? reference.scavGen.forceCursor : reference.scavGen.bgCursor,
                        cursorAfter: reference.page(force ? sc.searchAddrForce : sc.searchAddrBg), minHeapIdx: sc.minHeapIdx)
                }
                let judged = ScavengeStep.judge(state, geometry: geometry, reference: reference, released: r,
                                                exhaustive: forced && ranOut, background: bg, ranOut: ranOut)
                if let bad = judged.broken {
                    // Adopt what the target did anyway (its free pages now
                    // scavenged), so that a replay going on past the finding
                    // judges later steps on what is there, not on this one.
                    reference.markScavenged(ScavengeStep.observedScavenged(state, reference: reference))
                    releasedFromResults += Runner.releasedDelta(op, result)
                    if let sc = state.scavIndexScalars {
                        reference.adoptScavengeCursor(force: force, page: reference.page(force ? sc.searchAddrForce : sc.searchAddrBg))
                    }
                    return finding(.invariant(name: "scavenge", rule: judged.brokenRule, detail: bad), result, target: t)
                }
                if let sc = state.scavIndexScalars, cursor == nil {
                    // find only lowers the cursor it walks, or clears it.
                    let now = reference.page(forced ? sc.searchAddrForce : sc.searchAddrBg)
                    let before = forced ? reference.scavGen.forceCursor : reference.scavGen.bgCursor
                    if now > before {
                        let name = forced ? "searchAddrForce" : "searchAddrBg"
                        return finding(.invariant(name: "scavCursors", detail: "a scavenge raised \(name) from \(h(reference.address(before))) to \(h(reference.address(now))); find only lowers it"), result, target: t)
                    }
                    cursor = now
                }
                if adopted == nil { adopted = judged.newlyScavenged }
            }
            _ = released
            reference.markScavenged(adopted ?? IntervalSet())
            if let cursor, case let .scavenge(_, force) = op {
                reference.adoptScavengeCursor(force: force, page: cursor)
            }
        } else if result != refResult {
            return finding(.differential(target: targets[0].name, result: result, reference: refResult), result, target: 0)
        }
        releasedFromResults += Runner.releasedDelta(op, result)
        if checking == .none { return .applied(result) }
        var grew = false
        if case .grow = op { grew = true }
        for (t, step) in steps.enumerated() {
            guard case let .applied(_, state?)? = step else { continue }
            if let bad = checkCoverage(state, op: op, result: result, scavenged: scavengeSpans[t]) {
                broken = true
                return finding(.protocolError(bad), result, target: t)
            }
            if let (name, rule, detail) = checkInvariants(state, grew: grew) {
                return finding(.invariant(name: name, rule: rule, detail: detail), result, target: t)
            }
        }
        return .applied(result)
    }

    /// The snapshot must cover exactly the grown chunks it should (all of
    /// them, or those the operation touched), as the reference knows them:
    /// a target that reports less would be judged on less.
    func checkCoverage(_ s: HeapState, op: Operation?, result: OpResult, scavenged: ClosedRange<UInt64>? = nil) -> String? {
        let touched = scavenged ?? op.flatMap { touchedChunks(geometry, $0, result) }
        var want: [UInt64] = []
        let chunkPages = Geometry.pallocChunkPages
        for iv in reference.grown.intervals {
            var c = iv.lowerBound / chunkPages
            var e = iv.upperBound / chunkPages
            if !s.full {
                guard let t = touched else { break }
                c = Swift.max(c, t.lowerBound)
                e = Swift.min(e, t.upperBound + 1)
            }
            while c < e { want.append(c); c += 1 }
        }
        if !want.elementsEqual(s.chunks.lazy.map(\.chunk)) {
            return "the snapshot reports chunks \(s.chunks.map(\.chunk)) where \(want) were expected"
        }
        return nil
    }

    /// Runs the invariants on a snapshot; the first broken one (registry
    /// order) is returned. Not-applicable verdicts are counted.
    public func checkInvariants(_ state: HeapState, grew: Bool = false) -> (name: String, rule: String?, detail: String)? {
        let ctx = InvariantContext(state: state, geometry: geometry, reference: reference, grew: grew,
                                   releasedFromResults: releasedFromResults)
        for inv in Invariant.all {
            invariantChecks += 1
            switch inv.evaluate(ctx) {
            case .holds: break
            case let .broken(detail, rule): return (inv.name, rule, detail)
            case let .notApplicable(why):
                notApplicable[inv.name, default: (0, why)].count += 1
                notApplicable[inv.name]!.reason = why
            }
        }
        return nil
    }

    /// How an operation's result moves the runtime's count of released
    /// bytes (mheap.go: grow adds the new memory, scavengeOne what it
    /// releases, allocSpan subtracts the scavenged bytes an allocation
    /// reports; a page cache's pages count when it hands them out).
    static func releasedDelta(_ op: Operation, _ result: OpResult) -> Int64 {
        switch (op, result) {
        case let (.grow(_, bytes), _): return Int64(bitPattern: bytes)
        case let (.scavenge, .scavenged(released)): return Int64(bitPattern: released)
        case let (.alloc, .alloc(_, scav)), let (.cacheAlloc, .alloc(_, scav)), let (.allocRange, .allocRange(scav)):
            return -Int64(bitPattern: scav)
        default: return 0
        }
    }

    /// An allocation must not report more scavenged bytes than its pages
    /// held (the reference's count, for the same pages). Since Go 1.26,
    /// mheap.initSpan skips zeroing a span when the scavenged bytes its
    /// allocation reported cover the whole span (fresh pages from the OS
    /// are zero): a count too high hands out dirty memory as zeroed.
    static func judgeScavCount(_ op: Operation, _ result: OpResult, _ ref: OpResult) -> String? {
        let npages: UInt64
        let got: UInt64, want: UInt64
        switch (op, result, ref) {
        case let (.alloc(n), .alloc(a, s), .alloc(b, t)) where a == b && a != 0,
             let (.cacheAlloc(n, _), .alloc(a, s), .alloc(b, t)) where a == b && a != 0:
            (npages, got, want) = (n, s, t)
        case let (.allocRange(_, n), .allocRange(s), .allocRange(t)):
            (npages, got, want) = (n, s, t)
        default:
            return nil
        }
        guard got > want else { return nil }
        let whole = got >= npages * Geometry.pageSize
        return "memory safety: the allocation of \(npages) pages reports \(got) scavenged bytes, but only \(want) of its bytes were scavenged"
            + (whole ? "; it claims the whole span, so Go 1.26+'s mheap.initSpan skips zeroing it and hands out dirty memory as zeroed"
                     : "; the runtime's released count falls below the memory actually released")
    }

    /// The full walk the runner does at the end of a run.
    public func finish() -> Finding? {
        precondition(queue.isEmpty, "flush before finish")
        guard !broken, checking != .none else { return nil }
        for target in targets {
            let name = targets.count > 1 ? target.name : nil
            switch target.snapshot(.full) {
            case let .failed(kind):
                broken = true
                return Finding(kind: kind, stepIndex: max(stepsApplied - 1, 0), op: nil, line: 0, atEnd: true, target: name)
            case let .applied(_, state?):
                if let bad = checkCoverage(state, op: nil, result: .none) {
                    return Finding(kind: .protocolError(bad), stepIndex: max(stepsApplied - 1, 0), op: nil, line: 0, atEnd: true, target: name)
                }
                if let (n, rule, detail) = checkInvariants(state) {
                    return Finding(kind: .invariant(name: n, rule: rule, detail: detail), stepIndex: max(stepsApplied - 1, 0),
                                   op: nil, line: 0, atEnd: true, target: name)
                }
            case .applied(_, nil):
                return Finding(kind: .protocolError("no end-of-run snapshot"), stepIndex: max(stepsApplied - 1, 0),
                               op: nil, line: 0, atEnd: true, target: name)
            }
        }
        return nil
    }
}
