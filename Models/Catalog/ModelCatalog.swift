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
    /// The sizes the model lets `--param NAME=VALUE` set.
    public var parameters: [ModelParameter] = []
    /// The run and the expected verdict at given parameter values (every
    /// name among `parameters`, values in range); nil when the model has no
    /// parameters.
    var checkWith: (@Sendable (CheckOptions, [String: Int]) -> CheckResult)? = nil
    var expectedWith: (@Sendable ([String: Int]) -> Verdict)? = nil
    /// The access audit at given parameter values (nil: the model has one
    /// actor and declares nothing for partial-order reduction).
    var audit: (@Sendable ([String: Int]) -> AccessAuditReport)? = nil

    /// The expected verdict at these parameter values.
    public func expected(_ params: [String: Int]) -> Verdict {
        params.isEmpty ? expected : (expectedWith?(params) ?? expected)
    }

    /// Runs the case at these parameter values.
    public func run(_ options: CheckOptions, _ params: [String: Int]) -> CheckResult {
        params.isEmpty ? check(options) : (checkWith?(options, params) ?? check(options))
    }
}

/// A size a model declares and `verify model --param NAME=VALUE` sets.
public struct ModelParameter: Sendable, Equatable {
    public let name: String
    public let range: ClosedRange<Int>
    /// What the parameter means and its default, one line.
    public let doc: String
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
    case badParameter(String)
    case unknownParameter(model: String, name: String, known: [String])
    case parameterOutOfRange(model: String, name: String, value: Int, range: ClosedRange<Int>)

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
        case .badParameter(let text):
            return "--param takes NAME=VALUE with an integer VALUE (got '\(text)')"
        case .unknownParameter(let model, let name, let known):
            return "model \(model) has no parameter '\(name)'; " + (known.isEmpty ? "it has none" : "its parameters: \(known.joined(separator: ", "))")
        case .parameterOutOfRange(let model, let name, let value, let range):
            return "model \(model): \(name)=\(value) is outside \(range.lowerBound)...\(range.upperBound)"
        }
    }
}

public enum ModelCatalog {
    /// Every model and variant, in table order.
    public static let all: [ModelCase] = uffd + mach + osMemory + pageAlloc

    /// Parses `--param` texts (NAME=VALUE) and checks them against every
    /// selected case: each name declared, each value in range.
    public static func parameters(_ texts: [String], for cases: [ModelCase]) throws -> [String: Int] {
        var params: [String: Int] = [:]
        for text in texts {
            let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, let value = Int(parts[1]) else { throw ModelCatalogError.badParameter(text) }
            params[String(parts[0])] = value
        }
        for entry in cases {
            for name in params.keys.sorted() {
                guard let declared = entry.parameters.first(where: { $0.name == name }) else {
                    throw ModelCatalogError.unknownParameter(model: entry.model, name: name, known: entry.parameters.map(\.name))
                }
                let value = params[name]!
                guard declared.range.contains(value) else {
                    throw ModelCatalogError.parameterOutOfRange(model: entry.model, name: name, value: value, range: declared.range)
                }
            }
        }
        return params
    }

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
            twin: variant.isBrokenRuntime ? nil
                : SpinTwin(file: "uffd.pml", defines: defines, expected: variant.expected.deadlock ? "deadlock" : "ok"),
            check: { Checker(UFFDStopTheWorld(variant), options: $0).run() },
            parameters: uffdParameters,
            checkWith: { options, params in
                let (procs, sysmon) = uffdSize(params)
                return Checker(UFFDStopTheWorld(variant, procs: procs, sysmon: sysmon), options: options).run()
            },
            expectedWith: { params in
                let (procs, sysmon) = uffdSize(params)
                return variant.expected(procs: procs, sysmon: sysmon)
            },
            audit: { params in
                let (procs, sysmon) = uffdSize(params)
                return AccessAudit.audit(UFFDStopTheWorld(variant, procs: procs, sysmon: sysmon))
            })
    }

    static let uffdParameters = [
        ModelParameter(name: "procs", range: 1...4, doc: "GOMAXPROCS (default 3)"),
        ModelParameter(name: "sysmon", range: 0...1, doc: "model sysmon's retake of Ps in syscalls (default 1 with fewer than 3 Ps, else 0)"),
    ]

    /// GOMAXPROCS and sysmon from `--param` values, with their defaults.
    static func uffdSize(_ params: [String: Int]) -> (procs: Int, sysmon: Bool) {
        let procs = params["procs"] ?? 3
        return (procs, (params["sysmon"] ?? (procs < 3 ? 1 : 0)) == 1)
    }

    static let mach: [ModelCase] = MachWireCoalesce.Variant.allCases.map { variant in
        ModelCase(
            model: "MachWireCoalesce", variant: variant.rawValue, expected: variant.expected,
            isControl: variant.rawValue.hasPrefix("control"), summary: variant.summary,
            twin: variant.waiter ? nil
                : SpinTwin(file: "mach.pml", defines: variant.spinDefines, expected: variant.expected.deadlock ? "deadlock" : "ok"),
            check: { Checker(MachWireCoalesce(variant), options: $0).run() },
            parameters: machParameters,
            checkWith: { options, params in Checker(MachWireCoalesce(variant, config: machConfig(params)), options: options).run() },
            expectedWith: { params in
                let c = machConfig(params)
                return variant.expected(entries: c.entries, coalesces: c.coalesces)
            },
            audit: { AccessAudit.audit(MachWireCoalesce(variant, config: machConfig($0))) })
    }

    static let machParameters = [
        ModelParameter(name: "entries", range: 3...4, doc: "map entries: 3 (A, B, D; default) or 4 (a wired Z below A)"),
        ModelParameter(name: "coalesces", range: 1...2, doc: "coalescing rounds of thread C (default 1)"),
        ModelParameter(name: "looptest", range: 0...1, doc: "pass 2's next-entry test: 0 vme_start < end (default), 1 Mach's vme_end <= end"),
    ]

    static func machConfig(_ params: [String: Int]) -> MachWireCoalesce.Config {
        MachWireCoalesce.Config(entries: params["entries"] ?? 3, coalesces: params["coalesces"] ?? 1,
                                machLoopTest: (params["looptest"] ?? 0) == 1)
    }

    static let osMemory: [ModelCase] = OSMemoryStates.Variant.allCases.map { variant in
        // The contract client is one actor and declares nothing.
        var audit: (@Sendable ([String: Int]) -> AccessAuditReport)?
        if variant.isAllocator { audit = { _ in AccessAudit.audit(OSMemoryStates(variant)) } }
        return ModelCase(
            model: "OSMemoryStates", variant: variant.rawValue, expected: variant.expected,
            isControl: variant.rawValue.hasPrefix("control"), summary: variant.summary, twin: nil,
            check: { Checker(OSMemoryStates(variant), options: $0).run() },
            audit: audit)
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
