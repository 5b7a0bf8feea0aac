import Dispatch
import Foundation

/// Breadth-first explicit-state model checker.
///
/// The search goes level by level. Each level is expanded, on several threads
/// when it is large, into per-state results (properties evaluated, successors
/// computed); the results are then merged on one thread in frontier order, so
/// ids, counts and the first (hence shortest) counterexample of each property
/// are identical whatever the number of threads.
///
/// A state that violates an invariant is recorded and not expanded (its
/// successors are reached only through other paths). A non-terminal state
/// with no enabled rule is a deadlock. `eventually` properties are checked
/// after the search on the stored graph (see `Checker+Liveness.swift`).
public struct Checker<M: Model>: Sendable {
    public let model: M
    public let options: CheckOptions

    public init(_ model: M, options: CheckOptions = CheckOptions()) {
        self.model = model
        self.options = options
    }

    /// Runs the search and returns counts, timings and discoveries.
    public func run() -> CheckResult {
        if let cap = options.maxStates { precondition(cap > 0, "maxStates must be positive") }
        if let depth = options.maxDepth { precondition(depth >= 0, "maxDepth must not be negative") }
        let model = self.model
        // Symmetry reduction: key every state by its orbit's canonical member.
        let reduce = options.symmetry && model.symmetry != nil
        let stateKey: @Sendable (M.State) -> M.State
        let fingerprintKey: @Sendable (M.State) -> UInt64
        if reduce {
            stateKey = { model.canonical($0) }
            fingerprintKey = { model.fingerprint(of: model.canonical($0)) }
        } else {
            stateKey = { $0 }
            fingerprintKey = { model.fingerprint(of: $0) }
        }
        var result: CheckResult
        switch options.visited {
        case .states:
            result = Search<M, StateTable<M.State>>(model: model, options: options, table: StateTable(), key: stateKey).run()
        case .fingerprints:
            result = Search<M, StateTable<UInt64>>(model: model, options: options, table: StateTable(), key: fingerprintKey).run()
        case .bitstate:
            let table = BitstateTable(log2Bits: options.bitstateLog2Bits, hashes: options.bitstateHashes)
            result = Search<M, BitstateTable>(model: model, options: options, table: table, key: fingerprintKey).run()
        }
        if reduce { result.symmetry = model.symmetry }
        if result.partialOrder?.hasPrefix("ample") == true { shortenCounterexamples(&result) }
        return result
    }

    /// A reduced search reaches every violated invariant, but its path may
    /// take independent steps of other actors on the way, so it need not be
    /// the shortest. A breadth-first search without reduction, bounded by
    /// the deepest such path, finds each one's shortest path (one exists
    /// within the bound: the reduced path is a path of the full graph); it
    /// costs the full space up to that depth, paid only when an invariant
    /// fails. Deadlocks keep their length: a reduced path to a deadlock
    /// reorders the steps of a full one. Examples (`sometimes`) keep the
    /// reduced path, which may be longer than the shortest: re-searching for
    /// them would undo the reduction, as an example often lies at the end.
    private func shortenCounterexamples(_ result: inout CheckResult) {
        let wanted: Set<DiscoveryKind> = [.invariantViolation]
        guard let deepest = result.discoveries.filter({ wanted.contains($0.kind) }).map(\.trace.steps.count).max(),
              deepest > 0 else { return }
        var bounded = options
        bounded.partialOrder = false
        bounded.maxDepth = min(deepest, options.maxDepth ?? deepest)
        bounded.progress = false
        let again = Checker(model, options: bounded).run()
        result.discoveries = result.discoveries.map { found in
            guard wanted.contains(found.kind),
                  let shortest = again.discoveries.first(where: { $0.kind == found.kind && $0.property == found.property })
            else { return found }
            return Discovery(kind: found.kind, property: found.property, doc: found.doc,
                             stateCount: found.stateCount, trace: shortest.trace)
        }
        result.partialOrder! += "; shortest paths to violations re-searched without reduction to depth \(bounded.maxDepth!) (\(again.states) states)"
    }
}

