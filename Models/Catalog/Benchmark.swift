// The engine benchmark: dining philosophers, whose state count is known in
// closed form (the companion Pell number Q_N, OEIS A002203: 1,331,714 for
// N = 16) and whose Promela twin stores exactly the same states, so the two
// engines' states/s compare like for like. The seed twins are too small for
// a rate to mean anything (pan spends longer allocating its hash table).

import Foundation
import ModelChecking

/// Dining philosophers, each taking the left fork, then the right, then
/// releasing both. Deadlocks when every philosopher holds a left fork.
/// Twin: Models/spin/philosophers.pml.
public struct DiningPhilosophers: Model {
    /// A flat state (two machine words, like SPIN's state vector), so the
    /// benchmark measures the engine rather than array copy-on-write.
    public struct State: Hashable, Sendable {
        /// Two bits per philosopher: 0 thinking, 1 holds left fork, 2 eating.
        public var phaseBits: UInt64 = 0
        /// Bit i: fork i (between philosopher i, its left, and i-1) is taken.
        public var forkBits: UInt64 = 0

        public func phase(_ i: Int) -> UInt8 { UInt8((phaseBits >> UInt64(2 * i)) & 3) }
        public mutating func setPhase(_ i: Int, _ value: UInt8) {
            phaseBits = (phaseBits & ~(3 << UInt64(2 * i))) | (UInt64(value) << UInt64(2 * i))
        }
        public func fork(_ i: Int) -> Bool { forkBits & (1 << UInt64(i)) != 0 }
        public mutating func setFork(_ i: Int, _ taken: Bool) {
            if taken { forkBits |= 1 << UInt64(i) } else { forkBits &= ~(1 << UInt64(i)) }
        }
    }

    public let n: Int
    public let rules: [Rule<State>]

    public init(n: Int) {
        precondition(n >= 2 && n <= 32, "DiningPhilosophers supports 2...32 philosophers")
        self.n = n
        var rules: [Rule<State>] = []
        for i in 0..<n {
            let left = i, right = (i + 1) % n
            let actor = "phil\(i)"
            rules.append(Rule(actor, "takeLeft", when: { $0.phase(i) == 0 && !$0.fork(left) }) {
                $0.setFork(left, true); $0.setPhase(i, 1)
            })
            rules.append(Rule(actor, "takeRight", when: { $0.phase(i) == 1 && !$0.fork(right) }) {
                $0.setFork(right, true); $0.setPhase(i, 2)
            })
            rules.append(Rule(actor, "release", when: { $0.phase(i) == 2 }) {
                $0.setFork(left, false); $0.setFork(right, false); $0.setPhase(i, 0)
            })
        }
        self.rules = rules
    }

    public var name: String { "DiningPhilosophers(\(n))" }
    public var initialStates: [State] { [State()] }

    public var properties: [Property<State>] {
        let n = self.n
        return [
            .always("forksMatchHolders", doc: "a fork is taken exactly when its left owner holds it or its right owner eats") { s in
                (0..<n).allSatisfy { i in s.fork(i) == (s.phase(i) >= 1 || s.phase((i + n - 1) % n) == 2) }
            },
            .sometimes("someoneEats", doc: "some philosopher can eat") { s in (0..<n).contains { s.phase($0) == 2 } },
        ]
    }

    /// phase[0..n), then fork[0..n), as the array-based textbook model shows them.
    public func fields(of s: State) -> [StateField] {
        (0..<n).map { StateField("phase[\($0)]", "\(s.phase($0))") }
            + (0..<n).map { StateField("fork[\($0)]", "\(s.fork($0))") }
    }

    public func fingerprint(of s: State) -> UInt64 {
        var hasher = Fingerprinter()
        hasher.combine(s.phaseBits)
        hasher.combine(s.forkBits)
        return hasher.value
    }
}

/// States/s of both engines on the same state space.
public struct BenchmarkResult: Sendable, Codable {
    public let philosophers: Int
    public let swift: CheckResult
    public let spin: SpinResult?

    public func render() -> String {
        var lines = [String(format: "DiningPhilosophers(%d): Swift engine %d states in %.2f s = %.0f states/s (%d threads)",
                            philosophers, swift.states, swift.elapsedSeconds, swift.statesPerSecond, swift.threads)]
        if let spin {
            lines.append(String(format: "DiningPhilosophers(%d): SPIN (pan -O2, BFS, no POR) %d states in %.2f s = %.0f states/s",
                                philosophers, spin.statesStored, spin.elapsedSeconds, spin.statesPerSecond))
            lines.append(String(format: "ratio SPIN/Swift: %.1f", spin.statesPerSecond / max(swift.statesPerSecond, 1)))
        }
        return lines.joined(separator: "\n")
    }
}

/// Runs N dining philosophers in both engines (SPIN only if installed).
public func runBenchmark(philosophers n: Int = 16, parallelism: Parallelism = .automatic) throws -> BenchmarkResult {
    precondition(n >= 2, "the benchmark needs at least two philosophers")
    let swift = Checker(DiningPhilosophers(n: n), options: CheckOptions(parallelism: parallelism)).run()
    var spin: SpinResult?
    if SpinRunner.isInstalled {
        spin = try SpinRunner.verify(
            modelPath: promelaPath("philosophers.pml"),
            options: SpinOptions(defines: ["N=\(n)"], wantTrail: false, optimize: true, hashBits: 26))
    }
    return BenchmarkResult(philosophers: n, swift: swift, spin: spin)
}
