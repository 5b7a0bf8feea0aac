// `verify model`: the explicit-state models, in the Swift engine or SPIN.

import ArgumentParser
import Foundation
import ModelChecking
import Models

struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Check the models (UFFD stop-the-world, GNU Mach wiring, OS memory states) and their controls.",
        discussion: "Prints a table (model, variant, expected verdict, actual verdict, states, depth, time, states/s) and the counterexample of every violation. Exit status 1 when any actual verdict differs from its expectation."
    )

    @Argument(help: "Model name (all models when omitted).")
    var name: String?

    @Option(help: "Variant of the model (all variants when omitted).")
    var variant: String?

    @Option(help: "Depth bound.")
    var maxDepth: Int?

    @Flag(help: "Turn symmetry reduction off (on by default for models that declare interchangeable actors; liveness is checked only without it).")
    var noSymmetry = false

    @Flag(help: "Turn partial-order reduction off (on by default: ample sets over the rules' declared accesses, for invariants and deadlock; off anyway for models with liveness properties unless --no-liveness, and for bounded or depth-first searches).")
    var noPor = false

    @Flag(help: "Do not check the liveness (eventually) properties: they are reported as not checked, and partial-order reduction may then run on the models that have them.")
    var noLiveness = false

    @Flag(help: "Audit the models' access declarations (what each rule reads and writes, for partial-order reduction) against their behaviour on the reachable states, instead of checking them; exit status 1 when a declaration is broken.")
    var auditAccesses = false

    @Flag(help: "One thread (the default expands large breadth-first levels on every core).")
    var sequential = false

    @Flag(help: "Depth-first search (a stack of one path, as SPIN searches) instead of breadth-first; counterexamples are then not shortest.")
    var dfs = false

    @Option(help: "Visited set: states (exact, the default), fingerprints (64-bit hashes), or bitstate (a Bloom filter of a few bits per state, with the collision estimate printed).")
    var visited: String = "states"

    @Option(help: "Bitstate mode: log2 of the filter's size in bits (default 27: 16 MiB).")
    var bitstateLog2: Int = 27

    @Option(name: .customLong("param"), help: ArgumentHelp("A model size, NAME=VALUE (repeatable), e.g. --param procs=1 for UFFDStopTheWorld; every selected model must declare it (see Models/README.md).", valueName: "name=value"))
    var params: [String] = []

    @Option(help: "Engine: swift or spin (the Promela twin, checked by SPIN).")
    var engine: String = "swift"

    @Flag(help: "Machine-readable output.")
    var json = false

    @Flag(help: "Run the engine benchmark instead: N dining philosophers in the Swift engine and in SPIN (if installed), states/s side by side.")
    var bench = false

    @Option(help: "Philosophers for --bench.")
    var philosophers: Int = 16

    func validate() throws {
        guard ["swift", "spin"].contains(engine) else { throw ValidationError("--engine is swift or spin") }
        guard VisitedMode(rawValue: visited) != nil else { throw ValidationError("--visited is states, fingerprints or bitstate (got '\(visited)')") }
        guard (10...36).contains(bitstateLog2) else { throw ValidationError("--bitstate-log2 must be 10 to 36 (got \(bitstateLog2))") }
    }

    func run() throws {
        do {
            if bench {
                guard philosophers >= 2 else { throw ValidationError("--philosophers must be at least 2") }
                let r = try runBenchmark(philosophers: philosophers, parallelism: sequential ? .sequential : .automatic)
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                    print(String(decoding: try encoder.encode(r), as: UTF8.self))
                } else {
                    print(r.render())
                    if r.spin == nil { print("(SPIN is not installed: apt-get install -y spin gcc)") }
                }
                return
            }
            if auditAccesses {
                let rows = try auditModels(names: name.map { [$0] }, variant: variant, params: params)
                for row in rows { print(row.rendered) }
                if !rows.allSatisfy(\.passed) { throw ExitCode(1) }
                return
            }
            if engine == "spin" {
                if !params.isEmpty {
                    printError("error: --param applies to the Swift engine; the Promela twins have fixed sizes")
                    throw ExitCode(2)
                }
                let runs: [SpinRunResult]
                if let name, let variant {
                    runs = [try runSpin(name: name, variant: variant)]
                } else {
                    if variant != nil { throw ValidationError("--variant with --engine spin needs a model name") }
                    runs = try runSpinAll(name: name)
                }
                if runs.isEmpty {
                    // A model without a Promela twin: say so, never a silent pass.
                    let twins = try runSpinTwinNames()
                    printError("error: \(name ?? "no model") has no Promela twin for SPIN; models with twins: \(twins.joined(separator: ", "))")
                    throw ExitCode(2)
                }
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                    print(String(decoding: try encoder.encode(runs), as: UTF8.self))
                } else {
                    for run in runs { print(run.render()); print("") }
                }
                if !runs.allSatisfy(\.passed) { throw ExitCode(1) }
                return
            }
            var options = ModelChecking.CheckOptions(maxStates: 2_000_000, visited: VisitedMode(rawValue: visited)!)
            options.order = dfs ? .depthFirst : .breadthFirst
            if sequential { options.parallelism = .sequential }
            if noSymmetry { options.symmetry = false }
            if noPor { options.partialOrder = false }
            if noLiveness { options.liveness = false }
            options.bitstateLog2Bits = bitstateLog2
            let rows = try runModels(names: name.map { [$0] }, variant: variant, maxDepth: maxDepth,
                                     options: options, params: params)
            print(json ? try renderModelJSON(rows) : renderModelTable(rows, includeTimings: true))
            let code = modelExitCode(rows)
            if code != 0 { throw ExitCode(code) }
        } catch let e as ModelCatalogError {
            throw ValidationError(e.description)
        } catch let e as SpinError {
            printError("error: \(e.description)")
            throw ExitCode(2)
        }
    }
}
