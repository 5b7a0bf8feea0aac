// The driver's wire format, the checker's side: how an operation is
// encoded, and how a snapshot's words decode into a HeapState
// (GoDriver/README.md, "Protocol").

import Foundation
import Vocabulary
import TraceFormat
import Targets

extension GoTarget {
    /// The wire kind of an operation.
    static func kind(_ op: Operation) -> (UInt64, UInt64, UInt64, UInt64) {
        switch op {
        case let .grow(base, bytes): (1, base, bytes, 0)
        case let .alloc(n): (2, n, 0, 0)
        case let .free(base, n, scavenged): (3, base, n, scavenged ? 1 : 0)
        case let .allocRange(base, n): (4, base, n, 0)
        case let .allocToCache(p): (8, UInt64(p), 0, 0)
        case let .cacheAlloc(n, p): (9, n, UInt64(p), 0)
        case let .cacheFlush(p): (10, UInt64(p), 0, 0)
        case let .scavenge(n, force): (11, n, 0, force ? 1 : 0)
        case .nextGen: (12, 0, 0, 0)
        case let .pad(base, n): (14, base, n, 0)
        }
    }

    /// Decodes the driver's snapshot words (GoDriver/README.md, protocol).
    func decodeSnapshot(_ w: [UInt64]) -> HeapState? {
        var p = 0
        func next() -> UInt64? { guard p < w.count else { return nil }; defer { p += 1 }; return w[p] }
        let none = UInt64.max
        var s = HeapState()
        s.scavIndexKind = info.features & 8 != 0 ? .chunkData : info.features & 4 != 0 ? .chunkBitmap : .none
        guard let sa = next(), let st = next(), let en = next(), let tb = next(), let smr = next(), let nr = next(),
              nr < 1 << 20 else { return nil }
        s.searchAddr = sa; s.start = st; s.end = en
        s.inUseTotalBytes = tb == none ? nil : tb
        s.summaryMappedReady = smr == none ? nil : smr
        for _ in 0..<nr {
            guard let b = next(), let l = next() else { return nil }
            s.inUse.append((b, l))
        }
        let levels = geometry.summaryLevels
        for _ in 0..<levels {
            guard let n = next(), n < 1 << 24 else { return nil }
            var es: [SummaryEntry] = []
            es.reserveCapacity(Int(n))
            for _ in 0..<n {
                guard let iw = next(), let v = next() else { return nil }
                es.append(SummaryEntry(index: Int(iw & ~(1 << 63)), mapped: iw >> 63 == 0, raw: v))
            }
            s.summaries.append(es)
        }
        guard let nl = next() else { return nil }
        if nl > 0 {
            guard nl == levels else { return nil }
            var all: [[Range<Int>]] = []
            for _ in 0..<nl {
                guard let n = next(), n < 1 << 24 else { return nil }
                var rs: [Range<Int>] = []
                for _ in 0..<n {
                    guard let lo = next(), let hi = next(), lo <= hi else { return nil }
                    rs.append(Int(lo)..<Int(hi))
                }
                all.append(rs)
            }
            s.mappedSummaryRanges = all
            guard let mb = next() else { return nil }
            s.metadataMappedBytes = mb
        }
        guard let nc = next(), nc < 1 << 24 else { return nil }
        for _ in 0..<nc {
            guard let c = next(), let present = next(), p + 17 <= w.count else { return nil }
            var bits = InlineArray<16, UInt64>(repeating: 0)
            for k in 0..<16 { bits[k] = w[p + k] }
            let ix = w[p + 16]
            s.chunks.append(ChunkBits(chunk: c, present: present != 0, words: bits,
                                      scavIndex: ix >> 63 != 0 ? nil : ix))
            p += 17
        }
        var caches: [PageCacheState] = []
        for _ in 0..<Operation.pageCaches {
            guard let b = next(), let c = next(), let sc = next() else { return nil }
            caches.append(PageCacheState(base: b, cache: c, scav: sc))
        }
        s.pageCaches = caches
        if s.scavIndexKind == .chunkData {
            guard p + 9 <= w.count, w[p] <= UInt64(UInt32.max) else { return nil }
            s.scavIndexScalars = ScavIndexScalars(gen: UInt32(w[p]), searchAddrBg: w[p + 1], bgMarked: w[p + 2] != 0,
                                                  searchAddrForce: w[p + 3], forceMarked: w[p + 4] != 0, freeHWM: w[p + 5],
                                                  min: w[p + 6], max: w[p + 7], minHeapIdx: w[p + 8])
            p += 9
        }
        guard let saMapped = next(), p == w.count else { return nil }
        s.searchAddrLeafMapped = saMapped != 0
        return s
    }
}