/// The result of expanding one frontier state.
struct Expansion<State, Key> {
    /// Indices (into properties) of `always` properties false here.
    var violated: [Int] = []
    /// Indices of `sometimes` properties (not yet found) true here.
    var satisfied: [Int] = []
    /// (rule index, successor, key, key.hashValue), in rule order.
    var successors: [(rule: Int, state: State, key: Key, hash: Int)] = []
    /// Transitions taken from the state, including those to states already
    /// stored before this level, which are dropped from `successors` here.
    var transitions = 0
    /// Some successor was stored before this level (the cycle proviso's test).
    var reachesStored = false
    var terminal = false
    /// False when the state was not expanded (depth bound or violation).
    var expanded = false
    /// Only an ample set of the enabled rules was expanded.
    var reduced = false
    /// When the search records the graph for liveness: every transition in
    /// rule order, as (rule, target) where a target >= 0 is a stored id and
    /// -1 - k names `successors[k]` (its id is known after the merge).
    var edges: [(rule: UInt16, target: Int32)] = []
}

/// A state on the depth-first stack and the next rule to try from it.
struct DFSFrame<State> {
    let id: Int
    let state: State
    var next: Int
    let depth: Int
    /// Whether a deadlock here is to be counted (false when the state was
    /// expanded, and so judged, before).
    var judgesDeadlock = true
    /// Some rule was enabled here (a frame popped without one is a deadlock).
    var fired = false
}

/// Per-state status recorded by the search, used by liveness.
enum StoredStatus: UInt8 {
    case pending = 0
    case expanded = 1
    /// Violates an invariant: successors never computed.
    case violating = 2
    /// At the depth bound: successors never computed.
    case cut = 3
}

/// A fixed-size buffer handed to concurrent workers; each worker writes only
/// its own indices, so no two threads touch the same element.
final class WorkBuffer<T>: @unchecked Sendable {
    private let base: UnsafeMutablePointer<T>
    let count: Int

    init(repeating value: T, count: Int) {
        self.count = count
        base = UnsafeMutablePointer<T>.allocate(capacity: max(count, 1))
        base.initialize(repeating: value, count: count)
    }

    subscript(index: Int) -> T {
        get { precondition(index >= 0 && index < count); return base[index] }
        set { precondition(index >= 0 && index < count); base[index] = newValue }
    }

    var array: [T] { Array(UnsafeBufferPointer(start: base, count: count)) }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }
}

/// One run's mutable search state. The visited set `V` stores the states
/// themselves, their fingerprints, or a bitstate filter of them.
final class Search<M: Model, V: VisitedSet>: @unchecked Sendable {
    typealias Key = V.Key
    let model: M
    let options: CheckOptions
    let rules: [Rule<M.State>]
    let properties: [Property<M.State>]
    let keyOf: @Sendable (M.State) -> Key
    let initialStates: [M.State]

    var table: V
    /// Parent id per state; for initial states, -1 - (index in initialStates).
    var parent: [Int32] = []
    /// Rule that produced each state from its parent.
    var via: [UInt16] = []
    var status: [StoredStatus] = []
    var transitions = 0
    var depthReached = 0
    var truncated = false
    var threadsUsed = 1
    /// Partial-order reduction, when it applies to this run.
    let partialOrder: PartialOrder<M.State>?
    /// Why it does not, when it was asked for.
    let partialOrderOff: String?
    var reducedStates = 0
    /// Breadth-first runs that will check liveness record the state graph
    /// as they go, so that the check need not expand every state again.
    let recordsGraph: Bool
    var graph = Graph(offsets: [0], targets: [], rulesOf: [])

    var firstViolation: [Int: Int] = [:]  // property index -> state id
    var violationCounts: [Int: Int] = [:]
    var firstExample: [Int: Int] = [:]
    var firstDeadlock: Int?
    var deadlockCount = 0
    /// Depth-first search: the shortest depth each state was reached at.
    var depthOf: [Int] = []

