// Go's 32-bit `uint` reading (`GoUint32`): it wraps exactly as UInt32 does, the
// prover can tell it apart from the 64-bit reading when a value passes 2^32 (so
// mergeFold's 32-bit part could fail), and mergeFold carries that part exactly on
// the geometries with 32-bit pointers.

@testable import Proofs
import SummaryCore
import Testing
import SplitMix

@Suite("Go's 32-bit uint reading")
struct GoUint32Tests {
    /// SplitMix64, so the inputs are the same on every machine.
    struct Mix { var s: UInt64; mutating func next() -> UInt64 {
        s &+= 0x9E37_79B9_7F4A_7C15
        var z = s
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    } }

    @Test("on UInt64 it wraps as UInt32 does, operation by operation")
    func agreesWithUInt32() {
        var rng = Mix(s: 32)
        for _ in 0..<2000 {
            let (a, b) = (UInt32(truncatingIfNeeded: rng.next()), UInt32(truncatingIfNeeded: rng.next()))
            let n = Int(rng.next() % 40)
            let (x, y) = (GoUint32<UInt64>(UInt64(a)), GoUint32<UInt64>(UInt64(b)))
            #expect((x &+ y).w == UInt64(a &+ b))
            #expect((x &- y).w == UInt64(a &- b))
            #expect((x & y).w == UInt64(a & b) && (x | y).w == UInt64(a | b) && (x ^ y).w == UInt64(a ^ b))
            #expect((~x).w == UInt64(~a))
            #expect((x << n).w == UInt64(a << n), "\(a) << \(n)")     // Swift's smart shift: 0 from 32 on, as Go's
            #expect((x >> n).w == UInt64(a >> n))
            // `&<<`/`&>>` take constants below 64 and shift as Go does (0
            // from 32 on), not as Swift's UInt32 masking shift (count & 31).
            #expect((x &<< n).w == UInt64(a << n) && (x &>> n).w == UInt64(a >> n), "\(a) &<< \(n)")
            #expect((x < y) == (a < b) && (x == y) == (a == b))
            #expect(GoUint32<UInt64>(truncating: rng.next() | 1 << 40).w < 1 << 32)
        }
    }

    /// "A 32-bit sum is the 64-bit sum", for inputs below 2^bits.
    struct SumFits: Obligation {
        let bits: Int
        let theorem = "sumFits"
        var instance: String { "\(bits)" }
        let meaning = "x + y in Go's 32-bit uint equals the 64-bit sum"
        let mutation = "none"
        func inputNames(_ g: Geometry) -> [String] { ["x", "y"] }
        func assumption<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
            x[0] < W(1) << bits && x[1] < W(1) << bits
        }
        func goal<W: SumWord>(_ x: [W], _ g: Geometry, _ v: Variant) -> W.Condition {
            (GoUint32(truncating: x[0]) &+ GoUint32(truncating: x[1])).w == x[0] &+ x[1]
        }
    }

    @Test("the prover tells the 32-bit reading from the 64-bit one when a value passes 2^32")
    func readingBites() throws {
        let runner = Runner.deterministic
        #expect(try runner.prove(SumFits(bits: 31), .i386).isProved)
        #expect(try !runner.prove(SumFits(bits: 32), .i386).isProved)
    }

    @Test("mergeFold has a 32-bit part exactly on the 32-bit geometries")
    func foldHasNarrowPart() {
        for g in Geometry.named {
            let parts = MergeFold(level: 1).lemmas((0..<13).map { _ in UInt64(1) }, g).count
            #expect(parts == (g.pointerBits == 32 ? 3 : 2), "\(g)")
        }
    }
}
