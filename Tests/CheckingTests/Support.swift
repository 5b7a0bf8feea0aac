import Foundation
@testable import Checking
import PortAdapter
import PageAlloc
import Reference
@testable import TraceFormat
@testable import Targets
@testable import GoTarget
@testable import Campaigns

/// The package root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func scenario(_ name: String) throws -> Trace {
    let url = packageRoot.appendingPathComponent("traces/scenarios/\(name)")
    return try Trace.parse(String(contentsOf: url, encoding: .utf8), file: name)
}

func scenarioNames() -> [String] {
    let dir = packageRoot.appendingPathComponent("traces/scenarios")
    return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".trace") }.sorted()
}

/// Runs the built `verify` executable; returns (exit status, stdout, stderr).
func runVerify(_ args: [String], stdin: String? = nil, env: [String: String] = [:]) throws -> (Int32, String, String) {
    let exe = packageRoot.appendingPathComponent(".build/debug/verify")
    let p = Process()
    p.executableURL = exe
    p.arguments = args
    if !env.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 } }
    let out = Pipe(), err = Pipe(), inp = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = inp
    try p.run()
    if let stdin { inp.fileHandleForWriting.write(Data(stdin.utf8)) }
    try inp.fileHandleForWriting.close()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

/// A fresh, empty scratch directory for one test (named by the process, so
/// parallel test runs do not share it).
func scratchDir(_ name: String) -> String {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(getpid())").path
    try? FileManager.default.removeItem(atPath: d)
    try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
}

/// The trace files in `dir`, sorted by name, as paths.
func traceFiles(_ dir: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".trace") }.sorted().map { dir + "/" + $0 }
}

extension Runner {
    /// The port of a runner made on it alone: tests of the port and of the
    /// invariants corrupt it by hand. The checker itself never reaches the
    /// port but through the seam.
    var port: PageAlloc { (targets[0] as! PortTarget).port }
}

extension InvariantContext {
    /// A snapshot of a port built by hand (the invariants' negative
    /// controls corrupt it): the touched chunks, or every grown chunk when
    /// `full`.
    init(port: PageAlloc, reference: ReferenceAllocator, touched: ClosedRange<UInt64>?, full: Bool, grew: Bool = false) {
        let t = PortTarget(wrapping: port)
        self.init(state: t.makeState(full ? .full : .touched, touched: touched, grew: grew || full),
                  geometry: port.geometry, reference: reference, grew: grew)
    }
}
