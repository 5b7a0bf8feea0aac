// What a run of the checker returns: counts, timings, and discoveries, each
// with a shortest trace. Everything here is plain data so it can be rendered
// as text or JSON and compared in tests.

/// The options of one run.
public struct CheckOptions: Sendable {
    /// States at this depth are checked but not expanded; nil means unbounded.
    /// A bounded run that cut anything off is reported as incomplete.
    public var maxDepth: Int?
    /// Stop inserting new states once this many are stored; nil means no cap.
    public var maxStates: Int?
    /// Store whole states (exact; needed for liveness) or 64-bit fingerprints.
    public var visited: VisitedMode
    /// When to expand a BFS level on several threads.
    public var parallelism: Parallelism
    /// Fairness assumed by `eventually` properties.
    public var fairness: Fairness
    /// Print a progress line on stderr once a run is older than two seconds.
    public var progress: Bool
    /// Symmetry reduction, for models that declare a symmetry: states in one
    /// orbit are stored once (by the canonical member), the state expanded
    /// is the one reached, so traces stay real executions. Liveness is then
    /// checked only when the symmetry permutes no actors
    /// (`Model.symmetryPermutesActors`: weak fairness per actor does not
    /// survive permuting actors). On by default.
    public var symmetry: Bool = true
    /// Partial-order reduction (ample sets over the rules' declared
    /// accesses, with the cycle proviso) for safety properties and deadlock:
    /// on by default; off for models with liveness properties (unless
    /// `liveness` is off), for bounded
    /// and depth-first searches (said in the result).
    public var partialOrder: Bool = true
    /// Check `eventually` properties (on by default). Off, they are
    /// reported as not checked, and partial-order reduction, which does not
    /// keep weakly fair cycles, may run on a model that has them.
    public var liveness: Bool = true
    /// The cycle proviso of partial-order reduction. Turning it off is
    /// unsound; it exists so that a test can show the ignoring problem it
    /// prevents (a violation the reduced search would otherwise miss).
    public var partialOrderCycleProviso: Bool = true
    /// Breadth-first (shortest counterexamples) or depth-first (a stack of
    /// one path, as SPIN searches; counterexamples are not shortest).
    public var order: SearchOrder = .breadthFirst
    /// Bitstate mode: log2 of the bit array's size, and bits per state.
    public var bitstateLog2Bits: Int = BitstateTable.defaultLog2Bits
    public var bitstateHashes: Int = 3
    /// Keep expanding states that violate an invariant (as SPIN does with
    /// -c0). Off by default: a violating state is reported, not explored,
    /// which keeps spaces finite when a broken counter could grow forever.
    public var expandViolatingStates: Bool = false

    public init(
        maxDepth: Int? = nil, maxStates: Int? = nil, visited: VisitedMode = .states,
        parallelism: Parallelism = .automatic, fairness: Fairness = .weak, progress: Bool = true
    ) {
        self.maxDepth = maxDepth
        self.maxStates = maxStates
        self.visited = visited
        self.parallelism = parallelism
        self.fairness = fairness
        self.progress = progress
    }
}

public enum VisitedMode: String, Sendable, Codable {
    /// Every state is stored; no collisions; liveness is checked.
    case states
    /// Only a 64-bit deterministic fingerprint per state (see
    /// `Model.fingerprint(of:)`); a collision could hide a state, with
    /// probability about n^2 / 2^65; liveness is skipped.
    case fingerprints
    /// SPIN's bitstate (supertrace): a few bits per state in a Bloom filter;
    /// a collision omits a state; the expected number omitted is reported;
    /// liveness is skipped.
    case bitstate
}

public enum SearchOrder: String, Sendable, Codable {
    case breadthFirst, depthFirst
}

/// What a bitstate run reports about its collisions.
public struct BitstateReport: Sendable, Codable, Equatable {
    public let bits: Int
    public let hashes: Int
    public let setBits: Int
    /// Expected states omitted by collisions (sum over insertions).
    public let expectedOmitted: Double
    /// SPIN's "hash factor": bits per stored state.
    public var hashFactor: Double { Double(bits) / Double(max(1, setBits / max(1, hashes))) }
}

public enum Parallelism: Sendable, Equatable {
    /// One thread.
    case sequential
    /// All cores for levels with at least `minimumFrontier` states.
    case parallel(minimumFrontier: Int)
    /// `parallel(minimumFrontier: 1024)`.
    public static let automatic = Parallelism.parallel(minimumFrontier: 1024)
}

public enum Fairness: String, Sendable, Codable {
    /// No fairness: any cycle that avoids the goal violates `eventually`.
    case none
    /// Weak fairness per actor: a cycle counts only if every actor that is
    /// enabled in every state of the cycle also acts somewhere on it.
    case weak
}

/// What kind of thing a discovery is.
public enum DiscoveryKind: String, Sendable, Codable {
    /// An `always` property is false in a reachable state.
    case invariantViolation
    /// A reachable state is not terminal and has no enabled rule.
    case deadlock
    /// An `eventually` property fails on a fair behaviour (trace is a lasso
    /// when `loopStart` is set, a path to a dead end otherwise).
    case livenessViolation
    /// A `sometimes` property holds in a reachable state (an example).
    case example
}

