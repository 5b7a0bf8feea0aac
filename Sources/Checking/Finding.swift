// What a run found: kept apart from bad input (InvalidOperation, trace
// syntax errors) and from bugs in the checker itself (which trap).

import OSMemory
import PageAlloc

/// A problem with the code under test.
public enum FindingKind: Equatable, Sendable {
    /// An access to memory that is not Ready.
    case fault(Fault)
    /// Go would have called throw().
    case goThrow(GoThrow)
    /// Go would have panicked (index or slice bounds).
    case goPanic(GoPanic)
    /// A sys* call broke its precondition.
    case sysCall(SysCallViolation)
    /// The trace's expected result differs from the port's.
    case expectedMismatch(expected: OpResult, actual: OpResult)
    /// The port and the reference allocator returned different results.
    case differential(port: OpResult, reference: OpResult)
    /// A named invariant does not hold after the operation.
    case invariant(name: String, detail: String)

    /// The failure class used to decide whether two runs "fail the same way"
    /// (the shrinker keeps only candidates with the same signature).
    public var signature: String {
        switch self {
        case let .fault(f): "fault:\(f.access.rawValue):\(f.state)"
        case let .goThrow(t): "throw:\(t.message)"
        case let .goPanic(p): "panic:" + (p.message.split(separator: " ").prefix(3).joined(separator: " "))
        case let .sysCall(s): "syscall:\(s.function)"
        case .expectedMismatch: "expected-mismatch"
        case .differential: "differential"
        // A searchAddr outside inUse is split by where it points: into
        // unmapped summary memory (the crash of golang/go#40191) or not.
        case let .invariant(name, detail) where name == "searchAddr":
            "invariant:searchAddr:" + (detail.hasSuffix(" is Ready") ? "mapped" : "unmapped")
        case let .invariant(name, _): "invariant:\(name)"
        }
    }

    public var description: String {
        switch self {
        case let .fault(f): f.description
        case let .goThrow(t): t.description
        case let .goPanic(p): p.description
        case let .sysCall(s): "sys call violation: \(s.description)"
        case let .expectedMismatch(e, a): "expected -> \(e.traceText ?? "-"), got -> \(a.traceText ?? "-")"
        case let .differential(p, r): "port -> \(p.traceText ?? "-"), reference -> \(r.traceText ?? "-")"
        case let .invariant(name, detail): "invariant \(name) broken: \(detail)"
        }
    }

    /// Wraps an error thrown by the port. Anything else is a checker bug.
    static func from(_ error: any Error) -> FindingKind {
        switch error {
        case let f as Fault: return .fault(f)
        case let t as GoThrow: return .goThrow(t)
        case let p as GoPanic: return .goPanic(p)
        case let s as SysCallViolation: return .sysCall(s)
        default: preconditionFailure("the port threw an unexpected error type: \(error)")
        }
    }
}

/// A finding, with the step that revealed it.
public struct Finding: Equatable, Sendable, CustomStringConvertible {
    public let kind: FindingKind
    /// 0-based index of the step in the run.
    public let stepIndex: Int
    public let op: Operation
    /// The trace line, when the run came from a file.
    public let line: Int
    /// Found by the full walk after the last operation.
    public var atEnd = false

    public init(kind: FindingKind, stepIndex: Int, op: Operation, line: Int, atEnd: Bool = false) {
        self.kind = kind
        self.stepIndex = stepIndex
        self.op = op
        self.line = line
        self.atEnd = atEnd
    }

    public var description: String {
        if atEnd { return "end of run: \(kind.description)" }
        let at = line > 0 ? "line \(line)" : "step \(stepIndex)"
        return "\(at) (\(op.traceText)): \(kind.description)"
    }
}
