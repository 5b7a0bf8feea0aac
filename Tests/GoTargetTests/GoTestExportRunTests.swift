import Foundation
import Testing
import PageAlloc
@testable import Checking
@testable import TraceFormat
@testable import Targets
@testable import GoTarget
@testable import Campaigns

/// `verify export-go-test`, end to end: the kept Go 1.21+ finding as a Go
/// runtime test, run by GoDriver/gotest.sh on the newest Go. It fails as
/// shipped and passes with the candidate fix: the test is about the bug, and
/// the companion's wrappers compile against a real runtime.
@Suite("export-go-test on a real Go", .serialized, .enabled(if: GoToolchains.newest?.hasPrefix("1.27") == true, "needs Go 1.27.x"))
struct GoTestExportRunTests {
    func goTest(_ testFile: String, _ patches: [String]) throws -> (status: Int32, output: String) {
        // The suite runs only when the newest Go is a 1.27.x (its trait).
        let goroot = try GoDriverFiles.goroot(GoTargetSpec(version: GoToolchains.newest!))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [GoDriverFiles.directory + "/gotest.sh", goroot, testFile] + patches
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("the setEmpty finding's Go test fails on Go 1.27 as shipped and passes with the candidate fix")
    func keptFinding() throws {
        let trace = GoDriverFiles.findingsDirectory + "/go1.27-scavenge-setEmpty-hides-free-pages.trace"
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("export-go-test-\(getpid())").path
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let text = try GoTestExport.render(try Trace.parse(try String(contentsOfFile: trace, encoding: .utf8)),
                                           testName: GoTestExport.testName(forFile: trace), source: trace)
        let test = dir + "/allocverify_setempty_test.go"
        try text.write(toFile: test, atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: GoTestExport.companionPath, toPath: dir + "/export_allocverify_test.go")
        let shipped = try goTest(test, [])
        #expect(shipped.status == 1, "\(shipped.output)")
        #expect(shipped.output.contains("less than asked, yet page 0xd0d3b22000 is free and unscavenged"), "\(shipped.output)")
        let fixed = try goTest(test, [GoToolchains.patchDir + "/fixes-candidate-go1.27-scavenge-find-whole-start-chunk.diff"])
        #expect(fixed.status == 0, "\(fixed.output)")
        #expect(fixed.output.contains("ok  \truntime"), "\(fixed.output)")
    }
}
