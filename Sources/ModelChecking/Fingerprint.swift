// Deterministic hashing for fingerprints and for anything that can reach
// output. Swift's `Hasher` is seeded per process, so it is used only for
// hash-table placement, never for a value that is printed or compared across
// runs.

import SplitMix

/// FNV-1a over bytes, finished with SplitMix64's mixer so that nearby inputs
/// spread over all 64 bits. The same input gives the same value in every
/// process and on every run.
public struct Fingerprinter: Sendable {
    /// FNV-1a 64-bit offset basis.
    public private(set) var state: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func combine(byte: UInt8) {
        state ^= UInt64(byte)
        state &*= 0x0000_0100_0000_01b3  // FNV-1a 64-bit prime
    }

    public mutating func combine(_ value: UInt64) {
        var v = value
        for _ in 0..<8 {
            combine(byte: UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
    }

    public mutating func combine(_ value: Int) { combine(UInt64(bitPattern: Int64(value))) }

    public mutating func combine(_ value: Bool) { combine(byte: value ? 1 : 0) }

    public mutating func combine(_ text: String) {
        for byte in text.utf8 { combine(byte: byte) }
        combine(byte: 0xff)  // terminator: "ab"+"c" differs from "a"+"bc"
    }

    /// The finished 64-bit fingerprint.
    public var value: UInt64 { SplitMix64.mix(state) }
}
