// `eventually` properties under weak fairness, checked after the search on
// the stored graph.
//
// "eventually p" fails when some behaviour never reaches a state where p
// holds. Such a behaviour stays inside R, the states reachable from an
// initial state through states where p is false, and either
//   - ends in a terminal state of R (finished, p never held; a deadlock
//     would also end such a path, but deadlocks are reported on their own), or
//   - loops forever in a strongly connected component of R that contains a
//     fair cycle.
// Under weak fairness per actor, an SCC contains a fair cycle exactly when
// every actor enabled in all of its states has an edge inside it: the cycle
// through every edge of the SCC is then fair, and if some always-enabled
// actor has no inner edge, no cycle in the SCC (all of whose states keep that
// actor enabled) can be fair. This is the standard SCC test for weak
// fairness (e.g. Lichtenstein & Pnueli 1985; the same test TLC applies to WF).

extension Search {
    /// Successor lists in compressed form, built once for all properties.
    struct Graph {
        var offsets: [Int32]
        var targets: [Int32]
        var rulesOf: [UInt16]

        func successors(_ id: Int) -> Range<Int> { Int(offsets[id])..<Int(offsets[id + 1]) }
    }

    func checkLiveness(_ eventually: [Int]) -> [Discovery] {
        // Exact mode only (the caller skips liveness otherwise): Key == State.
        guard let exact = table as? StateTable<M.State> else { return [] }
        let states = exact.keys
        // Breadth-first runs recorded the graph as they went; depth-first
        // ones expand every stored state again here.
        let graph = recordsGraph && graph.offsets.count == states.count + 1 ? self.graph : buildGraph(states)
        let actorIndex = Dictionary(
            rules.map(\.actor).enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: min)
        let ruleActor = rules.map { actorIndex[$0.actor]! }
        var out: [Discovery] = []
        for propertyIndex in eventually {
            let property = properties[propertyIndex]
            let bad = states.map { !property.condition($0) }
            if var found = findViolation(graph: graph, bad: bad, states: states, ruleActor: ruleActor) {
                if options.symmetry && model.symmetry != nil { found = lift(found, ruleActor: ruleActor) }
                out.append(Discovery(
                    kind: .livenessViolation, property: property.name, doc: property.doc,
                    stateCount: found.size,
                    trace: TraceBuilder(model: model, rules: rules, initialStates: initialStates)
                        .build(initial: found.initial, rules: found.path, loopStart: found.loopStart)))
            }
        }
        return out
    }

    private func buildGraph(_ states: [M.State]) -> Graph {
        var offsets: [Int32] = [0]
        var targets: [Int32] = []
        var rulesOf: [UInt16] = []
        offsets.reserveCapacity(states.count + 1)
        for (id, state) in states.enumerated() {
            if status[id] == .expanded {
                for (index, rule) in rules.enumerated() where rule.isEnabled(state) {
                    var next = state
                    rule.apply(&next)
                    let key = keyOf(next)
                    guard let target = table.find(key, hash: key.hashValue) else { continue }
                    targets.append(Int32(target))
                    rulesOf.append(UInt16(index))
                }
            }
            offsets.append(Int32(targets.count))
        }
        return Graph(offsets: offsets, targets: targets, rulesOf: rulesOf)
    }

    private struct Found {
        var initial: Int
        var path: [Int]
        var loopStart: Int?
        var size: Int
    }

