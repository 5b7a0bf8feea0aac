// The checker's own model of what Go 1.21+'s scavenge index keeps besides
// its flags (mgcscavenge.go: scavengeIndex, scavChunkData): the generation,
// each chunk's in-use counts per generation, the free high-water mark and
// the two cursors. Built from the operations alone, never from the target,
// so the invariants can hold the target's index against it. The port and
// Go 1.19/1.20 have no such index; the model is kept for every target (it is
// cheap) and read only where the target reports a `scavChunkData` index.

/// One chunk's counts, as `scavChunkData` keeps them.
public struct ScavChunkModel: Hashable, Sendable {
    /// Pages allocated in the chunk (`inUse`).
    public var inUse: UInt16 = 0
    /// `inUse` as it was when the chunk was first touched in generation
    /// `gen` (`lastInUse`).
    public var lastInUse: UInt16 = 0
    /// The generation of the chunk's last alloc or free (`gen`).
    public var gen: UInt32 = 0
}

/// The model of the index's bookkeeping; page numbers are the reference's
/// (offset order), and page 0 doubles as "cleared", as `minOffAddr` does.
public struct ScavGenModel: Hashable, Sendable {
    /// `s.gen`: raised by every `nextGen`.
    public internal(set) var gen: UInt32 = 0
    /// Chunks ever allocated from or freed to (others read all zero).
    public internal(set) var chunks: [UInt64: ScavChunkModel] = [:]
    /// `freeHWM`: the highest page freed in this generation (0: none).
    public internal(set) var freeHWM: UInt64 = 0
    /// `searchAddrBg`: raised by `nextGen` to the previous generation's
    /// `freeHWM`, lowered only by the background scavenger's `find`.
    public internal(set) var bgCursor: UInt64 = 0
    /// `searchAddrForce`: raised by every free to its highest page, lowered
    /// only by the forced scavenger's `find`.
    public internal(set) var forceCursor: UInt64 = 0
    /// The highest page freed in the previous generation (the freeHWM the
    /// last nextGen consumed; 0: none). Unlike the cursors it depends on the
    /// operations alone, never on a target's scavenger, so the generator may
    /// read it and a seed still means the same operations everywhere.
    public internal(set) var previousFreeHWM: UInt64 = 0

    public init() {}

    /// The counts of chunk `c`.
    public func chunk(_ c: UInt64) -> ScavChunkModel { chunks[c] ?? ScavChunkModel() }

    /// `scavChunkData.alloc` and `.free` for one chunk: the first touch in a
    /// new generation keeps the old count in `lastInUse`.
    mutating func touch(_ c: UInt64, by delta: Int) {
        var m = chunks[c] ?? ScavChunkModel()
        if m.gen != gen {
            m.lastInUse = m.inUse
            m.gen = gen
        }
        m.inUse = UInt16(truncatingIfNeeded: Int(m.inUse) + delta)
        chunks[c] = m
    }

    /// Pages `r` allocated (`scavengeIndex.alloc`, per chunk).
    mutating func allocated(_ r: Range<UInt64>) {
        forEachChunk(r) { c, n in touch(c, by: Int(n)) }
    }

    /// Pages `r` freed (`scavengeIndex.free`, per chunk): the counts fall,
    /// and the high-water mark and the forced cursor rise to the last page.
    mutating func freed(_ r: Range<UInt64>) {
        guard !r.isEmpty else { return }
        forEachChunk(r) { c, n in touch(c, by: -Int(n)) }
        freeHWM = Swift.max(freeHWM, r.upperBound - 1)
        forceCursor = Swift.max(forceCursor, r.upperBound - 1)
    }

    /// `nextGen`: a new generation; the background cursor rises to the
    /// high-water mark, which starts over.
    mutating func nextGen() {
        gen &+= 1
        bgCursor = Swift.max(bgCursor, freeHWM)
        previousFreeHWM = freeHWM
        freeHWM = 0
    }

    private func forEachChunk(_ r: Range<UInt64>, _ body: (UInt64, UInt64) -> Void) {
        let per = UInt64(512)
        var p = r.lowerBound
        while p < r.upperBound {
            let c = p / per
            let end = Swift.min(r.upperBound, (c + 1) * per)
            body(c, end - p)
            p = end
        }
    }
}

extension ReferenceAllocator {
    /// `nextGen`, as `gcMarkTermination` calls it once per GC cycle.
    public mutating func nextGen() { scavGen.nextGen() }

    /// This reference without the index model: for state spaces of
    /// targets that have no scavChunkData index (the port's model), where
    /// the model's history (cursors, high-water mark) would only split
    /// states the target cannot tell apart.
    public var withoutScavGen: ReferenceAllocator {
        var r = self
        r.scavGen = ScavGenModel()
        return r
    }

    /// After a scavenge the checker judged: the cursor the scavenger walked
    /// (`find` only lowers it, or clears it) is the target's to choose;
    /// adopt it, as the scavenged pages are adopted.
    public mutating func adoptScavengeCursor(force: Bool, page: UInt64) {
        if force { scavGen.forceCursor = page } else { scavGen.bgCursor = page }
    }
}
