// The checker's own arithmetic over snapshots: interval membership in the
// offset address space, the summary of a chunk's bitmap, the unpacking and
// merging of pallocSums. Written apart from the port on purpose, in the
// plainest form, so that a bug in the target's version cannot blind the
// invariant that judges it.

import Vocabulary
import TraceFormat
import Targets
import Reference

/// A summary's three fields.
package struct Sum3: Equatable, CustomStringConvertible {
    package var start: UInt64, max: UInt64, end: UInt64
    package var description: String { "(\(start), \(max), \(end))" }
    /// `start/max/end`, as the HTML report writes it.
    package var slashed: String { "\(start)/\(max)/\(end)" }
}

package enum CheckerMath {
    /// Whether raw address `a` lies in one of the [base, limit) ranges,
    /// compared in the offset address space (Go's addrRange.contains).
    package static func contains(_ ranges: [(base: UInt64, limit: UInt64)], _ a: UInt64, _ g: Geometry) -> Bool {
        let x = g.linear(a)
        for r in ranges where g.linear(r.base) <= x && x < g.linear(r.limit) { return true }
        return false
    }

    /// Unpacks a pallocSum word: three 21-bit (logMaxPackedValue-bit) fields,
    /// or bit 63 meaning all three equal the maximum (pallocSum's comment).
    package static func unpack(_ raw: UInt64, _ g: Geometry) -> Sum3 {
        let bits = g.logMaxPackedValue
        let maxV = UInt64(1) << bits
        if raw & (1 << 63) != 0 { return Sum3(start: maxV, max: maxV, end: maxV) }
        let mask = (UInt64(1) << bits) - 1
        return Sum3(start: raw & mask, max: (raw >> bits) & mask, end: (raw >> (2 * bits)) & mask)
    }

    /// The summary of a 512-page bitmap (1 = allocated), word by word: a
    /// word of all-free pages extends a run by 64; otherwise its low zero
    /// bits end the run, its high zero bits start the next, and its longest
    /// inner run of zeros is found by repeated shift-and.
    package static func summarize(_ alloc: (Int) -> UInt64) -> Sum3 {
        var start: UInt64 = 0, startOpen = true
        var best: UInt64 = 0, run: UInt64 = 0
        for w in 0..<8 {
            let a = alloc(w)
            if a == 0 {
                run += 64
                if startOpen { start += 64 }
                continue
            }
            let low = UInt64(a.trailingZeroBitCount)
            if startOpen { start += low; startOpen = false }
            best = Swift.max(best, run + low)
            var free = ~a, inner: UInt64 = 0
            while free != 0 { free &= free >> 1; inner += 1 }
            best = Swift.max(best, inner)
            run = UInt64(a.leadingZeroBitCount)
        }
        best = Swift.max(best, run)
        return Sum3(start: start, max: best, end: run)
    }

    /// The summary of children laid end to end, each covering `childPages`
    /// pages: the free run at the start, the longest, the run at the end.
    package static func merge(_ kids: [Sum3], childPages: UInt64) -> Sum3 {
        var start: UInt64 = 0, startOpen = true
        var best: UInt64 = 0, run: UInt64 = 0
        for k in kids {
            if startOpen { start += k.start; if k.start != childPages { startOpen = false } }
            // A run crossing into this child continues with its start.
            best = Swift.max(best, run + k.start, k.max)
            run = k.start == childPages ? run + childPages : k.end
        }
        var end: UInt64 = 0
        for k in kids.reversed() {
            end += k.end
            if k.end != childPages { break }
        }
        return Sum3(start: start, max: Swift.max(best, run), end: end)
    }
}

extension ChunkBits {
    /// The first whole physical page of this chunk (an aligned block of `k`
    /// pages, 1 <= k <= 64) whose pages are all free and unscavenged, and
    /// not in `claimed` (8 words of pages freed as "scavenged", a claim the
    /// bitmap does not record), for which `accept` holds: its first page,
    /// chunk-relative. A scavenger releases nothing smaller than such a
    /// block, so the scavenger's invariants are about these alone.
    package func firstFreeUnscavenged(physPages k: Int, claimed: [UInt64]? = nil,
                              where accept: (UInt64) -> Bool = { _ in true }) -> UInt64? {
        let mask: UInt64 = k >= 64 ? ~0 : (1 << UInt64(k)) - 1
        for w in 0..<8 {
            var m = ~alloc(w) & ~scavenged(w)
            if let claimed { m &= ~claimed[w] }
            guard m != 0 else { continue }
            for b in stride(from: 0, to: 64, by: k) where (m >> UInt64(b)) & mask == mask {
                let page = UInt64(w * 64 + b)
                if accept(page) { return page }
            }
        }
        return nil
    }
}

extension Geometry {
    /// Runtime pages per physical page (1 where the OS page is smaller),
    /// at most a bitmap word.
    var pagesPerPhysPage: Int { Int(Swift.max(1, Swift.min(64, physPageSize / Geometry.pageSize))) }
}
