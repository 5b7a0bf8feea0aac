// allocverify driver: hooks into Go's page allocator (package runtime side).
//
// This file is not part of Go. build.sh adds it to GOROOT/src/runtime via a
// `go test -overlay` (GOROOT itself is never modified). It is an internal test
// file of package runtime, like export_test.go, so that
// zz_allocverify_driver_test.go and zz_golden_test.go (the golden traces;
// both package runtime_test) can call the REAL, unexported
// (*pageAlloc).grow, alloc, free and allocRange on a test pageAlloc made by
// NewPageAlloc(nil, nil), each call on the system stack with p.mheapLock
// held, exactly like the runtime's own page allocator tests.
//
// Version-specific differences live in zz_allocverify_shim_*_test.go files
// selected by build tags.

package runtime

import "unsafe"

// AllocVerifyPageAlloc wraps one test pageAlloc.
type AllocVerifyPageAlloc struct {
	p      *PageAlloc
	inUse  []uint64 // State's buffer for InUse, reused
	caches [AllocVerifyPageCaches]pageCache
}

// AllocVerifyPageCaches is how many Ps' page caches a trace may name.
const AllocVerifyPageCaches = 4

// AllocVerifyGeometry describes the page allocator of this binary's GOARCH.
type AllocVerifyGeometry struct {
	HeapAddrBits        uint64
	LogPallocChunkPages uint64
	LogPallocChunkBytes uint64
	SummaryLevels       uint64
	SummaryLevelBits    uint64
	SummaryL0Bits       uint64
	ArenaBaseOffset     uint64
	PageSize            uint64
	PhysPageSize        uint64
	PtrSize             uint64
	BigEndian           uint64
	MaxSearchAddr       uint64
	Features            uint64
	LevelBits           []uint64
	LevelShift          []uint64
}

// Feature bits of the hello message.
const (
	AllocVerifyFeatureSummaryMappedReady = 1 << 0
	AllocVerifyFeatureFreeScavenged      = 1 << 1
	// The scavenge index is a bitmap of chunks (Go 1.19, 1.20).
	AllocVerifyFeatureScavIndexBitmap = 1 << 2
	// The scavenge index holds a packed scavChunkData per chunk (Go 1.21+).
	AllocVerifyFeatureScavIndexChunkData = 1 << 3
	// (*pageAlloc).markRandomPaddingPages exists (Go 1.26+).
	AllocVerifyFeaturePadding = 1 << 4
)

func allocVerifyBigEndian() uint64 {
	x := uint16(1)
	if *(*byte)(unsafe.Pointer(&x)) == 0 {
		return 1
	}
	return 0
}

// AllocVerifyGetGeometry returns the geometry constants of this binary.
func AllocVerifyGetGeometry() AllocVerifyGeometry {
	g := AllocVerifyGeometry{
		HeapAddrBits:        heapAddrBits,
		LogPallocChunkPages: logPallocChunkPages,
		LogPallocChunkBytes: logPallocChunkBytes,
		SummaryLevels:       summaryLevels,
		SummaryLevelBits:    summaryLevelBits,
		SummaryL0Bits:       summaryL0Bits,
		ArenaBaseOffset:     uint64(arenaBaseOffset),
		PageSize:            pageSize,
		PhysPageSize:        uint64(physPageSize),
		PtrSize:             uint64(unsafe.Sizeof(uintptr(0))),
		BigEndian:           allocVerifyBigEndian(),
		MaxSearchAddr:       uint64(allocVerifyMaxSearchAddr()),
	}
	if allocVerifyHasSummaryMappedReady {
		g.Features |= AllocVerifyFeatureSummaryMappedReady
	}
	if allocVerifyFreeHasScavenged {
		g.Features |= AllocVerifyFeatureFreeScavenged
	}
	g.Features |= allocVerifyScavIndexFeature
	if allocVerifyHasPadding {
		g.Features |= AllocVerifyFeaturePadding
	}
	for l := 0; l < summaryLevels; l++ {
		g.LevelBits = append(g.LevelBits, uint64(levelBits[l]))
		g.LevelShift = append(g.LevelShift, uint64(levelShift[l]))
	}
	return g
}

