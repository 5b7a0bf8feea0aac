// The layering ARCHITECTURE.md promises, read from the sources' import
// lines: no module imports one later in the pipeline, the engine imports
// neither the port nor the Go target (nor the simulated OS the port runs
// on), and the reference shares no code with the port. SwiftPM refuses a
// cycle, but it lets a module import anything already in its build graph;
// this is what keeps the engine from reaching past the seam.

import Foundation
import Testing

/// The modules of the pipeline, in order: each may import only those
/// before it (ARCHITECTURE.md, "Modules, in pipeline order").
let pipeline = ["SplitMix", "Vocabulary", "SummaryCore", "OSMemory", "PageAlloc", "TraceFormat", "Reference",
                "Targets", "Checking", "PortAdapter", "GoTarget", "Campaigns", "verify"]

/// What each module must never import, whatever the order allows.
let forbidden: [String: Set<String>] = [
    // The engine judges whatever stands behind the seam.
    "Checking": ["PageAlloc", "OSMemory", "PortAdapter", "GoTarget"],
    // The oracle shares no code with the port, and neither does the seam.
    "Reference": ["PageAlloc", "SummaryCore"],
    "TraceFormat": ["PageAlloc"],
    "Targets": ["PageAlloc", "OSMemory"],
    // The Go target drives real Go, not the port.
    "GoTarget": ["PageAlloc", "OSMemory"],
]

/// The modules a Swift file imports (plain, `@testable`, `@_exported`, and
/// scoped imports such as `import struct M.T`).
func importedModules(_ source: String) -> [String] {
    source.split(separator: "\n").compactMap { line in
        var words = line.split(separator: " ").map(String.init)
        while let w = words.first, w.hasPrefix("@") { words.removeFirst() }
        guard words.first == "import", words.count >= 2 else { return nil }
        let path = words.count >= 3 && ["struct", "class", "enum", "func", "protocol", "typealias", "var", "let"].contains(words[1])
            ? words[2] : words[1]
        return String(path.split(separator: ".")[0])
    }
}

/// Each broken rule, as "module file: imports X (why)".
func layeringViolations(_ files: [(module: String, file: String, source: String)]) -> [String] {
    var out: [String] = []
    for f in files {
        guard let at = pipeline.firstIndex(of: f.module) else { continue }
        for m in importedModules(f.source) {
            if let j = pipeline.firstIndex(of: m), j >= at, m != f.module {
                out.append("\(f.module) \(f.file): imports \(m), which comes later in the pipeline")
            }
            if forbidden[f.module, default: []].contains(m) {
                out.append("\(f.module) \(f.file): imports \(m), which it must not")
            }
        }
    }
    return out
}

@Suite("The modules' layering")
struct LayeringTests {
    func sources() throws -> [(module: String, file: String, source: String)] {
        var out: [(module: String, file: String, source: String)] = []
        let root = packageRoot.appendingPathComponent("Sources")
        for module in pipeline {
            let dir = root.appendingPathComponent(module)
            guard let e = FileManager.default.enumerator(atPath: dir.path) else { continue }
            for case let rel as String in e where rel.hasSuffix(".swift") {
                out.append((module, rel, try String(contentsOf: dir.appendingPathComponent(rel), encoding: .utf8)))
            }
        }
        return out.sorted { ($0.module, $0.file) < ($1.module, $1.file) }
    }

    @Test("every pipeline module has sources here, and none breaks the layering")
    func layering() throws {
        let files = try sources()
        #expect(Set(files.map(\.module)) == Set(pipeline))
        #expect(layeringViolations(files) == [])
        // The engine's own imports, stated: the seam and what the seam speaks.
        let engine = Set(files.filter { $0.module == "Checking" }.flatMap { importedModules($0.source) })
        #expect(engine.isSubset(of: ["Foundation", "SplitMix", "Vocabulary", "SummaryCore", "TraceFormat", "Reference", "Targets"]))
    }

    @Test("negative controls: an engine importing the port, a reference importing SummaryCore, a seam importing Checking")
    func controls() {
        #expect(importedModules("@testable import PageAlloc\nimport struct SummaryCore.ScavChunkData\n// import GoTarget\n")
                == ["PageAlloc", "SummaryCore"])
        let bad = layeringViolations([
            ("Checking", "Runner.swift", "import Foundation\nimport PageAlloc\n"),
            ("Reference", "R.swift", "import func SummaryCore.findBitRange64\n"),
            ("Targets", "T.swift", "@_exported import Checking\n"),
            ("Checking", "Ok.swift", "import Targets\nimport Vocabulary\n"),
        ])
        #expect(bad == [
            "Checking Runner.swift: imports PageAlloc, which it must not",
            "Reference R.swift: imports SummaryCore, which it must not",
            "Targets T.swift: imports Checking, which comes later in the pipeline",
        ])
    }
}