/// One finding, with the shortest path to it.
public struct Discovery: Sendable, Codable {
    public let kind: DiscoveryKind
    /// The property's name, or "deadlock".
    public let property: String
    public let doc: String
    /// How many stored states show it (for invariants and deadlocks).
    public let stateCount: Int
    public let trace: Trace
}

/// A path from an initial state: the initial fields, then numbered steps.
public struct Trace: Sendable, Codable {
    public let initial: [StateField]
    public let steps: [TraceStep]
    /// For lassos: the index into `steps` where the repeating part begins.
    public let loopStart: Int?
    /// Which initial state (index into `initialStates`) and which rules
    /// (indices into `rules`), e.g. "0:4.0.7". Replays with `Checker.replay`.
    public let path: String
    /// The full fields of the last state of the path.
    public let final: [StateField]
}

/// One step of a trace.
public struct TraceStep: Sendable, Codable {
    /// 1-based step number.
    public let number: Int
    public let actor: String
    public let action: String
    public let ruleIndex: Int
    /// Fields whose value differs from the previous state, in field order.
    public let changes: [FieldChange]
}

public struct FieldChange: Sendable, Codable, Equatable {
    public let field: String
    public let before: String
    public let after: String

    public init(field: String, before: String, after: String) {
        self.field = field
        self.before = before
        self.after = after
    }
}

/// The verdict of a run, compared against a model's expectation.
public struct Verdict: Sendable, Codable, Equatable, CustomStringConvertible {
    /// Some reachable non-terminal state has no enabled rule.
    public var deadlock: Bool
    /// Names of violated `always` and `eventually` properties, in the order
    /// the model declares them.
    public var violated: [String]

    public init(deadlock: Bool = false, violated: [String] = []) {
        self.deadlock = deadlock
        self.violated = violated
    }

    public static let ok = Verdict()
    public static let deadlock = Verdict(deadlock: true)
    public static func violates(_ names: String...) -> Verdict { Verdict(violated: names) }

    public var isOK: Bool { !deadlock && violated.isEmpty }

    public var description: String {
        var parts: [String] = []
        if deadlock { parts.append("deadlock") }
        if !violated.isEmpty { parts.append("violates(\(violated.joined(separator: ", ")))") }
        return parts.isEmpty ? "ok" : parts.joined(separator: " + ")
    }
}

/// The outcome of one run of the checker on one model.
public struct CheckResult: Sendable, Codable {
    public let model: String
    /// Distinct states stored (found), including initial states.
    public let states: Int
    /// Enabled (state, rule) pairs fired, including those reaching known states.
    public let transitions: Int
    /// The largest BFS depth reached (number of steps from an initial state).
    public let maxDepth: Int
    /// False when the depth bound or the state cap cut anything off; a
    /// verdict of an incomplete run is a lower bound only.
    public let complete: Bool
    public let elapsedSeconds: Double
    /// The process's peak resident set (VmHWM) at the end, if readable. It is
    /// process-wide, so it includes earlier runs in the same process.
    public let peakMemoryBytes: Int?
    public let visited: VisitedMode
    /// Threads used for the largest level.
    public let threads: Int
    /// Every discovery: invariant violations, deadlock, liveness violations,
    /// examples, in property order (deadlock last among failures).
    public internal(set) var discoveries: [Discovery]
    /// `sometimes` properties that no reachable state satisfies.
    public let unreachedExamples: [String]
    /// Why liveness was not checked, if it was not (fingerprints, bound, cap).
    public let livenessSkipped: String?
    /// The search order used.
    public var order: SearchOrder = .breadthFirst
    /// Bitstate mode: the filter's fill and the expected omitted states.
    public var bitstate: BitstateReport? = nil
    /// Bytes the visited set holds at the end.
    public var visitedBytes: Int? = nil
    /// The symmetry the run reduced by, if any.
    public var symmetry: String? = nil
    /// Partial-order reduction: what it did, or why it was off (nil when
    /// not asked for).
    public var partialOrder: String? = nil

    public var statesPerSecond: Double {
        elapsedSeconds > 0 ? Double(states) / elapsedSeconds : Double(states)
    }

    public var verdict: Verdict {
        var verdict = Verdict()
        for discovery in discoveries {
            switch discovery.kind {
            case .deadlock: verdict.deadlock = true
            case .invariantViolation, .livenessViolation:
                if !verdict.violated.contains(discovery.property) {
                    verdict.violated.append(discovery.property)
                }
            case .example: break
            }
        }
        return verdict
    }

    /// The discoveries that are failures (not examples).
    public var failures: [Discovery] { discoveries.filter { $0.kind != .example } }

    /// The discovery for a property name (or "deadlock"), if any.
    public func discovery(_ property: String) -> Discovery? {
        discoveries.first { $0.property == property }
    }
}
