// Go-side coverage of the page heap: which statements of real Go's page
// allocator a campaign reached. The driver of a coverage build (GoDriver/
// build.sh with ALLOCVERIFY_GO_COVER=1) counts, per `go tool cover` block,
// the statements the test pageAlloc ran for the campaign's operations, and
// writes Go's profile format (cover-PID.out, one per driver process). This
// file merges those profiles, assigns blocks to the page heap's functions,
// and renders the table and the list of statements never reached.

import Foundation
import TraceFormat
import Targets
import GoTarget
import Checking
import Reference

/// One `go tool cover` block: a run of statements on a line span.
public struct CoverBlock: Hashable, Sendable {
    public var file: String
    public var line0: Int, col0: Int, line1: Int, col1: Int
    public var statements: Int
    public var count: Int

    /// The block's identity (without its count).
    var key: String { "\(file):\(line0).\(col0),\(line1).\(col1)" }
}

/// A function of the page heap and what a campaign reached of it.
public struct CoverFunction: Sendable {
    public var file: String
    public var name: String
    public var receiver: String?
    public var line0: Int, line1: Int
    public var statements = 0
    public var reached = 0
    public var unreached: [CoverBlock] = []
    /// Statements no run of the test pageAlloc can reach, with why: the
    /// whole function, or blocks that only throw.
    public var excluded = 0
    public var excludedWhy: [(block: CoverBlock, reason: String)] = []
}

public struct GoCoverageError: Error, CustomStringConvertible {
    public let description: String
}

public enum GoCoverage {
    /// The page heap (issue: "All of current Go's page heap"): every function
    /// of these files, and in mgcscavenge.go the scavenge index and the
    /// scavenge path only (its pacing and background goroutine are not the
    /// page heap).
    public static let wholeFiles: Set<String> = ["mpagealloc.go", "mpagealloc_64bit.go", "mpagealloc_32bit.go",
                                                 "mpallocbits.go", "mpagecache.go", "mranges.go"]
    static let scavengeReceivers = ["scavengeIndex", "atomicScavChunkData", "scavChunkData", "scavChunkFlags"]
    static let scavengeFunctions: Set<String> = ["scavenge", "scavengeOne", "fillAligned", "findScavengeCandidate",
                                                 "unpackScavChunkData"]

    /// Functions of the page heap's files that no run of the test pageAlloc
    /// reaches, by "file:Receiver.name" (or "file:name"), with the reason
    /// (callers checked in Go 1.27.3's runtime, tests aside).
    public static let notThroughTestPageAlloc: [String: String] = [
        "mranges.go:addrRange.takeFromFront": "user arenas' chunk list (arena.go), not the page allocator",
        "mranges.go:addrRange.takeFromBack": "user arenas' chunk list (arena.go), not the page allocator",
        "mranges.go:addrRange.removeGreaterEqual": "called only by addrRanges.removeGreaterEqual, which nothing outside tests calls",
        "mranges.go:addrRanges.removeGreaterEqual": "no caller in the runtime outside tests",
        "mranges.go:addrRanges.removeLast": "no caller in the runtime outside tests",
        "mranges.go:offAddr.sub": "called only by addrRanges.removeLast",
        "mranges.go:addrRanges.contains": "no caller in the runtime outside tests",
        "mranges.go:addrRanges.cloneInto": "called only by enableChunkHugePages",
        "mpagealloc.go:pageAlloc.enableChunkHugePages": "the runtime's own heap only (malloc.go), never a test pageAlloc",
        "mpagealloc.go:pageAlloc.tryChunkOf": "no caller in the runtime outside tests",
        "mpallocbits.go:pageBits.get": "no caller in the runtime outside tests",
    ]

    /// Branches of page heap functions that the runtime's call sites never
    /// take: the blocks after the first line containing `from` in the
    /// function, up to the next line that closes a top-level block of the
    /// function body (a tab and `}`), by "file:Receiver.name", with the reason.
    public static let branchesNotTaken: [String: (from: String, reason: String)] = [
        "mpagealloc.go:pageAlloc.markRandomPaddingPages": (
            from: "} else {",
            reason: "padding across chunks: mheap.grow pads fewer than pallocChunkPages pages at a chunk-aligned base, so sc == ec"),
    ]