    private func findViolation(
        graph: Graph, bad: [Bool], states: [M.State], ruleActor: [Int]
    ) -> Found? {
        // BFS inside R from the initial states, with parents for the prefix.
        let n = states.count
        var depth = [Int](repeating: -1, count: n)
        var parentEdge = [Int](repeating: -1, count: n)  // index into targets
        var parentState = [Int](repeating: -1, count: n)
        var queue: [Int] = []
        for id in 0..<n where parent[id] < 0 && bad[id] {
            depth[id] = 0
            queue.append(id)
        }
        var head = 0
        while head < queue.count {
            let u = queue[head]
            head += 1
            guard status[u] == .expanded else { continue }
            for edge in graph.successors(u) {
                let v = Int(graph.targets[edge])
                if bad[v] && depth[v] < 0 {
                    depth[v] = depth[u] + 1
                    parentEdge[v] = edge
                    parentState[v] = u
                    queue.append(v)
                }
            }
        }
        let inR = { (id: Int) in depth[id] >= 0 && self.status[id] == .expanded }
        // Candidate 1: terminal states of R (finished without reaching the
        // goal). Non-terminal dead ends are deadlocks, already reported as
        // such, so they are not reported a second time here.
        var best: (entry: Int, cycle: [Int]?, size: Int)?
        for u in queue where inR(u) && graph.successors(u).isEmpty && model.isTerminal(states[u]) {
            if best == nil || depth[u] < depth[best!.entry] { best = (u, nil, 1) }
        }
        // Candidate 2: SCCs of R with a fair cycle.
        for component in stronglyConnectedComponents(graph: graph, nodes: queue.filter(inR), inR: inR) {
            let members = Set(component)
            let entry = component.min { (depth[$0], $0) < (depth[$1], $1) }!
            if let best, depth[best.entry] <= depth[entry] { continue }
            guard let cycle = fairCycle(
                graph: graph, component: component, members: members, entry: entry,
                states: states, ruleActor: ruleActor)
            else { continue }
            best = (entry, cycle, component.count)
        }
        guard let best else { return nil }
        var prefix: [Int] = []
        var current = best.entry
        while parentState[current] >= 0 {
            prefix.append(Int(graph.rulesOf[parentEdge[current]]))
            current = parentState[current]
        }
        let initial = Int(-1 - parent[current])
        prefix.reverse()
        guard let cycle = best.cycle else {
            return Found(initial: initial, path: prefix, loopStart: nil, size: best.size)
        }
        return Found(initial: initial, path: prefix + cycle, loopStart: prefix.count, size: best.size)
    }

    /// Under symmetry reduction the graph's states are canonical members and
    /// its path need not be an execution: its next rule was applied to the
    /// canonical member, not to the state actually reached. This replays the
    /// path from the real initial state, taking at each step a rule of the
    /// same actor whose successor lies in the same orbit (one exists: the
    /// permutation relating the two states maps the rule to it, and a
    /// symmetry that fixes actors keeps its actor). The loop comes back to
    /// its start only up to a permutation, so it is replayed again until a
    /// real state repeats (its states stay in one finite orbit); the lasso
    /// then loops from that state, taking the same actors as the graph's
    /// fair cycle.
    private func lift(_ found: Found, ruleActor: [Int]) -> Found {
        var state = initialStates[found.initial]
        var path: [Int] = []
        func step(_ ruleIndex: Int) {
            var canonical = keyOf(state) as! M.State
            rules[ruleIndex].apply(&canonical)
            let wanted = keyOf(canonical)
            let candidates = [ruleIndex] + rules.indices.filter { $0 != ruleIndex && ruleActor[$0] == ruleActor[ruleIndex] }
            for r in candidates where rules[r].isEnabled(state) {
                var next = state
                rules[r].apply(&next)
                if keyOf(next) == wanted {
                    path.append(r)
                    state = next
                    return
                }
            }
            preconditionFailure("symmetry: no rule of \(rules[ruleIndex].actor) leads into the orbit; canonical() or the declared symmetry is wrong")
        }
        let loopStart = found.loopStart ?? found.path.count
        for r in found.path[..<loopStart] { step(r) }
        guard found.loopStart != nil else { return Found(initial: found.initial, path: path, loopStart: nil, size: found.size) }
        let loop = Array(found.path[loopStart...])
        var entries: [M.State: Int] = [state: path.count]
        while true {
            for r in loop { step(r) }
            if let start = entries[state] { return Found(initial: found.initial, path: path, loopStart: start, size: found.size) }
            entries[state] = path.count
        }
    }

