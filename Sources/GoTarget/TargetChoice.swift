// Which allocators a run checks: one value, parsed once from the command
// line and carried as it is through options, worker requests and replay
// lines. Everything that depends on the kind of a target (how to make it,
// how to name it, how to select it again, whether it runs in this process)
// is answered here, so the checker never asks which kind it holds.

import Foundation
import Vocabulary
import TraceFormat
import Targets
import PortAdapter

/// One allocator under test, as chosen.
public enum TargetChoice: Sendable, Hashable, Codable {
    /// The Swift port in process (in the worker process under isolation),
    /// with a historic bug put back or not, and with one release's scavenger.
    case port(Variant = .faithful, Scavenger = .go119)
    /// A real Go runtime in a driver child process.
    case go(GoTargetSpec)

    /// Makes the target for one run of `geometry` (a Go target's driver
    /// comes from the pool, already running).
    public func makeTarget(_ geometry: Geometry) throws -> any AllocatorUnderTest {
        switch self {
        case let .port(v, s): try PortTarget(geometry: geometry, variant: v, scavenger: s)
        case let .go(spec): try GoDriverPool.shared.take(spec)
        }
    }

    /// Its name in findings: `port`, `port@1.27:preFix40191`, `go1.27.3/amd64+issue40191`.
    public var name: String {
        switch self {
        case let .port(v, s): PortTarget.name(v, s)
        case let .go(spec): spec.description
        }
    }

    /// Its spelling in `--target`: `port`, `port@1.27`, `go`.
    public var spelling: String {
        switch self {
        case let .port(_, s): s == .go119 ? "port" : "port@\(s.rawValue)"
        case .go: "go"
        }
    }

    /// The port's variant; nil for a real runtime (its bugs come from patches).
    public var variant: Variant? {
        if case let .port(v, _) = self { v } else { nil }
    }

    /// Whether the code under test runs in the process that runs the check
    /// (the port), rather than in a child process of its own (Go's driver).
    /// A check isolates runs in worker processes exactly when some target
    /// does; a worker killed by an operation was killed by such a target.
    public var runsInProcess: Bool {
        if case .port = self { true } else { false }
    }

    /// Seconds the target's own child process may take over a batch before
    /// it counts as hung (a worker waiting on it must wait longer); nil: no
    /// child process.
    public var childTimeout: Double? { runsInProcess ? nil : GoTarget.timeout }

    /// Whether the target is a whole runtime whose own failure after a
    /// broken invariant is worth a second run with invariants off (Go's
    /// crash on the unmapped summary an invariant pointed at).
    public var failsOnItsOwn: Bool { !runsInProcess }

    /// The geometry the target fixes, if it fixes one: a Go runtime runs its
    /// GOARCH's constants (asked from its driver, built if needed); the port
    /// runs any geometry.
    public func fixedGeometry() throws -> Geometry? {
        guard case let .go(spec) = self else { return nil }
        let t = try GoDriverPool.shared.take(spec)
        defer { t.finishRun() }
        return t.geometry
    }

    /// What the target's scavenger does, asked by name (a Go target asks its
    /// driver, without running an operation). nil: the Go runtime cannot start.
    public func scavengerPolicy() throws -> (policy: ScavengerPolicy, padding: Bool)? {
        switch self {
        case let .port(_, s):
            return (PortTarget.scavengerPolicy(s), s.hasPadding)
        case let .go(spec):
            do {
                let t = try GoDriverPool.shared.take(spec)
                defer { t.finishRun() }
                return (t.scavengerPolicy, t.supportsPadding)
            } catch is GoStartupDeath {
                return nil
            }
        }
    }

    /// The same choice with the options that complete it: the port's
    /// variant, and the Go runtime to run (`--go`, `--goroot`, ...).
    public func completed(variant: Variant, go: GoTargetSpec?) -> TargetChoice {
        switch self {
        case let .port(_, s): .port(variant, s)
        case let .go(spec): .go(go ?? spec)
        }
    }

