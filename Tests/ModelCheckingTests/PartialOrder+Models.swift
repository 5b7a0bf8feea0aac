// Textbook models for partial-order reduction: processes whose local steps
// interleave freely, so the full graph multiplies them out while an ample
// set takes one process's step at a time. Every rule declares what it reads
// and writes (`Rule.accessing`); each process's program counter is its own.

import ModelChecking

/// Two processes do `work` local steps each, then take two locks in
/// opposite orders: the classic lock-order deadlock, after 2 * work + 2
/// steps at the earliest.
struct LockOrder: Model {
    struct State: Hashable, Sendable {
        var pc: [Int] = [0, 0]
        var held: [Bool] = [false, false]
    }

    let work: Int
    let rules: [Rule<State>]

    init(work: Int) {
        self.work = work
        var rules: [Rule<State>] = []
        for i in 0..<2 {
            let actor = "P\(i)", first = i, second = 1 - i
            let pc = "pc[\(i)]", lockFirst = "held[\(first)]", lockSecond = "held[\(second)]"
            rules.append(Rule(actor, "work", when: { $0.pc[i] < work }) { $0.pc[i] += 1 }
                .accessing(reads: [pc], writes: [pc], at: { $0.pc[i] < work }))
            rules.append(Rule(actor, "lock \(first)", when: { $0.pc[i] == work && !$0.held[first] }) {
                $0.held[first] = true; $0.pc[i] += 1
            }.accessing(reads: [pc, lockFirst], writes: [pc, lockFirst], at: { $0.pc[i] == work }))
            rules.append(Rule(actor, "lock \(second)", when: { $0.pc[i] == work + 1 && !$0.held[second] }) {
                $0.held[second] = true; $0.pc[i] += 1
            }.accessing(reads: [pc, lockSecond], writes: [pc, lockSecond], at: { $0.pc[i] == work + 1 }))
            rules.append(Rule(actor, "unlock both", when: { $0.pc[i] == work + 2 }) {
                $0.held = [false, false]; $0.pc[i] += 1
            }.accessing(reads: [pc], writes: [pc, lockFirst, lockSecond], at: { $0.pc[i] == work + 2 }))
        }
        self.rules = rules
    }

    var name: String { "LockOrder(\(work))" }
    var initialStates: [State] { [State()] }
    var properties: [Property<State>] { [] }
    func isTerminal(_ state: State) -> Bool { state.pc.allSatisfy { $0 == work + 3 } }
}

/// `n` processes each count to `steps` on a counter of their own, then add
/// one to a shared `done`. The invariant is that `done` never exceeds `n`;
/// the broken variant's last process adds two, which a reduced search must
/// still reach. `allDone` is an example (a `sometimes` property).
struct LocalCounters: Model {
    struct State: Hashable, Sendable {
        var count: [Int]
        var finished: [Bool]
        var done = 0
    }

    let n: Int, steps: Int, broken: Bool
    let rules: [Rule<State>]

    init(n: Int, steps: Int, broken: Bool = false) {
        self.n = n
        self.steps = steps
        self.broken = broken
        var rules: [Rule<State>] = []
        for i in 0..<n {
            let actor = "C\(i)", count = "count[\(i)]", finished = "finished[\(i)]"
            rules.append(Rule(actor, "step", when: { $0.count[i] < steps }) { $0.count[i] += 1 }
                .accessing(reads: [count], writes: [count], at: { $0.count[i] < steps }))
            let add = broken && i == n - 1 ? 2 : 1
            rules.append(Rule(actor, "finish", when: { $0.count[i] == steps && !$0.finished[i] }) {
                $0.finished[i] = true; $0.done += add
            }.accessing(reads: [count, finished, "done"], writes: [finished, "done"], at: { $0.count[i] == steps }))
        }
        self.rules = rules
    }

    var name: String { broken ? "LocalCounters(broken)" : "LocalCounters" }
    var initialStates: [State] { [State(count: Array(repeating: 0, count: n), finished: Array(repeating: false, count: n))] }
    func isTerminal(_ state: State) -> Bool { state.finished.allSatisfy { $0 } }
    var properties: [Property<State>] {
        let n = self.n
        return [
            Property.always("doneBounded", doc: "done never exceeds the number of processes") { $0.done <= n }.reading(["done"]),
            Property.sometimes("allDone", doc: "every process has finished") { $0.done == n }.reading(["done"]),
        ]
    }
}

/// The ignoring problem (Valmari): a process that loops on a local step
/// forever, and another whose single step breaks the invariant. An ample
/// set of the looping process's step alone, at every state of its cycle,
/// would never let the other process move; the cycle proviso must expand
/// some state of that cycle fully.
struct IgnoringLoop: Model {
    struct State: Hashable, Sendable {
        var x = 0
        var bad = false
    }

    var rules: [Rule<State>] {
        [
            Rule("looper", "x = 1 - x", when: { _ in true }) { $0.x = 1 - $0.x }
                .accessing(reads: ["x"], writes: ["x"]),
            Rule("breaker", "bad = true", when: { !$0.bad }) { $0.bad = true }
                .accessing(reads: ["bad"], writes: ["bad"]),
        ]
    }

    var name: String { "IgnoringLoop" }
    var initialStates: [State] { [State()] }
    var properties: [Property<State>] {
        [Property.always("neverBad", doc: "bad is never set") { !$0.bad }.reading(["bad"])]
    }
}
