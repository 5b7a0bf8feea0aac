import Foundation

// Parsers for pan's summary and for `spin -t -p -g -l` trail replays.

/// The numbers pan prints at the end of a run.
struct PanOutput {
    var errors = 0
    var invalidEndState = false
    var assertionViolated = false
    var stored = 0
    var matched = 0
    var transitions = 0
    var depth = 0

    /// Reads lines such as
    ///     pan:1: invalid end state (at depth 6)
    ///     State-vector 44 byte, depth reached 6, errors: 1
    ///            17 states, stored
    ///            14 states, matched
    ///            31 transitions (= stored+matched)
    static func parse(_ text: String) throws -> PanOutput {
        var out = PanOutput()
        var sawSummary = false
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("pan:"), line.contains("invalid end state") { out.invalidEndState = true }
            if line.hasPrefix("pan:"), line.contains("assertion violated") { out.assertionViolated = true }
            if line.hasPrefix("State-vector") {
                sawSummary = true
                out.depth = number(after: "depth reached", in: line) ?? 0
                out.errors = number(after: "errors:", in: line) ?? 0
            } else if line.hasSuffix("states, stored") {
                out.stored = leadingNumber(line) ?? 0
            } else if line.hasSuffix("states, matched") {
                out.matched = leadingNumber(line) ?? 0
            } else if line.contains("transitions (= stored+matched)") || line.contains("transitions (= visited+matched)") {
                out.transitions = leadingNumber(line) ?? 0
            }
        }
        guard sawSummary else { throw SpinError.unparsableOutput(text) }
        return out
    }

    /// The first "pan:1: ..." line without its prefix.
    static func firstError(_ text: String) -> String? {
        for raw in text.split(separator: "\n") where raw.hasPrefix("pan:1:") {
            return raw.dropFirst("pan:1:".count).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    private static func leadingNumber(_ line: String) -> Int? {
        Int(line.split(separator: " ").first.map(String.init) ?? "")
    }

    private static func number(after marker: String, in line: String) -> Int? {
        guard let range = line.range(of: marker) else { return nil }
        let rest = line[range.upperBound...].trimmingCharacters(in: .whitespaces)
        let digits = rest.prefix { $0.isNumber }
        return Int(digits)
    }
}

/// Turns the output of `spin -t -p -g -l` into numbered steps.
///
/// SPIN prints one line per executed statement,
///     `  5:	proc  2 (reader:1) uffd.pml:61 (state 4)	[gstatus[1] = 2]`,
/// followed (with -g/-l) by every global/local as `name = value` lines. Lines
/// with the same step number and process (the parts of a d_step or atomic)
/// are merged into one step; a variable is listed under a step only when its
/// value differs from the last value printed.
public enum SpinTrail {
    public static func parse(_ text: String) -> [SpinStep] {
        var steps: [SpinStep] = []
        var known: [String: String] = [:]
        var current: (number: Int, process: String, line: Int, statements: [String], changes: [String])?
        func flush() {
            if let step = current {
                steps.append(SpinStep(
                    number: steps.count + 1, process: step.process, line: step.line,
                    statement: step.statements.joined(separator: "; "), changes: step.changes))
            }
            current = nil
        }
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            // The trail is over; what follows is each process's final place.
            if line.hasPrefix("spin: trail ends") || line.hasPrefix("#processes") { break }
            if let parsed = parseStepLine(line) {
                if let step = current, step.number == parsed.number, step.process == parsed.process {
                    current!.statements.append(parsed.statement)
                } else {
                    flush()
                    current = (parsed.number, parsed.process, parsed.line, [parsed.statement], [])
                }
            } else if line.hasPrefix("\t\t"), current != nil {
                let assignment = line.trimmingCharacters(in: .whitespaces)
                guard let equals = assignment.range(of: " = ") else { continue }
                let name = String(assignment[..<equals.lowerBound])
                let value = String(assignment[equals.upperBound...])
                if known[name] != value {
                    known[name] = value
                    if let index = current!.changes.firstIndex(where: { $0.hasPrefix(name + " = ") }) {
                        current!.changes[index] = assignment
                    } else {
                        current!.changes.append(assignment)
                    }
                }
            }
        }
        flush()
        return steps
    }

    /// Where each process stands when the trail ends, from the lines after
    /// `#processes:` ("Reader:1 line 135 (faultReturns)", plus "valid end
    /// state" for processes that may stop there). Blocked processes of a
    /// deadlock are the ones without that mark.
    public static func finalPlaces(_ text: String, source: String) -> [String] {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        var out: [String] = []
        var after = false
        for raw in text.split(separator: "\n") {
            let line = String(raw)
            if line.hasPrefix("#processes") { after = true; continue }
            guard after else { continue }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard let colon = trimmed.firstIndex(of: ":"), Int(trimmed[..<colon]) != nil,
                  let open = trimmed.firstIndex(of: "("), let close = trimmed.firstIndex(of: ")") else { continue }
            let pid = trimmed[trimmed.index(after: colon)..<open].replacingOccurrences(of: "proc", with: "")
                .trimmingCharacters(in: .whitespaces)
            var name = String(trimmed[trimmed.index(after: open)..<close])
            if let instance = name.lastIndex(of: ":") { name = String(name[..<instance]) }
            if name.hasPrefix(":") && name.hasSuffix(":") { name = String(name.dropFirst().dropLast()) }
            let rest = trimmed[trimmed.index(after: close)...].trimmingCharacters(in: .whitespaces)
            var sourceLine = 0
            if let location = rest.split(separator: " ").first, let lineColon = location.lastIndex(of: ":") {
                sourceLine = Int(location[location.index(after: lineColon)...]) ?? 0
            }
            var place = "\(name):\(pid) at line \(sourceLine)"
            if sourceLine >= 1 && sourceLine <= lines.count, let comment = comment(in: lines[sourceLine - 1]) {
                place += " (\(comment))"
            }
            place += rest.contains("<valid end state>") ? ": valid end state" : ": blocked"
            out.append(place)
        }
        return out
    }

    static func comment(in line: Substring) -> String? {
        guard let open = line.range(of: "/*"), let close = line.range(of: "*/", range: open.upperBound..<line.endIndex) else {
            return nil
        }
        return line[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
    }

    /// Parses `  5:	proc  2 (reader:1) uffd.pml:61 (state 4)	[stmt]`.
    static func parseStepLine(_ line: String) -> (number: Int, process: String, line: Int, statement: String)? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard let colon = trimmed.firstIndex(of: ":"), let number = Int(trimmed[..<colon]) else { return nil }
        let rest = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        guard rest.hasPrefix("proc") else { return nil }
        guard let open = rest.firstIndex(of: "("), let close = rest.firstIndex(of: ")") else { return nil }
        let pid = rest[rest.index(rest.startIndex, offsetBy: 4)..<open].trimmingCharacters(in: .whitespaces)
        var name = String(rest[rest.index(after: open)..<close])
        if let instance = name.lastIndex(of: ":") { name = String(name[..<instance]) }
        if name.hasPrefix(":") && name.hasSuffix(":") { name = String(name.dropFirst().dropLast()) }  // ":init:"
        let afterName = rest[rest.index(after: close)...].trimmingCharacters(in: .whitespaces)
        var sourceLine = 0
        if let location = afterName.split(separator: " ").first, let lineColon = location.lastIndex(of: ":") {
            sourceLine = Int(location[location.index(after: lineColon)...]) ?? 0
        }
        var statement = ""
        if let bracketOpen = afterName.firstIndex(of: "["), let bracketClose = afterName.lastIndex(of: "]") {
            statement = String(afterName[afterName.index(after: bracketOpen)..<bracketClose])
        }
        return (number, "\(name):\(pid)", sourceLine, statement)
    }

    /// Attaches to each step the `/* comment */` of its source line.
    public static func name(_ steps: [SpinStep], source: String) -> [SpinStep] {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        return steps.map { step in
            var named = step
            if step.line >= 1 && step.line <= lines.count {
                named.action = comment(in: lines[step.line - 1])
            }
            return named
        }
    }

    /// Numbered readable lines:
    /// `3. [Reader:1] line 61 plainLoad: parked[me] = 1  => parked[0] = 1`.
    public static func render(_ steps: [SpinStep], indent: String = "  ") -> String {
        steps.map { step in
            let changes = step.changes.isEmpty ? "" : "  => " + step.changes.joined(separator: ", ")
            let action = step.action.map { " (\($0))" } ?? ""
            // d_step bodies list every inner statement; keep the line short.
            let statement = step.statement.count > 100 ? String(step.statement.prefix(97)) + "..." : step.statement
            return "\(indent)\(step.number). [\(step.process)] line \(step.line)\(action): \(statement)\(changes)"
        }.joined(separator: "\n")
    }
}
