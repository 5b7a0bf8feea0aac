// Trace format v1: parsing with errors that name the line, and printing.

import Foundation

import Vocabulary

/// A malformed trace, naming where.
public struct TraceSyntaxError: Error, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let message: String
    public var description: String { "\(file):\(line): \(message)" }
    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }
}

/// One operation of a trace, with its line and the result it expects.
public struct TraceStep: Equatable, Sendable, Codable {
    public var op: Operation
    public var expected: OpResult?
    /// 1-based line in the source file (0 for generated steps).
    public var line: Int
    public init(op: Operation, expected: OpResult? = nil, line: Int = 0) {
        self.op = op
        self.expected = expected
        self.line = line
    }
}

/// A parsed trace: a geometry and a list of steps.
public struct Trace: Equatable, Sendable {
    public var geometry: Geometry
    public var steps: [TraceStep]
    /// Comment lines to print at the top when the trace is written.
    public var header: [String] = []

    public init(geometry: Geometry = .amd64, steps: [TraceStep], header: [String] = []) {
        self.geometry = geometry
        self.steps = steps
        self.header = header
    }

    public var operations: [Operation] { steps.map(\.op) }

    /// The trace as text, each step with its expected result if any.
    public func text() -> String {
        var out = ["pagealloc-trace 1"]
        out += header.map { "# " + $0 }
        out.append("geometry \(geometry.name)")
        out += steps.map { traceLine($0.op, $0.expected) }
        return out.joined(separator: "\n") + "\n"
    }
}

/// Parses one operation keyword's arguments. New operations (the page
/// cache, the scavenger) register here without touching the parser.
public struct OperationSyntax: Sendable {
    public let keyword: String
    /// Usage for error messages.
    public let usage: String
    /// Builds the operation from its argument tokens.
    public let parse: @Sendable (_ args: [String], _ number: (String) throws(TraceParseFailure) -> UInt64) throws(TraceParseFailure) -> Operation
    /// Parses the text after `->`.
    public let parseResult: (@Sendable (_ tokens: [String], _ number: (String) throws(TraceParseFailure) -> UInt64) throws(TraceParseFailure) -> OpResult)?
}

/// A parse failure inside one line (the parser adds file and line).
public struct TraceParseFailure: Error { public let message: String; public init(_ m: String) { message = m } }

extension OperationSyntax {
    /// The operations of trace format v1.
    public static let v1: [OperationSyntax] = [
        OperationSyntax(keyword: "grow", usage: "grow BASE BYTES", parse: { a, num throws(TraceParseFailure) in
            guard a.count == 2 else { throw TraceParseFailure("usage: grow BASE BYTES") }
            return .grow(base: try num(a[0]), bytes: try num(a[1]))
        }, parseResult: nil),
        OperationSyntax(keyword: "alloc", usage: "alloc NPAGES", parse: { a, num throws(TraceParseFailure) in
            guard a.count == 1 else { throw TraceParseFailure("usage: alloc NPAGES") }
            return .alloc(npages: try num(a[0]))
        }, parseResult: { r, num throws(TraceParseFailure) in
            guard r.count == 2 else { throw TraceParseFailure("alloc result must be 'ADDR SCAV'") }
            return .alloc(addr: try num(r[0]), scav: try num(r[1]))
        }),
        OperationSyntax(keyword: "free", usage: "free BASE NPAGES [scavenged]", parse: { a, num throws(TraceParseFailure) in
            guard a.count == 2 || (a.count == 3 && a[2] == "scavenged") else {
                throw TraceParseFailure("usage: free BASE NPAGES [scavenged]")
            }
            return .free(base: try num(a[0]), npages: try num(a[1]), scavenged: a.count == 3)
        }, parseResult: nil),
        OperationSyntax(keyword: "alloc-range", usage: "alloc-range BASE NPAGES", parse: { a, num throws(TraceParseFailure) in
            guard a.count == 2 else { throw TraceParseFailure("usage: alloc-range BASE NPAGES") }
            return .allocRange(base: try num(a[0]), npages: try num(a[1]))
        }, parseResult: { r, num throws(TraceParseFailure) in
            guard r.count == 1 else { throw TraceParseFailure("alloc-range result must be 'SCAV'") }
            return .allocRange(scav: try num(r[0]))
        }),
    ]

