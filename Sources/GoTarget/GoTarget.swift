// A real Go runtime as an allocator under test: the driver test binary
// (GoDriver/driver) runs as a long-lived child; operations go in and
// results with snapshots come out over pipes, in batches. A throw, panic,
// fatal signal or hang of the child is a finding; the next run gets a
// fresh child.

import Foundation
import Vocabulary
import TraceFormat
import Targets

/// The constants the Go runtime reported about itself.
public struct GoRuntimeInfo: Sendable, Equatable {
    public var heapAddrBits: Int
    public var logPallocChunkPages: Int
    public var summaryLevels: Int
    public var summaryLevelBits: Int
    public var summaryL0Bits: Int
    public var arenaBaseOffset: UInt64
    public var pageSize: UInt64
    public var physPageSize: UInt64
    public var ptrSize: Int
    public var bigEndian: Bool
    public var maxSearchAddr: UInt64
    public var features: UInt64
    /// `go1.27.3/amd64`.
    public var version: String

    /// The geometry Go runs, as a named port geometry is described.
    public func geometry(goarch: String) throws -> Geometry {
        guard logPallocChunkPages == Int(Geometry.logPallocChunkPages), pageSize == Geometry.pageSize,
              summaryLevelBits == Geometry.summaryLevelBits else {
            throw GoSetupError(description: "Go reports pageSize \(pageSize), logPallocChunkPages \(logPallocChunkPages), summaryLevelBits \(summaryLevelBits): the checker knows only 8192, 9, 3")
        }
        // A named geometry with the same constants keeps its name, so that a
        // finding's trace names a geometry every command knows.
        if let named = Geometry.catalog.first(where: {
            $0.heapAddrBits == heapAddrBits && $0.summaryLevels == summaryLevels && $0.arenaBaseOffset == arenaBaseOffset
                && $0.ptrBits == ptrSize * 8 && $0.physPageSize == physPageSize && $0.summaryL0Bits == summaryL0Bits
        }) { return named }
        do {
            return try Geometry(name: "go-\(goarch)", heapAddrBits: heapAddrBits, summaryLevels: summaryLevels,
                                pallocChunksL1Bits: ptrSize == 8 ? 13 : 0, arenaBaseOffset: arenaBaseOffset,
                                ptrBits: ptrSize * 8, physPageSize: physPageSize, layout: ptrSize == 8 ? .sparse64 : .flat32)
        } catch {
            throw GoSetupError(description: "Go's constants do not make a valid geometry: \(error)")
        }
    }
}

/// One driver child process serving runs of one spec.
public final class GoTarget: AllocatorUnderTest {
    public let spec: GoTargetSpec
    public let info: GoRuntimeInfo
    public let geometry: Geometry
    public var name: String { spec.description }
    public var coverage: CoverageCounts? { nil }
    public var preferredBatch: Int { GoTarget.batch }
    /// Go runs its own scavenger: (*pageAlloc).scavenge.
    public var supportsScavenge: Bool { true }
    /// Go 1.19 and 1.20 share one scavenger (the bitmap index, which the
    /// port runs by default); Go 1.21 to 1.27 share another (`scavChunkData`:
    /// find, scavengeOne, shouldScavenge and findScavengeCandidate are the
    /// same code in all seven; 1.21's extra huge-page flag changes no
    /// choice), which `port@1.21` and `port@1.27` run too.
    public var scavengerPolicy: ScavengerPolicy { info.features & 8 != 0 ? .chunkData : .bitmapIndex }
    /// Go 1.21+'s index (scavChunkData) keeps generations.
    public var supportsNextGen: Bool { info.features & 8 != 0 }
    /// Go 1.26+ has markRandomPaddingPages.
    public var supportsPadding: Bool { info.features & 16 != 0 }
    public var freeTakesScavenged: Bool { info.features & 2 != 0 }
    /// Operations per batch: enough to amortise the pipe, small enough that
    /// a batch never fills it.
    static let batch = 64
    /// Seconds to wait for a batch's answer before calling the child hung.
    nonisolated(unsafe) public static var timeout: Double = {
        Double(ProcessInfo.processInfo.environment["ALLOCVERIFY_GO_TIMEOUT"] ?? "") ?? 30
    }()
    let child: ChildProcess
    /// Set when the child died or hung: it serves no further run.
    public private(set) var dead = false
    private var words: [UInt64] = []
    /// The operations applied since the last reset: a crash in the middle of
    /// a batch is located by replaying them in a fresh child.
    private var history: [Operation] = []
    let binary: String

