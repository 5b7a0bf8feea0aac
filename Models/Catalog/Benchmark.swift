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

    /// The philosophers sit in a ring: rotating every index by the same
    /// amount maps the rules and properties onto themselves.
    public var symmetry: String? { "rotations of \(n) philosophers" }

    /// The smallest of the n rotations, ordered by (phaseBits, forkBits).
    public func canonical(_ s: State) -> State {
        var best = s
        var r = s
        for _ in 1..<n {
            r = rotated(r)
            if (r.phaseBits, r.forkBits) < (best.phaseBits, best.forkBits) { best = r }
        }
        return best
    }

    /// Philosopher i (and fork i) becomes i + 1 (mod n).
    public func rotated(_ s: State) -> State {
        let phaseMask: UInt64 = n == 32 ? ~0 : (1 << UInt64(2 * n)) - 1
        let forkMask: UInt64 = (1 << UInt64(n)) - 1
        var out = State()
        out.phaseBits = ((s.phaseBits << 2) | (s.phaseBits >> UInt64(2 * (n - 1)))) & phaseMask
        out.forkBits = ((s.forkBits << 1) | (s.forkBits >> UInt64(n - 1))) & forkMask
        return out
    }

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

/// One row of the engine benchmark: a model run in the Swift engine and,
/// where it has a Promela twin at that size, in SPIN.
public struct BenchmarkRow: Sendable, Codable {
    public let model: String
    public let swift: CheckResult
    public let spin: SpinResult?
    /// Why SPIN has no figure for this row, if it has none.
    public let spinNote: String?

    /// SPIN's states/s over the Swift engine's; nil when SPIN has no run or
    /// its elapsed time is too short to measure (pan reports 0).
    public var ratio: Double? {
        guard let spin, spin.elapsedSeconds >= 0.01, swift.elapsedSeconds > 0 else { return nil }
        return spin.statesPerSecond / swift.statesPerSecond
    }
}

/// States/s of both engines, side by side, in one run.
public struct BenchmarkResult: Sendable, Codable {
    public let philosophers: Int
    public let rows: [BenchmarkRow]
    /// The philosophers row (the like-for-like rate comparison).
    public var swift: CheckResult { rows[0].swift }
    public var spin: SpinResult? { rows[0].spin }

    public func render() -> String {
        var lines = [String(format: "DiningPhilosophers(%d): Swift engine %d states in %.2f s = %.0f states/s (%d threads)",
                            philosophers, swift.states, swift.elapsedSeconds, swift.statesPerSecond, swift.threads)]
        if let spin {
            lines.append(String(format: "DiningPhilosophers(%d): SPIN (pan -O2, BFS, no POR) %d states in %.2f s = %.0f states/s",
                                philosophers, spin.statesStored, spin.elapsedSeconds, spin.statesPerSecond))
            lines.append(String(format: "ratio SPIN/Swift: %.1f", spin.statesPerSecond / max(swift.statesPerSecond, 1)))
        }
        lines.append("")
        lines.append("both engines; reductions off unless the row says on (Swift: BFS, every state stored; SPIN: pan -O2 -DBFS -DNOREDUCE):")
        var table = [["model", "Swift states", "Swift states/s", "SPIN states", "SPIN states/s", "SPIN/Swift", "note"]]
        for row in rows {
            let spinStates = row.spin.map { "\($0.statesStored)" } ?? "-"
            let spinRate = row.spin.map { $0.elapsedSeconds >= 0.01 ? String(format: "%.0f", $0.statesPerSecond) : "too fast to time" } ?? "-"
            table.append([row.model, "\(row.swift.states)", String(format: "%.0f", row.swift.statesPerSecond),
                          spinStates, spinRate, row.ratio.map { String(format: "%.2f", $0) } ?? "-", row.spinNote ?? ""])
        }
        let widths = table[0].indices.map { c in table.map { $0[c].count }.max()! }
        for r in table {
            lines.append(r.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces))
        }
        return lines.joined(separator: "\n")
    }
}

