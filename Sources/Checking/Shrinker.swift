// The shrinker: an ordered list of named passes, run to a fixed point under
// a budget, keeping only candidates that fail the same way and are simpler.

import Vocabulary
import Reference
import TraceFormat
import Targets

/// One named way of making a failing operation list smaller.
public struct ShrinkPass: Sendable {
    public let name: String
    /// Candidate lists derived from `ops` on a geometry (the shrinker tries
    /// them in order).
    let candidates: @Sendable ([Operation], Geometry) -> [[Operation]]

    init(name: String, candidates: @escaping @Sendable ([Operation], Geometry) -> [[Operation]]) {
        self.name = name
        self.candidates = candidates
    }

    /// A pass that does not need the geometry.
    init(name: String, _ candidates: @escaping @Sendable ([Operation]) -> [[Operation]]) {
        self.init(name: name, candidates: { ops, _ in candidates(ops) })
    }
}

/// Per-pass counters.
public struct PassStats: Sendable, Equatable {
    public var tried = 0
    public var accepted = 0
}

/// "Simpler", defined once: fewer operations, then fewer pages and grown
/// chunks in total, then lower addresses.
public func complexity(_ ops: [Operation]) -> (Int, UInt64, UInt64) {
    var size: UInt64 = 0, addr: UInt64 = 0
    for op in ops {
        switch op {
        case let .grow(b, n): size &+= n / Geometry.pallocChunkBytes; addr &+= b >> 22
        case let .alloc(n): size &+= n
        case let .free(b, n, s): size &+= n + (s ? 1 : 0); addr &+= b >> 22
        case let .allocRange(b, n): size &+= n; addr &+= b >> 22
        case let .allocToCache(p): size &+= UInt64(p)
        case let .cacheAlloc(n, p): size &+= n + UInt64(p)
        case let .cacheFlush(p): size &+= UInt64(p)
        case let .scavenge(n, force): size &+= n / Geometry.pageSize + (force ? 1 : 0)
        case .nextGen: break
        case let .pad(b, n): size &+= n; addr &+= b >> 22
        }
    }
    return (ops.count, size, addr)
}

func simpler(_ a: [Operation], than b: [Operation]) -> Bool { complexity(a) < complexity(b) }

public struct Shrinker {
    /// The geometry of the failing run (some passes move addresses in it).
    public let geometry: Geometry
    /// The failure every accepted candidate must reproduce.
    public let signature: String
    /// Candidate runs allowed in total.
    public var budget: Int
    public private(set) var runs = 0
    public private(set) var stats: [String: PassStats] = [:]
    public let passes: [ShrinkPass]
    /// True when the last shrink ended at a fixed point: one whole sweep of
    /// every pass tried every candidate and none failed the same way. With
    /// single-operation deletion and the lowering passes among them, the
    /// result is 1-minimal with respect to them.
    public private(set) var certified = false
    /// True when the budget stopped the last shrink (some candidate untried).
    public private(set) var budgetSpent = false
    /// Called after every candidate run: runs so far, the best length, the pass.
    public var onProgress: ((Int, Int, String) -> Void)?
    /// Runs a candidate on fresh targets, in this process or a supervised
    /// worker: operations and skip-invalid in; the failure's signature (nil:
    /// it passed) and the operations applied out.
    public var evaluate: ([Operation], Bool) throws -> (signature: String?, applied: [Operation], kind: FindingKind?)

    /// A shrinker of failures with `signature`, judging candidates with
    /// `evaluate` (the caller decides which targets run them, and where).
    public init(geometry: Geometry, signature: String, budget: Int = 3000, passes: [ShrinkPass] = ShrinkPass.all,
                evaluate: @escaping ([Operation], Bool) throws -> (signature: String?, applied: [Operation], kind: FindingKind?)) {
        self.geometry = geometry
        self.evaluate = evaluate
        self.signature = signature
        self.budget = budget
        self.passes = passes
        for p in passes { stats[p.name] = PassStats() }
    }

    /// Runs a candidate, dropping operations it made invalid (a free of
    /// pages an earlier deletion left unallocated, say) and everything after
    /// the failure; returns what was applied if it fails the same way.
    mutating func failsTheSameWay(_ ops: [Operation]) -> [Operation]? {
        runs += 1
        guard let r = try? evaluate(ops, true), r.signature == signature else { return nil }
        return r.applied
    }