    let progress: ProgressReporter

    init(model: M, options: CheckOptions, table: V, key: @escaping @Sendable (M.State) -> Key) {
        self.model = model
        self.options = options
        self.table = table
        self.rules = model.rules
        self.properties = model.properties
        self.keyOf = key
        self.initialStates = model.initialStates
        precondition(rules.count < Int(UInt16.max), "a model may have at most 65534 rules")
        var off: String?
        if !options.partialOrder {
            off = nil
        } else if options.liveness && properties.contains(where: { $0.kind == .eventually }) {
            off = "off (the model has liveness properties, checked under weak fairness; --no-liveness checks invariants and deadlock with it)"
        } else if options.order == .depthFirst {
            off = "off (depth-first search)"
        } else if options.maxDepth != nil {
            off = "off (bounded search: reordered paths may be longer than the bound)"
        }
        var reduction: PartialOrder<M.State>?
        if options.partialOrder && off == nil {
            let candidate = PartialOrder(rules: rules, properties: properties)
            if let why = candidate.diagnosis { off = "off (\(why))" } else { reduction = candidate }
        }
        partialOrder = reduction
        partialOrderOff = off
        recordsGraph = options.liveness && options.order == .breadthFirst && options.visited == .states
            && properties.contains { $0.kind == .eventually }
            && !(options.symmetry && model.symmetry != nil && model.symmetryPermutesActors)
        self.progress = ProgressReporter(name: model.name, enabled: options.progress)
    }

    func run() -> CheckResult {
        let clock = MonotonicClock()
        var frontier: [(id: Int, state: M.State)] = []
        for (index, state) in initialStates.enumerated() {
            let key = keyOf(state)
            let (inserted, id) = table.insert(key, hash: key.hashValue)
            guard inserted else { continue }
            parent.append(Int32(-1 - index))
            via.append(0)
            status.append(.pending)
            frontier.append((id, state))
        }
        switch options.order {
        case .breadthFirst:
            var depth = 0
            while !frontier.isEmpty {
                depthReached = depth
                let expansions = expand(frontier, depth: depth)
                frontier = merge(frontier, expansions)
                depth += 1
                progress.tick(states: table.count, depth: depth, frontier: frontier.count, clock: clock)
            }
        case .depthFirst:
            depthFirst(frontier, clock: clock)
        }
        let discoveries = collectDiscoveries()
        var liveness: [Discovery] = []
        var livenessSkipped: String?
        let eventually = properties.indices.filter { properties[$0].kind == .eventually }
        if !eventually.isEmpty {
            if !options.liveness {
                livenessSkipped = "not asked (--no-liveness)"
            } else if options.symmetry && model.symmetry != nil && model.symmetryPermutesActors {
                livenessSkipped = "symmetry reduction (weak fairness per actor does not survive permuting actors; --no-symmetry checks it)"
            } else if options.visited != .states {
                livenessSkipped = options.visited == .bitstate ? "visited set is a bitstate filter" : "visited set stores fingerprints"
            } else if truncated {
                livenessSkipped = "search was bounded (depth or state cap)"
            } else {
                liveness = checkLiveness(eventually)
            }
        }
        let elapsed = clock.seconds
        progress.finish(states: table.count, clock: clock)
        let unreached = properties.indices
            .filter { properties[$0].kind == .sometimes && firstExample[$0] == nil }
            .map { properties[$0].name }
        var bitstate: BitstateReport?
        if let filter = table as? BitstateTable {
            bitstate = BitstateReport(bits: filter.bits, hashes: filter.hashes, setBits: filter.setBits,
                                      expectedOmitted: filter.expectedOmitted)
        }
        var result = CheckResult(
            model: model.name, states: table.count, transitions: transitions,
            maxDepth: depthReached, complete: !truncated, elapsedSeconds: elapsed,
            peakMemoryBytes: ResourceUsage.peakResidentBytes(), visited: options.visited,
            threads: threadsUsed, discoveries: discoveries + liveness,
            unreachedExamples: unreached, livenessSkipped: livenessSkipped,
            order: options.order, bitstate: bitstate, visitedBytes: table.approximateBytes)
        if options.partialOrder {
            result.partialOrder = partialOrderOff
                ?? "ample sets: \(reducedStates) of \(status.filter { $0 == .expanded }.count) expanded states took one actor's rules only"
        }
        return result
    }

