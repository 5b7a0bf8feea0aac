// The list of obligations, in the order they are proved, printed and emitted.

import SummaryCore

public enum Catalog {
    /// The obligations that depend on the geometry, for geometry `g`.
    public static func obligations(for g: Geometry) -> [any Obligation] {
        var list: [any Obligation] = [PackRoundTrip(), PackAllFree(), PackInjective()]
        for level in 1..<g.summaryLevels { list.append(MergeBounds(level: level)) }
        for level in 1..<g.summaryLevels { list.append(MergeWellFormed(level: level)) }
        for level in 1..<g.summaryLevels { list.append(MergeTwoLaw(level: level)) }
        for level in 1..<g.summaryLevels { list.append(MergeFold(level: level)) }
        for level in 0..<g.summaryLevels { list.append(PackNeverTruncates(level: level)) }
        list += [
            MergeMatchesBitmap(childCount: 8, pagesPerChild: 8),
            ChunkIndexBaseInverse(),
        ]
        for level in 0..<g.summaryLevels { list.append(AddrsToSummaryRangeExact(level: level)) }
        for level in 1..<g.summaryLevels { list.append(ChildRegions(level: level)) }
        list += [OffAddrOrder(), GeometryConstants(), ScavCursorArithmetic()]
        return list
    }

    /// The address obligations only, for the address-only geometries: the
    /// chunk index/base inverse, addrsToSummaryRange at every level, the
    /// offset-address order, and the constants.
    public static func addressObligations(for g: Geometry) -> [any Obligation] {
        var list: [any Obligation] = [ChunkIndexBaseInverse()]
        for level in 0..<g.summaryLevels { list.append(AddrsToSummaryRangeExact(level: level)) }
        for level in 1..<g.summaryLevels { list.append(ChildRegions(level: level)) }
        return list + [OffAddrOrder(), GeometryConstants(), ScavCursorArithmetic()]
    }

    /// The obligations that do not depend on the geometry (proved once, labelled "any").
    public static let geometryIndependent: [any Obligation] = [
        FindBitRange64Spec(),
        CombineLaw(),
        ScanWellFormed(),
        SummarizeFirstPass(words: 1),
        SummarizeEarlyExit(),
    ] + SummarizeStepKind.allCases.map { SummarizeStep(kind: $0) } + [
        SummarizeInteriorEdges(edge: .zeroWord),
        SummarizeInteriorEdges(edge: .max62),
        SummarizeFold(),
        SummarizeFinish(),
        SummarizeUint32(),
        ScavChunkPackRoundTrip(),
        ScavChunkUnpackPack(),
        ScavChunkAlloc(),
        ScavChunkFree(),
        ScavChunkDensity(),
    ]

    /// Obligations outside the default run: too slow for the 60 s budget, or not
    /// proved at all (see the notes in proofs/README.md). `prove --extended` adds them.
    public static func extended(geometries: [Geometry] = Geometry.named) -> [(obligation: any Obligation, geometry: Geometry?)] {
        [(SummarizeSecondPass(), nil), (SummarizeFirstPass(words: 8), nil)]
            + geometries.map { (MergeMatchesBitmap(childCount: 8, pagesPerChild: 16), $0) }
    }

    /// Every (obligation, geometry) pair: the geometry-independent ones first (with
    /// `geometry` nil), then each named geometry's.
    public static func all(geometries: [Geometry] = Geometry.named,
                           addressGeometries: [Geometry] = Geometry.addressOnly) -> [(obligation: any Obligation, geometry: Geometry?)] {
        geometryIndependent.map { ($0, nil) }
            + geometries.flatMap { g in obligations(for: g).map { ($0, g) } }
            + addressGeometries.flatMap { g in addressObligations(for: g).map { ($0, g) } }
    }
}
