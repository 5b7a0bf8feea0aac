// Golden-trace hooks for Go's page allocator.
//
// This file is not part of Go. It is copied into a scratch copy of GOROOT's
// src/runtime (package runtime, an internal test file, like export_test.go)
// by the golden-trace regeneration tool, so that zz_golden_test.go
// (package runtime_test) can drive the REAL (*pageAlloc) methods grow,
// alloc, free and allocRange directly, on real addresses, exactly the way
// the runtime's own page allocator tests do (NewPageAlloc / FreePageAlloc,
// the test flag, the mheapLock, systemstack + lock around each call).

package runtime

// GoldenPageAlloc wraps a fresh test pageAlloc with no chunks grown.
type GoldenPageAlloc struct {
	p *PageAlloc
}

// Geometry constants of the architecture this test binary was built for.
const (
	GoldenPageSize        = pageSize
	GoldenChunkBytes      = pallocChunkBytes
	GoldenHeapAddrBits    = heapAddrBits
	GoldenArenaBaseOffset = arenaBaseOffset
	GoldenSummaryLevels   = summaryLevels
)

// NewGoldenPageAlloc creates a pageAlloc exactly as the runtime's tests do:
// NewPageAlloc with no chunks initializes it with p.init(new(mutex),
// testSysStat), lockInit(p.mheapLock, lockRankMheap) and p.test = true.
func NewGoldenPageAlloc() *GoldenPageAlloc {
	return &GoldenPageAlloc{p: NewPageAlloc(nil, nil)}
}

func (g *GoldenPageAlloc) pa() *pageAlloc { return (*pageAlloc)(g.p) }

// Grow calls (*pageAlloc).grow(base, size).
func (g *GoldenPageAlloc) Grow(base, size uintptr) {
	p := g.pa()
	systemstack(func() {
		lock(p.mheapLock)
		p.grow(base, size)
		unlock(p.mheapLock)
	})
}

// Alloc calls (*pageAlloc).alloc(npages).
func (g *GoldenPageAlloc) Alloc(npages uintptr) (addr, scav uintptr) {
	p := g.pa()
	systemstack(func() {
		lock(p.mheapLock)
		addr, scav = p.alloc(npages)
		unlock(p.mheapLock)
	})
	return
}

// Free calls (*pageAlloc).free(base, npages, scavenged).
func (g *GoldenPageAlloc) Free(base, npages uintptr, scavenged bool) {
	p := g.pa()
	systemstack(func() {
		lock(p.mheapLock)
		p.free(base, npages, scavenged)
		unlock(p.mheapLock)
	})
}

// AllocRange calls (*pageAlloc).allocRange(base, npages).
func (g *GoldenPageAlloc) AllocRange(base, npages uintptr) (scav uintptr) {
	p := g.pa()
	systemstack(func() {
		lock(p.mheapLock)
		scav = p.allocRange(base, npages)
		unlock(p.mheapLock)
	})
	return
}

// Destroy releases the OS resources of the pageAlloc (FreePageAlloc), so
// that many traces can run in one process.
func (g *GoldenPageAlloc) Destroy() {
	FreePageAlloc(g.p)
	g.p = nil
}
