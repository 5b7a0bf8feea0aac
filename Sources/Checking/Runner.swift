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

    public init(geometry: Geometry, variant: Variant = .faithful) throws {
        self.geometry = geometry
        self.variant = variant
        self.port = try PageAlloc(geometry: geometry, variant: variant)
        self.reference = ReferenceAllocator(geometry: geometry)
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
        return .applied(portResult)
    }
}
