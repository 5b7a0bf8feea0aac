// The `verify` command line: one value type per subcommand.

import ArgumentParser
import Foundation
import PageAlloc

@main
struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verification suite for Go's runtime page allocator (a faithful Swift port).",
        subcommands: [RunCommand.self, CheckCommand.self, FuzzCommand.self, ReplayCommand.self, ModelCommand.self, ProveCommand.self, BenchCommand.self],
        defaultSubcommand: RunCommand.self
    )
}

/// Options naming an allocator configuration, shared by subcommands.
struct AllocatorOptions: ParsableArguments {
    @Option(name: .long, help: "Geometry: \(Geometry.all.map(\.name).joined(separator: ", ")).")
    var geometry: String?

    @Option(name: .long, help: "Allocator variant: \(Variant.allCases.map(\.rawValue).joined(separator: ", ")).")
    var variant: String = Variant.faithful.rawValue

    func resolvedGeometry() throws -> Geometry? {
        guard let geometry else { return nil }
        do { return try Geometry.named(geometry) } catch {
            throw ValidationError(error.description)
        }
    }

    func resolvedVariant() throws -> Variant {
        guard let v = Variant(rawValue: variant) else {
            throw ValidationError("unknown variant '\(variant)'; known: \(Variant.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return v
    }
}

/// Writes a line to standard error.
func printError(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}
