// Partial-order reduction by ample sets (Peled; Clarke, Grumberg and Peled,
// "Model Checking", ch. 10), over the accesses each rule declares.
//
// At a state s, the enabled rules of one actor P form an ample set when:
// C0  it is not empty;
// C1  every rule in it is independent of every rule of every other actor
//     (no write meets the other's reads or writes), and each rule of P that
//     is disabled but at its location cannot be enabled by another actor
//     (it reads nothing other actors write): so along any path from s, no
//     rule dependent on the ample set runs before one of the set does;
// C2  every rule in it is invisible: it writes nothing a safety property
//     (`always`, `sometimes`) reads;
// C3  (the cycle proviso) no successor through it is already stored; if
//     one is, s is expanded fully, so every cycle of the reduced graph has a
//     fully expanded state. Breadth-first, every cycle closes on an edge to
//     a state stored before its level was expanded, so the check sees it.
// Those keep every deadlock and every reachable violation of an invariant
// (the reduced graph reaches a violating state, with a path that is a
// reordering of independent steps). Liveness is not covered: runs with
// `eventually` properties search without reduction.

struct PartialOrder<State> {
    /// The actor of each rule, numbered in order of first appearance.
    let actorOf: [Int]
    /// The rules of each actor.
    let rulesOf: [[Int]]
    /// C1 for a rule in the ample set: independent of all other actors' rules.
    let independent: [Bool]
    /// C1 for a disabled rule of the same actor: no other actor writes what
    /// it reads.
    let unaffected: [Bool]
    /// C2: writes nothing a safety property reads.
    let invisible: [Bool]
    let location: [(@Sendable (State) -> Bool)?]

    /// nil when no rule could ever be in an ample set (nothing declared).
    init?(rules: [Rule<State>], properties: [Property<State>]) {
        var actors: [String] = []
        var actorOf: [Int] = []
        for rule in rules {
            if let a = actors.firstIndex(of: rule.actor) { actorOf.append(a) } else { actors.append(rule.actor); actorOf.append(actors.count - 1) }
        }
        var rulesOf = Array(repeating: [Int](), count: actors.count)
        for (r, a) in actorOf.enumerated() { rulesOf[a].append(r) }

        // What the safety properties read (nil: some property reads anything).
        var propertyReads: Set<String>? = Set()
        for p in properties where p.kind != .eventually {
            if let r = p.reads, let sofar = propertyReads { propertyReads = sofar.union(r) } else { propertyReads = nil }
        }

        var independent: [Bool] = [], unaffected: [Bool] = [], invisible: [Bool] = []
        for (r, rule) in rules.enumerated() {
            guard let reads = rule.reads, let writes = rule.writes else {
                independent.append(false); unaffected.append(false); invisible.append(false)
                continue
            }
            let a = actorOf[r]
            var indep = true
            var unaff = true
            for (q, other) in rules.enumerated() where actorOf[q] != a {
                guard let oReads = other.reads, let oWrites = other.writes else { indep = false; unaff = false; break }
                if !writes.isDisjoint(with: oReads) || !writes.isDisjoint(with: oWrites) || !reads.isDisjoint(with: oWrites) { indep = false }
                if !reads.isDisjoint(with: oWrites) { unaff = false }
            }
            independent.append(indep)
            unaffected.append(unaff)
            invisible.append(propertyReads.map { writes.isDisjoint(with: $0) } ?? false)
        }
        guard independent.contains(true) else { return nil }
        self.actorOf = actorOf
        self.rulesOf = rulesOf
        self.independent = independent
        self.unaffected = unaffected
        self.invisible = invisible
        self.location = rules.map(\.location)
    }

    /// The ample set at `state` among the `enabled` rules (in rule order),
    /// before the cycle proviso; nil when none is smaller than `enabled`.
    func ample(_ state: State, enabled: [Int]) -> [Int]? {
        guard enabled.count > 1 else { return nil }
        var tried = Set<Int>()
        for first in enabled {
            let a = actorOf[first]
            guard tried.insert(a).inserted else { continue }
            let mine = enabled.filter { actorOf[$0] == a }
            guard mine.count < enabled.count else { continue }
            guard mine.allSatisfy({ independent[$0] && invisible[$0] }) else { continue }
            let blocked = rulesOf[a].contains { r in
                !mine.contains(r) && !unaffected[r] && (location[r]?(state) ?? true)
            }
            if !blocked { return mine }
        }
        return nil
    }
}
