// The library half of `verify model`: the whole table, its rendering, its
// exit code, and clear errors for bad input.

import Foundation
import ModelChecking
import Models
import Testing

@Suite("Model table")
struct CatalogTests {
    /// Every model and variant, controls included, as expected, and none cut
    /// short by the state budget. Speed is measured, not asserted (timers in
    /// tests fail on a loaded machine): the time is printed for the record.
    @Test("all models and variants pass within the state budget")
    func allModels() throws {
        let rows = try runModels(options: CheckOptions(maxStates: 2_000_000, parallelism: .sequential, progress: false))
        #expect(rows.count == 27)
        for row in rows { #expect(row.passed, "\(row.model)/\(row.variant): \(row.actual) expected \(row.expected)") }
        #expect(modelExitCode(rows) == 0)
        #expect(rows.filter(\.isControl).count == 15)
        for row in rows { #expect(row.result.states < 2_000_000, "\(row.model)/\(row.variant) hit the state budget") }
        let seconds = rows.reduce(0) { $0 + $1.result.elapsedSeconds }
        print("all models: \(rows.reduce(0) { $0 + $1.result.states }) states in \(seconds) s")
    }

    @Test("--audit-accesses: every declaring model's declarations hold, at a --param size too; one-actor models say they declare nothing")
    func audit() throws {
        let rows = try auditModels(names: ["UFFDStopTheWorld", "MachWireCoalesce", "OSMemoryStates"])
        #expect(rows.count == 9 + 6 + OSMemoryStates.Variant.allCases.count)
        for row in rows { #expect(row.passed, "\(row.rendered)") }
        #expect(rows.filter { $0.report == nil }.map(\.model).allSatisfy { $0 == "OSMemoryStates" })
        #expect(rows.first?.rendered.hasSuffix("every declaration holds") == true, "\(rows.first?.rendered ?? "")")
        let small = try auditModels(names: ["UFFDStopTheWorld"], variant: "preFix", params: ["procs=1"])
        #expect(small.count == 1 && small[0].passed && small[0].report?.declaredRules == UFFDStopTheWorld(.preFix, procs: 1, sysmon: true).rules.count)
        #expect(throws: ModelCatalogError.self) { try auditModels(names: ["MachWireCoalesce"], params: ["procs=1"]) }
    }

    @Test("table output is deterministic without timings and shows every counterexample")
    func rendering() throws {
        let options = CheckOptions(maxStates: 2_000_000, parallelism: .sequential, progress: false)
        let first = renderModelTable(try runModels(names: ["UFFDStopTheWorld"], options: options), includeTimings: false)
        let second = renderModelTable(try runModels(names: ["uffdstoptheworld"], options: options), includeTimings: false)
        #expect(first == second)
        let lines = first.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("model"))
        #expect(lines[0].contains("expected") && lines[0].contains("actual") && lines[0].contains("states"))
        #expect(lines[1].hasPrefix("UFFDStopTheWorld  preFix"))
        #expect(lines[1].hasSuffix("PASS"))
        #expect(first.contains("== UFFDStopTheWorld / preFix =="))
        #expect(first.contains("== UFFDStopTheWorld / preFixInRuntimeHandler =="))
        #expect(!first.contains("== UFFDStopTheWorld / fixed =="))
        #expect(lines.last == "9 of 9 model runs as expected")
    }

    @Test("JSON rows decode back with verdicts")
    func json() throws {
        let rows = try runModels(names: ["MachWireCoalesce"], variant: "preFix",
                                 options: CheckOptions(parallelism: .sequential, progress: false))
        let text = try renderModelJSON(rows)
        let decoded = try JSONDecoder().decode([ModelRunResult].self, from: Data(text.utf8))
        #expect(decoded.count == 1)
        #expect(decoded[0].actual == .deadlock)
        #expect(decoded[0].result.discovery("deadlock")?.trace.steps.isEmpty == false)
    }

    /// A depth bound too small to reach the deadlock: the run is incomplete,
    /// the verdict differs from the expectation, and the exit code says so.
    @Test("a bounded run that misses the bug fails with exit code 1")
    func bounded() throws {
        let rows = try runModels(names: ["UFFDStopTheWorld"], variant: "preFix", maxDepth: 2,
                                 options: CheckOptions(parallelism: .sequential, progress: false))
        #expect(rows[0].result.complete == false)
        #expect(rows[0].actual == .ok)
        #expect(!rows[0].passed)
        #expect(modelExitCode(rows) == 1)
        #expect(renderModelTable(rows, includeTimings: false).contains("ok (bounded, depth 2)"))
        #expect(rows[0].boundedClaim == nil, "a model with a finite space claims nothing bounded")
    }

    @Test("bad names and depths are clear errors")
    func badInput() {
        #expect(throws: ModelCatalogError.unknownModel("Nope", known: ["UFFDStopTheWorld", "MachWireCoalesce", "OSMemoryStates", "PageAllocSmallScope"])) {
            try runModels(names: ["Nope"])
        }
        #expect(throws: ModelCatalogError.self) { try runModels(names: ["MachWireCoalesce"], variant: "nope") }
        #expect(throws: ModelCatalogError.invalidDepth(-1)) { try runModels(maxDepth: -1) }
        #expect(throws: ModelCatalogError.noTwin(model: "OSMemoryStates", variant: "allocator")) {
            try runSpin(name: "OSMemoryStates", variant: "allocator")
        }
        let message = ModelCatalogError.unknownVariant(model: "M", variant: "v", known: ["a", "b"]).description
        #expect(message == "model M has no variant 'v'; its variants: a, b")
    }

    @Test("the Promela twins are bundled")
    func twinsBundled() {
        #expect(FileManager.default.fileExists(atPath: promelaPath("uffd.pml")))
        #expect(FileManager.default.fileExists(atPath: promelaPath("mach.pml")))
    }
}
