// Crash isolation: the code under test runs in a worker process (`verify
// worker`, this same executable), so that a Swift runtime trap (index out of
// range, overflow, a failed precondition), a fault the simulation cannot
// catch, or an endless loop kills or stalls the worker, never the checker.
// The supervisor (the check loop, the shrinker, replay) sends requests as
// JSON lines on the worker's standard input and reads one JSON line back per
// request; a worker that dies is a `crash:SIGNAL` finding with the runtime's
// message from its standard error, one that does not answer in time a `hang`.

import Foundation
import PageAlloc
#if canImport(Glibc)
import Glibc
import TraceFormat
import Targets
import GoTarget
import Checking
import Reference
#endif

/// A run configuration as it crosses the pipe.
public struct WorkerConfig: Codable, Sendable, Equatable {
    public var geometryName: String
    public var heapAddrBits: Int
    public var summaryLevels: Int
    public var pallocChunksL1Bits: Int
    public var arenaBaseOffset: UInt64
    public var ptrBits: Int
    public var physPageSize: UInt64
    public var layout: String
    public var ops: Int
    /// "none", "full", or the full-walk period of the incremental check.
    public var checking: String
    public var targets: [TargetChoice]

    public init(_ c: RunConfig) {
        let g = c.geometry
        geometryName = g.name
        heapAddrBits = g.heapAddrBits
        summaryLevels = g.summaryLevels
        pallocChunksL1Bits = g.pallocChunksL1Bits
        arenaBaseOffset = g.arenaBaseOffset
        ptrBits = g.ptrBits
        physPageSize = g.physPageSize
        layout = g.layout.rawValue
        ops = c.ops
        switch c.checking {
        case .none: checking = "none"
        case .full: checking = "full"
        case let .incremental(k): checking = String(k)
        }
        targets = c.targets
    }

    public func runConfig() throws -> RunConfig {
        let g: Geometry
        if let named = Geometry.catalog.first(where: { $0.name == geometryName }) {
            g = named
        } else {
            g = try Geometry(name: geometryName, heapAddrBits: heapAddrBits, summaryLevels: summaryLevels,
                             pallocChunksL1Bits: pallocChunksL1Bits, arenaBaseOffset: arenaBaseOffset, ptrBits: ptrBits,
                             physPageSize: physPageSize, layout: SummaryLayout(rawValue: layout) ?? .sparse64)
        }
        let level: CheckLevel = checking == "none" ? .none : checking == "full" ? .full : .incremental(fullEvery: Int(checking) ?? 64)
        guard !targets.isEmpty else { throw WorkerError(description: "no target") }
        return RunConfig(geometry: g, targets: targets, ops: ops, checking: level)
    }
}

public struct WorkerError: Error, CustomStringConvertible {
    public let description: String
}

/// One request: run a seed (the generator), or run a list of operations.
public struct WorkerRequest: Codable, Sendable {
    public var config: WorkerConfig
    public var seed: UInt64
    /// Operations as trace lines; nil means "generate the seed's own".
    public var ops: [String]?
    public var skipInvalid: Bool
    /// What to answer beyond the counts (`WorkerMode`); nil: the counts, and
    /// a failing seed's whole outcome.
    public var mode: WorkerMode?
    /// `replay`: the trace's steps (with their file lines).
    public var steps: [TraceStep]?
    /// `report`: the trace text shown in the report.
    public var text: String?
    /// `report`: its title, and the finding that killed an earlier worker on
    /// the last operation (shown, not run).
    public var title: String?
    public var killedBy: Finding?

    public init(config: WorkerConfig, seed: UInt64, ops: [String]?, skipInvalid: Bool, mode: WorkerMode? = nil) {
        self.config = config
        self.seed = seed
        self.ops = ops
        self.skipInvalid = skipInvalid
        self.mode = mode
    }
}

/// What a request asks the worker for, beyond a seed's counts.
public enum WorkerMode: String, Codable, Sendable {
    /// The whole outcome of the seed or operation list: operations, results, finding.
    case outcome
    /// A trace replayed as `verify replay` does (`steps`), its report lines and findings.
    case replay
    /// The HTML report of the operations.
    case report
}

