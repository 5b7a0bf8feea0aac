import Foundation

// The second engine: runs SPIN on a Promela file the classic way
//   spin -a [-DNAME...] model.pml   (generate the verifier pan.c)
//   gcc -O0 -DBFS -DNOREDUCE -o pan pan.c  (-O2 with `optimize`)
//   ./pan -c0                      (whole state space; count every error)
//   ./pan -c1                      (again, if there were errors: first error,
//                                   shortest trail thanks to -DBFS)
//   spin -t -p -g -l model.pml     (replay the trail as readable steps)
// in a fresh temporary directory. -DNOREDUCE turns partial-order reduction
// off so SPIN explores every interleaving, as the Swift engine does; -DBFS
// makes trails shortest, as the Swift engine's are.

/// What went wrong running SPIN (never a verdict: a deadlock is a result).
public enum SpinError: Error, CustomStringConvertible, Equatable {
    case notInstalled(tool: String)
    case modelNotFound(path: String)
    case commandFailed(command: String, status: Int32, output: String)
    case unparsableOutput(String)

    public var description: String {
        switch self {
        case .notInstalled(let tool):
            return "\(tool) is not installed (apt-get install -y spin gcc)"
        case .modelNotFound(let path): return "Promela model not found: \(path)"
        case .commandFailed(let command, let status, let output):
            return "`\(command)` exited \(status):\n\(output)"
        case .unparsableOutput(let text): return "cannot read pan's output:\n\(text)"
        }
    }
}

/// Options of one SPIN run.
public struct SpinOptions: Sendable {
    /// Preprocessor defines passed as -D to spin -a (variant selection).
    public var defines: [String]
    /// Extra flags for gcc (e.g. "-DVECTORSZ=2048").
    public var compileFlags: [String]
    /// Maximum search depth for pan (-m); BFS ignores it but it is harmless.
    public var maxDepth: Int
    /// Replay the first error's trail (costs a second pan run).
    public var wantTrail: Bool
    /// Compile pan with -O2 (about 3 s of gcc) instead of -O0 (under 1 s).
    /// Worth it only for large state spaces; the twins are small.
    public var optimize: Bool
    /// log2 of pan's hash table size in bits (-w). 20 (a 1 MiB table) suits
    /// the twins; large runs want 24 or more.
    public var hashBits: Int
    /// Leave SPIN's partial-order reduction on (no -DNOREDUCE): for the
    /// benchmark's reductions-on row only; the twins are compared without it.
    public var reduce: Bool = false

    public init(
        defines: [String] = [], compileFlags: [String] = [], maxDepth: Int = 1_000_000,
        wantTrail: Bool = true, optimize: Bool = false, hashBits: Int = 20, reduce: Bool = false
    ) {
        self.reduce = reduce
        self.defines = defines
        self.compileFlags = compileFlags
        self.maxDepth = maxDepth
        self.wantTrail = wantTrail
        self.optimize = optimize
        self.hashBits = hashBits
    }
}

/// The outcome of one SPIN verification.
public struct SpinResult: Sendable, Codable {
    public let model: String
    public let defines: [String]
    /// Errors pan counted over the whole space (-c0).
    public let errors: Int
    /// Some reachable state is an invalid end state: a process is blocked
    /// outside an `end` label (SPIN's deadlock).
    public let invalidEndState: Bool
    /// Some `assert` failed.
    public let assertionViolated: Bool
    /// The first error line of the trail run ("invalid end state", "assertion violated ...").
    public let firstError: String?
    public let statesStored: Int
    public let statesMatched: Int
    public let transitions: Int
    public let depthReached: Int
    /// Wall-clock seconds of the full pan run (not compilation).
    public let elapsedSeconds: Double
    /// The steps of the first error's trail, readable.
    public let trail: [SpinStep]
    /// Where every process stands at the end of the trail ("... : blocked"
    /// for the deadlocked ones).
    public let finalPlaces: [String]
    /// Commands to reproduce, in order.
    public let commands: [String]

    public var statesPerSecond: Double {
        elapsedSeconds > 0 ? Double(statesStored) / elapsedSeconds : Double(statesStored)
    }

    /// The verdict in the Swift engine's terms: "deadlock" for invalid end
    /// states, the assertion name "assert" for assertion failures.
    public var verdictText: String {
        var parts: [String] = []
        if invalidEndState { parts.append("deadlock") }
        if assertionViolated { parts.append("assertion") }
        if errors > 0 && parts.isEmpty { parts.append("error") }
        return parts.isEmpty ? "ok" : parts.joined(separator: " + ")
    }
}

