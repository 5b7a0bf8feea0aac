// The proofs: every obligation proves, every mutated twin is refuted with a
// counterexample that replays on UInt64, every assumption is satisfiable, a timeout
// is a failure, and the committed SMT-LIB files are what the code generates.

import Foundation
import Proofs
import SummaryCore
import Testing

/// The package's proofs directory, found from this file's path.
let proofsDirectory: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }     // Tests/ProverTests/ProofTests.swift
    return url.appendingPathComponent("proofs").path
}()

/// The committed SMT-LIB of the obligations (`verify prove --emit` writes it).
let smt2Directory = proofsDirectory + "/generated/smt2"

@Suite("Proofs", .serialized)
struct ProofTests {
    @Test("every obligation is proved for every named geometry")
    func allProved() throws {
        let reports = try proveAll()
        let failed = reports.filter { !$0.proof.isProved }.map { "\($0.proof.obligation) [\($0.proof.geometry)]: \($0.proof.verdict)" }
        #expect(failed.isEmpty, "\(failed)")
        // Pin the catalogue: 5 geometry-independent obligations, the 6 steps of
        // summarize's second pass, the 5 of summarize's composition and the 5 of
        // scavChunkData, then per geometry 3 packing + 4 per level below
        // the root (bounds, well formed, loop body, fold) + 1 per level (pack never
        // truncates) + 1 bitmap + 1 chunk + 1 per level (summary range) + 1 per level
        // below the root (child regions) + 3 (offAddr order, constants, the
        // scavenge index's cursors). The address-only geometries: 1 chunk +
        // 1 per level + 1 per level below the root + 3.
        let perGeometry: [Int] = Geometry.named.map { g in
            3 + 4 * (g.summaryLevels - 1) + g.summaryLevels + 1 + 1 + g.summaryLevels + (g.summaryLevels - 1) + 3
        }
        let perAddressGeometry: [Int] = Geometry.addressOnly.map { g in 1 + g.summaryLevels + (g.summaryLevels - 1) + 3 }
        let expectedCount: Int = 5 + 6 + 5 + 5 + perGeometry.reduce(0, +) + perAddressGeometry.reduce(0, +)
        #expect(reports.count == expectedCount)
        let labels: [String] = ["any"] + (Geometry.named + Geometry.addressOnly).map { g in g.name.description }
        #expect(Set(reports.map(\.proof.geometry)) == Set(labels))
    }

    @Test("every mutated twin is refuted with a counterexample confirmed on UInt64")
    func mutantsRefuted() {
        let runner = Runner.deterministic
        for (obligation, g) in Catalog.all() {
            let result = runner.refuteMutant(obligation, g)
            #expect(result.verdict == .refuted, "\(obligation.name) [\(geometryLabel(g))]: \(result.verdict)")
            guard let cx = result.counterexample else {
                Issue.record("\(obligation.name) [\(geometryLabel(g))]: no counterexample")
                continue
            }
            #expect(cx.failed == "goal", "\(obligation.name): \(cx.failed)")
            #expect(cx.confirmedConcretely == true, "\(obligation.name) [\(geometryLabel(g))]:\n\(cx.swiftText)")
            #expect(cx.inputs.map(\.name) == obligation.inputNames(g ?? .amd64))
        }
    }

    @Test("every obligation's assumption is satisfiable (no vacuous proof)")
    func notVacuous() {
        let runner = Runner.deterministic
        for (obligation, g) in Catalog.all() {
            let result = runner.checkVacuity(obligation, g)
            #expect(result.verdict == .refuted, "\(obligation.name) [\(geometryLabel(g))]: assumption \(result.verdict)")
            #expect(result.counterexample?.inputs.count == obligation.inputNames(g ?? .amd64).count)
        }
    }

