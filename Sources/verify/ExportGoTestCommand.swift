// `verify export-go-test FINDING.trace`: the finding as a Go test for package
// runtime (GoTestExport.swift), with the export wrappers it needs beside it.

import ArgumentParser
import Checking
import Foundation
import TraceFormat
import Targets
import GoTarget
import Campaigns

struct ExportGoTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-go-test",
        abstract: "Write a finding's trace as a _test.go for Go's runtime package, in the style of mpagealloc_test.go.",
        discussion: """
        Writes DIR/allocverify_NAME_test.go (package runtime_test: the trace's operations on a test pageAlloc, \
        asserting what the checker asserts, with the reference's values) and DIR/export_allocverify_test.go \
        (package runtime: the wrappers a CL would add to export_test.go). Run them against any Go with \
        GoDriver/gotest.sh GOROOT DIR/allocverify_NAME_test.go [PATCH...]: they fail where the finding's bug is \
        and pass where it is fixed. Geometry amd64 traces only. Exit status: 0 written, 2 a bad trace or one \
        with no Go test form.
        """
    )

    @Argument(help: "The finding's trace.")
    var file: String

    @Option(help: ArgumentHelp("Directory to write the two files into.", valueName: "dir"))
    var out: String = "."

    @Option(help: "The Go test function's name (default: TestAllocVerify and the file's name, capitalized).")
    var name: String?

    func validate() throws {
        if let name, !name.hasPrefix("TestAllocVerify") || name.contains(where: { !$0.isLetter && !$0.isNumber }) {
            throw ValidationError("--name must be a Go identifier starting with TestAllocVerify (GoDriver/gotest.sh runs -run TestAllocVerify)")
        }
    }

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            printError("error: \(file): cannot read the file")
            throw ExitCode(2)
        }
        let test = name ?? GoTestExport.testName(forFile: file)
        var text = ""
        do {
            let trace = try Trace.parse(String(decoding: data, as: UTF8.self), file: file)
            text = try GoTestExport.render(trace, testName: test, source: file)
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        let base = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
            .map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
        let fm = FileManager.default
        try fm.createDirectory(atPath: out, withIntermediateDirectories: true)
        let testPath = (out as NSString).appendingPathComponent("allocverify_\(base)_test.go")
        let companion = (out as NSString).appendingPathComponent("export_allocverify_test.go")
        try text.write(toFile: testPath, atomically: true, encoding: .utf8)
        if fm.fileExists(atPath: companion) { try fm.removeItem(atPath: companion) }
        try fm.copyItem(atPath: GoTestExport.companionPath, toPath: companion)
        print(testPath)
        print(companion)
        printError("run it: bash GoDriver/gotest.sh GOROOT \(testPath) [PATCH...]   (GOROOT: bash GoDriver/toolchain.sh VERSION | tail -1)")
    }
}
