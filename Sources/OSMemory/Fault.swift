// Failures of the code under test inside the simulated OS memory. These are
// findings about the allocator, never crashes of the checker: the runner
// catches them and reports them with the operation that hit them.

/// A hardware fault: an access to memory that is not Ready.
///
/// In the runtime this is a SIGSEGV (Reserved or None memory) or undefined
/// behaviour (Prepared memory). The simulation always stops the access and
/// reports it, naming the address, the state it found and the access kind.
public struct Fault: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    /// The simulated address that was touched.
    public let address: UInt64
    /// The state of the page holding `address` at the time of the access.
    public let state: MemState
    /// Read or write.
    public let access: Access
    /// What the code was doing ("summary[4][1048576]", "chunkOf(...)").
    public let context: String

    public init(address: UInt64, state: MemState, access: Access, context: String) {
        self.address = address
        self.state = state
        self.access = access
        self.context = context
    }

    /// True when the state makes the access undefined rather than a certain
    /// fault (Prepared memory may read back zeroes on some systems).
    public var isUndefinedBehaviour: Bool { state == .prepared }

    public var description: String {
        let what = isUndefinedBehaviour ? "undefined access" : "fault"
        return "\(what): \(access.rawValue) of 0x\(String(address, radix: 16)) in \(state) memory (\(context))"
    }
}

/// A sys* call whose precondition, as runtime/mem.go states it, does not hold:
/// freeing part of a region, mapping memory that is not Reserved, claiming the
/// wrong amount of Prepared bytes, and so on. The real OS would either fail
/// loudly or silently corrupt state; the simulation refuses and reports.
public struct SysCallViolation: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    /// The Go function name (`sysMap`, `sysFree`, ...).
    public let function: String
    /// Start and length of the range passed.
    public let address: UInt64
    public let nbytes: UInt64
    /// Which precondition failed, in words.
    public let reason: String

    public init(function: String, address: UInt64, nbytes: UInt64, reason: String) {
        self.function = function
        self.address = address
        self.nbytes = nbytes
        self.reason = reason
    }

    public var description: String {
        "\(function)(0x\(String(address, radix: 16)), \(nbytes)): \(reason)"
    }
}