// NewAllocVerifyPageAlloc makes a fresh test pageAlloc with no chunks grown:
// NewPageAlloc(nil, nil) (p.init(new(mutex), testSysStat[, true]),
// lockInit(p.mheapLock, lockRankMheap), p.test = true).
func NewAllocVerifyPageAlloc() *AllocVerifyPageAlloc {
	return &AllocVerifyPageAlloc{p: NewPageAlloc(nil, nil)}
}

func (a *AllocVerifyPageAlloc) pa() *pageAlloc { return (*pageAlloc)(a.p) }

// Destroy releases the pageAlloc's OS resources (FreePageAlloc).
func (a *AllocVerifyPageAlloc) Destroy() {
	FreePageAlloc(a.p)
	a.p = nil
}

// Grow calls (*pageAlloc).grow(base, size).
func (a *AllocVerifyPageAlloc) Grow(base, size uintptr) {
	p := a.pa()
	systemstack(func() {
		lock(p.mheapLock)
		p.grow(base, size)
		unlock(p.mheapLock)
	})
}

// Alloc calls (*pageAlloc).alloc(npages).
func (a *AllocVerifyPageAlloc) Alloc(npages uintptr) (addr, scav uintptr) {
	p := a.pa()
	systemstack(func() {
		lock(p.mheapLock)
		addr, scav = p.alloc(npages)
		unlock(p.mheapLock)
	})
	return
}

// Free calls (*pageAlloc).free(base, npages[, scavenged]); scavenged is
// ignored by versions whose free has no such parameter.
func (a *AllocVerifyPageAlloc) Free(base, npages uintptr, scavenged bool) {
	p := a.pa()
	systemstack(func() {
		lock(p.mheapLock)
		allocVerifyFree(p, base, npages, scavenged)
		unlock(p.mheapLock)
	})
}

// AllocRange calls (*pageAlloc).allocRange(base, npages).
func (a *AllocVerifyPageAlloc) AllocRange(base, npages uintptr) (scav uintptr) {
	p := a.pa()
	systemstack(func() {
		lock(p.mheapLock)
		scav = p.allocRange(base, npages)
		unlock(p.mheapLock)
	})
	return
}

// AllocToCache calls (*pageAlloc).allocToCache() and keeps the result as
// P slot's page cache, as mheap.allocSpan does with pp.pcache.
func (a *AllocVerifyPageAlloc) AllocToCache(slot int) (base, cache, scav uint64) {
	p := a.pa()
	var c pageCache
	systemstack(func() {
		lock(p.mheapLock)
		c = p.allocToCache()
		unlock(p.mheapLock)
	})
	a.caches[slot] = c
	return uint64(c.base), c.cache, c.scav
}

// CacheAlloc calls (*pageCache).alloc(npages) on P slot's cache (no lock:
// the cache belongs to its P).
func (a *AllocVerifyPageAlloc) CacheAlloc(slot int, npages uintptr) (addr, scav uintptr) {
	return a.caches[slot].alloc(npages)
}

// CacheFlush calls (*pageCache).flush(p) on P slot's cache; it returns the
// block's base, or 0 if the cache was empty (flush then does nothing).
func (a *AllocVerifyPageAlloc) CacheFlush(slot int) (base uint64) {
	p := a.pa()
	c := &a.caches[slot]
	if !c.empty() {
		base = uint64(c.base)
	}
	systemstack(func() {
		lock(p.mheapLock)
		c.flush(p)
		unlock(p.mheapLock)
	})
	return
}

// Scavenge calls (*pageAlloc).scavenge(nbytes, nil[, force]), which takes
// p.mheapLock itself, chunk by chunk. A test pageAlloc (p.test) never calls
// sysUnused: only the bitmaps and the index change.
func (a *AllocVerifyPageAlloc) Scavenge(nbytes uintptr, force bool) (released uintptr) {
	p := a.pa()
	systemstack(func() {
		released = allocVerifyScavenge(p, nbytes, force)
	})
	return
}

// AllocVerifyCoverFile is one instrumented source file's counters in a
// coverage build (build.sh, ALLOCVERIFY_GO_COVER=1), as `go tool cover`
// lays them out: per block, Pos holds start line, end line and
// (start column | end column<<16).
type AllocVerifyCoverFile struct {
	Path    string
	Count   []uint32
	Pos     []uint32
	NumStmt []uint16
}

