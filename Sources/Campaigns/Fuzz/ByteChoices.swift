// Coverage-guided fuzzing: libFuzzer's bytes as the generator's choices.
// The same generator, runner and invariants as `verify fuzz`; only the
// source of choices differs, so a crash input decodes into an ordinary
// operation list (and a trace v1 file) with no fuzzer in the loop.

import PageAlloc
import TraceFormat
import Targets
import GoTarget
import Checking
import Reference

/// Choices read from a byte string: each draw takes as many bytes as its
/// range needs (little endian, reduced into the range); once the bytes run
/// out every draw returns its lower bound and `exhausted` is set.
public struct ByteChoices: ChoiceSource {
    let bytes: [UInt8]
    var next = 0
    public private(set) var exhausted = false
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public mutating func draw(_ range: ClosedRange<UInt64>) -> UInt64 {
        let span = range.upperBound &- range.lowerBound
        if span == 0 { return range.lowerBound }
        var v: UInt64 = 0
        var have: UInt64 = 0  // bits read
        while have < 64 && (have == 0 || span >> have != 0) {
            guard next < bytes.count else { exhausted = true; break }
            v |= UInt64(bytes[next]) << have
            next += 1
            have += 8
        }
        return range.lowerBound &+ (span == .max ? v : v % (span &+ 1))
    }
}

/// Decodes `bytes` into a run: the first byte picks the geometry (every
/// named geometry), the rest drive the generator until they run out or
/// `maxOps` operations are applied.
public func runBytes(_ bytes: [UInt8], variant: Variant = .faithful, maxOps: Int = 300) throws -> RunOutcome {
    let g = Geometry.all[Int(bytes.first ?? 0) % Geometry.all.count]
    let config = RunConfig(geometry: g, variant: variant, ops: maxOps)
    return try runGenerated(ByteChoices(Array(bytes.dropFirst())), seed: 0, config) { $0.exhausted }
}

/// The operations `bytes` decode into, as a trace v1 file (results from
/// the given variant; the finding, if any, in the header).
public func traceFromBytes(_ bytes: [UInt8], variant: Variant = .faithful, maxOps: Int = 300, name: String = "input") throws -> String {
    let run = try runBytes(bytes, variant: variant, maxOps: maxOps)
    var header = ["decoded from libFuzzer input \(name) (\(bytes.count) bytes), variant \(variant.rawValue)"]
    header.append("variant: \(variant.rawValue)")
    if let f = run.finding {
        header.append("invariant: \(f.kind.signature)")
        header.append("detail: " + f.description.replacingOccurrences(of: "\n", with: "\n#   "))
    } else {
        header.append("no finding")
    }
    return traceText(geometry: run.geometry, ops: run.ops, results: run.results, header: header)
}
