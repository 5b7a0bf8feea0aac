// The reference's twin of every operation, in one place: the runner, the
// shrinker and the isolation supervisor all apply operations to the
// reference through this.

import TraceFormat

extension ReferenceAllocator {
    /// Applies `op` and returns what the reference says it returns; throws
    /// (changing nothing) when the runtime would never issue it.
    public mutating func apply(_ op: Operation) throws(InvalidOperation) -> OpResult {
        let r = try applyOne(op)
        // Padding follows the first grow at once, or never.
        switch op {
        case .grow, .pad: break
        default: endPadWindow()
        }
        return r
    }

    private mutating func applyOne(_ op: Operation) throws(InvalidOperation) -> OpResult {
        switch op {
        case let .grow(base, bytes):
            try grow(base, bytes)
            return .none
        case let .alloc(n):
            let (a, s) = try alloc(n)
            return .alloc(addr: a, scav: s)
        case let .free(base, n, claimed):
            try free(base, n, scavenged: claimed)
            return .none
        case let .allocRange(base, n):
            return .allocRange(scav: try allocRange(base, n))
        case let .allocToCache(p):
            let (b, c, s) = try allocToCache(p)
            return .cache(base: b, cache: c, scav: s)
        case let .cacheAlloc(n, p):
            let (a, s) = try cacheAlloc(p, n)
            return .alloc(addr: a, scav: s)
        case let .cacheFlush(p):
            return .flushed(base: try cacheFlush(p))
        case let .scavenge(n, _):
            // What is released is the target's choice: the runner judges it
            // (ScavengeStep) and then adopts it (markScavenged).
            try validateScavenge(n)
            return .scavenged(released: 0)
        case .nextGen:
            // The generation is the scavenger's bookkeeping: no page
            // changes, only the model of the index (ScavGenModel).
            nextGen()
            return .none
        case let .pad(base, n):
            try pad(base, n)
            return .none
        }
    }
}
