import Foundation

// Text rendering of results and traces. Deterministic except for the timing,
// rate and memory figures, which `includeTimings: false` leaves out (tests
// pin the rest).

extension Trace {
    /// Numbered steps, each naming actor, action and the changed fields:
    ///
    ///     0. initial: pending=false, g[0].status=running, ...
    ///     1. [G3 gcTrigger] stopTheWorld: pending false -> true; p[2] held(G3) -> gcstop
    public func render(indent: String = "  ", showInitial: Bool = true) -> String {
        var lines: [String] = []
        if showInitial {
            lines.append("\(indent)0. initial: " + initial.map { "\($0.name)=\($0.value)" }.joined(separator: ", "))
        }
        for (offset, step) in steps.enumerated() {
            if loopStart == offset {
                lines.append("\(indent)-- the steps below repeat forever --")
            }
            let changes = step.changes.isEmpty
                ? "(no field changes)"
                : step.changes.map { "\($0.field) \($0.before) -> \($0.after)" }.joined(separator: "; ")
            lines.append("\(indent)\(step.number). [\(step.actor)] \(step.action): \(changes)")
        }
        if loopStart != nil {
            lines.append("\(indent)-- back to the state before the repeating steps --")
        }
        lines.append("\(indent)replay: \(path)")
        return lines.joined(separator: "\n")
    }
}

extension CheckResult {
    /// A multi-line report: counts, verdict, and every failure with its trace.
    public func render(includeTimings: Bool = true, showExamples: Bool = false) -> String {
        var lines: [String] = []
        var head = "\(model): \(verdict)"
        head += complete ? "" : " (incomplete: depth bound or state cap reached)"
        lines.append(head)
        var counts = "  states \(states), transitions \(transitions), max depth \(maxDepth)"
        if includeTimings {
            counts += String(format: ", %.3f s, %.0f states/s", elapsedSeconds, statesPerSecond)
            if let peak = peakMemoryBytes { counts += ", peak RSS \(peak / (1024 * 1024)) MiB" }
            counts += ", threads \(threads)"
        }
        lines.append(counts)
        if order == .depthFirst || visited != .states {
            var search = "  search: \(order == .depthFirst ? "depth-first (counterexamples are not shortest)" : "breadth-first")"
            search += ", visited set: \(visited.rawValue)"
            if let bytes = visitedBytes { search += " (\(bytes / 1024) KiB)" }
            lines.append(search)
        }
        if let symmetry { lines.append("  symmetry reduction: \(symmetry)") }
        if let partialOrder { lines.append("  partial-order reduction: \(partialOrder)") }
        if let b = bitstate {
            // SPIN's supertrace report: filter size, fill, and the collision estimate.
            lines.append(String(format: "  bitstate: 2^%d bits, %d hashes per state, %d bits set (%.4f%%), hash factor %.1f; expected states omitted by collisions %.3g",
                                b.bits.trailingZeroBitCount, b.hashes, b.setBits, 100 * Double(b.setBits) / Double(b.bits), b.hashFactor, b.expectedOmitted))
        }
        for discovery in failures {
            let title: String
            switch discovery.kind {
            case .deadlock: title = "deadlock (\(discovery.stateCount) deadlocked states)"
            case .invariantViolation: title = "invariant \(discovery.property) violated (\(discovery.stateCount) states)"
            case .livenessViolation: title = "liveness \(discovery.property) violated"
            case .example: title = discovery.property
            }
            lines.append("  \(title): \(discovery.doc)")
            lines.append(discovery.trace.render(indent: "    "))
            if discovery.kind != .livenessViolation {
                lines.append("    state reached: " + discovery.trace.final.map { "\($0.name)=\($0.value)" }.joined(separator: ", "))
            }
        }
        if showExamples {
            for discovery in discoveries where discovery.kind == .example {
                lines.append("  example \(discovery.property) at depth \(discovery.trace.steps.count)")
            }
        }
        if !unreachedExamples.isEmpty {
            lines.append("  never reached (sometimes): \(unreachedExamples.joined(separator: ", "))")
        }
        if let livenessSkipped { lines.append("  liveness not checked: \(livenessSkipped)") }
        return lines.joined(separator: "\n")
    }
}
