// The table of models and variants that `verify model` runs: each entry
// knows its expected verdict, whether it is a control, and its Promela twin.

import Foundation
import ModelChecking

/// One row of the model table: a model, a variant, and what must happen.
public struct ModelCase: Sendable {
    public let model: String
    public let variant: String
    public let expected: Verdict
    /// Controls remove one ingredient of a bug; they must not show it.
    public let isControl: Bool
    /// What the variant stands for, one line.
    public let summary: String
    /// The Promela twin, if any.
    public let twin: SpinTwin?
    let check: @Sendable (CheckOptions) -> CheckResult
    /// For a model whose space has no end: the depth its "ok" is claimed
    /// to. Its runs are bounded by design and reported as such.
    public var boundedClaim: Int? = nil
}

/// A Promela twin: the file in Models/spin, the -D flags selecting the
/// variant, and the verdict SPIN must reach (SPIN's own words).
public struct SpinTwin: Sendable, Codable, Equatable {
    public let file: String
    public let defines: [String]
    /// "deadlock", "ok", or "assertion".
    public let expected: String
}

public enum ModelCatalogError: Error, CustomStringConvertible, Equatable {
    case unknownModel(String, known: [String])
    case unknownVariant(model: String, variant: String, known: [String])
    case noTwin(model: String, variant: String)
    case invalidDepth(Int)

    public var description: String {
        switch self {
        case .unknownModel(let name, let known):
            return "unknown model '\(name)'; known models: \(known.joined(separator: ", "))"
        case .unknownVariant(let model, let variant, let known):
            return "model \(model) has no variant '\(variant)'; its variants: \(known.joined(separator: ", "))"
        case .noTwin(let model, let variant):
            return "model \(model) variant \(variant) has no Promela twin (twins exist for UFFDStopTheWorld and MachWireCoalesce)"
        case .invalidDepth(let depth):
            return "--max-depth must be at least 0 (got \(depth))"
        }
    }
}

public enum ModelCatalog {
    /// Every model and variant, in table order.
    public static let all: [ModelCase] = uffd + mach + osMemory + pageAlloc

    /// Model names in table order.
    public static var modelNames: [String] {
        var names: [String] = []
        for entry in all where !names.contains(entry.model) { names.append(entry.model) }
        return names
    }

    /// The cases selected by a model name and variant (nil selects all);
    /// names match case-insensitively. Unknown names are errors.
    public static func select(name: String?, variant: String?) throws -> [ModelCase] {
        var cases = all
        if let name {
            cases = all.filter { $0.model.lowercased() == name.lowercased() }
            if cases.isEmpty { throw ModelCatalogError.unknownModel(name, known: modelNames) }
        }
        if let variant {
            let matching = cases.filter { $0.variant.lowercased() == variant.lowercased() }
            if matching.isEmpty {
                throw ModelCatalogError.unknownVariant(
                    model: name ?? "(any)", variant: variant, known: cases.map(\.variant))
            }
            cases = matching
        }
        return cases
    }

    static let uffd: [ModelCase] = UFFDStopTheWorld.Variant.allCases.map { variant in
        let config = variant.config
        var defines: [String] = []
        if config.access == .madvisePopulate { defines.append("FIXED") }
        switch config.handler {
        case .barrierGated: break
        case .ungated: defines.append("NO_BARRIER")
        case .inRuntime: defines.append("INRUNTIME_HANDLER")
        }
        if !config.gcTrigger { defines.append("NO_GC") }
        return ModelCase(
            model: "UFFDStopTheWorld", variant: variant.rawValue, expected: variant.expected,
            isControl: variant.rawValue.hasPrefix("control"),
            summary: "access \(config.access.rawValue), handler \(config.handler.rawValue), GC \(config.gcTrigger ? "on" : "off")",
            twin: SpinTwin(file: "uffd.pml", defines: defines, expected: variant.expected.deadlock ? "deadlock" : "ok"),
            check: { Checker(UFFDStopTheWorld(variant), options: $0).run() })
    }

    static let mach: [ModelCase] = MachWireCoalesce.Variant.allCases.map { variant in
        ModelCase(
            model: "MachWireCoalesce", variant: variant.rawValue, expected: variant.expected,
            isControl: variant.rawValue.hasPrefix("control"), summary: variant.summary,
            twin: SpinTwin(file: "mach.pml", defines: variant.spinDefines,
                           expected: variant.expected.deadlock ? "deadlock" : "ok"),
            check: { Checker(MachWireCoalesce(variant), options: $0).run() })
    }

    static let osMemory: [ModelCase] = OSMemoryStates.Variant.allCases.map { variant in
        ModelCase(
            model: "OSMemoryStates", variant: variant.rawValue, expected: variant.expected,
            isControl: variant.rawValue.hasPrefix("control"), summary: variant.summary, twin: nil,
            check: { Checker(OSMemoryStates(variant), options: $0).run() })
    }

    static let pageAlloc: [ModelCase] = PageAllocSmallScope.Variant.allCases.map { variant in
        ModelCase(
            model: "PageAllocSmallScope", variant: variant.rawValue, expected: variant.expected,
            isControl: false, summary: variant.summary, twin: nil,
            check: { options in
                var o = options
                if o.maxDepth == nil { o.maxDepth = PageAllocSmallScope.defaultDepth }
                return Checker(PageAllocSmallScope(variant), options: o).run()
            }, boundedClaim: PageAllocSmallScope.defaultDepth)
    }
}
