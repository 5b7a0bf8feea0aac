import Foundation
import Testing
@testable import Checking
@testable import TraceFormat
@testable import Targets
@testable import GoTarget
@testable import Campaigns

/// Crash isolation's negative controls: port variants that trap in find
/// (`trapInFind`, an index out of range) and loop forever in it
/// (`loopInFind`). Each must be a finding that is reported, shrunk, written
/// and replayable, while the campaign, its other seeds and its summary,
/// JSON and JUnit survive.
@Suite("Crash isolation: traps and hangs of the code under test are findings", .serialized)
struct IsolationTests {
    @Test("check: a Swift trap in the port's find is crash:SIGILL, shrunk, written, and replays as a crash with its line")
    func trap() throws {
        let dir = scratchDir("iso-trap")
        let (status, out, _) = try runVerify(["check", "--variant", "trapInFind", "--seeds", "0..12", "--out", dir])
        #expect(status == 1)
        #expect(out.contains("FINDING crash:SIGILL:Index out of range"), "\(out)")
        #expect(out.split(separator: "\n").contains { $0.hasPrefix("total") && $0.split(separator: " ").dropFirst().first == "12" },
                "the summary counts every seed: \(out)")
        let files = traceFiles(dir)
        let t = try #require(files.first)
        let text = try String(contentsOfFile: t, encoding: .utf8)
        #expect(text.contains("# failure: crash:SIGILL:Index out of range"))
        #expect(text.contains("Fatal error: Index out of range"))
        #expect(try Trace.parse(text).steps.count <= 6)
        let (rs, rout, rerr) = try runVerify(["replay", t, "--variant", "trapInFind"])
        #expect(rs == 1)
        #expect(rout.contains("# FINDING at line") && rout.contains("crash:SIGILL:Index out of range"))
        #expect(rerr.contains("finding: \(t):line"))
        // verify shrink of the crashing trace: certified, still the crash.
        let (ss, sout, serr) = try runVerify(["shrink", t, "--variant", "trapInFind"])
        #expect(ss == 0, "\(serr)")
        #expect(sout.contains("# failure: crash:SIGILL:Index out of range") && sout.contains("# certified 1-minimal"))
        // --seed N (the seed that crashed, from the trace's name) under
        // supervision, and without it (--no-isolate) the old death.
        let name = URL(fileURLWithPath: t).lastPathComponent
        let seed = try #require(name.components(separatedBy: "-seed").last?.split(separator: "-").first.map(String.init))
        let (one, oout, _) = try runVerify(["--seed", seed, "--variant", "trapInFind", "--out", dir])
        #expect(one == 1 && oout.contains("crash:SIGILL:Index out of range"))
        let (raw, _, _) = try runVerify(["--seed", seed, "--variant", "trapInFind", "--out", dir, "--no-isolate"], env: ["SWIFT_BACKTRACE": "enable=no"])
        #expect(raw == SIGILL || raw == 128 + SIGILL, "without isolation the trap kills verify (SIGILL)")
    }

    @Test("check: an endless loop in find is a hang finding after the timeout, shrunk and replayable")
    func hang() throws {
        let dir = scratchDir("iso-hang")
        let env = ["ALLOCVERIFY_WORKER_TIMEOUT": "2", "ALLOCVERIFY_WORKER_SHRINK_TIMEOUT": "0.5"]
        let (status, out, _) = try runVerify(["check", "--variant", "loopInFind", "--geometry", "386", "--seeds", "2..3", "--out", dir, "--shrink-budget", "40"], env: env)
        #expect(status == 1)
        #expect(out.contains("FINDING hang"), "\(out)")
        let t = try #require(traceFiles(dir).first)
        #expect(try Trace.parse(try String(contentsOfFile: t, encoding: .utf8)).steps.count <= 6)
        let (rs, rout, _) = try runVerify(["replay", t, "--variant", "loopInFind"], env: env)
        #expect(rs == 1 && rout.contains("# FINDING at line") && rout.contains("hang"))
    }

    @Test("fuzz: a trapping variant's campaign ends with its summary, JSON and JUnit, the crash among the findings")
    func fuzz() throws {
        let dir = scratchDir("iso-fuzz")
        let (status, out, _) = try runVerify(["fuzz", "--variant", "trapInFind", "--seeds", "3", "--seed-base", "0", "--out", dir,
                                              "--json", "--junit", dir + "/junit.xml"])
        #expect(status == 1)
        let json = try JSONDecoder().decode(CampaignJSON.self, from: try Data(contentsOf: URL(fileURLWithPath: dir + "/summary.json")))
        #expect(json.seeds == 3)
        #expect(json.findings.contains { $0.signature == "crash:SIGILL:Index out of range" }, "\(out)")
        let junit = try String(contentsOfFile: dir + "/junit.xml", encoding: .utf8)
        #expect(junit.contains("crash:SIGILL:Index out of range"))
        #expect(FileManager.default.fileExists(atPath: dir + "/findings") && traceFiles(dir + "/findings").count >= 1)
    }

    @Test("a worker killed with SIGKILL mid-campaign costs that seed only: the campaign goes on and ends with its summary")
    func sigkill() throws {
        let dir = scratchDir("iso-kill")
        let p = Process()
        p.executableURL = packageRoot.appendingPathComponent(".build/debug/verify")
        p.arguments = ["check", "--seeds", "0..100000", "--time", "8s", "--jobs", "1", "--out", dir]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Find the worker (a child running `verify worker`) and kill it,
        // whenever it shows up while the check runs (no deadline of our own).
        var killed = false
        while !killed && p.isRunning {
            usleep(50_000)
            // Children of every thread: the workers are started by the check's threads.
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(p.processIdentifier)/task")) ?? []
            let children = tasks.map { (try? String(contentsOfFile: "/proc/\(p.processIdentifier)/task/\($0)/children", encoding: .utf8)) ?? "" }.joined(separator: " ")
            for pid in children.split(separator: " ").compactMap({ Int32($0) }) where !killed {
                let cmd = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? ""
                if cmd.contains("worker") { kill(pid, SIGKILL); killed = true }
            }
        }
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(killed)
        #expect(text.contains("crash:SIGKILL"), "\(text)")
        #expect(text.contains("\ntotal "), "the summary survives: \(text)")
        #expect(p.terminationStatus == 1)
    }
}