    // MARK: Expansion

    private func expand(_ frontier: [(id: Int, state: M.State)], depth: Int) -> [Expansion<M.State, Key>] {
        let canExpand = options.maxDepth.map { depth < $0 } ?? true
        let wanted = properties.indices.filter { properties[$0].kind == .sometimes && firstExample[$0] == nil }
        let buffer = WorkBuffer(repeating: Expansion<M.State, Key>(), count: frontier.count)
        // The visited set as it stands before this level, read (never
        // written) by every expanding thread.
        let stored = table
        let work: @Sendable (Range<Int>) -> Void = { range in
            for index in range {
                buffer[index] = self.expandOne(frontier[index].state, canExpand: canExpand, wanted: wanted, stored: stored)
            }
        }
        if case .parallel(let minimum) = options.parallelism, frontier.count >= max(minimum, 2) {
            let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
            let chunks = min(frontier.count, cores * 8)
            threadsUsed = max(threadsUsed, cores)
            let count = frontier.count
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                work((chunk * count / chunks)..<((chunk + 1) * count / chunks))
            }
        } else {
            work(0..<frontier.count)
        }
        return buffer.array
    }

    private func expandOne(_ state: M.State, canExpand: Bool, wanted: [Int], stored: V) -> Expansion<M.State, Key> {
        var result = Expansion<M.State, Key>()
        for index in properties.indices where properties[index].kind == .always {
            if !properties[index].condition(state) { result.violated.append(index) }
        }
        for index in wanted where properties[index].condition(state) {
            result.satisfied.append(index)
        }
        result.terminal = model.isTerminal(state)
        guard result.violated.isEmpty || options.expandViolatingStates, canExpand else { return result }
        result.expanded = true
        // Successors already stored (at an earlier level) are dropped here,
        // on the expanding threads: the table is only read during expansion,
        // so the lookups run in parallel, and the sequential merge sees only
        // candidates for new states. The merge would have found them stored
        // anyway, so ids and order do not change.
        func successor(_ index: Int) {
            var next = state
            rules[index].apply(&next)
            let key = keyOf(next)
            let hash = key.hashValue
            result.transitions += 1
            if let id = stored.find(key, hash: hash) {
                result.reachesStored = true
                if recordsGraph { result.edges.append((UInt16(index), Int32(id))) }
            } else {
                if recordsGraph { result.edges.append((UInt16(index), Int32(-1 - result.successors.count))) }
                result.successors.append((index, next, key, hash))
            }
        }
        guard let partialOrder else {
            for index in rules.indices where rules[index].isEnabled(state) { successor(index) }
            return result
        }
        let enabled = rules.indices.filter { rules[$0].isEnabled(state) }
        if let ample = partialOrder.ample(state, enabled: enabled) {
            for index in ample { successor(index) }
            // The cycle proviso: a successor stored already means this state
            // may close a cycle; expand it fully.
            if !options.partialOrderCycleProviso || !result.reachesStored {
                result.reduced = true
                return result
            }
            result.successors.removeAll()
            result.edges.removeAll()
            result.transitions = 0
            result.reachesStored = false
        }
        for index in enabled { successor(index) }
        return result
    }

    // MARK: Depth-first search

    /// SPIN's order: one path on a stack, each state's rules tried in
    /// order, a state checked when first reached. The set of states reached
    /// is the breadth-first one (violating states are not expanded in either
    /// order); the counterexamples are the first found, not the shortest.
    /// `maxDepth` bounds the stack.
    private func depthFirst(_ roots: [(id: Int, state: M.State)], clock: MonotonicClock) {
        let wanted = properties.indices.filter { properties[$0].kind == .sometimes }
        var stack: [DFSFrame<M.State>] = []
        var ticks = 0
        depthOf = Array(repeating: 0, count: table.count)  // the roots
        /// A state met again on a shorter path (bounded search): expand it
        /// again unless the bound still cuts it.
        func reachedAgain(_ id: Int, depth: Int) -> Bool {
            if let bound = options.maxDepth, depth >= bound { status[id] = .cut; return false }
            status[id] = .expanded
            return true
        }
        /// Checks a newly reached state; true when it is to be expanded.
        func visit(_ id: Int, _ state: M.State, depth: Int) -> Bool {
            depthReached = max(depthReached, depth)
            var violated = false
            for index in properties.indices where properties[index].kind == .always && !properties[index].condition(state) {
                violated = true
                violationCounts[index, default: 0] += 1
                if firstViolation[index] == nil { firstViolation[index] = id }
            }
            for index in wanted where firstExample[index] == nil && properties[index].condition(state) {
                firstExample[index] = id
            }
            if violated && !options.expandViolatingStates { status[id] = .violating; return false }
            if let bound = options.maxDepth, depth >= bound {
                status[id] = .cut
                truncated = true
                return false
            }
            status[id] = .expanded
            return true
        }
        for root in roots where visit(root.id, root.state, depth: 0) {
            stack.append(DFSFrame(id: root.id, state: root.state, next: 0, depth: 0))
            while !stack.isEmpty {
                let top = stack.count - 1
                var ruleIndex = stack[top].next
                while ruleIndex < rules.count && !rules[ruleIndex].isEnabled(stack[top].state) { ruleIndex += 1 }
                if ruleIndex == rules.count {
                    // Done with this state; if no rule was ever enabled it is
                    // a deadlock (judged once: on its first expansion, or
                    // the first after the bound had cut it).
                    let frame = stack.removeLast()
                    if !frame.fired && frame.judgesDeadlock && !model.isTerminal(frame.state) {
                        deadlockCount += 1
                        if firstDeadlock == nil { firstDeadlock = frame.id }
                    }
                    continue
                }
                stack[top].fired = true
                stack[top].next = ruleIndex + 1
                var next = stack[top].state
                rules[ruleIndex].apply(&next)
                transitions += 1
                let key = keyOf(next)
                if let cap = options.maxStates, table.count >= cap {
                    if table.find(key, hash: key.hashValue) == nil { truncated = true }
                    continue
                }
                let (inserted, id) = table.insert(key, hash: key.hashValue)
                let depth = stack[top].depth + 1
                guard inserted else {
                    // With a depth bound, a state reached again on a shorter
                    // path is searched again from there (SPIN's -DREACH), so
                    // the bounded search covers what breadth-first covers.
                    if options.maxDepth != nil, id >= 0, depth < depthOf[id], status[id] != .violating {
                        let wasCut = status[id] == .cut
                        depthOf[id] = depth
                        parent[id] = Int32(stack[top].id)
                        via[id] = UInt16(ruleIndex)
                        status[id] = .pending
                        if reachedAgain(id, depth: depth) {
                            stack.append(DFSFrame(id: id, state: next, next: 0, depth: depth, judgesDeadlock: wasCut))
                        }
                    }
                    continue
                }
                parent.append(Int32(stack[top].id))
                via.append(UInt16(ruleIndex))
                status.append(.pending)
                depthOf.append(depth)
                if visit(id, next, depth: depth) { stack.append(DFSFrame(id: id, state: next, next: 0, depth: depth)) }
                ticks += 1
                if ticks & 0xFFFF == 0 { progress.tick(states: table.count, depth: depth, frontier: stack.count, clock: clock) }
            }
        }
    }

    // MARK: Merge

    private func merge(
        _ frontier: [(id: Int, state: M.State)], _ expansions: [Expansion<M.State, Key>]
    ) -> [(id: Int, state: M.State)] {
        var next: [(id: Int, state: M.State)] = []
        for (position, item) in frontier.enumerated() {
            let expansion = expansions[position]
            // Frontiers are in id order, so the graph's rows are too.
            defer { if recordsGraph { graph.offsets.append(Int32(graph.targets.count)) } }
            if recordsGraph { precondition(graph.offsets.count == item.id + 1, "frontier out of id order") }
            for property in expansion.violated {
                violationCounts[property, default: 0] += 1
                if firstViolation[property] == nil { firstViolation[property] = item.id }
            }
            for property in expansion.satisfied where firstExample[property] == nil {
                firstExample[property] = item.id
            }
            if !expansion.violated.isEmpty && !expansion.expanded {
                status[item.id] = .violating
                continue
            }
            if !expansion.expanded {
                status[item.id] = .cut
                truncated = true
                continue
            }
            status[item.id] = .expanded
            if expansion.reduced { reducedStates += 1 }
            if expansion.transitions == 0 && !expansion.terminal {
                deadlockCount += 1
                if firstDeadlock == nil { firstDeadlock = item.id }
            }
            transitions += expansion.transitions
            var ids: [Int32] = []
            if recordsGraph { ids.reserveCapacity(expansion.successors.count) }
            for successor in expansion.successors {
                if let cap = options.maxStates, table.count >= cap {
                    let found = table.find(successor.key, hash: successor.hash)
                    if found == nil { truncated = true }
                    if recordsGraph { ids.append(Int32(found ?? -1)) }
                    continue
                }
                let (inserted, id) = table.insert(successor.key, hash: successor.hash)
                if recordsGraph { ids.append(Int32(id)) }
                guard inserted else { continue }
                parent.append(Int32(item.id))
                via.append(UInt16(successor.rule))
                status.append(.pending)
                next.append((id, successor.state))
            }
            if recordsGraph {
                for edge in expansion.edges {
                    let target = edge.target >= 0 ? edge.target : ids[Int(-1 - edge.target)]
                    guard target >= 0 else { continue }
                    graph.targets.append(target)
                    graph.rulesOf.append(edge.rule)
                }
            }
        }
        return next
    }

    // MARK: Discoveries

    private func collectDiscoveries() -> [Discovery] {
        var out: [Discovery] = []
        for (index, property) in properties.enumerated() {
            if property.kind == .always, let id = firstViolation[index] {
                out.append(Discovery(
                    kind: .invariantViolation, property: property.name, doc: property.doc,
                    stateCount: violationCounts[index] ?? 1, trace: traceTo(id)))
            }
        }
        if let id = firstDeadlock {
            out.append(Discovery(
                kind: .deadlock, property: "deadlock",
                doc: "a reachable state that is not terminal has no enabled action",
                stateCount: deadlockCount, trace: traceTo(id)))
        }
        for (index, property) in properties.enumerated() {
            if property.kind == .sometimes, let id = firstExample[index] {
                out.append(Discovery(
                    kind: .example, property: property.name, doc: property.doc,
                    stateCount: 1, trace: traceTo(id)))
            }
        }
        return out
    }

    /// The rule path from an initial state to `id`, following BFS parents.
    func pathTo(_ id: Int) -> (initial: Int, rules: [Int]) {
        var rulesReversed: [Int] = []
        var current = id
        while parent[current] >= 0 {
            rulesReversed.append(Int(via[current]))
            current = Int(parent[current])
        }
        return (Int(-1 - parent[current]), rulesReversed.reversed())
    }

    func traceTo(_ id: Int) -> Trace {
        let path = pathTo(id)
        return TraceBuilder(model: model, rules: rules, initialStates: initialStates)
            .build(initial: path.initial, rules: path.rules, loopStart: nil)
    }
}
