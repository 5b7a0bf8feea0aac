// What a run found: kept apart from bad input (InvalidOperation, trace
// syntax errors) and from bugs in the checker itself (which trap).

import OSMemory
import Vocabulary

/// A problem with the code under test.
public enum FindingKind: Equatable, Sendable, Codable {
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
    /// A target (named) and the reference allocator returned different results.
    case differential(target: String, result: OpResult, reference: OpResult)
    /// A named invariant does not hold after the operation. `rule`, when
    /// the invariant has several, names the one broken (it is part of the
    /// signature: `invariant:NAME:RULE`); `detail` is for people only.
    case invariant(name: String, rule: String? = nil, detail: String)
    /// Two targets run side by side returned different results.
    case targetsDisagree(first: String, firstResult: OpResult, second: String, secondResult: OpResult)
    /// A target process died (Go's throw, panic or fatal signal).
    case crashed(TargetCrash)
    /// A target did not answer within its timeout. `stack`: where a real Go
    /// runtime was when asked (SIGQUIT), its top frames; empty when unknown.
    case hung(seconds: Double, stack: [String] = [])
    /// A target's answer broke the driver protocol or left out what it must report.
    case protocolError(String)
    /// The code under test threw an error of a type the checker does not
    /// know (its type name and description): a finding, never a trap.
    case unexpectedError(type: String, description: String)

    /// Whether the failure ended the process that ran the target (a crash
    /// or a hang): under isolation, the worker's.
    public var killsProcess: Bool {
        switch self {
        case .crashed, .hung: true
        default: false
        }
    }

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
        // A rule of its own is its own signature: a searchAddr outside
        // inUse pointing into unmapped summary memory (the crash of
        // golang/go#40191) or not; a forced or a background scavenge that
        // stopped early (a different defect from one that releases the
        // wrong pages); an allocation that claims more scavenged memory
        // than it got.
        case let .invariant(name, rule?, _): "invariant:\(name):\(rule)"
        case let .invariant(name, nil, _): "invariant:\(name)"
        case .targetsDisagree: "targets-disagree"
        case let .crashed(c): c.signature
        case .hung: "hang"
        case .protocolError: "protocol-error"
        case let .unexpectedError(type, _): "error:\(type)"
        }
    }

    public var description: String {
        switch self {
        case let .fault(f): f.description
        case let .goThrow(t): t.description
        case let .goPanic(p): p.description
        case let .sysCall(s): "sys call violation: \(s.description)"
        case let .expectedMismatch(e, a): "expected -> \(e.traceText ?? "-"), got -> \(a.traceText ?? "-")"
        case let .differential(t, p, r): "\(t) -> \(p.traceText ?? "-"), reference -> \(r.traceText ?? "-")"
        case let .invariant(name, _, detail): "invariant \(name) broken: \(detail)"
        case let .targetsDisagree(a, ar, b, br): "\(a) -> \(ar.traceText ?? "-"), \(b) -> \(br.traceText ?? "-")"
        case let .crashed(c): c.description
        case let .hung(s, stack) where stack.isEmpty: "the target did not answer within \(s) s"
        case let .hung(s, stack): "the target did not answer within \(s) s; stopped with SIGQUIT, it was in \(stack.prefix(4).joined(separator: " <- "))"
        case let .protocolError(e): "driver protocol error: \(e)"
        case let .unexpectedError(type, d): "the code under test threw an error the checker does not know (\(type)): \(d)"
        }
    }

    /// Wraps an error thrown by the port; one of a type the checker does not
    /// know is a finding too.
    package static func from(_ error: any Error) -> FindingKind {
        switch error {
        case let f as Fault: return .fault(f)
        case let t as GoThrow: return .goThrow(t)
        case let p as GoPanic: return .goPanic(p)
        case let s as SysCallViolation: return .sysCall(s)
        default: return .unexpectedError(type: String(describing: type(of: error)), description: String(describing: error))
        }
    }
}