    /// Shrinks a failing list; returns the smallest found. A fixed point
    /// depends on the order the passes run in, so when budget remains the
    /// shrink restarts from `start` with the first two passes swapped
    /// (collapsing the heap's history first, or deleting first) and keeps
    /// the simpler of the two results; each is certified on its own.
    public mutating func shrink(_ start: [Operation]) -> [Operation] {
        let first = shrinkOnce(start, passes)
        guard certified, passes.count >= 2 else { return first }
        var swapped = passes
        swapped.swapAt(0, 1)
        let second = shrinkOnce(start, swapped)
        if certified && simpler(second, than: first) { return second }
        // The first result stands; it was certified.
        certified = true
        budgetSpent = false
        return first
    }

    /// One shrink to a fixed point of `passes`, in that order: after any
    /// improvement the pass starts again on the new best, and sweeps over
    /// all passes repeat until one sweep improves nothing (then the result
    /// is certified) or the budget of runs is spent.
    mutating func shrinkOnce(_ start: [Operation], _ passes: [ShrinkPass]) -> [Operation] {
        var best = start
        var progress = true
        certified = false
        budgetSpent = false
        sweeps: while progress {
            progress = false
            for pass in passes {
                var improved = true
                while improved {
                    improved = false
                    for cand in pass.candidates(best, geometry) {
                        guard simpler(cand, than: best) else { continue }
                        guard runs < budget else { budgetSpent = true; break sweeps }
                        stats[pass.name]!.tried += 1
                        let applied = failsTheSameWay(cand)
                        onProgress?(runs, best.count, pass.name)
                        if let applied, simpler(applied, than: best) {
                            stats[pass.name]!.accepted += 1
                            best = applied
                            improved = true
                            progress = true
                            break
                        }
                    }
                }
            }
        }
        certified = !budgetSpent
        return best
    }
}

extension ShrinkPass {
    /// The passes, in the order they run.
    public static let all: [ShrinkPass] = [.rebuildPrefix, .deleteBlocks, .mergeAllocs, .dropGrows, .dropFrees, .mergeGrows, .shrinkGrows, .lowerNpages, .mergeFrees, .lowerAddresses, .dropCaches, .lowerPs]

    /// Replaces a prefix of the operations by the shortest list that leaves
    /// the same pages grown and allocated: one grow per grown range, one
    /// alloc-range per allocated run (the reference computes the state).
    /// The history that built a fragmented heap (allocs, frees, re-allocs)
    /// collapses to its outcome; searchAddr and the scavenged bits differ,
    /// so the candidate survives only if the failure did not depend on them.
    /// Longest prefixes first.
    public static let rebuildPrefix = ShrinkPass(name: "rebuildPrefix", candidates: { ops, g in
        var ref = ReferenceAllocator(geometry: g)
        var out: [[Operation]] = []
        for k in 0..<Swift.max(0, ops.count - 1) {
            do { _ = try ref.apply(ops[k]) } catch { break }
            // Pages held in a page cache are allocated in the tree: the
            // rebuilt prefix allocates them and leaves every cache empty.
            var rebuilt: [Operation] = ref.grown.intervals.map { .grow(base: ref.address($0.lowerBound), bytes: UInt64($0.count) * Geometry.pageSize) }
            for r in ref.allocated.intervals { rebuilt.append(.allocRange(base: ref.address(r.lowerBound), npages: UInt64(r.count))) }
            if rebuilt.count < k + 1 { out.append(rebuilt + ops[(k + 1)...]) }
        }
        return out.reversed()
    })

    /// Deletes blocks of consecutive operations, halving the block size.
    public static let deleteBlocks = ShrinkPass(name: "deleteBlocks") { ops in
        var out: [[Operation]] = []
        var size = ops.count / 2
        while size >= 1 {
            for start in stride(from: 0, to: ops.count - size + 1, by: size) {
                var c = ops
                c.removeSubrange(start..<(start + size))
                out.append(c)
            }
            size /= 2
        }
        return out
    }