/// Runs N dining philosophers in both engines (SPIN only if installed), then
/// the seed models: each twin at its (fixed) size in both engines, and the
/// largest parameterisation of each seed model in the Swift engine.
public func runBenchmark(philosophers n: Int = 16, parallelism: Parallelism = .automatic) throws -> BenchmarkResult {
    precondition(n >= 2, "the benchmark needs at least two philosophers")
    var options = CheckOptions(parallelism: parallelism, progress: n >= 12)
    options.symmetry = false  // reductions off: the like-for-like comparison
    options.partialOrder = false
    let swift = Checker(DiningPhilosophers(n: n), options: options).run()
    var reducedOptions = options
    reducedOptions.symmetry = true
    reducedOptions.partialOrder = true
    let reduced = Checker(DiningPhilosophers(n: n), options: reducedOptions).run()
    var spin: SpinResult?
    if SpinRunner.isInstalled {
        spin = try SpinRunner.verify(
            modelPath: promelaPath("philosophers.pml"),
            options: SpinOptions(defines: ["N=\(n)"], wantTrail: false, optimize: true, hashBits: 26))
    }
    var spinPOR: SpinResult?
    if SpinRunner.isInstalled {
        // SPIN with its partial-order reduction on (no -DNOREDUCE), against
        // the Swift engine's symmetry reduction.
        spinPOR = try SpinRunner.verify(
            modelPath: promelaPath("philosophers.pml"),
            options: SpinOptions(defines: ["N=\(n)"], wantTrail: false, optimize: true, hashBits: 26, reduce: true))
    }
    var rows = [BenchmarkRow(model: "DiningPhilosophers(\(n))", swift: swift, spin: spin,
                             spinNote: SpinRunner.isInstalled ? nil : "SPIN not installed"),
                BenchmarkRow(model: "DiningPhilosophers(\(n)), reductions on", swift: reduced, spin: spinPOR,
                             spinNote: SpinRunner.isInstalled ? "Swift: symmetry (rotations); SPIN: partial-order reduction" : "SPIN not installed")]
    // The largest twin of each seed model, in both engines.
    for (name, variant) in [("UFFDStopTheWorld", "fixedInRuntimeHandler"), ("MachWireCoalesce", "preFix")] {
        let entry = try ModelCatalog.select(name: name, variant: variant)[0]
        let result = entry.run(options, [:])
        var twinRun: SpinResult?
        if SpinRunner.isInstalled, let twin = entry.twin {
            twinRun = try SpinRunner.verify(modelPath: promelaPath(twin.file),
                                            options: SpinOptions(defines: twin.defines, wantTrail: false, optimize: true))
        }
        rows.append(BenchmarkRow(model: "\(name)/\(variant)", swift: result, spin: twinRun,
                                 spinNote: SpinRunner.isInstalled ? "twin (SPIN counts differ by encoding)" : "SPIN not installed"))
        // Reductions on in both, for a model that declares a symmetry: the
        // Swift engine's symmetry, SPIN's partial-order reduction.
        let reducedRun = entry.run(reducedOptions, [:])
        guard let symmetry = reducedRun.symmetry else { continue }
        var twinReduced: SpinResult?
        if SpinRunner.isInstalled, let twin = entry.twin {
            twinReduced = try SpinRunner.verify(modelPath: promelaPath(twin.file),
                                                options: SpinOptions(defines: twin.defines, wantTrail: false, optimize: true, reduce: true))
        }
        rows.append(BenchmarkRow(model: "\(name)/\(variant), reductions on", swift: reducedRun, spin: twinReduced,
                                 spinNote: SpinRunner.isInstalled ? "Swift: symmetry (\(symmetry)); SPIN: partial-order reduction" : "SPIN not installed"))
    }
    // The largest parameterisations: the twins have fixed sizes.
    for (name, variant, params) in [
        ("UFFDStopTheWorld", "fixedInRuntimeHandler", ["procs": 4, "sysmon": 1]),
        ("MachWireCoalesce", "fixed", ["entries": 4, "coalesces": 2]),
        ("OSMemoryStates", "contractWithHugePages", [:]),
    ] {
        let entry = try ModelCatalog.select(name: name, variant: variant)[0]
        let label = params.isEmpty ? "" : " [" + params.keys.sorted().map { "\($0)=\(params[$0]!)" }.joined(separator: " ") + "]"
        rows.append(BenchmarkRow(model: "\(name)/\(variant)\(label)", swift: entry.run(options, params), spin: nil,
                                 spinNote: "no twin at this size"))
        let reducedRun = entry.run(reducedOptions, params)
        if let symmetry = reducedRun.symmetry {
            rows.append(BenchmarkRow(model: "\(name)/\(variant)\(label), reductions on", swift: reducedRun,
                                     spin: nil, spinNote: "Swift: symmetry (\(symmetry))"))
        }
    }
    return BenchmarkResult(philosophers: n, rows: rows)
}
