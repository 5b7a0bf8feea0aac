// The port's tally of its coverage marks (the marks and their counts are
// in Vocabulary: the reports and the Go target name them too).

/// The allocator's own tally of coverage marks: counters in unsafe memory,
/// so a hit on the hot path is one increment, with no uniqueness check of a
/// copy-on-write array. `counts` reads it out as `CoverageCounts`.
final class CoverageTally {
    let marks: UnsafeMutablePointer<Int>
    let descended: UnsafeMutablePointer<Int>
    let straddle: UnsafeMutablePointer<Int>
    let levels: Int

    init(levels: Int) {
        self.levels = levels
        marks = .allocate(capacity: CoverageMark.allCases.count)
        marks.initialize(repeating: 0, count: CoverageMark.allCases.count)
        descended = .allocate(capacity: levels)
        descended.initialize(repeating: 0, count: levels)
        straddle = .allocate(capacity: levels)
        straddle.initialize(repeating: 0, count: levels)
    }

    deinit {
        marks.deallocate()
        descended.deallocate()
        straddle.deallocate()
    }

    @inline(__always) func hit(_ m: CoverageMark) { marks[m.rawValue] &+= 1 }
    @inline(__always) func descendedTo(_ l: Int) { precondition(l >= 0 && l < levels); descended[l] &+= 1 }
    @inline(__always) func straddleAt(_ l: Int) { precondition(l >= 0 && l < levels); straddle[l] &+= 1 }

    var counts: CoverageCounts {
        var c = CoverageCounts(levels: levels)
        for i in c.counts.indices { c.counts[i] = marks[i] }
        for l in 0..<levels {
            c.findDescendedTo[l] = descended[l]
            c.findStraddleAt[l] = straddle[l]
        }
        return c
    }
}
