import Foundation
import Testing
@testable import Checking
@testable import TraceFormat
@testable import Targets
@testable import GoTarget
@testable import Campaigns

/// The supervisor never runs the code under test (ARCHITECTURE.md). A
/// variant cannot show it: a helper that resets the variant to faithful
/// hides its trap. So these tests build a copy of the package whose
/// *faithful* port is broken in its source (tools/mutant-port/build.sh):
/// with ALLOCVERIFY_MUTANT=trap find indexes past the end of an array, with
/// `loop` it never returns. Any path where the supervisor runs the port then
/// kills `verify` itself, and the test sees no summary, no trace, exit 132.
@Suite("The supervisor never runs the code under test: a port that traps or loops in its own source", .serialized)
struct SupervisorRuleTests {
    /// The copy's verify, built once per test process.
    static let mutant: Result<String, MutantBuildError> = {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [packageRoot.appendingPathComponent("tools/mutant-port/build.sh").path]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        do { try p.run() } catch { return .failure(MutantBuildError(log: "\(error)")) }
        let o = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0, let exe = o.split(separator: "\n").last.map(String.init) else {
            return .failure(MutantBuildError(log: String(e.suffix(4000))))
        }
        return .success(exe)
    }()

    struct MutantBuildError: Error, CustomStringConvertible {
        let log: String
        var description: String { "building the mutant copy failed:\n\(log)" }
    }

