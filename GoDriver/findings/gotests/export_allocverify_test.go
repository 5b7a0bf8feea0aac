// Copyright 2026 The Go Authors. All rights reserved.
// Use of this source code is governed by a BSD-style
// license that can be found in the LICENSE file.

// Export guts for the allocverify regression tests (allocverify_*_test.go),
// as a CL to export_test.go would add them. One file for Go 1.19 and later:
// where the unexported signatures differ between versions, the wrapper picks
// the one this runtime has with a type switch instead of build tags.

package runtime

// Grow calls (*pageAlloc).grow(base, size), as mheap.grow does: the new
// memory is free and scavenged.
func (p *PageAlloc) Grow(base, size uintptr) {
	pp := (*pageAlloc)(p)
	systemstack(func() {
		lock(pp.mheapLock)
		pp.grow(base, size)
		unlock(pp.mheapLock)
	})
}

// AllocRange calls (*pageAlloc).allocRange(base, npages) and returns the
// number of scavenged bytes in the range.
func (p *PageAlloc) AllocRange(base, npages uintptr) (scav uintptr) {
	pp := (*pageAlloc)(p)
	systemstack(func() {
		lock(pp.mheapLock)
		scav = pp.allocRange(base, npages)
		unlock(pp.mheapLock)
	})
	return
}

// FreeUnscavenged frees pages that were not returned to the OS, as
// mheap.freeSpanLocked does: free(base, npages, false) before Go 1.21
// (PageAlloc.Free passes scavenged=true there, which skips the scavenge
// index), free(base, npages) since.
func (p *PageAlloc) FreeUnscavenged(base, npages uintptr) {
	pp := (*pageAlloc)(p)
	var free func()
	switch f := any(pp.free).(type) {
	case func(uintptr, uintptr, bool):
		free = func() { f(base, npages, false) }
	case func(uintptr, uintptr):
		free = func() { f(base, npages) }
	default:
		panic("FreeUnscavenged: unknown (*pageAlloc).free signature")
	}
	systemstack(func() {
		lock(pp.mheapLock)
		free()
		unlock(pp.mheapLock)
	})
}

// ScavengeBackground calls (*pageAlloc).scavenge(nbytes, nil, false), the
// background scavenger's call (PageAlloc.Scavenge passes force=true). Before
// Go 1.21 scavenge has no force parameter: scavenge(nbytes, nil).
func (p *PageAlloc) ScavengeBackground(nbytes uintptr) (r uintptr) {
	pp := (*pageAlloc)(p)
	var scavenge func() uintptr
	switch f := any(pp.scavenge).(type) {
	case func(uintptr, func() bool) uintptr:
		scavenge = func() uintptr { return f(nbytes, nil) }
	case func(uintptr, func() bool, bool) uintptr:
		scavenge = func() uintptr { return f(nbytes, nil, false) }
	default:
		panic("ScavengeBackground: unknown (*pageAlloc).scavenge signature")
	}
	systemstack(func() {
		r = scavenge()
	})
	return
}

// NextGen calls the scavenge index's nextGen under the heap lock, as
// gcMarkTermination does once per GC cycle. It reports false, and does
// nothing, if the index has no generations (before Go 1.21).
func (p *PageAlloc) NextGen() bool {
	pp := (*pageAlloc)(p)
	s, ok := any(&pp.scav.index).(interface{ nextGen() })
	if ok {
		systemstack(func() {
			lock(pp.mheapLock)
			s.nextGen()
			unlock(pp.mheapLock)
		})
	}
	return ok
}

// MarkRandomPaddingPages calls (*pageAlloc).markRandomPaddingPages(base,
// npages) under the heap lock, as mheap.grow does after the heap's first
// growth. It reports false, and does nothing, before Go 1.26.
func (p *PageAlloc) MarkRandomPaddingPages(base, npages uintptr) bool {
	pp := (*pageAlloc)(p)
	m, ok := any(pp).(interface {
		markRandomPaddingPages(base, npages uintptr)
	})
	if ok {
		systemstack(func() {
			lock(pp.mheapLock)
			m.markRandomPaddingPages(base, npages)
			unlock(pp.mheapLock)
		})
	}
	return ok
}

// SummaryMappedReady returns the bytes of the summary arrays and the
// scavenge index that the pageAlloc accounts as mapped Ready.
func (p *PageAlloc) SummaryMappedReady() uintptr {
	return (*pageAlloc)(p).summaryMappedReady
}

// AllocVerifyRun is a run of pages in one chunk: chunk index, first page,
// page count.
type AllocVerifyRun struct {
	Chunk ChunkIdx
	First uint
	N     uint
}

// FirstUnscavenged returns the first page of runs whose scavenged bit is
// clear, and whether there is one.
func (p *PageAlloc) FirstUnscavenged(runs []AllocVerifyRun) (uintptr, bool) {
	for _, r := range runs {
		sc := p.PallocData(r.Chunk).Scavenged()
		for i := r.First; i < r.First+r.N; i++ {
			if sc.PopcntRange(i, 1) != 1 {
				return PageBase(r.Chunk, i), true
			}
		}
	}
	return 0, false
}

