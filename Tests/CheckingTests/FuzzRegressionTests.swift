// traces/regressions/*.trace: every shrunk finding kept as a test. The
// faithful port must pass each (expected results included) and the variant
// it came from must still fail the same way.

import Foundation
import Testing
@testable import Checking
import PageAlloc
@testable import TraceFormat
@testable import Targets
@testable import GoTarget
@testable import Campaigns

func regressionFiles() -> [String] {
    let dir = packageRoot.appendingPathComponent("traces/regressions").path
    return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".trace") }.sorted()
}

func regressionText(_ name: String) throws -> String {
    try String(contentsOf: packageRoot.appendingPathComponent("traces/regressions/\(name)"), encoding: .utf8)
}

@Suite("Regressions")
struct FuzzRegressionTests {
    @Test("there are regressions, and preFix40191 is among them")
    func present() throws {
        let names = regressionFiles()
        #expect(names.count >= 2)
        let variants = try names.flatMap { try RegressionExpectation.parse(try regressionText($0), file: $0).mustFail.map(\.variant) }
        #expect(variants.contains(.preFix40191))
    }

    @Test("each regression: faithful passes with its expected results, its variant still fails", arguments: regressionFiles())
    func replays(_ name: String) throws {
        let problems = try checkRegression(try regressionText(name), file: name)
        #expect(problems == [])
    }

    @Test("negative control: a wrong expected result is caught on the faithful port")
    func wrongExpected() throws {
        let text = try regressionText("preFix40191-fuchsia-crash.trace")
            .replacingOccurrences(of: "alloc 512 -> 0xbc00000000 0x400000", with: "alloc 512 -> 0xbc00002000 0x400000")
        let problems = try checkRegression(text, file: "x.trace")
        #expect(problems.count == 1)
        #expect(problems.first?.contains("faithful port: expected a pass, got failure expected-mismatch") == true)
    }

    @Test("negative control: a variant that no longer fails is caught")
    func variantPasses() throws {
        // Without `alloc 12` find never leaves searchAddr in the gap.
        let text = try regressionText("preFix40191-fuchsia-crash.trace")
            .replacingOccurrences(of: "alloc 12 -> 0xc400000000 0x18000\n", with: "")
            .replacingOccurrences(of: "alloc 1 -> 0xc1003fe000 0x2000\n", with: "")
        let problems = try checkRegression(text, file: "x.trace")
        #expect(problems == ["x.trace: variant preFix40191: expected failure invariant:searchAddr:unmapped, got a pass"])
    }

    @Test("a regression without expect-faithful is refused with its line")
    func missingHeader() throws {
        #expect(throws: TraceSyntaxError.self) { try RegressionExpectation.parse("pagealloc-trace 1\nalloc 1\n", file: "y") }
        #expect(throws: TraceSyntaxError.self) {
            try RegressionExpectation.parse("pagealloc-trace 1\n# expect-faithful: pass\n# must-fail-on: faithful x\n", file: "y")
        }
    }

    @Test("promote fills in the faithful results and the variant's signature")
    func promotes() throws {
        let finding = """
        pagealloc-trace 1
        # variant: preFix40191
        geometry amd64
        grow 0xbc00000000 0x400000
        grow 0xc100000000 0x400000
        grow 0xc400000000 0x400000
        alloc-range 0xc100000000 511
        alloc 512
        alloc 12
        """
        let out = try promote(finding, file: "/tmp/f.trace")
        #expect(out.contains("# expect-faithful: pass\n# must-fail-on: preFix40191 invariant:searchAddr:unmapped\n"))
        #expect(out.contains("alloc 12 -> 0xc400000000 0x18000\n"))
        #expect(try checkRegression(out, file: "p.trace") == [])
        // Nothing to guard: faithful passes and no variant is named.
        #expect(throws: PromoteError.self) { try promote(finding.replacingOccurrences(of: "# variant: preFix40191\n", with: ""), file: "g") }
    }
}
