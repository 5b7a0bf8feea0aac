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

    /// Why no rule can ever be in an ample set (so the search would gain
    /// nothing), for the run's report; nil when some rule can.
    let diagnosis: String?

    init(rules: [Rule<State>], properties: [Property<State>]) {
        var actors: [String] = []
        var actorOf: [Int] = []
        for rule in rules {
            if let a = actors.firstIndex(of: rule.actor) { actorOf.append(a) } else { actors.append(rule.actor); actorOf.append(actors.count - 1) }
        }
        var rulesOf = Array(repeating: [Int](), count: actors.count)
        for (r, a) in actorOf.enumerated() { rulesOf[a].append(r) }

        // What the safety properties read (nil: some property reads anything),
        // and which property reads each name (for the diagnosis).
        var propertyReads: Set<String>? = Set()
        var readBy: [String: String] = [:]
        for p in properties where p.kind != .eventually {
            if let r = p.reads, let sofar = propertyReads {
                propertyReads = sofar.union(r)
                for name in r.sorted() where readBy[name] == nil { readBy[name] = p.name }
            } else {
                propertyReads = nil
            }
        }

        var independent: [Bool] = [], unaffected: [Bool] = [], invisible: [Bool] = []
        var dependency: [String?] = [], visibility: [String?] = []
        for (r, rule) in rules.enumerated() {
            guard let reads = rule.reads, let writes = rule.writes else {
                independent.append(false); unaffected.append(false); invisible.append(false)
                dependency.append(nil); visibility.append(nil)
                continue
            }
            let a = actorOf[r]
            var indep = true
            var unaff = true
            var why: String?
            for (q, other) in rules.enumerated() where actorOf[q] != a {
                guard let oReads = other.reads, let oWrites = other.writes else {
                    indep = false; unaff = false
                    why = why ?? "'\(other.actor)/\(other.name)' declares nothing"
                    break
                }
                let clash = writes.intersection(oReads.union(oWrites)).sorted().first.map { "it writes \($0), which '\(other.actor)/\(other.name)' touches" }
                    ?? reads.intersection(oWrites).sorted().first.map { "it reads \($0), which '\(other.actor)/\(other.name)' writes" }
                if let clash { indep = false; why = why ?? clash }
                if !reads.isDisjoint(with: oWrites) { unaff = false }
            }
            independent.append(indep)
            unaffected.append(unaff)
            let seen = propertyReads.map { writes.intersection($0).sorted().first } ?? writes.sorted().first
            invisible.append(propertyReads != nil && seen == nil)
            dependency.append(why)
            visibility.append(propertyReads == nil ? "a property declares no reads" : seen.map { "it writes \($0), which '\(readBy[$0]!)' reads" })
        }
        self.actorOf = actorOf
        self.rulesOf = rulesOf
        self.independent = independent
        self.unaffected = unaffected
        self.invisible = invisible
        self.location = rules.map(\.location)

        let declared = rules.indices.filter { rules[$0].reads != nil && rules[$0].writes != nil }
        if actors.count < 2 {
            diagnosis = "one actor: there is nothing to reorder"
        } else if declared.isEmpty {
            diagnosis = "no rule declares its accesses"
        } else if !rules.indices.contains(where: { independent[$0] && invisible[$0] }) {
            let dependent = declared.filter { !independent[$0] }
            let visible = declared.filter { independent[$0] && !invisible[$0] }
            var parts = ["\(declared.count) of \(rules.count) rules declare their accesses"]
            if let r = dependent.first {
                parts.append("\(dependent.count) depend on another actor's rules (e.g. '\(rules[r].actor)/\(rules[r].name)': \(dependency[r] ?? "?"))")
            }
            if let r = visible.first {
                parts.append("\(visible.count) more are visible to a safety property (e.g. '\(rules[r].actor)/\(rules[r].name)': \(visibility[r] ?? "?"))")
            }
            diagnosis = "no rule can be in an ample set: " + parts.joined(separator: "; ")
        } else {
            diagnosis = nil
        }
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