/// A finding, with the step that revealed it.
public struct Finding: Equatable, Sendable, Codable, CustomStringConvertible {
    public let kind: FindingKind
    /// 0-based index of the step in the run.
    public let stepIndex: Int
    /// The failing operation; nil for a finding of the end-of-run walk.
    public let op: Operation?
    /// The trace line, when the run came from a file.
    public let line: Int
    /// Found by the full walk after the last operation.
    public var atEnd = false
    /// Which target failed, when several ran side by side.
    public var target: String?

    public init(kind: FindingKind, stepIndex: Int, op: Operation?, line: Int, atEnd: Bool = false, target: String? = nil) {
        self.kind = kind
        self.stepIndex = stepIndex
        self.op = op
        self.line = line
        self.atEnd = atEnd
        self.target = target
    }

    /// The failing operation's keyword, `end` for the end-of-run walk,
    /// `start` for a target that died before its first operation.
    public var opKeyword: String { atEnd ? "end" : op?.keyword ?? "start" }

    public var description: String {
        let on = target.map { " on \($0)" } ?? ""
        if op == nil && !atEnd { return "start of run\(on), before any operation: \(kind.description)" }
        guard let op, !atEnd else { return "end of run\(on): \(kind.description)" }
        let at = line > 0 ? "line \(line)" : "step \(stepIndex)"
        return "\(at) (\(op.traceText))\(on): \(kind.description)"
    }
}

/// How a target process died: its exit status or signal, and what it printed.
public struct TargetCrash: Equatable, Sendable, Codable, CustomStringConvertible {
    /// The signal that killed the process (Go exits with status 2 after
    /// printing a fatal error; a signal is rarer).
    public var signal: Int32?
    public var exitStatus: Int32?
    /// Go's message: the `fatal error:` or `panic:` line, and `[signal ...]`.
    public var message: String
    /// The top of the failing goroutine's stack (function lines).
    public var stackTop: [String]

    public init(signal: Int32?, exitStatus: Int32?, message: String, stackTop: [String]) {
        self.signal = signal
        self.exitStatus = exitStatus
        self.message = message
        self.stackTop = stackTop
    }

    /// `throw:MSG` for Go's `fatal error: MSG` (the port's throw signature),
    /// `crash:SIGSEGV:MSG` when a signal is named, `panic:...`, or
    /// `crash:exit N`/`crash:signal N`. Addresses and numbers are not part of it.
    public var signature: String {
        let lines = message.split(separator: "\n").map(String.init)
        let sig = lines.first { $0.hasPrefix("[signal ") }.map { String($0.dropFirst(8).prefix { $0 != ":" && $0 != " " }) }
        if let fatal = lines.first(where: { $0.hasPrefix("fatal error: ") }) {
            let msg = String(fatal.dropFirst("fatal error: ".count))
            return sig.map { "crash:\($0):\(msg)" } ?? "throw:\(msg)"
        }
        // A fault on the system stack: "SIGSEGV: segmentation violation".
        if let l = lines.first(where: { $0.hasPrefix("SIG") && $0.contains(": ") }) {
            return "crash:" + l.prefix { $0 != ":" }
        }
        if let p = lines.first(where: { $0.hasPrefix("panic: ") }) {
            return "panic:" + p.dropFirst(7).split(separator: " ").prefix(3).joined(separator: " ")
        }
        // A Swift runtime trap in a supervised worker: "FILE:LINE: Fatal error: MSG".
        if let f = lines.first(where: { $0.contains("Fatal error: ") }) {
            let msg = f.components(separatedBy: "Fatal error: ").last ?? ""
            return "crash:\(sig ?? signal.map { "signal \($0)" } ?? "exit \(exitStatus ?? -1)"):\(msg)"
        }
        if let sig { return "crash:\(sig)" }
        if let s = signal { return "crash:signal \(s)" }
        return "crash:exit \(exitStatus ?? -1)"
    }

    public var description: String {
        var d = "target crashed"
        if let s = signal { d += " (signal \(s))" } else if let e = exitStatus { d += " (exit status \(e))" }
        d += ": " + message
        if !stackTop.isEmpty { d += "\n" + stackTop.joined(separator: "\n") }
        return d
    }
}