    /// Tarjan's algorithm, iterative, over the subgraph induced by `inR`.
    /// Returns only components that contain a cycle (size > 1 or a self-loop).
    private func stronglyConnectedComponents(
        graph: Graph, nodes: [Int], inR: (Int) -> Bool
    ) -> [[Int]] {
        var index = [Int: Int]()
        var low = [Int: Int]()
        var onStack = Set<Int>()
        var stack: [Int] = []
        var counter = 0
        var components: [[Int]] = []
        for root in nodes.sorted() where index[root] == nil {
            var work: [(node: Int, edge: Int)] = [(root, graph.successors(root).lowerBound)]
            index[root] = counter; low[root] = counter; counter += 1
            stack.append(root); onStack.insert(root)
            while var frame = work.popLast() {
                let range = graph.successors(frame.node)
                var descended = false
                while frame.edge < range.upperBound {
                    let v = Int(graph.targets[frame.edge])
                    frame.edge += 1
                    guard inR(v) else { continue }
                    if index[v] == nil {
                        work.append(frame)
                        index[v] = counter; low[v] = counter; counter += 1
                        stack.append(v); onStack.insert(v)
                        work.append((v, graph.successors(v).lowerBound))
                        descended = true
                        break
                    } else if onStack.contains(v) {
                        low[frame.node] = min(low[frame.node]!, index[v]!)
                    }
                }
                if descended { continue }
                if low[frame.node] == index[frame.node] {
                    var component: [Int] = []
                    while true {
                        let w = stack.removeLast()
                        onStack.remove(w)
                        component.append(w)
                        if w == frame.node { break }
                    }
                    let node = frame.node
                    let selfLoop = graph.successors(node).contains { Int(graph.targets[$0]) == node }
                    if component.count > 1 || selfLoop { components.append(component.sorted()) }
                }
                if let parentFrame = work.last {
                    low[parentFrame.node] = min(low[parentFrame.node]!, low[frame.node]!)
                }
            }
        }
        return components
    }

    /// A cycle through `entry` inside the component that is fair under the
    /// run's fairness, as a list of rule indices; nil if none exists.
    private func fairCycle(
        graph: Graph, component: [Int], members: Set<Int>, entry: Int,
        states: [M.State], ruleActor: [Int]
    ) -> [Int]? {
        var required: [Int] = []
        if options.fairness == .weak {
            var alwaysEnabled: Set<Int>?
            for id in component {
                let enabled = Set(rules.indices.filter { rules[$0].isEnabled(states[id]) }.map { ruleActor[$0] })
                alwaysEnabled = alwaysEnabled.map { $0.intersection(enabled) } ?? enabled
            }
            var taken = Set<Int>()
            for id in component {
                for edge in graph.successors(id) where members.contains(Int(graph.targets[edge])) {
                    taken.insert(ruleActor[Int(graph.rulesOf[edge])])
                }
            }
            guard let alwaysEnabled, alwaysEnabled.isSubset(of: taken) else { return nil }
            required = alwaysEnabled.sorted()
        }
        // Walk: for each required actor take one of its inner edges, then
        // return to entry. Always take at least one edge.
        var cycle: [Int] = []
        var current = entry
        let goals: [Int?] = required.isEmpty ? [nil] : required.map { Optional($0) }
        for actor in goals {
            let wantsEdge = { (edge: Int) in
                members.contains(Int(graph.targets[edge]))
                    && (actor == nil || ruleActor[Int(graph.rulesOf[edge])] == actor!)
            }
            guard let (path, edge) = pathInside(graph: graph, members: members, from: current, toEdge: wantsEdge)
            else { return nil }
            cycle += path + [Int(graph.rulesOf[edge])]
            current = Int(graph.targets[edge])
        }
        if current != entry {
            guard let (path, edge) = pathInside(
                graph: graph, members: members, from: current,
                toEdge: { Int(graph.targets[$0]) == entry })
            else { return nil }
            cycle += path + [Int(graph.rulesOf[edge])]
        }
        return cycle
    }

    /// BFS inside `members` from `start` to the first state with an edge
    /// accepted by `toEdge`; returns the rule path to that state and the edge.
    private func pathInside(
        graph: Graph, members: Set<Int>, from start: Int, toEdge: (Int) -> Bool
    ) -> (path: [Int], edge: Int)? {
        var previous: [Int: (state: Int, edge: Int)] = [:]
        var queue = [start]
        var seen: Set<Int> = [start]
        var head = 0
        while head < queue.count {
            let u = queue[head]
            head += 1
            if let edge = graph.successors(u).first(where: toEdge) {
                var path: [Int] = []
                var node = u
                while node != start, let step = previous[node] {
                    path.append(Int(graph.rulesOf[step.edge]))
                    node = step.state
                }
                return (path.reversed(), edge)
            }
            for edge in graph.successors(u) {
                let v = Int(graph.targets[edge])
                if members.contains(v) && !seen.contains(v) {
                    seen.insert(v)
                    previous[v] = (u, edge)
                    queue.append(v)
                }
            }
        }
        return nil
    }
}
