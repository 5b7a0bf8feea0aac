// The CI workflows cannot run here: parse them and pin what they must do.

import Foundation
import Testing
import Yams

func workflow(_ name: String) throws -> [String: Any] {
    let text = try String(contentsOf: packageRoot.appendingPathComponent(".github/workflows/\(name)"), encoding: .utf8)
    return try #require(try Yams.load(yaml: text) as? [String: Any])
}

/// Every `run:` line of a job.
func runLines(_ job: Any?) -> [String] {
    let steps = ((job as? [String: Any])?["steps"] as? [[String: Any]]) ?? []
    return steps.compactMap { $0["run"] as? String }
}

@Suite("CI workflows")
struct FuzzWorkflowTests {
    @Test("nightly: scheduled, a matrix of fuzz shards for 55m, prove and model, artifacts uploaded")
    func nightly() throws {
        let w = try workflow("nightly.yml")
        // YAML 1.1 reads a bare `on` as the boolean true; Yams keeps the string.
        let on = try #require(w["on"] as? [String: Any])
        let cron = try #require((on["schedule"] as? [[String: Any]])?.first?["cron"] as? String)
        #expect(cron.split(separator: " ").count == 5)
        let jobs = try #require(w["jobs"] as? [String: Any])
        #expect(Set(jobs.keys) == ["fuzz", "prove", "model", "go", "bugs", "report"])
        // The night's page: every summary merged, after the campaigns, even failed ones.
        let report = try #require(jobs["report"] as? [String: Any])
        #expect(report["if"] as? String == "always()")
        #expect(Set((report["needs"] as? [String]) ?? []) == ["fuzz", "go"])
        #expect(runLines(report).contains { $0.contains("verify report artifacts") })
        // The historic bug benchmark with the real-Go rows; its exit status is kept.
        let bugs = try #require(runLines(jobs["bugs"]).first { $0.contains("verify bugs") })
        #expect(bugs.contains("swift run -c release verify bugs --with-go") && bugs.contains("exit $status"))
        // The real-Go matrix: Go versions x GOARCHes, a campaign on each, #40191 put back.
        let go = try #require(jobs["go"] as? [String: Any])
        let matrix = try #require((go["strategy"] as? [String: Any])?["matrix"] as? [String: Any])
        #expect((matrix["go"] as? [String])?.first == "1.19" && (matrix["go"] as? [String])?.last == "1.27.3")
        #expect(Set((matrix["goarch"] as? [String]) ?? []) == ["amd64", "386", "arm64", "s390x", "loong64"])
        #expect(runLines(go).contains { $0.contains("--filter geometryAgrees") })
        // The campaign passes its version's kept findings as known.
        #expect(runLines(go).contains { $0.contains("verify fuzz --target go --go $v --goarch ${{ matrix.goarch }}") && $0.contains("$known") })
        #expect(runLines(go).contains { $0.contains("issue40191.diff") })
        #expect(runLines(go).contains { $0.contains("verify conformance") })
        let fuzz = try #require(jobs["fuzz"] as? [String: Any])
        let shards = try #require(((fuzz["strategy"] as? [String: Any])?["matrix"] as? [String: Any])?["shard"] as? [Int])
        #expect(shards == [0, 1, 2, 3])
        let fuzzRun = try #require(runLines(fuzz).first { $0.contains("verify fuzz") })
        #expect(fuzzRun.contains("swift run -c release verify fuzz"))
        #expect(fuzzRun.contains("--shard ${{ matrix.shard }}/4"))
        #expect(fuzzRun.contains("--time 55m"))
        let uploads = ((fuzz["steps"] as? [[String: Any]]) ?? []).filter { ($0["uses"] as? String)?.hasPrefix("actions/upload-artifact") == true }
        #expect(uploads.count == 1)
        #expect(uploads.first?["if"] as? String == "always()")
        #expect(runLines(jobs["prove"]).contains { $0.contains("verify prove") })
        #expect(runLines(jobs["model"]).contains { $0.contains("verify model") })
    }

    @Test("push: runs .ci/run")
    func push() throws {
        let w = try workflow("push.yml")
        let on = try #require(w["on"] as? [String: Any])
        #expect(on.keys.contains("push"))
        let jobs = try #require(w["jobs"] as? [String: Any])
        #expect(runLines(jobs["test"]) == ["bash .ci/run"])
    }

    @Test(".ci/run runs the nightly fuzz command line briefly, after swift test")
    func ciRun() throws {
        let text = try String(contentsOf: packageRoot.appendingPathComponent(".ci/run"), encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        let test = try #require(lines.firstIndex { $0.hasPrefix("swift test") })
        let fuzz = try #require(lines.firstIndex { $0.contains("verify fuzz --shard 0/1") })
        #expect(test < fuzz)
        let nightly = try #require(runLines((try workflow("nightly.yml")["jobs"] as? [String: Any])?["fuzz"]).first { $0.contains("verify fuzz") })
        // The same flags as the nightly job, but shard 0/1 and a short time.
        for flag in ["--seed-base", "--out fuzz-out", "--json", "--junit fuzz-out/junit.xml"] {
            #expect(nightly.contains(flag) && lines[fuzz].contains(flag), "flag \(flag)")
        }
    }

    @Test("negative control: malformed YAML is rejected by the parser")
    func malformed() {
        #expect(throws: (any Error).self) { try Yams.load(yaml: "jobs:\n  fuzz: [unclosed\n") }
    }
}
