// The four states a region of address space can be in, and the statistics
// that runtime/mem.go keeps about them.

/// The state of one physical page of the simulated address space.
///
/// Mirrors the four states listed at the top of runtime/mem.go:
/// - `none`: not owned by the runtime; the default.
/// - `reserved`: owned by the runtime, but any access faults; costs no memory.
/// - `prepared`: reserved and meant to carry no physical memory; it can become
///   Ready cheaply, and touching it is undefined (may fault, may read zeroes).
/// - `ready`: safe to read and write.
public enum MemState: UInt8, Sendable, Codable, CustomStringConvertible {
    // Reserved is 0 so that a fresh reservation's page table can come from
    // calloc: large reservations then cost nothing until pages are touched.
    case reserved = 0
    case none = 1
    case prepared = 2
    case ready = 3

    public var description: String {
        switch self {
        case .none: "None"
        case .reserved: "Reserved"
        case .prepared: "Prepared"
        case .ready: "Ready"
        }
    }
}

/// A memory statistic the sys* functions add to or subtract from.
///
/// Mirrors `sysMemStat` in mstats.go: one counter per purpose (the page
/// allocator passes its own, `memstats.other_sys` in the runtime). Go's
/// counter is a uint64 that throws when it would go negative; here a negative
/// value is kept and reported by the accounting invariant, so the finding is
/// visible instead of being a crash of the checker.
public final class SysMemStat: @unchecked Sendable {
    /// What this statistic counts, for reports.
    public let name: String
    /// Current value in bytes. May go negative if the code under test
    /// subtracts more than it added: that is a finding, never clamped.
    public private(set) var bytes: Int64 = 0

    public init(name: String) { self.name = name }

    /// Mirrors (*sysMemStat).add.
    public func add(_ nbytes: Int64) { bytes += nbytes }
}

/// How the code under test touched memory.
public enum Access: String, Sendable, Codable {
    case read
    case write
}
