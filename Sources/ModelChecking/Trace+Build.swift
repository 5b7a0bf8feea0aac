/// Replays a rule path from an initial state and records, per step, the
/// fields that changed. Replaying (instead of reading stored states) works in
/// both visited modes and re-checks that every rule on the path is enabled.
struct TraceBuilder<M: Model> {
    let model: M
    let rules: [Rule<M.State>]
    let initialStates: [M.State]

    func build(initial: Int, rules path: [Int], loopStart: Int?) -> Trace {
        precondition(initialStates.indices.contains(initial), "trace: bad initial state index")
        var state = initialStates[initial]
        var fields = model.fields(of: state)
        let initialFields = fields
        var steps: [TraceStep] = []
        for (offset, ruleIndex) in path.enumerated() {
            let rule = rules[ruleIndex]
            precondition(rule.isEnabled(state), "trace: rule \(rule.name) not enabled on replay; the model is not deterministic")
            rule.apply(&state)
            let after = model.fields(of: state)
            steps.append(TraceStep(
                number: offset + 1, actor: rule.actor, action: rule.name, ruleIndex: ruleIndex,
                changes: FieldDiff.changes(from: fields, to: after)))
            fields = after
        }
        let pathText = "\(initial):" + path.map(String.init).joined(separator: ".")
        return Trace(initial: initialFields, steps: steps, loopStart: loopStart, path: pathText, final: fields)
    }
}

/// Compares two flattened states field by field.
public enum FieldDiff {
    public static func changes(from before: [StateField], to after: [StateField]) -> [FieldChange] {
        var out: [FieldChange] = []
        var old: [String: String] = [:]
        for field in before { old[field.name] = field.value }
        var seen = Set<String>()
        for field in after {
            seen.insert(field.name)
            let previous = old[field.name] ?? "(absent)"
            if previous != field.value {
                out.append(FieldChange(field: field.name, before: previous, after: field.value))
            }
        }
        for field in before where !seen.contains(field.name) {
            out.append(FieldChange(field: field.name, before: field.value, after: "(absent)"))
        }
        return out
    }
}

/// Errors of `Checker.replay`.
public enum ReplayError: Error, Equatable, CustomStringConvertible {
    case malformedPath(String)
    case noSuchInitialState(Int)
    case noSuchRule(Int)
    case ruleNotEnabled(step: Int, rule: String)

    public var description: String {
        switch self {
        case .malformedPath(let text): return "malformed path '\(text)': expected INIT:RULE.RULE..."
        case .noSuchInitialState(let index): return "no initial state \(index)"
        case .noSuchRule(let index): return "no rule \(index)"
        case .ruleNotEnabled(let step, let rule): return "step \(step): rule \(rule) is not enabled"
        }
    }
}

extension Checker {
    /// Replays a path string as printed in `Trace.path` ("0:4.0.7") and
    /// returns every state along it, starting with the initial one.
    public func replay(path text: String) throws -> [M.State] {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let initial = Int(parts[0]) else { throw ReplayError.malformedPath(text) }
        let initialStates = model.initialStates
        guard initialStates.indices.contains(initial) else { throw ReplayError.noSuchInitialState(initial) }
        let rules = model.rules
        var states = [initialStates[initial]]
        if parts[1].isEmpty { return states }
        for (offset, piece) in parts[1].split(separator: ".", omittingEmptySubsequences: false).enumerated() {
            guard let index = Int(piece) else { throw ReplayError.malformedPath(text) }
            guard rules.indices.contains(index) else { throw ReplayError.noSuchRule(index) }
            var state = states[states.count - 1]
            guard rules[index].isEnabled(state) else {
                throw ReplayError.ruleNotEnabled(step: offset + 1, rule: rules[index].name)
            }
            rules[index].apply(&state)
            states.append(state)
        }
        return states
    }
}
