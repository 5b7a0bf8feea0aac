// Go's fatal errors, as typed Swift errors. When the code under test would
// crash the Go runtime, the port throws one of these instead; the runner
// reports it as a finding with the operation that hit it.

/// Mirrors a call to `throw(msg)` in the runtime, with the `print` lines Go
/// emits just before it (the state a runtime engineer would read).
public struct GoThrow: Error, Equatable, Sendable, Codable, CustomStringConvertible {
    public let message: String
    public let printed: [String]
    public init(_ message: String, printed: [String] = []) {
        self.message = message
        self.printed = printed
    }
    public var description: String {
        (printed + ["fatal error: \(message)"]).joined(separator: "\n")
    }
}

/// Mirrors a runtime panic the Go compiler inserts: an index or slice bound
/// out of range, a nil map or pointer dereference caught as a panic.
public struct GoPanic: Error, Equatable, Sendable, Codable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "panic: runtime error: \(message)" }
}