// Pad calls (*pageAlloc).markRandomPaddingPages(base, npages) under the
// heap lock, as mheap.grow does right after the heap's first growth (Go
// 1.26+; a no-op before).
func (a *AllocVerifyPageAlloc) Pad(base, npages uintptr) {
	p := a.pa()
	systemstack(func() {
		lock(p.mheapLock)
		allocVerifyPad(p, base, npages)
		unlock(p.mheapLock)
	})
}

// NextGen calls (*scavengeIndex).nextGen under the heap lock, as
// gcMarkTermination does once per GC cycle (Go 1.21+; a no-op before).
func (a *AllocVerifyPageAlloc) NextGen() {
	p := a.pa()
	systemstack(func() {
		lock(p.mheapLock)
		allocVerifyNextGen(p)
		unlock(p.mheapLock)
	})
}

// Cache returns P slot's page cache: base, free bits, scavenged bits.
func (a *AllocVerifyPageAlloc) Cache(slot int) (base, cache, scav uint64) {
	c := &a.caches[slot]
	return uint64(c.base), c.cache, c.scav
}

// AllocVerifyState is the scalar state of a pageAlloc.
type AllocVerifyState struct {
	SearchAddr         uint64
	Start, End         uint64   // chunk indices
	InUseTotalBytes    uint64   // all-ones if the version lacks it
	SummaryMappedReady uint64   // all-ones if the version lacks it
	InUse              []uint64 // base0, limit0, base1, limit1, ...
}

// State reads the pageAlloc's scalar state (no lock needed: the driver is
// the only user of this pageAlloc and runs nothing concurrently).
func (a *AllocVerifyPageAlloc) State() AllocVerifyState {
	p := a.pa()
	s := AllocVerifyState{
		SearchAddr:         uint64(p.searchAddr.addr()),
		Start:              uint64(p.start),
		End:                uint64(p.end),
		InUseTotalBytes:    allocVerifyInUseTotalBytes(p),
		SummaryMappedReady: allocVerifySummaryMappedReady(p),
		InUse:              a.inUse[:0],
	}
	for _, r := range p.inUse.ranges {
		s.InUse = append(s.InUse, uint64(r.base.addr()), uint64(r.limit.addr()))
	}
	a.inUse = s.InUse // valid until the next State call
	return s
}

// SummaryBase returns the base address of the summary array of level l
// (the array pointer of the slice p.summary[l], read through the runtime's
// own slice header, not via the slice's len).
func (a *AllocVerifyPageAlloc) SummaryBase(l int) uintptr {
	p := a.pa()
	return uintptr((*slice)(unsafe.Pointer(&p.summary[l])).array)
}

// AllocVerifyReadWord reads the 8-byte word at addr, which the caller has
// checked to be mapped readable.
func AllocVerifyReadWord(addr uintptr) uint64 {
	return *(*uint64)(unsafe.Pointer(addr))
}

// Chunk returns the bitmaps of chunk ci, present = false if its L2 block of
// p.chunks is not allocated (checked directly, like tryChunkOf).
func (a *AllocVerifyPageAlloc) Chunk(ci uint64) (present bool, alloc, scav [8]uint64) {
	p := a.pa()
	c := chunkIdx(ci)
	if c.l1() >= uint(len(p.chunks)) {
		return false, alloc, scav
	}
	l2 := p.chunks[c.l1()]
	if l2 == nil {
		return false, alloc, scav
	}
	d := &l2[c.l2()]
	for i := 0; i < len(d.pallocBits) && i < 8; i++ {
		alloc[i] = d.pallocBits[i]
	}
	for i := 0; i < len(d.scavenged) && i < 8; i++ {
		scav[i] = d.scavenged[i]
	}
	return true, alloc, scav
}

// ScavIndexEntry returns the address and size of chunk ci's scavenge index
// entry (size 0 if ci is beyond the index); the driver checks that the
// memory is mapped before it calls ScavIndexRead.
func (a *AllocVerifyPageAlloc) ScavIndexEntry(ci uint64) (addr, size uintptr) {
	return allocVerifyScavIndexEntry(a.pa(), ci)
}

// ScavIndexRead returns chunk ci's scavenge index entry as stored: its bit
// (Go 1.19, 1.20) or its packed scavChunkData word (Go 1.21+).
func (a *AllocVerifyPageAlloc) ScavIndexRead(ci uint64) uint64 {
	return allocVerifyScavIndexRead(a.pa(), ci)
}