    /// Starts a driver child from `binary` and reads its hello.
    init(spec: GoTargetSpec, binary: String) throws {
        self.spec = spec
        self.binary = binary
        var argv = [binary, "-test.run=^TestAllocVerifyDriver$", "-test.count=1"]
        if let emu = GoDriverFiles.emulator(for: spec.goarch) {
            guard let path = GoTarget.which(emu) else {
                throw GoSetupError(description: "GOARCH \(spec.goarch) needs \(emu) (apt-get install -y qemu-user)")
            }
            argv.insert(path, at: 0)
        }
        var env = ["ALLOCVERIFY_DRIVER": "1", "GOTRACEBACK": "system"]
        if let m = spec.mutant { env["ALLOCVERIFY_GO_MUTANT"] = m }
        child = try ChildProcess(argv: argv, env: env)
        // The magic line, then the hello words.
        let magic = Array("ALLOCVERIFY-DRIVER 2\n".utf8)
        var window: [UInt8] = []
        do {
            while window.count < magic.count || Array(window.suffix(magic.count)) != magic {
                window.append(try child.readByte(timeout: 120))
                if window.count > 1 << 16 { throw GoSetupError(description: "no driver handshake from \(binary)") }
            }
            let n = Int(try child.readWord(timeout: 30))
            var w: [UInt64] = []
            for _ in 0..<n { w.append(try child.readWord(timeout: 30)) }
            guard w.count >= 13 else { throw GoSetupError(description: "short driver hello (\(w.count) words)") }
            let len = Int(w[12])
            var bytes: [UInt8] = []
            for k in 0..<len { bytes.append(UInt8((w[13 + k / 8] >> (8 * UInt64(k % 8))) & 0xff)) }
            info = GoRuntimeInfo(heapAddrBits: Int(w[0]), logPallocChunkPages: Int(w[1]), summaryLevels: Int(w[2]),
                                 summaryLevelBits: Int(w[3]), summaryL0Bits: Int(w[4]), arenaBaseOffset: w[5],
                                 pageSize: w[6], physPageSize: w[7], ptrSize: Int(w[8]), bigEndian: w[9] != 0,
                                 maxSearchAddr: w[10], features: w[11], version: String(decoding: bytes, as: UTF8.self))
        } catch let e as GoSetupError {
            throw e
        } catch {
            let exit = child.waitExit(timeout: 2)
            let text = child.stderrText()
            // The runtime itself died before the driver's first line (a
            // patch that breaks the runtime's own heap, say): that is a
            // finding about the code under test, not a setup problem.
            if text.contains("fatal error:") || text.contains("panic:") || text.contains("\n[signal ") {
                var signal: Int32?, status: Int32?
                switch exit {
                case let .signaled(s): signal = s
                case let .exited(e): status = e
                }
                throw GoStartupDeath(target: spec.description, crash: GoTarget.parseCrash(text, signal: signal, exitStatus: status))
            }
            throw GoSetupError(description: "the Go driver \(binary) did not start (\(exit)):\n\(text.split(separator: "\n").prefix(20).joined(separator: "\n"))")
        }
        geometry = try info.geometry(goarch: spec.goarch)
    }

