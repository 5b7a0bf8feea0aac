import Foundation
import Testing
import PageAlloc
@testable import Checking
@testable import TraceFormat
@testable import Targets
@testable import GoTarget
@testable import Campaigns

/// The historic bug benchmark's registry and one of its rows end to end.
@Suite("Historic bug benchmark")
struct BugBenchTests {
    @Test("every historic-bug variant of the port has a row; every listed Go patch exists")
    func registry() {
        let historic: [Variant] = [.trapInFind, .loopInFind, .faithful, .scavFastPath14, .fixCandidateScavSkipChunk]
        for v in Variant.allCases where !historic.contains(v) {
            #expect(HistoricBug.all.contains { if case .port(v) = $0.target { return true }; return false }, "\(v) has no row")
        }
        for b in HistoricBug.all {
            if case let .go(_, patches, _) = b.target {
                for p in patches { #expect(FileManager.default.fileExists(atPath: packageRoot.appendingPathComponent(p).path), "\(p)") }
            }
        }
        // The seeds' own bug has a row on the port and on the oldest and
        // newest Go.
        let rows40191 = HistoricBug.all.filter { $0.reference == "golang/go#40191" }
        #expect(rows40191.contains { if case .port(.preFix40191) = $0.target { return true }; return false })
        #expect(rows40191.contains { if case .go("1.19", let p, _) = $0.target { return !p.isEmpty }; return false })
        #expect(rows40191.contains { if case .go("1.27.3", let p, _) = $0.target { return !p.isEmpty }; return false })
        // The rows that cannot run yet say why and never count as misses.
        #expect(HistoricBug.all.filter { if case .notPorted = $0.target { return true }; return false }.allSatisfy { !$0.expected })
    }

    @Test("the golang/go#38605 row finds, shrinks and names a replay command; a row that finds nothing is a miss")
    func oneRow() throws {
        // Port rows run in isolated workers: `verify worker` from the build.
        IsolatedWorker.executable = packageRoot.appendingPathComponent(".build/debug/verify").path
        var o = BugBenchOptions()
        o.bases = 1
        o.secondsPerBase = 10
        o.ops = 100
        o.only = "38605"
        o.outDir = FileManager.default.temporaryDirectory.appendingPathComponent("bugbench-\(getpid())").path
        let rows = try runBugBench(o)
        let port = rows.first { if case .port = $0.bug.target { return true }; return false }
        #expect(port?.found == 1 && port?.missed == false)
        #expect(port?.signature?.hasPrefix("invariant:searchAddr") == true, "\(String(describing: port?.signature))")
        #expect((port?.shrunkLength ?? 99) <= 6)
        #expect(port?.replay?.contains("--variant preFix38605") == true)
        // The Go row is skipped without --with-go, and a skip is not a miss.
        #expect(rows.contains { $0.skipped != nil && !$0.missed })
        var miss = BugRow(bug: HistoricBug.all.first { $0.reference == "golang/go#38605" }!)
        miss.bases = 1
        #expect(miss.missed)
    }
}