    @Test("every obligation's assumption is needed: with it deleted the goal fails (amd64 and the geometry-independent ones; verify prove --controls runs all)")
    func assumptionsNeeded() {
        let runner = Runner.deterministic
        var none: [String] = []
        for (obligation, g) in Catalog.all(geometries: [.amd64], addressGeometries: []) {
            guard let result = runner.checkAssumptionNeeded(obligation, g) else { none.append(obligation.name); continue }
            #expect(result.verdict == .refuted, "\(obligation.name) [\(geometryLabel(g))]: holds without its assumption? \(result.verdict)")
            #expect(result.counterexample?.inputs.count == obligation.inputNames(g ?? .amd64).count)
        }
        // No assumption, or one that only bounds the inputs' declared widths:
        // nothing to delete.
        #expect(none.sorted() == ["childRegions.l1", "childRegions.l2", "childRegions.l3", "childRegions.l4",
                                  "mergeMatchesBitmap.8x8", "scavChunkDensity", "scavChunkUnpackPack",
                                  "summarizeEarlyExit", "summarizeFirstPass.64",
                                  "summarizeInteriorEdges.max62", "summarizeInteriorEdges.zeroWord",
                                  "summarizeStep.finished", "summarizeStep.start"], "\(none)")
    }

    /// mergeTwoLaw as it was stated before: Go's loop body equals `combine`,
    /// assuming well-formed inputs. It holds for every input, so the
    /// assumption-deletion control must flag it.
    struct LoopBodyIsCombine: Obligation {
        let theorem = "loopBodyIsCombine"
        let instance = ""
        let meaning = "mergeTwo equals combine (for well-formed inputs, though the assumption is not needed)"
        let mutation = "none"
        func inputNames(_ g: Geometry) -> [String] { ["i", "rs", "rm", "re", "ns", "nm", "ne"] }
        func assumption<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
            let run = SummaryFields(start: x[1], max: x[2], end: x[3]), next = SummaryFields(start: x[4], max: x[5], end: x[6])
            return x[0] >= 1 && x[0] < 8 && wellFormed(run, pages: x[0] << 9) && wellFormed(next, pages: W(1) << 9)
        }
        func goal<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
            let run = SummaryFields(start: x[1], max: x[2], end: x[3]), next = SummaryFields(start: x[4], max: x[5], end: x[6])
            return mergeTwo(run, next, mergedCount: x[0], logMaxPagesPerSum: 9).equals(combine(run, x[0] << 9, next, W(1) << 9))
        }
    }

    @Test("the assumption-deletion control flags a theorem that holds without its assumption (mergeTwoLaw's old statement)")
    func assumptionNotNeededIsFlagged() throws {
        let runner = Runner.deterministic
        let old = try #require(runner.checkAssumptionNeeded(LoopBodyIsCombine(), .amd64))
        #expect(old.verdict == .proved)
        #expect(try runner.prove(LoopBodyIsCombine(), .amd64).isProved)
        // Today's statement also claims the merged summary is well formed, which needs it.
        let now = try #require(Catalog.obligations(for: .amd64).first { $0.name == "mergeTwoLaw.l4" })
        #expect(runner.checkAssumptionNeeded(now, .amd64)?.verdict == .refuted)
    }

    @Test("a counterexample prints as Swift values")
    func counterexampleText() throws {
        let packing = try #require(Catalog.obligations(for: .amd64).first { $0.name == "packRoundTrip" })
        let result = Runner.deterministic.refuteMutant(packing, .amd64)
        let cx = try #require(result.counterexample)
        let text = cx.swiftText
        #expect(text.contains("let start: UInt64 = 0x"))
        #expect(text.contains("let max: UInt64 = 0x"))
        #expect(text.contains("// fails: goal (confirmed on UInt64)"))
        // The replay is real: the mutant's value differs from the triple.
        let triple = cx.inputs.map(\.value)
        #expect(PallocSum(start: triple[0], max: triple[1], end: triple[2], .amd64).unpack(.amd64)
                == SummaryFields(start: triple[0], max: triple[1], end: triple[2]))
    }

    @Test("a solver that gives up (its resource limit reached) is a failure, never a pass")
    func timeoutFails() throws {
        // The second pass of summarize is not provable within a small budget
        // (see the README); with 100,000 of Z3's resource units, a count and
        // not seconds, the solver must give up on any machine.
        let reports = try proveAll(only: "summarizeSecondPass", extended: true,
                                   runner: Runner(timeoutMilliseconds: 0, resourceLimit: 100_000))
        try #require(reports.count == 1)
        #expect(!reports[0].proof.isProved)
        #expect(!reports[0].passed)
        if case .unknown = reports[0].proof.verdict {} else { Issue.record("expected unknown, got \(reports[0].proof.verdict)") }
        #expect(renderTable(reports).contains("UNKNOWN"))
        #expect(renderTable(reports).contains("0/1 proved"))
    }

    @Test("the committed .smt2 files are exactly what the obligations generate")
    func smtFilesRegenerate() throws {
        let runner = Runner.deterministic
        var expected: Set<String> = []
        for (obligation, g) in Catalog.all() {
            for file in runner.smtlibFiles(obligation, g) {
                expected.insert(file.path)
                let onDisk = try? String(contentsOfFile: smt2Directory + "/" + file.path, encoding: .utf8)
                #expect(onDisk == file.text, "\(file.path) differs from the generated text; run `swift run verify prove --emit proofs/generated/smt2`")
                #expect(file.text.hasSuffix("(check-sat)\n(exit)\n"))
            }
        }
        let enumerator = FileManager.default.enumerator(atPath: smt2Directory)
        var onDisk: Set<String> = []
        while let path = enumerator?.nextObject() as? String {
            if path.hasSuffix(".smt2") { onDisk.insert(path) }
        }
        #expect(onDisk == expected, "stale or missing files: \(onDisk.symmetricDifference(expected).sorted())")
    }

    @Test("transitions.txt, which the second-pass generator reads, is the table the summarizeStep obligations evaluate")
    func transitionsFileMatches() throws {
        let path = proofsDirectory + "/summarize-second-pass/transitions.txt"
        let onDisk = try String(contentsOfFile: path, encoding: .utf8)
        #expect(onDisk == secondPassTransitionsText, "run `swift run verify prove --emit-transitions \(path)`")
        // Every transition the generator uses is in it, with its x update.
        for t in ["init", "smfinal", "smdouble", "harv"] {
            #expect(onDisk.split(separator: "\n").contains { $0.hasPrefix("\(t) x") }, "\(t)")
        }
    }

    @Test("generation is deterministic")
    func deterministic() throws {
        let obligation = try #require(Catalog.obligations(for: .i386).first { $0.name == "mergeWellFormed.l1" })
        let a = Runner.deterministic.smtlibFiles(obligation, .i386)
        let b = Runner.deterministic.smtlibFiles(obligation, .i386)
        #expect(a.map(\.text) == b.map(\.text))
        #expect(a.count == 7)   // six lemmas (prefixes of 2...7 children) and the goal
    }

    @Test("the table lists obligation, geometry, verdict and time")
    func table() throws {
        let reports = try proveAll(geometries: [.mips], only: "pack", controls: true)
        let lines = renderTable(reports).split(separator: "\n").map(String.init)
        #expect(lines.first?.split(separator: " ", omittingEmptySubsequences: true) == ["obligation", "geometry", "verdict", "time", "vacuity", "mutant", "assumption"])
        // The three packing obligations, then packNeverTruncates at each of mips's levels.
        #expect(lines.count == 2 + 3 + Geometry.mips.summaryLevels + 1)
        #expect(lines[2].hasPrefix("packRoundTrip"))
        #expect(lines[2].contains("mips") && lines[2].contains("proved") && lines[2].contains("satisfiable") && lines[2].contains("refuted"))
        #expect(lines[2].hasSuffix("needed"))
        #expect(lines.last?.hasPrefix("\(3 + Geometry.mips.summaryLevels)/\(3 + Geometry.mips.summaryLevels) proved") == true)
    }
}
