// findBitRange64: where is the first run of n consecutive set bits in a word?

/// Mirrors findBitRange64 in mpallocbits.go.
///
/// Returns the index of the lowest bit of the first (lowest) run of `n` consecutive
/// 1 bits in `c`, or 64 when `c` has no such run. `n` must be in 1...64.
///
/// The trick, as in Go: shrink every run of 1s by n-1 bits from the top
/// (`c &= c >> s` removes s bits from the top of each run), so that exactly the
/// runs of length >= n keep a bit, at their original bottom position; then the
/// answer is the trailing zero count. Shifting by s > the shortest 0-run would
/// smear runs together, so the shrinking goes in steps k = 1, 2, 4, ...: after a
/// step of k every run of 0s is at least 2k wide.
///
/// Go's loop runs while p > 0 with k doubling; since p <= 63 it ends within seven
/// rounds (k = 1, 2, ..., 64). Here it is written as that bounded loop with a `live`
/// condition: the concrete reading leaves it exactly where Go does; the symbolic
/// reading unrolls all seven rounds, and `require` makes "the loop had ended"
/// part of the proof. Go's early `return 64` when c becomes 0 is kept as a loop exit:
/// trailingZeros64(0) is 64, so the result is the same.
@inlinable
public func findBitRange64<W: SumWord>(_ c: W, _ n: W) -> W {
    W.require(n >= 1 && n <= 64, "findBitRange64: n must be in 1...64")
    var c = c
    var p = n &- 1              // the number of 1s still to remove from the top of each run
    var live = p > 0            // Go's loop condition, `for p > 0`
    for round in 0..<7 {
        if live.knownValue == false { break }
        let k = W(1) << round   // the shortest run of 0s in c is at least k wide
        let last = p <= k
        // In the last round shift by the remaining p, else by k.
        let shift = W.select(last, p, k)
        c = W.select(live, c & (c >> (shift & 63)), c)
        let more = live && !last
        p = W.select(more, p &- k, p)
        live = more && c != 0 && p > 0
    }
    W.require(!live, "findBitRange64: loop did not end within 7 rounds")
    return c.trailingZeros64
}
