// Names for the port's types in files that also import SummaryCore (whose
// Geometry and PallocSum would otherwise clash; the module PageAlloc is
// shadowed by its class PageAlloc).
@testable import PageAlloc

typealias PortGeometry = Geometry
typealias PortSum = PallocSum
func portFindBitRange64(_ c: UInt64, _ n: UInt64) -> UInt64 { findBitRange64(c, n) }
typealias PortOffAddr = OffAddr
typealias PortChunkIdx = ChunkIdx
func portSummarize(_ words: UnsafeMutablePointer<UInt64>, _ g: Geometry) -> UInt64 { PallocBits(words).summarize(g.sums).raw }
