// The reference and the scavenger: it does not choose pages to scavenge
// (that is the target's policy); it adopts the pages a target released once
// the checker has judged the step (Checking's ScavengeStep).

extension ReferenceAllocator {
    /// Checks a scavenge request as the runtime would issue it.
    public func validateScavenge(_ nbytes: UInt64) throws(InvalidOperation) {
        guard nbytes > 0 else { throw InvalidOperation("scavenge of 0 bytes") }
    }

    /// Records that `pages` were released to the OS: they stay free and are
    /// now scavenged, so a later allocation of them reports scavenged bytes.
    public mutating func markScavenged(_ pages: IntervalSet) {
        for iv in pages.intervals { scavenged.insert(iv) }
    }
}
