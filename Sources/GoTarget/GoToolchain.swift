// Which Go runtime to check, and how its driver binary is found or built:
// GoDriver/toolchain.sh finds or installs a Go version, GoDriver/build.sh
// builds the driver test binary into the cache (rebuilt when the driver
// files, the patches or the GOROOT's runtime change).

import Foundation
import TraceFormat
import Targets

/// A real Go runtime as a target: a GOROOT (given, or found for a version),
/// a GOARCH, and patches applied to a scratch view of its sources.
public struct GoTargetSpec: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A Go version such as `1.27.3` or `1.19` (found or installed).
    public var version: String?
    /// A GOROOT directory (a user's tree, never modified).
    public var goroot: String?
    /// The GOARCH to build for (default: the host's).
    public var goarch: String
    /// Patch files (`patch -p1` relative to GOROOT), in order.
    public var patches: [String]
    /// Which negative control a patch built with several runs (the child's
    /// ALLOCVERIFY_GO_MUTANT; GoDriver/patches/controls/go1.27-index-mutants.diff).
    /// Tests only: no command-line option sets it.
    public var mutant: String?

    public init(version: String? = nil, goroot: String? = nil, goarch: String = GoTargetSpec.hostGOARCH, patches: [String] = []) {
        self.version = version
        self.goroot = goroot
        self.goarch = goarch
        self.patches = patches
    }

    #if arch(x86_64)
    public static let hostGOARCH = "amd64"
    #elseif arch(arm64)
    public static let hostGOARCH = "arm64"
    #else
    public static let hostGOARCH = "unknown"
    #endif

    /// `go1.27.3/amd64+issue40191` (a GOROOT path when no version was named).
    public var description: String {
        var s = version.map { "go\($0)" } ?? "goroot:\(goroot ?? "?")"
        s += "/\(goarch)"
        for p in patches { s += "+" + ((p as NSString).lastPathComponent as NSString).deletingPathExtension }
        if let mutant { s += "@" + mutant }
        return s
    }

    /// The options that select this target again, for replay commands.
    public var commandLine: String {
        var s = ""
        if let version { s += " --go \(version)" }
        if let goroot { s += " --goroot \(goroot)" }
        if goarch != GoTargetSpec.hostGOARCH { s += " --goarch \(goarch)" }
        for p in patches { s += " --patch \(p)" }
        return s
    }
}

/// A Go toolchain or driver build failed: an environment problem, not a finding.
public struct GoSetupError: Error, CustomStringConvertible {
    public let description: String
}

/// A Go runtime that died while starting, before its driver took an
/// operation: Go's own `fatal error` (or panic, or signal) and its stack. A
/// finding at step 0, not a setup error.
public struct GoStartupDeath: Error, CustomStringConvertible {
    /// The target's name (version, GOARCH, patches).
    public let target: String
    public let crash: TargetCrash
    public var description: String { "\(target) died while starting: \(crash.description)" }

    /// The finding: at the start of the run, before any operation.
    public var finding: Finding { Finding(kind: .crashed(crash), stepIndex: 0, op: nil, line: 0, target: target) }
}

/// The defects of real Go this project keeps (traces/go-findings/*.trace):
/// their `# failure:` and `# also-fails:` signatures, by the Go versions
/// whose code has them: files named go1.19-* for Go 1.19 and 1.20 (the
/// bitmap index), go1.27-* for Go 1.21 and later (the scavChunkData index;
/// each replayed on 1.21.13 to 1.27.3, docs/go-results.md), go1.21-* for Go 1.21
/// alone (golang/go#63385, fixed in 1.22).
public enum KnownGoDefects {
    public static func signatures(forVersion v: String?) -> Set<String> {
        guard let v else { return [] }
        let minor = Int(v.split(separator: ".").dropFirst().first ?? "") ?? 0
        let prefixes = minor >= 21 ? (minor == 21 ? ["go1.27-", "go1.21-"] : ["go1.27-"]) : ["go1.19-"]
        let dir = GoDriverFiles.findingsDirectory
        var out: Set<String> = []
        for f in ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() where prefixes.contains(where: { f.hasPrefix($0) }) && f.hasSuffix(".trace") {
            guard let text = try? String(contentsOfFile: dir + "/" + f, encoding: .utf8) else { continue }
            for line in text.split(whereSeparator: \.isNewline) {
                if line.hasPrefix("# failure: ") { out.insert(String(line.dropFirst("# failure: ".count))) }
                if line.hasPrefix("# also-fails: ") { out.insert(String(line.dropFirst("# also-fails: ".count))) }
            }
        }
        return out
    }
}