    static func which(_ program: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/\(program)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// Runs this child has finished (see `GoDriverPool.runsPerChild`).
    var runsServed = 0

    public func finishRun() {
        runsServed += 1
        GoDriverPool.shared.give(self)
    }

    /// Whether drivers count Go-side coverage (`--go-coverage`): their
    /// profiles go to this directory.
    public static var coverageDirectory: String? {
        let d = ProcessInfo.processInfo.environment["ALLOCVERIFY_GO_COVER_OUT"] ?? ""
        return d.isEmpty ? nil : d
    }

    /// Asks a coverage build's driver to write its counters (a no-op
    /// elsewhere); before the child is stopped, and every few runs, so that
    /// a child that dies later loses little.
    func dumpCoverage() {
        guard GoTarget.coverageDirectory != nil, !dead else { return }
        run([TargetOp(.alloc(npages: 0), snapshot: .none)], kind: 13) { _, _ in true }
    }

    /// Starts a new run on this child: a fresh pageAlloc.
    func reset() -> Bool {
        history.removeAll(keepingCapacity: true)
        var failed = false
        run([TargetOp(.alloc(npages: 0), snapshot: .none)], kind: 5) { _, s in
            if case .failed = s { failed = true }
            return true
        }
        return !failed && !dead
    }

    public func run(_ ops: [TargetOp], each: (Int, TargetStep) -> Bool) {
        run(ops, kind: nil, each: each)
    }

    public func snapshot(_ mode: SnapshotMode) -> TargetStep {
        var out: TargetStep = .failed(.protocolError("no answer"))
        run([TargetOp(.alloc(npages: 0), snapshot: mode == .none ? .full : mode)], kind: 7) { _, s in out = s; return true }
        return out
    }


    /// Sends `ops` in batches; `kind` overrides the wire kind (reset, snapshot).
    private func run(_ ops: [TargetOp], kind override: UInt64?, each: (Int, TargetStep) -> Bool) {
        var start = 0
        var stop = false
        while start < ops.count {
            let end = Swift.min(ops.count, start + GoTarget.batch)
            if dead { _ = each(start, .failed(.protocolError("the driver is gone"))); return }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(8 + (end - start) * 32)
            func put(_ v: UInt64) { for k in 0..<8 { bytes.append(UInt8((v >> (8 * UInt64(k))) & 0xff)) } }
            put(UInt64(end - start))
            for t in ops[start..<end] {
                var (k, a, b, f) = GoTarget.kind(t.op)
                if let override { k = override; a = 0; b = 0; f = 0 }
                put(k); put(a); put(b); put(f | (t.snapshot.rawValue << 8))
            }
            if !child.write(bytes) {
                _ = each(start, failure(whileSending: true))
                return
            }
            let before = history.count
            if override == nil { history.append(contentsOf: ops[start..<end].map(\.op)) }
            for i in start..<end {
                do {
                    let r0 = try child.readWord(timeout: GoTarget.timeout)
                    let r1 = try child.readWord(timeout: GoTarget.timeout)
                    let r2 = try child.readWord(timeout: GoTarget.timeout)
                    let n = Int(try child.readWord(timeout: GoTarget.timeout))
                    words.removeAll(keepingCapacity: true)
                    for _ in 0..<n { words.append(try child.readWord(timeout: GoTarget.timeout)) }
                    if stop { continue }  // keep the pipe in step, judge nothing more
                    let result: OpResult
                    switch override == nil ? ops[i].op : .grow(base: 0, bytes: 0) {
                    case .alloc, .cacheAlloc: result = .alloc(addr: r0, scav: r1)
                    case .allocRange: result = .allocRange(scav: r0)
                    case .allocToCache: result = .cache(base: r0, cache: r1, scav: r2)
                    case .cacheFlush: result = .flushed(base: r0)
                    case .scavenge: result = .scavenged(released: r0)
                    default: result = .none
                    }
                    let state: HeapState?
                    if n == 0 { state = nil } else {
                        guard var s = decodeSnapshot(words) else {
                            dead = true
                            child.kill()
                            _ = each(i, .failed(.protocolError("malformed snapshot of \(n) words")))
                            return
                        }
                        s.full = ops[i].snapshot == .full
                        state = s
                    }
                    if !each(i, .applied(result, state)) { stop = true }
                } catch {
                    let step = failure(whileSending: false, timedOut: error == .timeout)
                    // Answers are flushed per batch, so a death mid-batch says
                    // only that one of ops i..<end failed: find which.
                    if override == nil, end - i > 1, case .failed = step,
                       let steps = locate(prefix: Array(history[..<(before + i - start)]), batch: Array(ops[i..<end])) {
                        for (j, s) in steps.enumerated() { if !each(i + j, s) { return } }
                    } else {
                        _ = each(i, step)
                    }
                    return
                }
            }
            if stop { return }
            start = end
        }
    }

    /// Replays `prefix` in a fresh child, then `batch` one operation per
    /// round trip; returns the steps up to and including the one that fails.
    private func locate(prefix: [Operation], batch: [TargetOp]) -> [TargetStep]? {
        guard let t = try? GoTarget(spec: spec, binary: binary) else { return nil }
        defer { t.child.kill() }
        var ok = true
        t.run(prefix.map { TargetOp($0, snapshot: .none) }) { _, s in
            if case .failed = s { ok = false }
            return true
        }
        guard ok else { return nil }
        var steps: [TargetStep] = []
        for op in batch {
            var got: TargetStep?
            t.run([op]) { _, s in got = s; return true }
            guard let got else { return nil }
            steps.append(got)
            if case .failed = got { return steps }
        }
        return nil
    }

    /// The child died or hung: the finding, with Go's message.
    private func failure(whileSending: Bool, timedOut: Bool = false) -> TargetStep {
        dead = true
        if timedOut {
            // Ask the runtime where it is before it goes: SIGQUIT makes Go
            // print every goroutine's stack.
            let stack = GoTarget.hangStack(child.quit())
            child.kill()
            return .failed(.hung(seconds: GoTarget.timeout, stack: stack))
        }
        let exit = child.waitExit(timeout: 10)
        let text = child.stderrText()
        var signal: Int32?, status: Int32?
        switch exit {
        case let .signaled(s): signal = s
        case let .exited(e): status = e
        }
        return .failed(.crashed(GoTarget.parseCrash(text, signal: signal, exitStatus: status)))
    }
}