/// The answer. For a seed: its counts and, if it failed, the signature
/// (the supervisor re-runs a failing seed in process to shrink it: a run
/// that did not trap here will not trap there). For operations: the
/// signature and the operations applied.
public struct WorkerReply: Codable, Sendable {
    public var ok = true
    public var error: String?
    public var opsApplied = 0
    public var signature: String?
    public var applied: [String]?
    public var coverage: [Int]?
    public var descended: [Int]?
    public var straddle: [Int]?
    public var notApplicableNames: [String]?
    public var notApplicableCounts: [Int]?
    public var notApplicableReasons: [String]?
    public var fragmented = 0
    /// The campaign's state buckets of the run (`verify fuzz`).
    public var buckets: StateBuckets?
    /// The whole outcome: for a seed that failed, and for `outcome` requests.
    public var outcome: OutcomeWire?
    /// `outcome` on operations: the list held an invalid operation.
    public var invalid = false
    /// `replay`: the replay's lines, findings, and the invalid line.
    public var replayLines: [String]?
    public var replayFindings: [Finding]?
    public var replayInvalidLine: Int?
    public var replayInvalidReason: String?
    /// `report`: the HTML.
    public var html: String?

    public init() {}
}

/// What a supervised run came to.
public enum IsolatedResult: Sendable {
    case answered(WorkerReply)
    /// The worker died (a trap or fault of the code under test) or did not
    /// answer in time: the finding kind, `crashed` or `hung`.
    case died(FindingKind)
}

/// The worker side: answers requests until its input ends.
public func serveWorker() {
    let out = FileHandle.standardOutput
    let enc = JSONEncoder()
    let dec = JSONDecoder()
    while let line = readLine(strippingNewline: true) {
        if line.isEmpty { continue }
        var reply = WorkerReply()
        do {
            let req = try dec.decode(WorkerRequest.self, from: Data(line.utf8))
            let config = try req.config.runConfig()
            if req.mode != nil {
                try serveMode(req, config, &reply)
            } else if let lines = req.ops {
                if let r = try runOps(try parsedOperations(lines), config, skipInvalid: req.skipInvalid) {
                    reply.opsApplied = r.ops.count
                    reply.signature = r.finding?.kind.signature
                    reply.applied = r.ops.map(\.traceText)
                } else {
                    reply.ok = false
                    reply.error = "invalid operation"
                }
            } else {
                let run = try runSeed(req.seed, config)
                reply.opsApplied = run.ops.count
                reply.signature = run.finding?.kind.signature
                reply.coverage = run.coverage.counts
                reply.descended = run.coverage.findDescendedTo
                reply.straddle = run.coverage.findStraddleAt
                let names = run.notApplicable.keys.sorted()
                reply.notApplicableNames = names
                reply.notApplicableCounts = names.map { run.notApplicable[$0]!.count }
                reply.notApplicableReasons = names.map { run.notApplicable[$0]!.reason }
                reply.fragmented = run.fragmentedFailures
                // A failing seed's outcome comes with the counts: the
                // supervisor runs no code under test to learn it again.
                if run.finding != nil { reply.outcome = OutcomeWire(run) }
                var b = StateBuckets()
                b.add(run)
                reply.buckets = b
            }
        } catch {
            reply.ok = false
            reply.error = "\(error)"
        }
        var data = (try? enc.encode(reply)) ?? Data("{\"ok\":false}".utf8)
        data.append(0x0a)
        out.write(data)
    }
}