    /// The page cache's operations (mpagecache.go). `P` is optional and 0
    /// by default.
    public static let pageCache: [OperationSyntax] = [
        OperationSyntax(keyword: "alloc-to-cache", usage: "alloc-to-cache [P]", parse: { a, num throws(TraceParseFailure) in
            guard a.count <= 1 else { throw TraceParseFailure("usage: alloc-to-cache [P]") }
            return .allocToCache(p: try cacheP(a.first, num))
        }, parseResult: { r, num throws(TraceParseFailure) in
            guard r.count == 3 else { throw TraceParseFailure("alloc-to-cache result must be 'BASE CACHE-BITS SCAV-BITS'") }
            return .cache(base: try num(r[0]), cache: try num(r[1]), scav: try num(r[2]))
        }),
        OperationSyntax(keyword: "cache-alloc", usage: "cache-alloc NPAGES [P]", parse: { a, num throws(TraceParseFailure) in
            guard a.count == 1 || a.count == 2 else { throw TraceParseFailure("usage: cache-alloc NPAGES [P]") }
            return .cacheAlloc(npages: try num(a[0]), p: try cacheP(a.count == 2 ? a[1] : nil, num))
        }, parseResult: { r, num throws(TraceParseFailure) in
            guard r.count == 2 else { throw TraceParseFailure("cache-alloc result must be 'ADDR SCAV'") }
            return .alloc(addr: try num(r[0]), scav: try num(r[1]))
        }),
        OperationSyntax(keyword: "cache-flush", usage: "cache-flush [P]", parse: { a, num throws(TraceParseFailure) in
            guard a.count <= 1 else { throw TraceParseFailure("usage: cache-flush [P]") }
            return .cacheFlush(p: try cacheP(a.first, num))
        }, parseResult: nil),
    ]

    /// The scavenger's operations (mgcscavenge.go).
    public static let scavenger: [OperationSyntax] = [
        OperationSyntax(keyword: "scavenge", usage: "scavenge NBYTES [force]", parse: { a, num throws(TraceParseFailure) in
            guard a.count == 1 || (a.count == 2 && a[1] == "force") else { throw TraceParseFailure("usage: scavenge NBYTES [force]") }
            return .scavenge(nbytes: try num(a[0]), force: a.count == 2)
        }, parseResult: { r, num throws(TraceParseFailure) in
            guard r.count == 1 else { throw TraceParseFailure("scavenge result must be 'RELEASED'") }
            return .scavenged(released: try num(r[0]))
        }),
        OperationSyntax(keyword: "next-gen", usage: "next-gen", parse: { a, _ throws(TraceParseFailure) in
            guard a.isEmpty else { throw TraceParseFailure("usage: next-gen (no arguments)") }
            return .nextGen
        }, parseResult: nil),
        OperationSyntax(keyword: "pad", usage: "pad BASE NPAGES", parse: { a, num throws(TraceParseFailure) in
            guard a.count == 2 else { throw TraceParseFailure("usage: pad BASE NPAGES") }
            return .pad(base: try num(a[0]), npages: try num(a[1]))
        }, parseResult: nil),
    ]

    /// Every operation a trace may hold.
    public static let all: [OperationSyntax] = v1 + pageCache + scavenger

    /// Parses a page cache's P: absent means 0.
    static func cacheP(_ s: String?, _ num: (String) throws(TraceParseFailure) -> UInt64) throws(TraceParseFailure) -> Int {
        guard let s else { return 0 }
        let p = try num(s)
        guard p < UInt64(Operation.pageCaches) else {
            throw TraceParseFailure("P \(p) out of range: page caches are P 0 to \(Operation.pageCaches - 1)")
        }
        return Int(p)
    }
}

