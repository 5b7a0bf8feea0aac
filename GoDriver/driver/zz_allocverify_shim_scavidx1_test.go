// allocverify driver shim (not part of Go): Go 1.19 and 1.20 keep the
// scavenge index as a bitmap, one bit per chunk (scavengeIndex.chunks
// []atomic.Uint8): a set bit says the chunk may hold free pages that are not
// scavenged. free marks it; only the scavenger clears it. Its backing store
// is counted in summaryMappedReady on 64-bit platforms (sysGrow maps it);
// on 32-bit platforms it is a static array and is not counted.

//go:build go1.19 && !go1.21

package runtime

import "unsafe"

const allocVerifyScavIndexFeature = AllocVerifyFeatureScavIndexBitmap

// allocVerifyScavIndexEntry returns where chunk ci's index entry lives (the
// byte holding its bit), or size 0 if ci is beyond the index.
func allocVerifyScavIndexEntry(p *pageAlloc, ci uint64) (addr, size uintptr) {
	s := (*slice)(unsafe.Pointer(&p.scav.index.chunks))
	if ci/8 >= uint64(s.len) {
		return 0, 0
	}
	return uintptr(s.array) + uintptr(ci/8), 1
}

// allocVerifyScavIndexRead returns chunk ci's bit (the caller has checked
// that its memory is mapped).
func allocVerifyScavIndexRead(p *pageAlloc, ci uint64) uint64 {
	return uint64(p.scav.index.chunks[ci/8].Load()>>(ci%8)) & 1
}

// allocVerifyScavIndexMem returns the index's backing store and whether
// summaryMappedReady counts its mapped bytes.
func allocVerifyScavIndexMem(p *pageAlloc) (base, nbytes uintptr, counted bool) {
	s := (*slice)(unsafe.Pointer(&p.scav.index.chunks))
	return uintptr(s.array), uintptr(s.len), unsafe.Sizeof(uintptr(0)) == 8
}

// allocVerifyScavIndexScalars: Go 1.19/1.20's index has no generations or
// cursors of this shape; the driver never sends this block for them.
func allocVerifyScavIndexScalars(p *pageAlloc) [AllocVerifyScavIndexScalarWords]uint64 {
	return [AllocVerifyScavIndexScalarWords]uint64{}
}
