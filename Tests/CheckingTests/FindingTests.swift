import Foundation
import Testing
import PageAlloc
@testable import Checking
@testable import TraceFormat
@testable import Targets
@testable import GoTarget
@testable import Campaigns

/// Findings are data: their signature comes from typed fields, never from
/// the text meant for people.
@Suite("Findings as data")
struct FindingTests {
    struct NotAGoError: Error, CustomStringConvertible { var description: String { "something else went wrong" } }

    @Test("an invariant's signature is its name and rule; its detail text plays no part")
    func signatureFromFields() {
        #expect(FindingKind.invariant(name: "scavenge", rule: "forced", detail: "anything at all").signature == "invariant:scavenge:forced")
        // Text that once decided the signature no longer does.
        #expect(FindingKind.invariant(name: "scavenge", detail: "a forced scavenge released 0 bytes").signature == "invariant:scavenge")
        #expect(FindingKind.invariant(name: "searchAddr", detail: "... is Ready").signature == "invariant:searchAddr")
        #expect(FindingKind.invariant(name: "searchAddr", rule: "unmapped", detail: "").signature == "invariant:searchAddr:unmapped")
    }

    @Test("the checks that have rules set them: searchAddr's mapping, the scavenger's forced and background rules, an over-reported allocation")
    func rulesSet() throws {
        // golang/go#40191 on the port: searchAddr outside inUse, its leaf mapped.
        let t = try Trace.parse(String(contentsOf: packageRoot.appendingPathComponent("traces/regressions/preFix40191-searchAddr-mapped.trace"), encoding: .utf8))
        let r = try replay(t, variant: .preFix40191)
        #expect(r.findings.first?.kind == .invariant(name: "searchAddr", rule: "mapped", detail: r.findings.first.map { f in
            if case let .invariant(_, _, d) = f.kind { return d }; return "" } ?? ""), "\(r.findings)")
        // An allocation claiming more scavenged bytes than its pages held.
        #expect(Runner.judgeScavCount(.alloc(npages: 1), .alloc(addr: 0x1000, scav: 0x4000), .alloc(addr: 0x1000, scav: 0)) != nil)
        let kind = FindingKind.invariant(name: "heapReleased", rule: "memory-safety", detail: "x")
        #expect(kind.signature == "invariant:heapReleased:memory-safety")
    }

    @Test("an error of a type the checker does not know is a finding with its type in the signature, not a trap")
    func unexpectedError() {
        let k = FindingKind.from(NotAGoError())
        #expect(k.signature == "error:NotAGoError")
        #expect(k.description.contains("something else went wrong"))
        #expect(FindingKind.from(GoThrow("x")).signature == "throw:x")
    }
}
