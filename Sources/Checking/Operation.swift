// The operations a trace or a generator applies to an allocator, and their
// results, in the syntax of trace format v1 (ARCHITECTURE.md).

/// One call into the page allocator.
public enum Operation: Equatable, Hashable, Sendable {
    /// (*pageAlloc).grow(base, bytes)
    case grow(base: UInt64, bytes: UInt64)
    /// (*pageAlloc).alloc(npages)
    case alloc(npages: UInt64)
    /// (*pageAlloc).free(base, npages, scavenged)
    case free(base: UInt64, npages: UInt64, scavenged: Bool)
    /// (*pageAlloc).allocRange(base, npages)
    case allocRange(base: UInt64, npages: UInt64)

    /// The keyword that starts the operation's trace line.
    public var keyword: String {
        switch self {
        case .grow: "grow"
        case .alloc: "alloc"
        case .free: "free"
        case .allocRange: "alloc-range"
        }
    }

    /// The operation as a trace line, without a result.
    public var traceText: String {
        switch self {
        case let .grow(base, bytes): "grow \(hex(base)) \(hex(bytes))"
        case let .alloc(n): "alloc \(n)"
        case let .free(base, n, scavenged): "free \(hex(base)) \(n)" + (scavenged ? " scavenged" : "")
        case let .allocRange(base, n): "alloc-range \(hex(base)) \(n)"
        }
    }
}

/// What an operation returned.
public enum OpResult: Equatable, Hashable, Sendable {
    /// grow and free return nothing.
    case none
    /// alloc: base address (0 on failure) and scavenged bytes.
    case alloc(addr: UInt64, scav: UInt64)
    /// allocRange: scavenged bytes.
    case allocRange(scav: UInt64)

    /// The text after `-> `, or nil for operations without a result.
    public var traceText: String? {
        switch self {
        case .none: nil
        case let .alloc(addr, scav): "\(hex(addr)) \(hex(scav))"
        case let .allocRange(scav): hex(scav)
        }
    }
}

/// Formats a number as `0x` hex, the trace's syntax for addresses and bytes.
public func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }

/// The operation and its result as one trace line.
public func traceLine(_ op: Operation, _ result: OpResult?) -> String {
    if let r = result?.traceText { return "\(op.traceText) -> \(r)" }
    return op.traceText
}
