// Applies operations to the port and to the reference, side by side, and
// turns every disagreement or failure of the port into a Finding.

import OSMemory
import PageAlloc
import Reference

/// The outcome of one step.
public enum StepOutcome: Equatable, Sendable {
    /// Applied; the port's result.
    case applied(OpResult)
    /// Not applied: the operation is invalid (bad input, not a finding).
    case refused(InvalidOperation)
    /// The port failed; it must not be used further if the kind is a fault,
    /// throw, panic or sys call violation.
    case finding(Finding, OpResult?)
}

/// How much invariant checking a run does.
public enum CheckLevel: Equatable, Sendable {
    /// None: raw port and reference only (results still compared).
    case none
    /// What each operation touched plus the cheap global checks after every
    /// operation, and the full walk every `fullEvery` operations (0: never).
    case incremental(fullEvery: Int)
    /// The full walk after every operation (slow; for small runs).
    case full
}

/// Runs one allocator port and the reference in lock step.
public final class Runner {
    public let geometry: Geometry
    public let variant: Variant
    public let port: PageAlloc
    public private(set) var reference: ReferenceAllocator
    /// Steps applied so far (refused steps do not count).
    public private(set) var stepsApplied = 0
    /// Set once the port has failed in a way that leaves its state unusable.
    public private(set) var broken = false
    /// Which invariants run after each operation.
    public let checking: CheckLevel
    /// Invariant evaluations so far (incremental and full).
    public private(set) var invariantChecks = 0

    public init(geometry: Geometry, variant: Variant = .faithful, checking: CheckLevel = .incremental(fullEvery: 64)) throws {
        self.geometry = geometry
        self.variant = variant
        self.checking = checking
        self.port = try PageAlloc(geometry: geometry, variant: variant)
        self.reference = ReferenceAllocator(geometry: geometry)
    }

    /// The chunks an operation touched (inclusive), from its result.
    func touchedChunks(_ op: Operation, _ result: OpResult) -> ClosedRange<UInt64>? {
        let sp = geometry.space
        func span(_ base: UInt64, _ nbytes: UInt64) -> ClosedRange<UInt64> {
            sp.chunkIndex(base).v...sp.chunkIndex((base &+ nbytes &- 1) & sp.uintptrMask).v
        }
        switch (op, result) {
        case let (.grow(base, bytes), _): return span(base, bytes)
        case let (.alloc(n), .alloc(addr, _)): return addr == 0 ? nil : span(addr, n * Geometry.pageSize)
        case let (.free(base, n, _), _), let (.allocRange(base, n), _): return span(base, n * Geometry.pageSize)
        default: return nil
        }
    }

    /// Runs the invariants; the first broken one (registry order) is returned.
    public func checkInvariants(touched: ClosedRange<UInt64>?, full: Bool, grew: Bool = false) -> (name: String, detail: String)? {
        let ctx = InvariantContext(port: port, reference: reference, touched: touched, full: full, grew: grew)
        for inv in Invariant.all {
            invariantChecks += 1
            if let detail = inv.evaluate(ctx) { return (inv.name, detail) }
        }
        return nil
    }

    /// The full walk the runner does at the end of a run.
    public func finish() -> Finding? {
        guard !broken, checking != .none else { return nil }
        if let (name, detail) = checkInvariants(touched: nil, full: true) {
            return Finding(kind: .invariant(name: name, detail: detail), stepIndex: max(stepsApplied - 1, 0),
                           op: .alloc(npages: 1), line: 0, atEnd: true)
        }
        return nil
    }

    /// Applies `op` to the reference (which validates it) and then to the port.
    public func apply(_ op: Operation, expected: OpResult? = nil, line: Int = 0) -> StepOutcome {
        precondition(!broken, "the port failed earlier; start a new Runner")
        let index = stepsApplied
        // The reference validates first and changes nothing when it refuses.
        let refResult: OpResult
        do {
            switch op {
            case let .grow(base, bytes):
                try reference.grow(base, bytes)
                refResult = .none
            case let .alloc(n):
                let (a, s) = try reference.alloc(n)
                refResult = .alloc(addr: a, scav: s)
            case let .free(base, n, _):
                try reference.free(base, n)
                refResult = .none
            case let .allocRange(base, n):
                refResult = .allocRange(scav: try reference.allocRange(base, n))
            }
        } catch {
            return .refused(error)
        }
        stepsApplied += 1
        let portResult: OpResult
        do {
            switch op {
            case let .grow(base, bytes):
                try port.grow(base, bytes)
                portResult = .none
            case let .alloc(n):
                let (a, s) = try port.alloc(n)
                portResult = .alloc(addr: a, scav: s)
            case let .free(base, n, scavenged):
                try port.free(base, n, scavenged: scavenged)
                portResult = .none
            case let .allocRange(base, n):
                portResult = .allocRange(scav: try port.allocRange(base, n))
            }
        } catch {
            broken = true
            return .finding(Finding(kind: .from(error), stepIndex: index, op: op, line: line), nil)
        }
        if let expected, expected != portResult {
            return .finding(Finding(kind: .expectedMismatch(expected: expected, actual: portResult), stepIndex: index, op: op, line: line), portResult)
        }
        if portResult != refResult {
            return .finding(Finding(kind: .differential(port: portResult, reference: refResult), stepIndex: index, op: op, line: line), portResult)
        }
        switch checking {
        case .none: break
        case let .incremental(k):
            let full = k > 0 && stepsApplied % k == 0
            var grew = false
            if case .grow = op { grew = true }
            if let (name, detail) = checkInvariants(touched: touchedChunks(op, portResult), full: full, grew: grew) {
                return .finding(Finding(kind: .invariant(name: name, detail: detail), stepIndex: index, op: op, line: line), portResult)
            }
        case .full:
            if let (name, detail) = checkInvariants(touched: nil, full: true) {
                return .finding(Finding(kind: .invariant(name: name, detail: detail), stepIndex: index, op: op, line: line), portResult)
            }
        }
        return .applied(portResult)
    }
}