    /// Parses `--target`: `port`, `port@1.21`, `port@1.27`, `go`, or a port
    /// and `go` joined by a comma. A Go target's runtime and the port's
    /// variant come from other options (`completed`).
    public static func parseList(_ text: String) throws(TargetChoiceError) -> [TargetChoice] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var out: [TargetChoice] = []
        for p in parts {
            if p == "go" {
                out.append(.go(GoTargetSpec()))
            } else if p == "port" {
                out.append(.port())
            } else if p.hasPrefix("port@") {
                let v = String(p.dropFirst(5))
                guard let s = Scavenger(rawValue: v) else {
                    throw TargetChoiceError("the port has no scavenger of Go \(v); known: \(Scavenger.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                out.append(.port(.faithful, s))
            } else {
                throw TargetChoiceError("'\(p)' is not a target; expected port, port@VERSION, go, or port,go")
            }
        }
        guard !out.isEmpty, out.filter(\.runsInProcess).count <= 1, out.filter({ !$0.runsInProcess }).count <= 1 else {
            throw TargetChoiceError("expected port, go or port,go (at most one of each)")
        }
        // The port first: a runner's first target decides the geometry and
        // names the run, and findings have always listed the port first.
        return out.filter(\.runsInProcess) + out.filter { !$0.runsInProcess }
    }
}

/// A `--target` value that names no target.
public struct TargetChoiceError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension Array where Element == TargetChoice {
    /// Makes the targets of one run, in order.
    public func makeTargets(_ geometry: Geometry) throws -> [any AllocatorUnderTest] {
        try map { try $0.makeTarget(geometry) }
    }

    /// Names the targets (findings and replay commands carry it).
    public var targetName: String { map(\.name).joined(separator: ",") }

    /// The variant of the run: the port's, or faithful when no port runs.
    /// It also decides the reference's validity rules where a historic bug
    /// lay outside the page allocator (preFix35954).
    public var variant: Variant { lazy.compactMap(\.variant).first ?? .faithful }

    /// Whether some target runs in the checking process (see `runsInProcess`).
    public var runInProcess: Bool { contains(where: \.runsInProcess) }

    /// Whether a target is a whole runtime (see `failsOnItsOwn`).
    public var failOnTheirOwn: Bool { contains(where: \.failsOnItsOwn) }

    /// The Go runtime among the targets, nil when none runs: what the Go
    /// options (`--go`, `--goroot`, ...) complete, whose driver fixes the
    /// geometry, and whose statements `--go-coverage` counts.
    public var goRuntime: GoTargetSpec? {
        for case let .go(spec) in self { return spec }
        return nil
    }

    /// The options that select these targets again (replay commands).
    public var commandLine: String {
        var s = " --variant \(variant.rawValue)"
        let spelling = map(\.spelling).joined(separator: ",")
        if spelling != "port" { s += " --target \(spelling)" }
        for case let .go(spec) in self { s += spec.commandLine }
        return s
    }

    /// The geometry the targets fix, if one does (see `fixedGeometry`).
    public func fixedGeometry() throws -> Geometry? {
        for t in self { if let g = try t.fixedGeometry() { return g } }
        return nil
    }

    /// Which optional operations the targets all take, asked by name
    /// without running them (the supervisor's view): scavenges (every
    /// target runs the same scavenger), next-gen (every one has
    /// generations: Go 1.21+'s index) and pad (Go 1.26+). The Runner
    /// refuses the others. nil: a Go target cannot start.
    public func take() throws -> (scavenge: Bool, nextGen: Bool, padding: Bool)? {
        var policies: [ScavengerPolicy] = []
        var padding = true
        for t in self {
            guard let p = try t.scavengerPolicy() else { return nil }
            policies.append(p.policy)
            padding = padding && p.padding
        }
        let nextGen = !policies.isEmpty && policies.allSatisfy(\.hasGenerations)
        return (Set(policies).count <= 1, nextGen, padding)
    }
}