/// One step of a SPIN trail.
public struct SpinStep: Sendable, Codable, Equatable {
    public let number: Int
    /// Process name and pid, e.g. "W:1".
    public let process: String
    public let line: Int
    /// The Promela statement executed, e.g. "lock = WRITE".
    public let statement: String
    /// Globals or locals that SPIN printed as changed after this step.
    public let changes: [String]
    /// The step's name: the `/* comment */` on its source line, if any
    /// (the twins name each step after the Swift rule it mirrors).
    public var action: String?

    public init(number: Int, process: String, line: Int, statement: String, changes: [String], action: String? = nil) {
        self.number = number
        self.process = process
        self.line = line
        self.statement = statement
        self.changes = changes
        self.action = action
    }
}

public enum SpinRunner {
    /// True when `spin` and `gcc` are both on PATH.
    public static var isInstalled: Bool { which("spin") != nil && which("gcc") != nil }

    /// Verifies `modelPath` with SPIN; see the file header for the steps.
    public static func verify(modelPath: String, options: SpinOptions = SpinOptions()) throws -> SpinResult {
        guard FileManager.default.fileExists(atPath: modelPath) else {
            throw SpinError.modelNotFound(path: modelPath)
        }
        guard let spin = which("spin") else { throw SpinError.notInstalled(tool: "spin") }
        guard let gcc = which("gcc") else { throw SpinError.notInstalled(tool: "gcc") }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("spin-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let fileName = (modelPath as NSString).lastPathComponent
        try FileManager.default.copyItem(atPath: modelPath, toPath: directory.appendingPathComponent(fileName).path)

        let defines = options.defines.map { "-D\($0)" }
        var commands: [String] = []
        func run(_ tool: String, _ arguments: [String], allowFailure: Bool = false) throws -> (Int32, String, Double) {
            commands.append(([(tool as NSString).lastPathComponent] + arguments).joined(separator: " "))
            let outcome = try execute(tool, arguments, in: directory)
            if outcome.status != 0 && !allowFailure {
                throw SpinError.commandFailed(command: commands.last!, status: outcome.status, output: outcome.output)
            }
            return outcome
        }
        _ = try run(spin, ["-a"] + defines + [fileName])
        _ = try run(gcc, [options.optimize ? "-O2" : "-O0", "-DBFS"] + (options.reduce ? [] : ["-DNOREDUCE"]) + ["-DVECTORSZ=4096"]
                    + options.compileFlags + ["-o", "pan", "pan.c"])
        let pan = directory.appendingPathComponent("pan").path
        let panFlags = ["-m\(options.maxDepth)", "-w\(options.hashBits)", "-n"]
        let full = try run(pan, ["-c0"] + panFlags, allowFailure: true)
        let counts = try PanOutput.parse(full.1)
        var firstError: String?
        var trail: [SpinStep] = []
        var finalPlaces: [String] = []
        if counts.errors > 0 && options.wantTrail {
            let first = try run(pan, ["-c1"] + panFlags, allowFailure: true)
            firstError = PanOutput.firstError(first.1)
            let replay = try run(spin, ["-t", "-p", "-g", "-l"] + defines + [fileName], allowFailure: true)
            trail = SpinTrail.parse(replay.1)
            let source = (try? String(contentsOfFile: modelPath, encoding: .utf8)) ?? ""
            trail = SpinTrail.name(trail, source: source)
            finalPlaces = SpinTrail.finalPlaces(replay.1, source: source)
        }
        return SpinResult(
            model: fileName, defines: options.defines, errors: counts.errors,
            invalidEndState: counts.invalidEndState, assertionViolated: counts.assertionViolated,
            firstError: firstError, statesStored: counts.stored, statesMatched: counts.matched,
            transitions: counts.transitions, depthReached: counts.depth, elapsedSeconds: full.2,
            trail: trail, finalPlaces: finalPlaces, commands: commands)
    }

    static func which(_ tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs a tool to completion; returns status, stdout+stderr, seconds.
    static func execute(_ tool: String, _ arguments: [String], in directory: URL) throws -> (status: Int32, output: String, seconds: Double) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        let clock = MonotonicClock()
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self), clock.seconds)
    }
}
