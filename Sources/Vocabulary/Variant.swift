// Which allocator a run means: the faithful port of Go's page allocator, or
// the port with one historic bug put back (or a negative control of the
// checker). The port reads it; the reference, the checker and the reports
// only name it.

/// Which version of the allocator to run: the faithful port, or a variant
/// with a historic bug put back.
public enum Variant: String, CaseIterable, Sendable, Codable {
    /// The allocator as in the seed (Go 1.18 mpagealloc.go).
    case faithful
    /// find returns `firstFree.base` as the new searchAddr without
    /// `findMappedAddr`: the code before the fix of golang/go#40191.
    case preFix40191
    /// Negative control for the checker's crash isolation (no Go bug): when
    /// a run straddles entries, find also reads the next level's fan-out,
    /// `levelBits[l + 1]`, which at the leaf level is out of range: a Swift
    /// runtime trap (the process dies by a signal).
    case trapInFind
    /// Negative control for hang detection (no Go bug): find's block scan
    /// does not step past a fully allocated leaf entry, so a search that
    /// meets one at the leaf level of a straddle never ends.
    case loopInFind
    /// golang/go#38605: allocToCache leaves searchAddr at the page after the
    /// cache's block, which may lie outside every grown range.
    case preFix38605
    /// CL 216697 (Go 1.14 development): pallocBits.find for one page
    /// returns the page after the free page as the new search index, so a
    /// one-page alloc at a chunk's last page moves searchAddr past it.
    case preFixCL216697
    /// golang/go#36113: addrRanges.add, growing its backing array past 16
    /// ranges, keeps the old length, so the 17th disjoint range panics
    /// (added last) or pushes the last range out of inUse (added inside).
    case preFix36113
    /// golang/go#38130: the "bad summary data" checks after a bitmap search
    /// test `j < 0` on an unsigned index, so they never fire and a failed
    /// search is used as a page index.
    case preFix38130
    /// golang/go#35954: the runtime grows the heap up to the very top of a
    /// 32-bit address space, where base+size wraps to 0. The page allocator
    /// is unchanged (Go fixed mheap.grow and linearAlloc.init); the
    /// reference accepts such grows under this variant.
    case preFix35954
    /// golang/go#35445: findScavengeCandidate does not round max up to a
    /// whole physical page, so a run cut to max may end mid-page and
    /// scavengeOne hands sysUnused an unaligned range.
    case preFix35445
    /// golang/go#63385's class, in Go 1.19's scavengeIndex.grow as shipped:
    /// 0 stands for "unset" in min and max, and a first growth is extended
    /// down to byte 0, so a later growth below maps index pages twice; and
    /// minHeapIdx == 0 is "unset" too, so a heap starting in the lowest 8
    /// chunks has its lowest chunks dropped from every later search.
    case preFix63385
    /// Go 1.19's (*pageCache).flush as shipped: it frees the cache's pages
    /// without marking the scavenge index, so a chunk the scavenger unmarked
    /// meanwhile keeps free, unscavenged pages it never finds again.
    case go119FlushUnmarked
    /// Go 1.14 development, scavengeOne's fast path (the chunk just below
    /// the last run scavenged) without its check of that chunk's summary:
    /// it searches a chunk that may not be heap at all.
    case preFixScavSummary14
    /// The same fast path after the first fix: it reads that chunk's leaf
    /// summary without first asking inUse whether the chunk is heap, so the
    /// summary's memory may not be mapped.
    case preFixScavInUse14
    /// Control for the two above (no Go bug): the fast path with both of
    /// its checks, as Go 1.14 shipped it. It must pass.
    case scavFastPath14
    /// Not Go's code: the candidate fix of the Go 1.21+ setEmpty defect
    /// (GoDriver/patches/fixes-candidate-go1.27-scavenge-skip-partly-
    /// searched-chunk.diff), for a Go 1.21+ scavenger: a chunk is marked
    /// empty only after a search of all of it, and a fruitless search of
    /// part of it moves the cursor below it instead. Campaigns with it look
    /// past the kept defect.
    case fixCandidateScavSkipChunk
}
