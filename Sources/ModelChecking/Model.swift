// The vocabulary of a model: states, rules (named actions of named actors,
// each a guard plus an effect), properties, and the legitimate end states.
//
// The shape follows Stateright's `Model` (init states, actions, next state,
// properties), with one change: actions are a fixed, ordered list of rules
// built once per model value. A rule's index in that list is therefore a
// stable name for it, which makes counterexample paths replayable as a string
// of indices ("4.0.7") and keeps every run deterministic.

/// One named action of one actor: enabled when `isEnabled` holds, and then
/// `apply` computes the successor state in place.
///
/// Nondeterministic choices (which address a reservation gets, which pair of
/// entries is coalesced) are separate rules, one per choice, so every rule is
/// a function from state to state.
public struct Rule<State>: Sendable {
    /// Who performs the action ("G1 reader", "W wiring thread"). Weak fairness
    /// is per actor: an actor that stays enabled must eventually act.
    public let actor: String
    /// What the actor does ("plainLoad", "vm_map_verify"). Shown in traces.
    public let name: String
    /// The guard. Must not have side effects.
    public let isEnabled: @Sendable (State) -> Bool
    /// The effect, run only when the guard holds.
    public let apply: @Sendable (inout State) -> Void
    /// Partial-order reduction's view of the rule (see `accessing`): the
    /// state variables it reads, its guard included, and writes, by name;
    /// nil when undeclared, which makes it dependent on every rule.
    public private(set) var reads: Set<String>?
    public private(set) var writes: Set<String>?
    /// The actor's location this rule belongs to: a condition on variables
    /// that only this actor writes (its program counter). When it is false
    /// the rule cannot become enabled before the actor itself moves. nil:
    /// always at its location.
    public private(set) var location: (@Sendable (State) -> Bool)?

    public init(
        _ actor: String, _ name: String,
        when isEnabled: @escaping @Sendable (State) -> Bool,
        do apply: @escaping @Sendable (inout State) -> Void
    ) {
        self.actor = actor
        self.name = name
        self.isEnabled = isEnabled
        self.apply = apply
    }

    /// Declares what the rule touches, for partial-order reduction. The
    /// declaration must be complete: a variable the guard or the effect
    /// reads that is missing here, or one the effect writes, makes the
    /// reduction unsound. Names are free-form but must be the same in every
    /// rule and property ("fork[3]", "g[1].pc").
    public func accessing(reads: [String], writes: [String], at location: (@Sendable (State) -> Bool)? = nil) -> Rule {
        var rule = self
        rule.reads = Set(reads)
        rule.writes = Set(writes)
        rule.location = location
        return rule
    }
}

/// How a property is judged over the state graph.
public enum PropertyKind: String, Sendable, Codable {
    /// Must hold in every reachable state (an invariant). A state that breaks
    /// it is reported with a shortest path and is not expanded further.
    case always
    /// Should hold in at least one reachable state. Reaching it is reported as
    /// an example; never reaching it is reported as "unreached", which usually
    /// means the model is vacuous (the interesting part cannot happen).
    case sometimes
    /// Must hold somewhere on every behaviour, where behaviours are infinite
    /// paths that are weakly fair per actor, or finite paths ending in a state
    /// with no enabled rule. Checked after the search, on the stored graph.
    case eventually
}

/// A named property. Names are what reports, tests and the CLI refer to.
public struct Property<State>: Sendable {
    public let kind: PropertyKind
    public let name: String
    /// One sentence: what the property guarantees and where it comes from.
    public let doc: String
    public let condition: @Sendable (State) -> Bool
    /// The state variables the condition reads (see `Rule.accessing`); nil
    /// when undeclared, which makes every rule visible to it.
    public private(set) var reads: Set<String>?

    public init(
        _ kind: PropertyKind, _ name: String, doc: String,
        _ condition: @escaping @Sendable (State) -> Bool
    ) {
        self.kind = kind
        self.name = name
        self.doc = doc
        self.condition = condition
    }

    /// Declares the variables the condition reads, for partial-order reduction.
    public func reading(_ names: [String]) -> Property {
        var property = self
        property.reads = Set(names)
        return property
    }

    public static func always(
        _ name: String, doc: String, _ condition: @escaping @Sendable (State) -> Bool
    ) -> Property {
        Property(.always, name, doc: doc, condition)
    }

    public static func sometimes(
        _ name: String, doc: String, _ condition: @escaping @Sendable (State) -> Bool
    ) -> Property {
        Property(.sometimes, name, doc: doc, condition)
    }

    public static func eventually(
        _ name: String, doc: String, _ condition: @escaping @Sendable (State) -> Bool
    ) -> Property {
        Property(.eventually, name, doc: doc, condition)
    }
}

/// A transition system to be checked.
///
/// Conforming types are value types built once per variant; `rules` and
/// `properties` are read once per run, so they may be stored constants.
public protocol Model: Sendable {
    associatedtype State: Hashable & Sendable

    /// Shown in reports, e.g. "UFFDStopTheWorld".
    var name: String { get }
    /// The initial states, in a fixed order.
    var initialStates: [State] { get }
    /// Every action of every actor, in a fixed order.
    var rules: [Rule<State>] { get }
    /// Invariants, examples and liveness properties, in a fixed order.
    var properties: [Property<State>] { get }
    /// True for the legitimate end states (everything finished). A state with
    /// no enabled rule that is not terminal is a deadlock.
    func isTerminal(_ state: State) -> Bool
    /// The state as a flat list of named fields, used to print the initial
    /// state and the fields each step changes. The default flattens the
    /// state's stored properties with `Mirror` ("g[0].status").
    func fields(of state: State) -> [StateField]
    /// A 64-bit fingerprint that is the same in every process (so it never
    /// uses `hashValue`, which Swift seeds per process). Used only when the
    /// visited set stores fingerprints instead of states. The default hashes
    /// `String(reflecting:)` of the state with FNV-1a: correct but slow, so
    /// large models should override it.
    func fingerprint(of state: State) -> UInt64
    /// Symmetry reduction: the group of interchangeable actors the model
    /// declares (e.g. "rotations of 16 philosophers"), nil when none. Every
    /// rule and property must be invariant under it.
    var symmetry: String? { get }
    /// Whether the symmetry permutes actors (philosophers, who act) rather
    /// than only things no rule belongs to (Go's Ps, which goroutines hold).
    /// Weak fairness is per actor, so liveness is checked under reduction only
    /// when this is false. The default: true.
    var symmetryPermutesActors: Bool { get }
    /// The canonical member of `state`'s orbit under `symmetry` (the default:
    /// the state itself). Two states in one orbit must get the same answer.
    func canonical(_ state: State) -> State
}

/// One named field of a state, rendered as text.
public struct StateField: Sendable, Equatable, Codable {
    public let name: String
    public let value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

extension Model {
    public func isTerminal(_ state: State) -> Bool { false }
    public var symmetry: String? { nil }
    public var symmetryPermutesActors: Bool { true }
    public func canonical(_ state: State) -> State { state }

    public func fields(of state: State) -> [StateField] {
        MirrorFields.flatten(state)
    }

    public func fingerprint(of state: State) -> UInt64 {
        var hasher = Fingerprinter()
        hasher.combine(String(reflecting: state))
        return hasher.value
    }
}
