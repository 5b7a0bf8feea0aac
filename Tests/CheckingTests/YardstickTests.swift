import Testing
import PageAlloc
@testable import Checking
@testable import TraceFormat
@testable import Targets
@testable import GoTarget
@testable import Campaigns

/// The yardstick (docs/benchmarks.md): the port must do exactly Go's work.
@Suite("The BENCH.md yardstick workload")
struct YardstickTests {
    @Test("the port reproduces every check value of Go 1.19.8: prefill, AllocFree, 300,000 mixed operations, searchAddr included")
    func checkValues() throws {
        let (p, _, f) = try yardstickHeap()
        let (_, wrong) = try yardstickAllocFree(p, pairs: 2000)
        let (q, live, f2) = try yardstickHeap()
        let m = try yardstickMixed(q, live: live, used: f2.used, operations: 300_000)
        let rows = yardstickChecks(f, m, mixedOps: 300_000, allocFreeWrong: wrong)
        #expect(rows.count == 12)
        for (what, ours, go) in rows { #expect(ours == go, "\(what): port \(ours), Go \(go)") }
        // The comparison can fail: one address more in the hash, one page
        // more in use, and searchAddr one page on, each show as a mismatch.
        var bad = m
        bad.hash ^= 0x2000
        bad.used += 1
        bad.searchAddr += 0x2000
        let badRows = yardstickChecks(f, bad, mixedOps: 300_000, allocFreeWrong: wrong)
        #expect(badRows.filter { $0.1 != $0.2 }.map(\.0) == ["mixed 300000: FNV-1a", "mixed 300000: live, used", "mixed 300000: searchAddr"])
    }

    @Test("port@1.27 reproduces Go 1.27.3's check values of the scavenging mix (300,000 operations), cursors included")
    func scavengingMix() throws {
        let go = try #require(YardstickGo127.scav[300_000])
        let (p, live, f) = try yardstickHeap(scavenger: .go127)
        let m = try yardstickScavMixed(p, live: live, used: f.used, operations: 300_000)
        #expect(m == go, "port \(m), Go \(go)")
        #expect(m.scavenges == 4614 && m.released > 0)
        // Control: every scavenger check value takes part in the
        // comparison (one byte released more, one cursor elsewhere, one
        // scavenged page reused).
        for bad in [{ (x: inout YardstickScav) in x.released += 8192 }, { $0.cursors ^= 1 }, { $0.reused += 8192 }, { $0.scavenges -= 1 }] {
            var b = m
            bad(&b)
            #expect(b != go)
        }
    }

    @Test("verify bench: --rounds alternates with Go's side, so it needs --go, and must be at least 1")
    func roundsFlag() throws {
        let (s1, _, e1) = try runVerify(["bench", "--rounds", "3"])
        #expect(s1 != 0 && e1.contains("--rounds needs --go"))
        let (s2, _, e2) = try runVerify(["bench", "--rounds", "0", "--go", "1.19"])
        #expect(s2 != 0 && e2.contains("--rounds must be at least 1"))
    }
}