// AllocVerifyScavIndexScalarWords is the length of the index's scalar
// block in a snapshot (Go 1.21+): gen, searchAddrBg, its mark,
// searchAddrForce, its mark, freeHWM, min, max, minHeapIdx.
const AllocVerifyScavIndexScalarWords = 9

// ScavIndexScalars returns the scavenge index's scalar state (Go 1.21+).
func (a *AllocVerifyPageAlloc) ScavIndexScalars() [AllocVerifyScavIndexScalarWords]uint64 {
	return allocVerifyScavIndexScalars(a.pa())
}

// ScavIndexMem returns the scavenge index's backing store [base,
// base+nbytes) and whether summaryMappedReady counts its mapped bytes.
func (a *AllocVerifyPageAlloc) ScavIndexMem() (base, nbytes uintptr, counted bool) {
	return allocVerifyScavIndexMem(a.pa())
}

// The speed yardstick of BENCH.md (allocverify's ../shared/BENCH.md): the
// same heap, splitmix64 streams, prefill and workloads as the Swift side,
// run in batches of 4096 operations per systemstack call with mheapLock
// held once per batch, so that only the allocator is timed.

type allocVerifySplitMix struct{ s uint64 }

func (r *allocVerifySplitMix) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// AllocVerifyRun is one live allocation of the yardstick.
type AllocVerifyRun struct{ Addr, N uintptr }

// AllocVerifyYardstickPrefill grows the heap and prefills it; it returns the
// live runs and the prefill's check values: allocations, pages, the failing
// request, FNV-1a of the addresses, used pages after the frees, searchAddr.
func (a *AllocVerifyPageAlloc) AllocVerifyYardstickPrefill() (live []AllocVerifyRun, allocs int, pages, failed, hash, used, searchAddr uint64) {
	p := a.pa()
	// 64-bit addresses held in uint64 variables, so that the file still
	// compiles for 32-bit GOARCHes (where the yardstick is skipped).
	base, step, size := uint64(0xc000000000), uint64(0x200000000), uint64(0x100000000)
	for i := uint64(0); i < 16; i++ {
		a.Grow(uintptr(base+i*step), uintptr(size))
	}
	rng := allocVerifySplitMix{1}
	var all []AllocVerifyRun
	hash = 0xcbf29ce484222325
	systemstack(func() {
		lock(p.mheapLock)
		for {
			n := uintptr(1 + rng.next()%600)
			addr, _ := p.alloc(n)
			if addr == 0 {
				failed = uint64(n)
				break
			}
			all = append(all, AllocVerifyRun{addr, n})
			pages += uint64(n)
			hash = (hash ^ uint64(addr)) * 0x100000001b3
		}
		for i := 0; i < len(all); i += 2 {
			allocVerifyFree(p, all[i].Addr, all[i].N, false)
		}
		unlock(p.mheapLock)
	})
	for i := 1; i < len(all); i += 2 {
		live = append(live, all[i])
		used += uint64(all[i].N)
	}
	return live, len(all), pages, failed, hash, used, uint64(p.searchAddr.addr())
}

// AllocVerifyYardstickPairs runs n alloc(1)+free(1) pairs; it returns how
// many allocs did not return 0xc000000000.
// (Not inlined: callgrind counts it by name, tools/bench-instructions.sh.)
//
//go:noinline
func (a *AllocVerifyPageAlloc) AllocVerifyYardstickPairs(n int) (wrong int) {
	a.inBatches(n, func(p *pageAlloc) {
		addr, _ := p.alloc(1)
		if uint64(addr) != 0xc000000000 {
			wrong++
		}
		allocVerifyFree(p, addr, 1, false)
	})
	return wrong
}

// inBatches calls step n times, 4096 calls per systemstack switch with
// p.mheapLock held once per batch (as Go's side of BENCH.md is timed).
func (a *AllocVerifyPageAlloc) inBatches(n int, step func(p *pageAlloc)) {
	p := a.pa()
	for done := 0; done < n; {
		batch := n - done
		if batch > 4096 {
			batch = 4096
		}
		systemstack(func() {
			lock(p.mheapLock)
			for k := 0; k < batch; k++ {
				step(p)
			}
			unlock(p.mheapLock)
		})
		done += batch
	}
}