extension Trace {
    /// Parses a number: decimal or `0x` hex, unsigned 64-bit.
    static func number(_ s: String) throws(TraceParseFailure) -> UInt64 {
        let v: UInt64?
        if s.hasPrefix("0x") || s.hasPrefix("0X") {
            v = s.count > 2 ? UInt64(s.dropFirst(2).replacingOccurrences(of: "_", with: ""), radix: 16) : nil
        } else {
            v = UInt64(s.replacingOccurrences(of: "_", with: ""))
        }
        guard let v else { throw TraceParseFailure("'\(s)' is not a number (decimal or 0x hex)") }
        return v
    }

    /// Parses trace format v1. `geometryOverride` replaces the file's
    /// geometry line (the `--geometry` flag).
    /// Parses one operation line ("alloc 3", no result), as a trace holds it.
    public static func parseOperation(_ line: String, syntax: [OperationSyntax] = OperationSyntax.all) throws -> Operation {
        let tokens = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let keyword = tokens.first, let syn = syntax.first(where: { $0.keyword == keyword }) else {
            throw TraceSyntaxError(file: "<worker>", line: 1, message: "unknown operation '\(line)'")
        }
        do throws(TraceParseFailure) {
            return try syn.parse(Array(tokens.dropFirst()), Trace.number)
        } catch {
            throw TraceSyntaxError(file: "<worker>", line: 1, message: error.message)
        }
    }

    public static func parse(_ text: String, file: String = "<trace>", geometryOverride: Geometry? = nil,
                             syntax: [OperationSyntax] = OperationSyntax.all) throws(TraceSyntaxError) -> Trace {
        var sawHeader = false
        var geometry: Geometry?
        var steps: [TraceStep] = []
        var lineNo = 0
        func fail(_ m: String) -> TraceSyntaxError { TraceSyntaxError(file: file, line: lineNo, message: m) }
        // Lines end in LF, CRLF or CR: Swift reads "\r\n" as one Character,
        // so split on every newline Character, not on "\n" alone.
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNo += 1
            var line = Substring(raw)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let body = line.trimmingCharacters(in: .whitespaces)
            if body.isEmpty { continue }
            var resultText: String?
            var opText = body
            if let arrow = body.range(of: "->") {
                opText = String(body[..<arrow.lowerBound]).trimmingCharacters(in: .whitespaces)
                resultText = String(body[arrow.upperBound...]).trimmingCharacters(in: .whitespaces)
            }
            let tokens = opText.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            if !sawHeader {
                guard tokens == ["pagealloc-trace", "1"], resultText == nil else {
                    throw fail("expected the header 'pagealloc-trace 1' before anything else")
                }
                sawHeader = true
                continue
            }
            if tokens.first == "geometry" {
                guard tokens.count == 2, resultText == nil else { throw fail("usage: geometry NAME") }
                guard steps.isEmpty else { throw fail("geometry must come before the first operation") }
                guard geometry == nil else { throw fail("geometry given twice") }
                do { geometry = try Geometry.named(tokens[1]) } catch { throw fail(error.description) }
                continue
            }
            guard let keyword = tokens.first, let syn = syntax.first(where: { $0.keyword == keyword }) else {
                throw fail("unknown operation '\(tokens.first ?? "")'; known: \(syntax.map(\.keyword).joined(separator: ", "))")
            }
            do throws(TraceParseFailure) {
                let op = try syn.parse(Array(tokens.dropFirst()), Trace.number)
                var expected: OpResult?
                if let resultText {
                    guard let pr = syn.parseResult else { throw TraceParseFailure("'\(keyword)' has no result; remove '-> \(resultText)'") }
                    let rt = resultText.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                    expected = try pr(rt, Trace.number)
                }
                steps.append(TraceStep(op: op, expected: expected, line: lineNo))
            } catch {
                throw fail(error.message)
            }
        }
        guard sawHeader else { throw TraceSyntaxError(file: file, line: max(lineNo, 1), message: "empty trace: expected 'pagealloc-trace 1'") }
        return Trace(geometry: geometryOverride ?? geometry ?? .amd64, steps: steps)
    }
}
