import Foundation
import Testing

/// `verify model`'s command line: the defects issue 13 names, fixed.
@Suite("verify model: SPIN without a twin, --json with SPIN, --bench")
struct ModelCLITests {
    static var spinInstalled: Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/spin")
        }
    }

    @Test("--engine spin on a model without a Promela twin is an error naming the models that have one, not a silent pass")
    func noTwin() throws {
        let (status, out, err) = try runVerify(["model", "OSMemoryStates", "--engine", "spin"])
        #expect(status == 2)
        #expect(out.isEmpty)
        #expect(err.contains("OSMemoryStates has no Promela twin") && err.contains("UFFDStopTheWorld"), "\(err)")
    }

    @Test("--json with --engine spin prints the SPIN runs as JSON", .enabled(if: spinInstalled))
    func spinJSON() throws {
        let (status, out, err) = try runVerify(["model", "UFFDStopTheWorld", "--variant", "fixed", "--engine", "spin", "--json"])
        #expect(status == 0, "\(err)")
        let runs = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]])
        #expect(runs.count == 1 && runs[0]["model"] as? String == "UFFDStopTheWorld" && runs[0]["spin"] != nil)
    }

    @Test("--bench runs the philosophers benchmark from the command line")
    func bench() throws {
        let (status, out, err) = try runVerify(["model", "--bench", "--philosophers", "4"])
        #expect(status == 0, "\(err)")
        #expect(out.contains("DiningPhilosophers(4): Swift engine"), "\(out)")
        let (bad, _, _) = try runVerify(["model", "--bench", "--philosophers", "1"])
        #expect(bad == 64)
    }

    @Test("verify model --param: sizes a model, labels the rows, and refuses what the model does not declare")
    func params() throws {
        let (status, out, _) = try runVerify(["model", "UFFDStopTheWorld", "--variant", "fixed", "--param", "procs=1"])
        #expect(status == 0 && out.contains("fixed [procs=1]") && out.contains("PASS"), "\(out)")
        let (s2, out2, _) = try runVerify(["model", "UFFDStopTheWorld", "--variant", "fixed", "--param", "procs=1", "--param", "sysmon=0"])
        #expect(s2 == 0 && out2.contains("deadlock") && out2.contains("PASS"), "\(out2)")
        let (s3, _, e3) = try runVerify(["model", "UFFDStopTheWorld", "--param", "cores=1"])
        #expect(s3 != 0 && e3.contains("has no parameter 'cores'") && e3.contains("procs"), "\(e3)")
        let (s4, _, e4) = try runVerify(["model", "UFFDStopTheWorld", "--param", "procs=9"])
        #expect(s4 != 0 && e4.contains("procs=9 is outside 1...4"), "\(e4)")
        let (s5, _, e5) = try runVerify(["model", "UFFDStopTheWorld", "--param", "procs"])
        #expect(s5 != 0 && e5.contains("NAME=VALUE"), "\(e5)")
        let (s6, _, e6) = try runVerify(["model", "OSMemoryStates", "--param", "procs=1"])
        #expect(s6 != 0 && e6.contains("OSMemoryStates has no parameter"), "\(e6)")
        let (s7, _, e7) = try runVerify(["model", "UFFDStopTheWorld", "--variant", "fixed", "--engine", "spin", "--param", "procs=1"])
        #expect(s7 == 2 && e7.contains("--param applies to the Swift engine"), "\(e7)")
    }

    @Test("verify model --dfs and --visited bitstate: same verdicts, the search line and the collision estimate printed; bad values refused")
    func searchModes() throws {
        let (status, out, _) = try runVerify(["model", "MachWireCoalesce", "--variant", "preFix", "--dfs", "--visited", "bitstate", "--bitstate-log2", "20"])
        #expect(status == 0 && out.contains("depth-first") && out.contains("bitstate: 2^20 bits") && out.contains("expected states omitted"), "\(out)")
        let (s2, _, e2) = try runVerify(["model", "--visited", "bloom"])
        #expect(s2 != 0 && e2.contains("--visited is states, fingerprints or bitstate"), "\(e2)")
        let (s3, _, e3) = try runVerify(["model", "--bitstate-log2", "50"])
        #expect(s3 != 0 && e3.contains("--bitstate-log2 must be 10 to 36"), "\(e3)")
    }
}
