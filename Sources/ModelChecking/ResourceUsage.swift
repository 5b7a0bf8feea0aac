import Foundation

/// Reads the process's peak resident set size from /proc (Linux).
public enum ResourceUsage {
    /// VmHWM from /proc/self/status in bytes, or nil where unavailable. The
    /// figure is process-wide and monotone: it covers every run so far.
    public static func peakResidentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else {
            return nil
        }
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let digits = line.split(separator: " ").dropFirst().first { Int($0) != nil }
            if let digits, let kib = Int(digits) { return kib * 1024 }
        }
        return nil
    }
}

/// Seconds since creation on a monotonic clock.
struct MonotonicClock: Sendable {
    private let start = DispatchTime.now().uptimeNanoseconds

    var seconds: Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}

/// Prints "name: depth 12, 1,234,567 states, 345,678 states/s" on stderr
/// about once a second, but only once a run is older than two seconds, so
/// short runs (and tests) stay silent. Stdout is never touched.
final class ProgressReporter: @unchecked Sendable {
    private let name: String
    private let enabled: Bool
    private var lastReport = 0.0
    private var reported = false

    init(name: String, enabled: Bool) {
        self.name = name
        self.enabled = enabled
    }

    func tick(states: Int, depth: Int, frontier: Int, clock: MonotonicClock) {
        guard enabled else { return }
        let now = clock.seconds
        guard now >= 2, now - lastReport >= 1 else { return }
        lastReport = now
        reported = true
        let rate = Int(Double(states) / max(now, 1e-9))
        FileHandle.standardError.write(Data(
            "\(name): depth \(depth), \(states) states, frontier \(frontier), \(rate) states/s, \(String(format: "%.1f", now)) s\n".utf8))
    }

    func finish(states: Int, clock: MonotonicClock) {
        guard enabled, reported else { return }
        let now = clock.seconds
        FileHandle.standardError.write(Data(
            "\(name): done, \(states) states in \(String(format: "%.1f", now)) s\n".utf8))
    }
}