/// The supervisor side: one worker child, restarted after it dies.
public final class IsolatedWorker {
    /// Seconds a request may take before the worker is called hung.
    public nonisolated(unsafe) static var timeout: Double = {
        if let s = ProcessInfo.processInfo.environment["ALLOCVERIFY_WORKER_TIMEOUT"], let v = Double(s), v > 0 { return v }
        return 20
    }()
    /// The same for one shrink candidate (a seed runs in milliseconds; a
    /// hang being shrunk costs this much per candidate that still hangs).
    public nonisolated(unsafe) static var shrinkTimeout: Double = {
        if let s = ProcessInfo.processInfo.environment["ALLOCVERIFY_WORKER_SHRINK_TIMEOUT"], let v = Double(s), v > 0 { return v }
        return min(5, timeout)
    }()
    /// The timeout for runs that include a real Go runtime: longer than the
    /// Go target's own, so that a Go hang is caught there, with Go's stacks,
    /// instead of by killing the worker.
    public static func timeout(for targets: [TargetChoice]) -> Double {
        targets.compactMap(\.childTimeout).reduce(timeout) { max($0, $1 + 15) }
    }
    /// This worker's timeout per request.
    public var timeout = IsolatedWorker.timeout
    /// The executable that serves `worker` (this one, unless a test says).
    public nonisolated(unsafe) static var executable: String = {
        if let e = ProcessInfo.processInfo.environment["ALLOCVERIFY_WORKER_EXE"] { return e }
        return (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }()

    private var child: ChildProcess?
    private let enc = JSONEncoder()
    private let dec = JSONDecoder()
    /// Workers started (the first, and one after every death).
    public private(set) var starts = 0

    public init(timeout: Double = IsolatedWorker.timeout) { self.timeout = timeout }

    deinit { child?.kill() }

    private func ensure() throws -> ChildProcess {
        if let c = child, c.exit == nil { return c }
        // No Swift backtracer in the worker: the fatal error line is enough,
        // and symbolication would cost seconds per crash.
        let c = try ChildProcess(argv: [IsolatedWorker.executable, "worker"], env: ["SWIFT_BACKTRACE": "enable=no"])
        child = c
        starts += 1
        return c
    }

    /// Sends one request and waits for its answer.
    public func run(_ req: WorkerRequest) throws -> IsolatedResult {
        let c = try ensure()
        var data = try enc.encode(req)
        data.append(0x0a)
        guard c.write([UInt8](data)) else { return died(c, timedOut: false) }
        var line: [UInt8] = []
        do {
            while true {
                let b = try c.readByte(timeout: timeout)
                if b == 0x0a { break }
                line.append(b)
            }
        } catch .timeout {
            return died(c, timedOut: true)
        } catch {
            return died(c, timedOut: false)
        }
        let reply = try dec.decode(WorkerReply.self, from: Data(line))
        if !reply.ok { throw WorkerError(description: "worker: \(reply.error ?? "failed")") }
        return .answered(reply)
    }

    /// Runs operations in the worker: the failure signature and what was
    /// applied (for a crash, every operation sent: where it died is not known
    /// without a replay).
    public func runOps(_ ops: [Operation], _ config: RunConfig, skipInvalid: Bool) throws -> (signature: String?, applied: [Operation], kind: FindingKind?) {
        let req = WorkerRequest(config: WorkerConfig(config), seed: 0, ops: ops.map(\.traceText), skipInvalid: skipInvalid)
        switch try run(req) {
        case let .answered(r):
            var applied: [Operation] = []
            for l in r.applied ?? [] { applied.append(try Trace.parseOperation(l)) }
            return (r.signature, applied, nil)
        case let .died(kind):
            return (kind.signature, ops, kind)
        }
    }

    private func died(_ c: ChildProcess, timedOut: Bool) -> IsolatedResult {
        c.kill()
        child = nil
        if timedOut { return .died(.hung(seconds: timeout)) }
        let exit = c.waitExit()
        return .died(.crashed(IsolatedWorker.crash(exit, stderr: c.stderrText())))
    }

    /// The worker's death as a crash: the signal, and Swift's fatal error
    /// line ("FILE:LINE: Fatal error: MESSAGE") from its standard error.
    static func crash(_ exit: ChildExit, stderr: String) -> TargetCrash {
        var signal: Int32?, status: Int32?
        switch exit {
        case let .signaled(s): signal = s
        case let .exited(e): status = e
        }
        let lines = stderr.split(separator: "\n").map(String.init)
        var message: [String] = []
        if let s = signal { message.append("[signal \(signalName(s)): the worker process died]") }
        if let fatal = lines.first(where: { $0.contains("Fatal error") || $0.contains("Precondition failed") || $0.contains("Assertion failed") }) {
            message.append(fatal)
        } else {
            message += lines.suffix(3)
        }
        return TargetCrash(signal: signal, exitStatus: status, message: message.joined(separator: "\n"), stackTop: [])
    }

    static func signalName(_ s: Int32) -> String {
        switch s {
        case SIGILL: return "SIGILL"
        case SIGTRAP: return "SIGTRAP"
        case SIGABRT: return "SIGABRT"
        case SIGBUS: return "SIGBUS"
        case SIGFPE: return "SIGFPE"
        case SIGKILL: return "SIGKILL"
        case SIGSEGV: return "SIGSEGV"
        case SIGTERM: return "SIGTERM"
        default: return "signal \(s)"
        }
    }
}