// AllocVerifyYardstickMixed runs the mixed workload for n operations and
// returns its check values: allocs, frees, FNV-1a of the alloc addresses,
// live runs, used pages, searchAddr.
// (Not inlined: callgrind counts it by name, tools/bench-instructions.sh.)
//
//go:noinline
func (a *AllocVerifyPageAlloc) AllocVerifyYardstickMixed(live []AllocVerifyRun, used uint64, n int) (allocs, frees int, hash uint64, nlive int, usedOut, searchAddr uint64) {
	rng := allocVerifySplitMix{2}
	w := allocVerifyMixedStep{live: live, used: used, hash: 0xcbf29ce484222325}
	a.inBatches(n, func(p *pageAlloc) { w.step(p, rng.next()) })
	p := a.pa()
	return w.allocs, w.frees, w.hash, len(w.live), w.used, uint64(p.searchAddr.addr())
}

// allocVerifyMixedStep is one operation of the mixed workload and its
// running counts: below the target an allocation of 1-600 pages, else the
// free of a random live run (swap-remove). p.mheapLock must be held.
type allocVerifyMixedStep struct {
	live               []AllocVerifyRun
	used, hash, reused uint64
	allocs, frees      int
}

func (w *allocVerifyMixedStep) step(p *pageAlloc, r uint64) {
	const target = 4194304
	if w.used < target {
		m := uintptr(1 + r%600)
		addr, sc := p.alloc(m)
		w.live = append(w.live, AllocVerifyRun{addr, m})
		w.used += uint64(m)
		w.hash = (w.hash ^ uint64(addr)) * 0x100000001b3
		w.reused += uint64(sc)
		w.allocs++
	} else {
		i := int(r % uint64(len(w.live)))
		run := w.live[i]
		allocVerifyFree(p, run.Addr, run.N, false)
		w.live[i] = w.live[len(w.live)-1]
		w.live = w.live[:len(w.live)-1]
		w.used -= uint64(run.N)
		w.frees++
	}
}

// AllocVerifyYardstickScav runs the yardstick's scavenging mix (the mixed
// workload with a scavenge of 64 KiB every 64th operation, forced when its
// draw is odd, and a new scavenger generation every 4096th) for n
// operations and returns its check values: allocs, frees, scavenges, bytes
// released, FNV-1a of the alloc addresses, live runs, used pages,
// searchAddr, the scavenged bytes the allocations reported, and FNV-1a of
// the index's generation and cursors after each scavenge (where the
// scavenger went). The allocations and frees between two scavenges run in one
// systemstack call with p.mheapLock held; a scavenge takes the lock itself.
// (Not inlined: callgrind counts it by name, tools/bench-instructions.sh.)
//
//go:noinline
func (a *AllocVerifyPageAlloc) AllocVerifyYardstickScav(live []AllocVerifyRun, used uint64, n int) (allocs, frees, scavenges int, released, reused, hash, cursors uint64, nlive int, usedOut, searchAddr uint64) {
	rng := allocVerifySplitMix{3}
	w := allocVerifyMixedStep{live: live, used: used, hash: 0xcbf29ce484222325}
	cursors = 0xcbf29ce484222325
	p := a.pa()
	for k := 1; k <= n; {
		// Operations k.. up to the next multiple of 64, under the lock.
		end := (k/64 + 1) * 64
		if end > n+1 {
			end = n + 1
		}
		systemstack(func() {
			lock(p.mheapLock)
			for ; k < end; k++ {
				w.step(p, rng.next())
			}
			unlock(p.mheapLock)
		})
		if k > n {
			break
		}
		// k is a multiple of 64: the scavenge, or at a multiple of 4096 the
		// generation step (under the lock, as gcMarkTermination takes it).
		if k%4096 == 0 {
			systemstack(func() {
				lock(p.mheapLock)
				allocVerifyNextGen(p)
				unlock(p.mheapLock)
			})
		} else {
			r := rng.next()
			systemstack(func() {
				released += uint64(allocVerifyScavenge(p, 65536, r&1 == 1))
			})
			scavenges++
			// Where the scavenger's cursors went: gen, searchAddrBg and
			// searchAddrForce with their marks.
			sc := allocVerifyScavIndexScalars(p)
			for j := 0; j < 5; j++ {
				cursors = (cursors ^ sc[j]) * 0x100000001b3
			}
		}
		k++
	}
	return w.allocs, w.frees, scavenges, released, w.reused, w.hash, cursors, len(w.live), w.used, uint64(p.searchAddr.addr())
}
