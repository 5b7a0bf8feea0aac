// allocverify driver shim (not part of Go): since Go 1.21 the scavenge index
// holds one packed scavChunkData word per chunk (scavengeIndex.chunks
// []atomicScavChunkData): the count of allocated pages, the count at the
// last generation change, the generation, and flags (scavChunkHasFree).
// Its backing store is counted in summaryMappedReady: on 64-bit platforms
// sysGrow maps it, on 32-bit ones a test pageAlloc sysAllocs all of it.

//go:build go1.21

package runtime

import "unsafe"

const allocVerifyScavIndexFeature = AllocVerifyFeatureScavIndexChunkData

// allocVerifyScavIndexEntry returns where chunk ci's packed word lives, or
// size 0 if ci is beyond the index.
func allocVerifyScavIndexEntry(p *pageAlloc, ci uint64) (addr, size uintptr) {
	s := (*slice)(unsafe.Pointer(&p.scav.index.chunks))
	if ci >= uint64(s.len) {
		return 0, 0
	}
	return uintptr(s.array) + uintptr(ci)*8, 8
}

// allocVerifyScavIndexRead returns chunk ci's packed scavChunkData word, as
// stored (the caller has checked that its memory is mapped).
func allocVerifyScavIndexRead(p *pageAlloc, ci uint64) uint64 {
	return p.scav.index.chunks[ci].value.Load()
}

// allocVerifyScavIndexMem returns the index's backing store and whether
// summaryMappedReady counts its mapped bytes.
func allocVerifyScavIndexMem(p *pageAlloc) (base, nbytes uintptr, counted bool) {
	s := (*slice)(unsafe.Pointer(&p.scav.index.chunks))
	return uintptr(s.array), uintptr(s.len) * unsafe.Sizeof(atomicScavChunkData{}), true
}

// allocVerifyScavIndexScalars returns the index's scalar state: the
// generation, the background and forced cursors (address and mark bit; a
// cleared cursor reads as minOffAddr's address), the free high-water mark
// of this generation, the mapped entry range [min, max) and minHeapIdx.
func allocVerifyScavIndexScalars(p *pageAlloc) [AllocVerifyScavIndexScalarWords]uint64 {
	s := &p.scav.index
	bg, bgMarked := s.searchAddrBg.Load()
	force, forceMarked := s.searchAddrForce.Load()
	b2u := func(b bool) uint64 {
		if b {
			return 1
		}
		return 0
	}
	return [AllocVerifyScavIndexScalarWords]uint64{
		uint64(s.gen), uint64(bg), b2u(bgMarked), uint64(force), b2u(forceMarked),
		uint64(s.freeHWM.addr()), uint64(s.min.Load()), uint64(s.max.Load()), uint64(s.minHeapIdx.Load()),
	}
}