    /// Whether a function (its `func` line) of `file` belongs to the page heap.
    public static func inPageHeap(file: String, header: String, name: String) -> Bool {
        let base = (file as NSString).lastPathComponent
        if wholeFiles.contains(base) { return true }
        guard base == "mgcscavenge.go" else { return false }
        if scavengeFunctions.contains(name) {
            // (*pageAlloc).scavenge and the like, not scavengerState's methods.
            return receiverType(header) != "scavengerState"
        }
        return receiverType(header).map(scavengeReceivers.contains) ?? false
    }

    /// The receiver's type of a method's `func` line (`func (s *T) f(` -> T).
    static func receiverType(_ header: String) -> String? {
        guard header.hasPrefix("func ("), let close = header.firstIndex(of: ")") else { return nil }
        let recv = header[header.index(header.startIndex, offsetBy: 6)..<close].split(separator: " ")
        guard let t = recv.last else { return nil }
        return String(t.drop { $0 == "*" })
    }

    /// Reads and merges every `cover-*.out` profile in `dir` (counts add).
    public static func merge(directory dir: String) throws -> [CoverBlock] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
            .filter { $0.hasPrefix("cover-") && $0.hasSuffix(".out") }.sorted()
        guard !names.isEmpty else {
            throw GoCoverageError(description: "\(dir): no coverage profile (cover-*.out): did the campaign run a Go target?")
        }
        var merged: [String: CoverBlock] = [:]
        var order: [String] = []
        for n in names {
            let path = dir + "/" + n
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw GoCoverageError(description: "\(path): cannot read the profile")
            }
            for (k, line) in text.split(separator: "\n").enumerated() where k > 0 {
                guard let b = parse(String(line)) else {
                    throw GoCoverageError(description: "\(path):\(k + 1): not a coverage profile line: \(line)")
                }
                if merged[b.key] == nil { order.append(b.key); merged[b.key] = b } else { merged[b.key]!.count += b.count }
            }
        }
        return order.map { merged[$0]! }
    }

    /// Parses `FILE:L0.C0,L1.C1 NSTMT COUNT`.
    static func parse(_ line: String) -> CoverBlock? {
        guard let colon = line.lastIndex(of: ":") else { return nil }
        let file = String(line[..<colon])
        let rest = line[line.index(after: colon)...].split(separator: " ")
        guard rest.count == 3, let stmts = Int(rest[1]), let count = Int(rest[2]) else { return nil }
        let span = rest[0].split(separator: ",")
        guard span.count == 2 else { return nil }
        let a = span[0].split(separator: "."), b = span[1].split(separator: ".")
        guard a.count == 2, b.count == 2, let l0 = Int(a[0]), let c0 = Int(a[1]), let l1 = Int(b[0]), let c1 = Int(b[1]) else { return nil }
        return CoverBlock(file: file, line0: l0, col0: c0, line1: l1, col1: c1, statements: stmts, count: count)
    }

    /// The functions of a gofmt'd Go source: name, header line, first and
    /// last line (a top-level function ends at the first `}` in column 0).
    static func functions(_ source: String) -> [(name: String, header: String, line0: Int, line1: Int)] {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var out: [(String, String, Int, Int)] = []
        var k = 0
        while k < lines.count {
            let l = lines[k]
            guard l.hasPrefix("func ") else { k += 1; continue }
            var name = l.dropFirst(5)
            if name.hasPrefix("("), let close = name.firstIndex(of: ")") { name = name[name.index(after: close)...] }
            let fname = String(name.trimmingCharacters(in: .whitespaces).prefix { $0.isLetter || $0.isNumber || $0 == "_" })
            var end = k
            if !(l.hasSuffix("}") && l.filter({ $0 == "{" }).count == l.filter({ $0 == "}" }).count) {
                end = k + 1
                while end < lines.count && lines[end] != "}" { end += 1 }
            }
            out.append((fname, l, k + 1, end + 1))
            k = end + 1
        }
        return out
    }

    /// The page heap's functions with what `blocks` reached of each, in file
    /// and line order.
    public static func functions(_ blocks: [CoverBlock]) throws -> [CoverFunction] {
        var byFile: [String: [CoverBlock]] = [:]
        for b in blocks { byFile[b.file, default: []].append(b) }
        var out: [CoverFunction] = []
        for file in byFile.keys.sorted() {
            guard let source = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw GoCoverageError(description: "\(file): the instrumented source is gone (it lives beside the driver binary)")
            }
            let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
            for f in functions(source) where inPageHeap(file: file, header: f.header, name: f.name) {
                let recv = receiverType(f.header)
                var row = CoverFunction(file: file, name: f.name, receiver: recv, line0: f.line0, line1: f.line1)
                let key = "\((file as NSString).lastPathComponent):" + (recv.map { "\($0)." } ?? "") + f.name
                let whole = notThroughTestPageAlloc[key]
                // The line where a branch the runtime never takes begins.
                var branch: (from: Int, to: Int, reason: String)?
                if let b = branchesNotTaken[key],
                   let k = (f.line0..<f.line1).first(where: { $0 - 1 < lines.count && lines[$0 - 1].contains(b.from) }) {
                    let end = ((k + 1)..<f.line1).first { $0 - 1 < lines.count && lines[$0 - 1] == "\t}" } ?? f.line1
                    branch = (k, end, b.reason)
                }
                for b in byFile[file]! where b.line0 >= f.line0 && b.line1 <= f.line1 {
                    row.statements += b.statements
                    if b.count > 0 {
                        row.reached += b.statements
                        continue
                    }
                    // A block whose statements throw is reached only when
                    // Go's own check fails: the defect this suite reports.
                    let text = lines[Swift.max(0, b.line0 - 1)..<Swift.min(lines.count, b.line1)].joined(separator: "\n")
                    let inBranch = branch.flatMap { b.line0 >= $0.from && b.line1 <= $0.to ? $0.reason : nil }
                    if let why = whole ?? inBranch ?? (text.contains("throw(") ? "a throw: reached only when Go's own check fails" : nil) {
                        row.excluded += b.statements
                        row.excludedWhy.append((b, why))
                    } else {
                        row.unreached.append(b)
                    }
                }
                row.unreached.sort { ($0.line0, $0.col0) < ($1.line0, $1.col0) }
                if row.statements > 0 { out.append(row) }
            }
        }
        return out
    }

    /// The merged profile, in Go's format (`go tool cover -html` reads it).
    public static func profileText(_ blocks: [CoverBlock]) -> String {
        "mode: count\n" + blocks.map { "\($0.key) \($0.statements) \($0.count)\n" }.joined()
    }

    /// The table: one row per function (reached/statements), the totals, and
    /// every statement block never reached, with its file and line.
    public static func table(_ rows: [CoverFunction], header: String) -> String {
        var s = header + "\n"
        let total = rows.reduce(0) { $0 + $1.statements }, reached = rows.reduce(0) { $0 + $1.reached }
        let excluded = rows.reduce(0) { $0 + $1.excluded }
        let reachable = total - excluded
        s += "function".padding(toLength: 54, withPad: " ", startingAt: 0) + "reached/statements\n"
        for r in rows {
            let name = (r.receiver.map { "\($0)." } ?? "") + r.name
            let where_ = "\((r.file as NSString).lastPathComponent):\(r.line0) \(name)"
            s += where_.padding(toLength: 54, withPad: " ", startingAt: 0)
                + "\(r.reached)/\(r.statements)" + (r.reached == r.statements ? "" : String(format: "  %.0f%%", 100 * Double(r.reached) / Double(r.statements)))
                + (r.excluded > 0 ? "  (\(r.excluded) not reachable)" : "") + "\n"
        }
        s += String(format: "total: %d of %d statements reached (%.1f%%) in %d functions\n", reached, total,
                    total == 0 ? 0 : 100 * Double(reached) / Double(total), rows.count)
        s += String(format: "reachable through the test pageAlloc: %d of %d statements reached (%.1f%%); %d statements left out, each below with its reason\n",
                    reached, reachable, reachable == 0 ? 0 : 100 * Double(reached) / Double(reachable), excluded)
        let missing = rows.flatMap { r in r.unreached.map { (r, $0) } }
        func place(_ r: CoverFunction, _ b: CoverBlock) -> String {
            "  \((b.file as NSString).lastPathComponent):\(b.line0)" + (b.line1 != b.line0 ? "-\(b.line1)" : "")
                + " in \((r.receiver.map { "\($0)." } ?? "") + r.name) (\(b.statements) statement\(b.statements == 1 ? "" : "s"))"
        }
        if !missing.isEmpty {
            s += "\nnever reached, though reachable (\(missing.count) blocks, \(reachable - reached) statements):\n"
            for (r, b) in missing { s += place(r, b) + "\n" }
        }
        let left = rows.flatMap { r in r.excludedWhy.map { (r, $0.block, $0.reason) } }
        if !left.isEmpty {
            s += "\nleft out: not reachable through the test pageAlloc (\(left.count) blocks, \(excluded) statements):\n"
            for (r, b, why) in left { s += place(r, b) + ": " + why + "\n" }
        }
        return s
    }
}