/// Where the Go driver's files and the cache live.
public enum GoDriverFiles {
    /// GoDriver/ in the package (ALLOCVERIFY_GODRIVER overrides it).
    public static var directory: String {
        if let d = ProcessInfo.processInfo.environment["ALLOCVERIFY_GODRIVER"] { return d }
        // Sources/GoTarget/GoToolchain.swift -> the package root.
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("GoDriver").path
    }

    /// traces/go-findings/ in the package (next to GoDriver/): the kept
    /// findings about real Go, with their write-ups and Go tests.
    public static var findingsDirectory: String {
        (directory as NSString).deletingLastPathComponent + "/traces/go-findings"
    }

    /// `$ALLOCVERIFY_CACHE`, else `$XDG_CACHE_HOME/allocverify`, else `~/.cache/allocverify`.
    public static var cache: String {
        let env = ProcessInfo.processInfo.environment
        if let c = env["ALLOCVERIFY_CACHE"] { return c }
        let base = env["XDG_CACHE_HOME"] ?? (NSHomeDirectory() + "/.cache")
        return base + "/allocverify"
    }

    /// The qemu-user program that runs a GOARCH's binaries here, or nil to run natively.
    public static func emulator(for goarch: String) -> String? {
        switch goarch {
        case GoTargetSpec.hostGOARCH: return nil
        case "386" where GoTargetSpec.hostGOARCH == "amd64": return nil
        case "arm64": return "qemu-aarch64"
        case "arm": return "qemu-arm"
        case "s390x": return "qemu-s390x"
        case "ppc64le": return "qemu-ppc64le"
        case "ppc64": return "qemu-ppc64"
        case "riscv64": return "qemu-riscv64"
        case "loong64": return "qemu-loongarch64"
        case "mips64le": return "qemu-mips64el"
        case "mips64": return "qemu-mips64"
        case "mipsle": return "qemu-mipsel"
        case "mips": return "qemu-mips"
        case "amd64": return "qemu-x86_64"
        default: return "qemu-\(goarch)"
        }
    }

    /// Runs a script of GoDriver/ and returns the last line of its output.
    static func runScript(_ name: String, _ args: [String], what: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [directory + "/" + name] + args
        var env = ProcessInfo.processInfo.environment
        env["ALLOCVERIFY_CACHE"] = cache
        env["GOTOOLCHAIN"] = "local"
        p.environment = env
        let out = Pipe()
        let err = FileManager.default.temporaryDirectory.appendingPathComponent("allocverify-\(name)-\(getpid())-\(UInt32.random(in: 0..<UInt32.max)).log")
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: err) }
        p.standardOutput = out
        p.standardError = try FileHandle(forWritingTo: err)
        do { try p.run() } catch { throw GoSetupError(description: "\(what): cannot run \(name): \(error)") }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard p.terminationStatus == 0, let last = text.split(separator: "\n").last.map(String.init), !last.isEmpty else {
            let log = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
            let tail = log.split(separator: "\n").suffix(15).joined(separator: "\n")
            throw GoSetupError(description: "\(what) failed (GoDriver/\(name) \(args.joined(separator: " ")), exit \(p.terminationStatus)):\n\(tail)")
        }
        return last
    }

    /// The GOROOT of a spec: the one given, or the version found/installed.
    public static func goroot(_ spec: GoTargetSpec) throws -> String {
        if let g = spec.goroot {
            guard FileManager.default.fileExists(atPath: g + "/src/runtime/mpagealloc.go") else {
                throw GoSetupError(description: "--goroot \(g): no src/runtime/mpagealloc.go there; not a GOROOT")
            }
            return g
        }
        guard let v = spec.version else { throw GoSetupError(description: "a Go target needs --go VERSION or --goroot DIR") }
        return try runScript("toolchain.sh", [v], what: "finding Go \(v)")
    }

    /// Builds (or finds in the cache) the driver binary for a spec.
    public static func driverBinary(_ spec: GoTargetSpec) throws -> String {
        for p in spec.patches where !FileManager.default.fileExists(atPath: p) {
            throw GoSetupError(description: "--patch \(p): no such file")
        }
        let root = try goroot(spec)
        let patches = spec.patches.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        return try runScript("build.sh", [root, spec.goarch, cache + "/drivers"] + patches,
                             what: "building the Go driver for \(spec)")
    }
}
