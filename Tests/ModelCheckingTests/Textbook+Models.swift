// Textbook models whose state counts and verdicts are known from outside the
// engine: a closed formula (philosophers), SPIN's count on the Promela twin
// in Promela/ (Peterson, broken mutex), or the literature (Peterson is safe
// and starvation-free under weak fairness; test-then-set is not a mutex).
// Each Swift rule is one Promela statement, so counts can be compared.
// DiningPhilosophers lives in the Models library (Catalog/Benchmark.swift),
// where the engine benchmark uses it.

import ModelChecking

/// Peterson's mutual exclusion for two processes (pc per process).
/// pc: 0 flag[i]=1, 1 turn=1-i, 2 await, 3 ncrit++, 4 assert, 5 ncrit--, 6 flag[i]=0.
/// Twin: Promela/peterson.pml.
struct Peterson: Model {
    struct State: Hashable, Sendable {
        var pc: [UInt8] = [0, 0]
        var flag: [Bool] = [false, false]
        var turn: UInt8 = 0
        var ncrit: UInt8 = 0
    }

    let rules: [Rule<State>]

    init() {
        var rules: [Rule<State>] = []
        for i in 0..<2 {
            let other = 1 - i, actor = "P\(i)"
            func at(_ pc: UInt8) -> @Sendable (State) -> Bool { { $0.pc[i] == pc } }
            rules.append(Rule(actor, "flag=1", when: at(0)) { $0.flag[i] = true; $0.pc[i] = 1 })
            rules.append(Rule(actor, "turn=other", when: at(1)) { $0.turn = UInt8(other); $0.pc[i] = 2 })
            rules.append(Rule(actor, "await", when: { $0.pc[i] == 2 && (!$0.flag[other] || $0.turn == UInt8(i)) }) { $0.pc[i] = 3 })
            rules.append(Rule(actor, "ncrit++", when: at(3)) { $0.ncrit += 1; $0.pc[i] = 4 })
            rules.append(Rule(actor, "assert", when: at(4)) { $0.pc[i] = 5 })
            rules.append(Rule(actor, "ncrit--", when: at(5)) { $0.ncrit -= 1; $0.pc[i] = 6 })
            rules.append(Rule(actor, "flag=0", when: at(6)) { $0.flag[i] = false; $0.pc[i] = 0 })
        }
        self.rules = rules
    }

    var name: String { "Peterson" }
    var initialStates: [State] { [State()] }

    var properties: [Property<State>] {
        [
            .always("mutualExclusion", doc: "at most one process in the critical section") { $0.ncrit <= 1 },
            .eventually("P0Critical", doc: "process 0 eventually enters its critical section") { $0.pc[0] == 4 },
        ]
    }
}

/// Test-then-set on a plain flag: both processes can pass the test before
/// either sets the flag. pc: 0 await lock==0, 1 lock=1, 2 ncrit++, 3 assert,
/// 4 ncrit--, 5 lock=0. Twin: Promela/brokenmutex.pml.
struct BrokenMutex: Model {
    struct State: Hashable, Sendable {
        var pc: [UInt8] = [0, 0]
        var lock = false
        var ncrit: UInt8 = 0
    }

    let rules: [Rule<State>]

    init() {
        var rules: [Rule<State>] = []
        for i in 0..<2 {
            let actor = "P\(i)"
            func at(_ pc: UInt8) -> @Sendable (State) -> Bool { { $0.pc[i] == pc } }
            rules.append(Rule(actor, "await lock==0", when: { $0.pc[i] == 0 && !$0.lock }) { $0.pc[i] = 1 })
            rules.append(Rule(actor, "lock=1", when: at(1)) { $0.lock = true; $0.pc[i] = 2 })
            rules.append(Rule(actor, "ncrit++", when: at(2)) { $0.ncrit += 1; $0.pc[i] = 3 })
            rules.append(Rule(actor, "assert", when: at(3)) { $0.pc[i] = 4 })
            rules.append(Rule(actor, "ncrit--", when: at(4)) { $0.ncrit -= 1; $0.pc[i] = 5 })
            rules.append(Rule(actor, "lock=0", when: at(5)) { $0.lock = false; $0.pc[i] = 0 })
        }
        self.rules = rules
    }

    var name: String { "BrokenMutex" }
    var initialStates: [State] { [State()] }
    var properties: [Property<State>] {
        [.always("mutualExclusion", doc: "at most one process in the critical section") { $0.ncrit <= 1 }]
    }
}

/// The canary: a producer/consumer on a buffer of capacity 2. The correct
/// producer waits while the buffer is full; the canary's producer tests
/// `count <= capacity`, one too many, and must be caught overflowing.
struct BoundedBuffer: Model {
    struct State: Hashable, Sendable {
        var count: Int = 0
    }

    let offByOne: Bool
    let capacity = 2

    var name: String { offByOne ? "BoundedBuffer(canary)" : "BoundedBuffer" }
    var initialStates: [State] { [State()] }

    var rules: [Rule<State>] {
        let capacity = self.capacity, offByOne = self.offByOne
        return [
            Rule("producer", "put", when: { offByOne ? $0.count <= capacity : $0.count < capacity }) { $0.count += 1 },
            Rule("consumer", "take", when: { $0.count > 0 }) { $0.count -= 1 },
        ]
    }

    var properties: [Property<State>] {
        let capacity = self.capacity
        return [.always("withinCapacity", doc: "the buffer never holds more than its capacity") { $0.count <= capacity }]
    }
}

/// Liveness under weak fairness per actor: a waiter waits for a flag that a
/// worker sets only when it chooses to. In the unbounded variant the worker
/// may work forever: that behaviour is weakly fair (the worker acts; the
/// waiter is never enabled), so "eventually the waiter is done" fails with a
/// lasso. In the bounded variant the worker must set the flag after two
/// rounds of work, and the property holds.
struct LoopingWorker: Model {
    struct State: Hashable, Sendable {
        var flag = false
        var waiterDone = false
        var rounds: UInt8 = 0
    }

    let bounded: Bool

    var name: String { bounded ? "LoopingWorker(bounded)" : "LoopingWorker" }
    var initialStates: [State] { [State()] }

    var rules: [Rule<State>] {
        let bounded = self.bounded
        return [
            Rule("worker", "work", when: { !$0.flag && (!bounded || $0.rounds < 2) }) {
                $0.rounds = bounded ? $0.rounds + 1 : ($0.rounds + 1) % 2
            },
            Rule("worker", "setFlag", when: { !$0.flag }) { $0.flag = true },
            Rule("waiter", "proceed", when: { $0.flag && !$0.waiterDone }) { $0.waiterDone = true },
        ]
    }

    func isTerminal(_ state: State) -> Bool { state.waiterDone }

    var properties: [Property<State>] {
        [.eventually("waiterDone", doc: "the waiter eventually proceeds") { $0.waiterDone }]
    }
}