    /// Replaces consecutive allocs by one alloc of their total. For each run of
    /// two or more allocs it tries the whole run, the run without its last or
    /// first alloc (the last is often the failing request), then blocks of half,
    /// a quarter, ... down to pairs. First fit usually hands the merged request
    /// the same pages, so a region exhausted page by page (a long run of
    /// `alloc 1`, which deleting any one of breaks) collapses to one operation.
    public static let mergeAllocs = ShrinkPass(name: "mergeAllocs") { ops in
        var runs: [Range<Int>] = []
        var i = 0
        while i < ops.count {
            var j = i
            while j < ops.count, case .alloc = ops[j] { j += 1 }
            if j - i >= 2 { runs.append(i..<j) }
            i = Swift.max(j, i + 1)
        }
        func merged(_ r: Range<Int>) -> [Operation] {
            var total: UInt64 = 0
            for k in r { if case let .alloc(n) = ops[k] { total += n } }
            var c = ops
            c.replaceSubrange(r, with: [.alloc(npages: total)])
            return c
        }
        var blocks: [Range<Int>] = []
        for r in runs {
            blocks.append(r)
            if r.count > 2 { blocks += [r.lowerBound..<(r.upperBound - 1), (r.lowerBound + 1)..<r.upperBound] }
            var size = r.count / 2
            while size >= 2 {
                for start in stride(from: r.lowerBound, through: r.upperBound - size, by: size) { blocks.append(start..<(start + size)) }
                size /= 2
            }
        }
        return blocks.map(merged)
    }

    /// Drops one grow.
    public static let dropGrows = ShrinkPass(name: "dropGrows") { ops in
        ops.indices.filter { if case .grow = ops[$0] { return true }; return false }.map { i in var c = ops; c.remove(at: i); return c }
    }

    /// Drops one free.
    public static let dropFrees = ShrinkPass(name: "dropFrees") { ops in
        ops.indices.filter { if case .free = ops[$0] { return true }; return false }.map { i in var c = ops; c.remove(at: i); return c }
    }

    /// Replaces two grows of touching ranges by one grow at the first's place.
    public static let mergeGrows = ShrinkPass(name: "mergeGrows") { ops in
        var out: [[Operation]] = []
        for i in ops.indices {
            guard case let .grow(b1, n1) = ops[i] else { continue }
            for j in ops.indices where j != i {
                guard case let .grow(b2, n2) = ops[j], b1 &+ n1 == b2 else { continue }
                var c = ops
                c[Swift.min(i, j)] = .grow(base: b1, bytes: n1 + n2)
                c.remove(at: Swift.max(i, j))
                out.append(c)
            }
        }
        return out
    }

    /// Shrinks a grow by one chunk, from either end.
    public static let shrinkGrows = ShrinkPass(name: "shrinkGrows") { ops in
        var out: [[Operation]] = []
        let chunk = Geometry.pallocChunkBytes
        for i in ops.indices {
            guard case let .grow(b, n) = ops[i], n > chunk else { continue }
            var c = ops
            c[i] = .grow(base: b, bytes: n - chunk)
            out.append(c)
            c[i] = .grow(base: b &+ chunk, bytes: n - chunk)
            out.append(c)
        }
        return out
    }

    /// Lowers the page count of an alloc, free or alloc-range.
    public static let lowerNpages = ShrinkPass(name: "lowerNpages") { ops in
        var out: [[Operation]] = []
        for i in ops.indices {
            let n: UInt64
            switch ops[i] {
            case let .alloc(x), let .free(_, x, _), let .allocRange(_, x), let .cacheAlloc(x, _): n = x
            case let .scavenge(b, _): n = (b + Geometry.pageSize - 1) / Geometry.pageSize
            default: continue
            }
            // 1, half, and n minus each power of two: a count far above the
            // least that fails comes down in a few steps, one just above it
            // in a few more (not one page per accepted candidate).
            var ms: Set<UInt64> = [1, n / 2]
            var d: UInt64 = 1
            while d < n { ms.insert(n - d); d <<= 1 }
            for m in ms.sorted() where m >= 1 && m < n {
                var c = ops
                switch ops[i] {
                case .alloc: c[i] = .alloc(npages: m)
                case let .free(b, _, s): c[i] = .free(base: b, npages: m, scavenged: s)
                case let .allocRange(b, _): c[i] = .allocRange(base: b, npages: m)
                case let .cacheAlloc(_, p): c[i] = .cacheAlloc(npages: m, p: p)
                case let .scavenge(_, f): c[i] = .scavenge(nbytes: m * Geometry.pageSize, force: f)
                default: break
                }
                out.append(c)
            }
            if case let .free(b, x, true) = ops[i] {
                var c = ops
                c[i] = .free(base: b, npages: x, scavenged: false)
                out.append(c)
            }
        }
        return out
    }

