// The pool of Go driver children: built once per spec (cached on disk),
// started on demand, kept between runs, drained at the end.

import Foundation
import Vocabulary
import TraceFormat
import Targets

/// Driver children kept between runs, per spec; builds and starts them.
public final class GoDriverPool: @unchecked Sendable {
    public static let shared = GoDriverPool()
    private let lock = NSLock()
    private var idle: [GoTargetSpec: [GoTarget]] = [:]
    private var binaries: [GoTargetSpec: String] = [:]

    /// The driver binary of a spec (built once per process, cached on disk).
    public func binary(_ spec: GoTargetSpec) throws -> String {
        lock.lock()
        if let b = binaries[spec] { lock.unlock(); return b }
        lock.unlock()
        let b = try GoDriverFiles.driverBinary(spec)
        lock.lock()
        binaries[spec] = b
        lock.unlock()
        return b
    }

    /// A child ready for a new run: an idle one reset, or a new one.
    public func take(_ spec: GoTargetSpec) throws -> GoTarget {
        while true {
            lock.lock()
            let t = idle[spec]?.popLast()
            lock.unlock()
            guard let t else { break }
            if t.reset() { return t }
        }
        return try GoTarget(spec: spec, binary: try binary(spec))
    }

    /// Runs a child serves before it is retired for a fresh one. Under
    /// qemu-user a driver's resident memory grows by megabytes per run (the
    /// memory Go frees is not given back to the host), until the machine
    /// swaps and every run hangs: on arm64 after about 1,830 runs per child
    /// (both jobs' children near 13 GB). Natively it stays near 15 MB.
    public static let defaultRunsPerChild: Int =
        Int(ProcessInfo.processInfo.environment["ALLOCVERIFY_GO_RUNS_PER_CHILD"] ?? "") ?? 200
    /// This pool's limit (the default unless a test sets it).
    var runsPerChild = GoDriverPool.defaultRunsPerChild

    /// Returns a child after a run; a dead one is dropped, a worn one retired.
    func give(_ t: GoTarget) {
        guard !t.dead else { return }
        if t.runsServed >= runsPerChild {
            t.dumpCoverage()
            t.child.kill()
            return
        }
        if t.runsServed % 16 == 0 { t.dumpCoverage() }
        lock.lock()
        idle[t.spec, default: []].append(t)
        lock.unlock()
    }

    /// Stops every idle child (end of a command).
    public func drain() {
        lock.lock()
        let all = idle.values.flatMap { $0 }
        idle.removeAll()
        lock.unlock()
        for t in all {
            t.dumpCoverage()
            t.child.kill()
        }
    }
}