    /// Runs the copy's verify with the mutation on. Hangs are declared after
    /// 4 s per seed and 0.5 s per shrink candidate: a seed of these runs takes
    /// milliseconds, and the loop never ends, so the verdict does not move
    /// with the machine's speed (only the shrink's length does).
    func mutantVerify(_ mode: String, _ args: [String]) throws -> (Int32, String, String) {
        let exe = try Self.mutant.get()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging([
            "ALLOCVERIFY_MUTANT": mode, "SWIFT_BACKTRACE": "enable=no",
            "ALLOCVERIFY_WORKER_TIMEOUT": "4", "ALLOCVERIFY_WORKER_SHRINK_TIMEOUT": "0.5",
        ]) { $1 }
        let out = Pipe()
        // Standard error goes to a file: a full pipe must not stall the child.
        let errPath = FileManager.default.temporaryDirectory.appendingPathComponent("rule-stderr-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        p.standardOutput = out
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let e = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), e)
    }

    /// What the mutation's finding looks like.
    func signature(_ mode: String) -> String { mode == "trap" ? "crash:SIGILL:Index out of range" : "hang" }

    /// The seeds and geometry where each mutation is reached at once.
    func seedArgs(_ mode: String) -> [String] { mode == "trap" ? ["--seeds", "0..6"] : ["--geometry", "386", "--seeds", "2..3"] }

    /// A hang costs a shrink timeout per candidate that still hangs, so the
    /// loop's shrinks get a budget of 40 evaluations (a count: the verdict
    /// and the trace are the same on any machine); it still ends at 3
    /// operations.
    func budget(_ mode: String, flag: String = "--shrink-budget") -> [String] { mode == "loop" ? [flag, "40"] : [] }

    /// A written finding: a shrunk trace with the failure in its header, which replays to the same failure.
    func expectShrunkTrace(_ path: String, _ mode: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        // check writes "# failure: SIG", fuzz "# invariant: SIG".
        #expect(text.contains("failure: \(signature(mode))") || text.contains("invariant: \(signature(mode))"), "\(text)")
        let trace = try Trace.parse(text)
        #expect(trace.steps.count >= 2 && trace.steps.count <= 8, "shrunk: \(trace.steps.count) steps")
        let (rs, rout, _) = try mutantVerify(mode, ["replay", path])
        #expect(rs == 1 && rout.contains("# FINDING at line") && rout.contains(signature(mode)), "\(rout)")
    }

    @Test("check: the finding is written, shrunk, and the summary printed", arguments: ["trap", "loop"])
    func check(_ mode: String) throws {
        let dir = scratchDir("rule-check-\(mode)")
        let (status, out, err) = try mutantVerify(mode, ["check"] + seedArgs(mode) + ["--out", dir] + budget(mode))
        #expect(status == 1, "exit \(status): \(err.suffix(2000))")
        #expect(out.contains("FINDING \(signature(mode))"), "\(out)")
        #expect(out.contains("\ntotal "), "the summary survives: \(out)")
        let t = try #require(traceFiles(dir).first, "no trace in \(dir): \(out)")
        try expectShrunkTrace(t, mode)
    }

    @Test("fuzz: summary.json and JUnit intact, the finding written", arguments: ["trap", "loop"])
    func fuzz(_ mode: String) throws {
        let dir = scratchDir("rule-fuzz-\(mode)")
        let seeds = mode == "trap" ? ["--seeds", "3", "--seed-base", "0"] : ["--seeds", "1", "--seed-base", "2", "--geometry", "386"]
        let (status, out, err) = try mutantVerify(mode, ["fuzz"] + seeds + ["--out", dir, "--json", "--junit", dir + "/junit.xml"] + budget(mode))
        #expect(status == 1, "exit \(status): \(err.suffix(2000))")
        let json = try JSONDecoder().decode(CampaignJSON.self, from: try Data(contentsOf: URL(fileURLWithPath: dir + "/summary.json")))
        #expect(json.findings.contains { $0.signature == signature(mode) }, "\(out)")
        let junit = try String(contentsOfFile: dir + "/junit.xml", encoding: .utf8)
        #expect(junit.contains(signature(mode)))
        let t = try #require(traceFiles(dir + "/findings").first)
        try expectShrunkTrace(t, mode)
        // The HTML report is drawn in a worker: it exists, and shows the trace.
        let html = try String(contentsOfFile: t.replacingOccurrences(of: ".trace", with: ".html"), encoding: .utf8)
        #expect(html.contains("<html") || html.contains("<!doctype html>"))
    }

    @Test("verify --seed N: the finding is written and shrunk", arguments: ["trap", "loop"])
    func seed(_ mode: String) throws {
        let dir = scratchDir("rule-seed-\(mode)")
        let args = mode == "trap" ? ["--seed", "0"] : ["--seed", "2", "--geometry", "386"]
        let (status, out, err) = try mutantVerify(mode, args + ["--out", dir] + budget(mode))
        #expect(status == 1, "exit \(status): \(err.suffix(2000))")
        #expect(out.contains(signature(mode)), "\(out)")
        let t = try #require(traceFiles(dir).first)
        try expectShrunkTrace(t, mode)
    }

    @Test("verify shrink of an unshrunk trace: the shrunk trace is printed, the failure kept", arguments: ["trap", "loop"])
    func shrink(_ mode: String) throws {
        let dir = scratchDir("rule-shrink-\(mode)")
        // The seed's own operations, unshrunk, from the checker's reference
        // (--emit-trace writes them).
        let args = mode == "trap" ? ["--seed", "0"] : ["--seed", "2", "--geometry", "386"]
        let raw = dir + "/raw.trace"
        let (es, _, eerr) = try mutantVerify(mode, args + ["--out", dir + "/seed", "--emit-trace", raw] + budget(mode))
        #expect(es == 1, "\(eerr.suffix(2000))")
        let rawCount = try Trace.parse(try String(contentsOfFile: raw, encoding: .utf8)).steps.count
        let out = dir + "/shrunk.trace"
        let (status, _, err) = try mutantVerify(mode, ["shrink", raw, "--out", out] + budget(mode, flag: "--budget"))
        // Certified 1-minimal (exit 0) with the full budget; with the loop's
        // 40 evaluations the trace is written and said not certified (exit 1).
        if mode == "loop" {
            #expect(status == 1 && err.contains("NOT certified minimal"), "exit \(status): \(err.suffix(2000))")
        } else {
            #expect(status == 0, "exit \(status): \(err.suffix(2000))")
        }
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.contains("failure: \(signature(mode))"))
        #expect(try Trace.parse(text).steps.count < rawCount)
    }

    @Test("without supervision the same mutation kills verify: the control for the tests above")
    func unsupervisedDies() throws {
        let dir = scratchDir("rule-raw")
        let (status, _, _) = try mutantVerify("trap", ["--seed", "0", "--out", dir, "--no-isolate"])
        #expect(status == SIGILL || status == 128 + SIGILL, "exit \(status)")
        // And with the mutation off the copy is the faithful port: seed 0 passes.
        let (ok, out, _) = try mutantVerify("", ["--seed", "0", "--out", dir])
        #expect(ok == 0, "\(out)")
    }
}
