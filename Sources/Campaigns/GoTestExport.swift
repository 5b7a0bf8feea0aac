// `verify export-go-test`: a finding as a test of Go's own runtime package,
// in the style of mpagealloc_test.go, for a runtime engineer to paste into a
// CL. The test drives a test pageAlloc (export_test.go's NewPageAlloc, plus
// the wrappers in GoDriver/gotest/export_allocverify_test.go that a CL would
// add to export_test.go) through the trace's operations, and asserts what
// the checker asserts, with values the checker's reference computes, never
// the results recorded in the trace (a finding records the broken ones):
// - allocation results: the address always; the scavenged bytes until the
//   first scavenge (after it they are the scavenger's choice);
// - a forced scavenge that released less than it was asked for has run out
//   of work: every free page (the reference's free set) is scavenged;
// - the metadata mapped for the grows does not depend on their order: a
//   second pageAlloc grown in ascending address order has the same
//   summaryMappedReady (with two or more grows).
// Go 1.21+'s background rule and the index's own state are not asserted:
// the test reaches them through their consequences above.

import Foundation
import PageAlloc
import Reference
import TraceFormat
import Targets
import GoTarget
import Checking

/// A trace the exporter cannot turn into a Go test, and why.
public struct GoTestExportError: Error, CustomStringConvertible {
    public let description: String
}