    /// Merges two consecutive frees of touching ranges into one free.
    public static let mergeFrees = ShrinkPass(name: "mergeFrees") { ops in
        var out: [[Operation]] = []
        for i in ops.indices.dropLast() {
            guard case let .free(b1, n1, s1) = ops[i], case let .free(b2, n2, s2) = ops[i + 1], s1 == s2 else { continue }
            let ps = Geometry.pageSize
            if b1 &+ n1 * ps == b2 || b2 &+ n2 * ps == b1 {
                var c = ops
                c[i] = .free(base: Swift.min(b1, b2), npages: n1 + n2, scavenged: s1)
                c.remove(at: i + 1)
                out.append(c)
            }
        }
        return out
    }

    /// Moves everything at or above one grow's base down by half the gap
    /// below it (in whole chunks), closing distances between pieces.
    /// Drops every operation on one P's page cache at once (a refill and
    /// the allocs from it need not be next to each other).
    public static let dropCaches = ShrinkPass(name: "dropCaches") { ops in
        var ps: [Int] = []
        for op in ops {
            switch op {
            case let .allocToCache(p), let .cacheAlloc(_, p), let .cacheFlush(p): if !ps.contains(p) { ps.append(p) }
            default: break
            }
        }
        return ps.sorted().map { p in
            ops.filter { op in
                switch op {
                case .allocToCache(p), .cacheFlush(p): false
                case let .cacheAlloc(_, q): q != p
                default: true
                }
            }
        }
    }

    /// Renames the page caches: every operation on P k moves to P k-1,
    /// when no operation names P k-1 (so caches stay apart).
    public static let lowerPs = ShrinkPass(name: "lowerPs") { ops in
        func p(_ op: Operation) -> Int? {
            switch op {
            case let .allocToCache(p), let .cacheAlloc(_, p), let .cacheFlush(p): p
            default: nil
            }
        }
        let used = Set(ops.compactMap(p))
        var out: [[Operation]] = []
        for k in used.sorted() where k > 0 && !used.contains(k - 1) {
            out.append(ops.map { op in
                switch op {
                case .allocToCache(k): .allocToCache(p: k - 1)
                case let .cacheAlloc(n, q) where q == k: .cacheAlloc(npages: n, p: k - 1)
                case .cacheFlush(k): .cacheFlush(p: k - 1)
                default: op
                }
            })
        }
        return out
    }

    public static let lowerAddresses = ShrinkPass(name: "lowerAddresses") { ops in
        var bases: [UInt64] = []
        for op in ops { if case let .grow(b, _) = op { bases.append(b) } }
        bases.sort()
        var out: [[Operation]] = []
        let chunk = Geometry.pallocChunkBytes
        for (k, b) in bases.enumerated() where k > 0 {
            var prevLimit: UInt64 = 0
            for op in ops { if case let .grow(pb, n) = op, pb == bases[k - 1] { prevLimit = pb &+ n } }
            guard b > prevLimit else { continue }
            let delta = ((b - prevLimit) / 2) & ~(chunk - 1)
            guard delta > 0 else { continue }
            func move(_ a: UInt64) -> UInt64 { a >= b ? a - delta : a }
            out.append(ops.map { op in
                switch op {
                case let .grow(x, n): .grow(base: move(x), bytes: n)
                case let .free(x, n, s): .free(base: move(x), npages: n, scavenged: s)
                case let .allocRange(x, n): .allocRange(base: move(x), npages: n)
                case let .pad(x, n): .pad(base: move(x), npages: n)
                case .alloc, .allocToCache, .cacheAlloc, .cacheFlush, .scavenge, .nextGen: op
                }
            })
        }
        return out
    }
}
