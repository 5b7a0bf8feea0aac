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
}