public enum GoTestExport {
    /// The Go test name for a finding file: `TestAllocVerify` and the file's
    /// words, capitalized (`go1.27-scavenge-setEmpty-hides-free-pages` ->
    /// `TestAllocVerifyGo127ScavengeSetEmptyHidesFreePages`).
    public static func testName(forFile path: String) -> String {
        let base = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let words = base.split { !$0.isLetter && !$0.isNumber }
        return "TestAllocVerify" + words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// The companion file of export wrappers the tests need (written beside
    /// the test; identical for every test).
    public static var companionPath: String { GoDriverFiles.directory + "/gotest/export_allocverify_test.go" }

    /// The `_test.go` text for `trace` (geometry amd64 only: the test's
    /// addresses are the trace's).
    public static func render(_ trace: Trace, testName: String, source: String) throws -> String {
        guard trace.geometry.name == "amd64" else {
            throw GoTestExportError(description: "\(source): geometry \(trace.geometry.name): export-go-test writes tests for geometry amd64 traces only")
        }
        var r = ReferenceAllocator(geometry: trace.geometry)
        var body: [String] = []
        var scavenged = false
        var grows: [(UInt64, UInt64)] = []
        var usesCaches = false
        func at(_ addr: UInt64) -> String {
            let p = r.page(addr)
            return "PageBase(ChunkIdx(\(hex(p / 512))), \(p % 512))"
        }
        for step in trace.steps {
            let op = step.op
            let want: OpResult
            do { want = try r.apply(op) } catch {
                throw GoTestExportError(description: "\(source):\(step.line): \(traceLine(op, nil)): the reference refuses it: \(error)")
            }
            let line = "line \(step.line) (\(traceLine(op, nil)))"
            body.append("\t// \(line)")
            switch (op, want) {
            case let (.grow(base, bytes), _):
                grows.append((base, bytes))
                body.append("\tp.Grow(\(at(base)), \(hex(bytes)))")
            case let (.alloc(n), .alloc(a, s)):
                body.append("\tif a, s := p.Alloc(\(n)); a != \(a == 0 ? "0" : at(a))\(scavenged ? "" : " || s != \(hex(s))") {")
                body.append("\t\tt.Fatalf(\"\(line): got (%#x, %#x), want (%#x\(scavenged ? "" : ", %#x"))\", a, s, \(a == 0 ? "0" : at(a))\(scavenged ? "" : ", \(hex(s))"))")
                body.append("\t}")
            case let (.allocRange(base, n), .allocRange(s)):
                if scavenged {
                    body.append("\tp.AllocRange(\(at(base)), \(n))")
                } else {
                    body.append("\tif s := p.AllocRange(\(at(base)), \(n)); s != \(hex(s)) {")
                    body.append("\t\tt.Fatalf(\"\(line): got scav %#x, want %#x\", s, \(hex(s)))")
                    body.append("\t}")
                }
            case let (.free(base, n, claimed), _):
                // Go 1.19/1.20's export_test Free passes scavenged=true.
                body.append("\tp.\(claimed ? "Free" : "FreeUnscavenged")(\(at(base)), \(n))")
            case let (.allocToCache(i), .cache(base, cache, scav)):
                usesCaches = true
                body.append("\tcaches[\(i)] = p.AllocToCache()")
                let scavCheck = scavenged ? "" : " || caches[\(i)].Scav() != \(hex(scav))"
                body.append("\tif caches[\(i)].Base() != \(base == 0 ? "0" : at(base)) || caches[\(i)].Cache() != \(hex(cache))\(scavCheck) {")
                body.append("\t\tt.Fatalf(\"\(line): got (%#x, %#x, %#x), want base %#x cache %#x\", caches[\(i)].Base(), caches[\(i)].Cache(), caches[\(i)].Scav(), \(base == 0 ? "0" : at(base)), uint64(\(hex(cache))))")
                body.append("\t}")
            case let (.cacheAlloc(n, i), .alloc(a, s)):
                usesCaches = true
                body.append("\tif a, s := caches[\(i)].Alloc(\(n)); a != \(a == 0 ? "0" : at(a))\(scavenged ? "" : " || s != \(hex(s))") {")
                body.append("\t\tt.Fatalf(\"\(line): got (%#x, %#x), want (%#x\(scavenged ? "" : ", %#x"))\", a, s, \(a == 0 ? "0" : at(a))\(scavenged ? "" : ", \(hex(s))"))")
                body.append("\t}")
            case let (.cacheFlush(i), _):
                usesCaches = true
                body.append("\tcaches[\(i)].Flush(p)")
            case let (.scavenge(n, force), _):
                scavenged = true
                guard force else {
                    body.append("\tp.ScavengeBackground(\(hex(n)))")
                    continue
                }
                let runs = freeRuns(r)
                body.append("\tif got := p.Scavenge(\(hex(n))); got < \(hex(n)) {")
                body.append("\t\t// It ran out of work: every free page must now be scavenged.")
                body.append("\t\tif a, ok := p.FirstUnscavenged([]AllocVerifyRun{\(runs)}); ok {")
                body.append("\t\t\tt.Errorf(\"\(line): released %#x, less than asked, yet page %#x is free and unscavenged\", got, a)")
                body.append("\t\t}")
                body.append("\t}")
            case (.nextGen, _):
                body.append("\tif !p.NextGen() {")
                body.append("\t\tt.Skip(\"the scavenge index has no generations before Go 1.21\")")
                body.append("\t}")
            case let (.pad(base, n), _):
                body.append("\tif !p.MarkRandomPaddingPages(\(at(base)), \(n)) {")
                body.append("\t\tt.Skip(\"no heap-base padding before Go 1.26\")")
                body.append("\t}")
            default:
                throw GoTestExportError(description: "\(source):\(step.line): \(traceLine(op, nil)): no Go test form for this operation")
            }
        }
        if grows.count >= 2 {
            body.append("")
            body.append("\t// The metadata mapped for these grows must not depend on their order.")
            body.append("\tq := NewPageAlloc(nil, nil)")
            body.append("\tdefer FreePageAlloc(q)")
            for (base, bytes) in grows.sorted(by: { r.page($0.0) < r.page($1.0) }) {
                body.append("\tq.Grow(\(at(base)), \(hex(bytes)))")
            }
            body.append("\tif got, want := p.SummaryMappedReady(), q.SummaryMappedReady(); got != want {")
            body.append("\t\tt.Errorf(\"summaryMappedReady after the grows in trace order: got %#x, want %#x (as in address order)\", got, want)")
            body.append("\t}")
        }
        let about = trace.header.filter { !$0.hasPrefix("replay:") }.prefix(40).map { "// " + $0 }
        var out = """
        // Copyright \(Calendar(identifier: .gregorian).component(.year, from: Date())) The Go Authors. All rights reserved.
        // Use of this source code is governed by a BSD-style
        // license that can be found in the LICENSE file.

        // Generated by allocverify's `verify export-go-test` from
        // \((source as NSString).lastPathComponent). Needs export_allocverify_test.go beside it.
        //

        """
        out += about.joined(separator: "\n") + "\n\npackage runtime_test\n\nimport (\n\t. \"runtime\"\n\t\"testing\"\n)\n\n"
        out += "func \(testName)(t *testing.T) {\n"
        out += "\tif GOARCH != \"amd64\" {\n\t\tt.Skip(\"the trace's addresses are geometry amd64's\")\n\t}\n"
        out += "\tp := NewPageAlloc(nil, nil)\n\tdefer FreePageAlloc(p)\n"
        if usesCaches { out += "\tvar caches [\(ReferenceAllocator.pageCacheCount)]PageCache\n" }
        out += "\n" + body.joined(separator: "\n") + "\n}\n"
        return out
    }

    /// The reference's free pages that are not claimed freed-as-scavenged,
    /// as Go literals of AllocVerifyRun, split at chunk boundaries.
    static func freeRuns(_ r: ReferenceAllocator) -> String {
        var parts: [String] = []
        for iv in r.free.intervals {
            var p = iv.lowerBound
            while p < iv.upperBound {
                let end = Swift.min(iv.upperBound, (p / 512 + 1) * 512)
                var q = p
                while q < end {
                    if r.freedAsScavenged.contains(q) { q += 1; continue }
                    var e = q
                    while e < end && !r.freedAsScavenged.contains(e) { e += 1 }
                    parts.append("{\(hex(q / 512)), \(q % 512), \(e - q)}")
                    q = e
                }
                p = end
            }
        }
        return parts.joined(separator: ", ")
    }

    static func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }
}
