// Checks the access declarations partial-order reduction relies on against
// what the rules and properties actually do on the reachable states.
//
// A declaration (`Rule.accessing`, `Property.reading`) is a promise the
// engine cannot see inside a closure; a missing name makes the reduction
// unsound without any visible sign. The audit judges the promise from the
// outside, with Mirror's view of the state (the names are the stored
// properties' paths, "g[0].status", "entries[2].end"; a declared name covers
// itself and everything below it, so "p" covers "p[1]" but not
// "pagePresent[0]"):
// - writes: every field an enabled rule changes is declared written;
// - guard reads: two reachable states that agree on the declared reads
//   agree on whether the rule is enabled;
// - effect reads: among those states, the new value of each field is a
//   function of the declared reads and that field's old value;
// - property reads: states that agree on them agree on the property.
// It is a test over the reachable states, not a proof: an undeclared read
// whose value never varies among states that agree on the declared ones is
// not seen (and cannot matter to the reduction on those states).

/// One broken promise.
public struct AccessFinding: Sendable, Equatable, CustomStringConvertible {
    /// "rule 'G1 reader/plainLoad'" or "property 'pOwnership'".
    public let subject: String
    public let problem: String
    public var description: String { "\(subject): \(problem)" }
}

public struct AccessAuditReport: Sendable {
    /// Reachable states the audit looked at.
    public let states: Int
    /// False when the state cap cut the enumeration short.
    public let complete: Bool
    /// Rules and properties that declare their accesses (the others are
    /// treated as touching everything, which is always sound).
    public let declaredRules: Int
    public let declaredProperties: Int
    public let findings: [AccessFinding]
}

public enum AccessAudit {
    /// Whether declared name `declared` covers the field path `path`.
    public static func covers(_ declared: String, _ path: String) -> Bool {
        guard path.hasPrefix(declared) else { return false }
        if path.count == declared.count { return true }
        let next = path[path.index(path.startIndex, offsetBy: declared.count)]
        return next == "." || next == "["
    }

    /// Audits every declared rule and property of `model` over its reachable
    /// states (those the checker reaches: violating states are not
    /// expanded), up to `maxStates`.
    public static func audit<M: Model>(_ model: M, maxStates: Int = 100_000) -> AccessAuditReport {
        let rules = model.rules
        let properties = model.properties
        // Reachable states in breadth-first order (deterministic), as the
        // checker reaches them: a state that breaks an invariant is audited
        // but not expanded.
        let invariants = properties.filter { $0.kind == .always }
        var seen = Set<M.State>()
        var states: [M.State] = []
        for s in model.initialStates where seen.insert(s).inserted { states.append(s) }
        var next = 0
        var complete = true
        while next < states.count {
            let s = states[next]
            next += 1
            if invariants.contains(where: { !$0.condition(s) }) { continue }
            for rule in rules where rule.isEnabled(s) {
                var t = s
                rule.apply(&t)
                if seen.insert(t).inserted {
                    if states.count >= maxStates { complete = false; continue }
                    states.append(t)
                }
            }
        }
        let flat = states.map { FlatState(MirrorFields.flatten($0)) }
        var findings: [AccessFinding] = []

        for rule in rules {
            guard let reads = rule.reads, let writes = rule.writes else { continue }
            let subject = "rule '\(rule.actor)/\(rule.name)'"
            var problems: [String] = []
            // Group the states by the values of the declared reads.
            var groups: [[String]: (enabled: Bool, example: Int)] = [:]
            var effect: [EffectKey: String] = [:]
            for (index, s) in states.enumerated() {
                let key = flat[index].projection(onto: reads)
                let enabled = rule.isEnabled(s)
                if let seenGroup = groups[key] {
                    if seenGroup.enabled != enabled {
                        let other = flat[seenGroup.example]
                        let differ = flat[index].differing(from: other).filter { f in !reads.contains { covers($0, f) } }
                        problems.append("its guard reads something undeclared: two states agree on its reads but not on whether it is enabled (they differ in \(differ.prefix(4).joined(separator: ", ")))")
                        break
                    }
                } else {
                    groups[key] = (enabled, index)
                }
                guard enabled else { continue }
                var t = s
                rule.apply(&t)
                let after = FlatState(MirrorFields.flatten(t))
                let changed = after.differing(from: flat[index])
                if let undeclared = changed.first(where: { f in !writes.contains { covers($0, f) } }) {
                    problems.append("writes \(undeclared), which it does not declare")
                    break
                }
                var inconsistent: String?
                for name in after.names where writes.contains(where: { covers($0, name) }) {
                    let k = EffectKey(reads: key, field: name, old: flat[index].value(of: name))
                    let new = after.value(of: name)
                    if let earlier = effect[k], earlier != new { inconsistent = name; break }
                    effect[k] = new
                }
                if let name = inconsistent {
                    problems.append("its effect reads something undeclared: states that agree on its reads and on \(name) give \(name) different new values")
                    break
                }
            }
            findings += problems.map { AccessFinding(subject: subject, problem: $0) }
        }

        for property in properties {
            guard let reads = property.reads else { continue }
            var groups: [[String]: (value: Bool, example: Int)] = [:]
            for (index, s) in states.enumerated() {
                let key = flat[index].projection(onto: reads)
                let value = property.condition(s)
                if let seenGroup = groups[key] {
                    if seenGroup.value != value {
                        let differ = flat[index].differing(from: flat[seenGroup.example]).filter { f in !reads.contains { covers($0, f) } }
                        findings.append(AccessFinding(subject: "property '\(property.name)'", problem: "reads something undeclared: two states agree on its reads but not on its value (they differ in \(differ.prefix(4).joined(separator: ", ")))"))
                        break
                    }
                } else {
                    groups[key] = (value, index)
                }
            }
        }
        return AccessAuditReport(
            states: states.count, complete: complete,
            declaredRules: rules.filter { $0.reads != nil && $0.writes != nil }.count,
            declaredProperties: properties.filter { $0.reads != nil }.count,
            findings: findings)
    }
}

private struct EffectKey: Hashable {
    let reads: [String]
    let field: String
    let old: String
}

/// A state as Mirror's leaf fields, in declaration order.
private struct FlatState {
    let names: [String]
    let values: [String: String]

    init(_ fields: [StateField]) {
        names = fields.map(\.name)
        var values: [String: String] = [:]
        for f in fields { values[f.name] = f.value }
        self.values = values
    }

    func value(of name: String) -> String { values[name] ?? "<absent>" }

    /// "name=value" for every field some declared name covers, in order.
    func projection(onto declared: Set<String>) -> [String] {
        names.filter { n in declared.contains { AccessAudit.covers($0, n) } }.map { "\($0)=\(values[$0]!)" }
    }

    /// Fields whose values differ, or that exist in one state only.
    func differing(from other: FlatState) -> [String] {
        var out = names.filter { values[$0] != other.values[$0] }
        out += other.names.filter { values[$0] == nil }
        return out
    }
}
