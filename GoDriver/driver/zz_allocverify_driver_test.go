// allocverify driver: binary protocol server (package runtime_test side).
//
// This file is not part of Go. build.sh adds it, with
// zz_allocverify_export_test.go and the version shims, to GOROOT/src/runtime
// through a `go test -overlay` and builds the runtime test binary. Run as
//
//	ALLOCVERIFY_DRIVER=1 GOTRACEBACK=system ./driver.test \
//	    -test.run='^TestAllocVerifyDriver$' -test.count=1
//
// it serves the allocverify driver protocol (version 2) on stdin/stdout,
// driving a REAL runtime pageAlloc. All numbers are uint64 words,
// little-endian on every GOARCH.
//
// Handshake: the line "ALLOCVERIFY-DRIVER 2\n", then
// [nwords_following] heapAddrBits logPallocChunkPages summaryLevels
// summaryLevelBits summaryL0Bits arenaBaseOffset pageSize physPageSize
// ptrSize bigEndian maxSearchAddr features len(version) version-bytes
// (zero-padded to a multiple of 8), where version = runtime.Version()+"/"+GOARCH
// and features bit0 = pageAlloc.summaryMappedReady exists, bit1 = free takes
// a scavenged argument, bit2 = the scavenge index is a chunk bitmap (Go 1.19,
// 1.20), bit3 = it holds a packed scavChunkData per chunk (Go 1.21+).
//
// Request batch: [n] then n ops of 4 words [kind a b flags]:
// 1 grow(a, b), 2 alloc(a), 3 free(a, b, flags&1), 4 allocRange(a, b),
// 5 reset (FreePageAlloc + NewPageAlloc(nil, nil)), 6 quit (reply, then return),
// 7 snapshot only (no operation; the end-of-run walk asks for a full one),
// 8 allocToCache into P slot a, 9 the cache of P slot b: alloc(a),
// 10 flush of P slot a's cache (slots 0-3), 11 scavenge(a, force = flags&1)
// (ask for a full snapshot: every chunk may change), 12 the scavenge index's
// nextGen under the heap lock, as gcMarkTermination calls it (Go 1.21+; a
// no-op before), 14 markRandomPaddingPages(a, b) under the heap lock, as
// mheap.grow calls it (Go 1.26+; a no-op before), 13 write the coverage counters (a coverage build only:
// build.sh with ALLOCVERIFY_GO_COVER=1) to $ALLOCVERIFY_GO_COVER_OUT/cover-PID.out.
// flags bits 8-9: snapshot mode (0 none, 1 touched, 2 full).
//
// Response per op: [r0 r1 r2 nsnap] then nsnap words of snapshot; alloc and
// cache alloc -> (addr, scav, 0), allocRange -> (scav, 0, 0), allocToCache
// -> (base, cache bits, scav bits), flush -> (base or 0 if the cache was
// empty, 0, 0), scavenge -> (released bytes, 0, 0), others (0, 0, 0).
// Flushed per batch.
// The driver does not validate operations: an invalid one may make Go throw
// or fault, which kills the process (stderr has Go's message).
//
// Snapshot: see snapshot; its last word says whether searchAddr's leaf
// summary is mapped (1) or not (0).

package runtime_test

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	avOpGrow         = 1
	avOpAlloc        = 2
	avOpFree         = 3
	avOpAllocRange   = 4
	avOpReset        = 5
	avOpQuit         = 6
	avOpSnapshot     = 7
	avOpAllocToCache = 8
	avOpCacheAlloc   = 9
	avOpCacheFlush   = 10
	avOpScavenge     = 11
	avOpNextGen      = 12
	avOpCoverDump    = 13
	avOpPad          = 14

	avSnapNone    = 0
	avSnapTouched = 1
	avSnapFull    = 2

	avUnmappedBit = uint64(1) << 63
	avAllOnes     = ^uint64(0)
)

// avRegion is one readable+writable mapping of /proc/self/maps, [lo, hi).
type avRegion struct{ lo, hi uint64 }

type avDriver struct {
	g       runtime.AllocVerifyGeometry
	pa      *runtime.AllocVerifyPageAlloc
	in      *bufio.Reader
	out     *bufio.Writer
	regions []avRegion // cached rw mappings; nil means re-read
	snap    []uint64   // the snapshot buffer, reused
	chunks  []uint64   // snapshot scratch: reported chunk indices
	idx     [][]uint64 // snapshot scratch: per level, summary indices
	anc     []uint64   // snapshot scratch: ancestors at one level
	ancs    [][]uint64 // snapshot scratch: per level, views of anc
	ob      []byte     // the encoded answer, reused
	buf     [8]byte
}

func TestAllocVerifyDriver(t *testing.T) {
	if os.Getenv("ALLOCVERIFY_DRIVER") != "1" {
		t.Skip("ALLOCVERIFY_DRIVER=1 not set")
	}
	// A hang is diagnosed from outside: SIGUSR1 raises the traceback level
	// to crash and sends this process SIGQUIT, so that every thread prints
	// its stack (at the default level a goroutine running on another thread,
	// such as one spinning in the allocator, is "stack unavailable").
	usr1 := make(chan os.Signal, 1)
	signal.Notify(usr1, syscall.SIGUSR1)
	go func() {
		<-usr1
		debug.SetTraceback("crash")
		syscall.Kill(os.Getpid(), syscall.SIGQUIT)
	}()
	d := &avDriver{
		g:   runtime.AllocVerifyGetGeometry(),
		in:  bufio.NewReaderSize(os.Stdin, 1<<16),
		out: bufio.NewWriterSize(os.Stdout, 1<<16),
	}
	d.pa = runtime.NewAllocVerifyPageAlloc()
	defer func() {
		if d.pa != nil {
			d.pa.Destroy()
		}
	}()
	if err := d.hello(); err != nil {
		t.Fatalf("allocverify driver: writing hello: %v", err)
	}
	if err := d.serve(); err != nil {
		t.Fatalf("allocverify driver: %v", err)
	}
}

func (d *avDriver) word(w uint64) {
	binary.LittleEndian.PutUint64(d.buf[:], w)
	d.out.Write(d.buf[:])
}

func (d *avDriver) readWord() (uint64, error) {
	if _, err := io.ReadFull(d.in, d.buf[:]); err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(d.buf[:]), nil
}

func (d *avDriver) hello() error {
	g := d.g
	d.out.WriteString("ALLOCVERIFY-DRIVER 2\n")
	ver := []byte(runtime.Version() + "/" + runtime.GOARCH)
	padded := make([]byte, (len(ver)+7)&^7)
	copy(padded, ver)
	words := []uint64{
		g.HeapAddrBits, g.LogPallocChunkPages, g.SummaryLevels, g.SummaryLevelBits,
		g.SummaryL0Bits, g.ArenaBaseOffset, g.PageSize, g.PhysPageSize, g.PtrSize,
		g.BigEndian, g.MaxSearchAddr, g.Features, uint64(len(ver)),
	}
	d.word(uint64(len(words) + len(padded)/8))
	for _, w := range words {
		d.word(w)
	}
	d.out.Write(padded)
	return d.out.Flush()
}

// serve handles batches until EOF (at a batch boundary) or quit.
func (d *avDriver) serve() error {
	for {
		n, err := d.readWord()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		quit := false
		for i := uint64(0); i < n; i++ {
			var op [4]uint64
			for k := range op {
				if op[k], err = d.readWord(); err != nil {
					if err == io.EOF {
						err = io.ErrUnexpectedEOF
					}
					return err
				}
			}
			if d.do(op) {
				quit = true
			}
		}
		if err := d.out.Flush(); err != nil {
			return err
		}
		if quit {
			return nil
		}
	}
}

// do applies one op and writes its response; it reports whether it was quit.
func (d *avDriver) do(op [4]uint64) bool {
	kind, a, b, flags := op[0], op[1], op[2], op[3]
	var r0, r1, r2 uint64
	quit := false
	// Chunk span touched by the op, in offset space: [base, base+length).
	var tBase, tLen uint64
	// Coverage counts only what the test pageAlloc does for an operation
	// (a coverage build; elsewhere a no-op).
	runtime.AllocVerifyCoverOn(kind != avOpSnapshot && kind != avOpCoverDump && kind != avOpQuit)
	switch kind {
	case avOpGrow:
		d.pa.Grow(uintptr(a), uintptr(b))
		d.regions = nil // summaries may have been mapped
		tBase, tLen = a, b
	case avOpAlloc:
		addr, scav := d.pa.Alloc(uintptr(a))
		r0, r1 = uint64(addr), uint64(scav)
		if addr != 0 {
			tBase, tLen = r0, a*d.g.PageSize
		}
	case avOpFree:
		d.pa.Free(uintptr(a), uintptr(b), flags&1 != 0)
		tBase, tLen = a, b*d.g.PageSize
	case avOpAllocRange:
		r0 = uint64(d.pa.AllocRange(uintptr(a), uintptr(b)))
		tBase, tLen = a, b*d.g.PageSize
	case avOpAllocToCache:
		r0, r1, r2 = d.pa.AllocToCache(int(a % runtime.AllocVerifyPageCaches))
		if r1 != 0 || r0 != 0 {
			tBase, tLen = r0, 64*d.g.PageSize
		}
	case avOpCacheAlloc:
		addr, scav := d.pa.CacheAlloc(int(b%runtime.AllocVerifyPageCaches), uintptr(a))
		r0, r1 = uint64(addr), uint64(scav)
	case avOpCacheFlush:
		r0 = d.pa.CacheFlush(int(a % runtime.AllocVerifyPageCaches))
		if r0 != 0 {
			tBase, tLen = r0, 64*d.g.PageSize
		}
	case avOpScavenge:
		force := flags&1 != 0
		chunkData := d.g.Features&runtime.AllocVerifyFeatureScavIndexChunkData != 0
		var before [runtime.AllocVerifyScavIndexScalarWords]uint64
		if chunkData {
			before = d.pa.ScavIndexScalars()
		}
		r0 = uint64(d.pa.Scavenge(uintptr(a), force))
		if chunkData {
			// Go 1.21+: find walks down from the cursor of this kind and
			// leaves it at the last chunk it returned (cleared when it ran
			// out, having walked down to minHeapIdx). Only chunks in
			// between can change: a touched snapshot reports those.
			tBase, tLen = d.scavengeSpan(before, d.pa.ScavIndexScalars(), force)
		}
	case avOpNextGen:
		d.pa.NextGen()
	case avOpPad:
		d.pa.Pad(uintptr(a), uintptr(b))
		tBase, tLen = a, b*d.g.PageSize
	case avOpCoverDump:
		avCoverDump()
	case avOpReset:
		d.pa.Destroy()
		d.pa = nil
		d.regions = nil
		d.pa = runtime.NewAllocVerifyPageAlloc()
	case avOpQuit:
		quit = true
	case avOpSnapshot:
		// Nothing to apply: only the snapshot below.
	default:
		// Unknown kinds are not validated here either: no-op.
	}
	runtime.AllocVerifyCoverOn(false)
	var snap []uint64
	if mode := (flags >> 8) & 3; mode == avSnapTouched || mode == avSnapFull {
		snap = d.snapshot(mode, kind == avOpGrow, tBase, tLen)
	}
	// One write per answer: r0 r1 r2 nsnap, then the snapshot words.
	need := (4 + len(snap)) * 8
	if cap(d.ob) < need {
		d.ob = make([]byte, need)
	}
	enc := d.ob[:need]
	binary.LittleEndian.PutUint64(enc[0:], r0)
	binary.LittleEndian.PutUint64(enc[8:], r1)
	binary.LittleEndian.PutUint64(enc[16:], r2)
	binary.LittleEndian.PutUint64(enc[24:], uint64(len(snap)))
	for i, w := range snap {
		binary.LittleEndian.PutUint64(enc[32+8*i:], w)
	}
	d.out.Write(enc)
	return quit
}

// scavengeSpan is the address span [base, base+length) of the chunks a
// Go 1.21+ scavenge could change, from the index's scalars before and
// after it (gen, bg, bgMarked, force, forceMarked, freeHWM, min, max,
// minHeapIdx): from the chunk of the cursor after (minHeapIdx when it was
// cleared) up to the chunk of the cursor before; nothing when the cursor
// was cleared before.
func (d *avDriver) scavengeSpan(before, after [runtime.AllocVerifyScavIndexScalarWords]uint64, force bool) (base, length uint64) {
	k := uint64(1)
	if force {
		k = 3
	}
	cleared := d.g.ArenaBaseOffset
	if before[k] == cleared {
		return 0, 0
	}
	hi := d.chunkIndex(before[k])
	lo := after[8]
	if after[k] != cleared {
		lo = d.chunkIndex(after[k])
	}
	if lo > hi {
		return 0, 0
	}
	chunkBytes := d.g.PageSize << d.g.LogPallocChunkPages
	return d.g.ArenaBaseOffset + lo*chunkBytes, (hi - lo + 1) * chunkBytes
}

func (d *avDriver) chunkIndex(addr uint64) uint64 {
	return (addr - d.g.ArenaBaseOffset) >> (d.g.LogPallocChunkPages + avLog2(d.g.PageSize))
}

func avLog2(x uint64) uint64 {
	n := uint64(0)
	for x > 1 {
		x >>= 1
		n++
	}
	return n
}

// snapshot builds the snapshot words:
//  1. searchAddr start end inUseTotalBytes summaryMappedReady nInUse, then
//     nInUse x (base limit);
//  2. summaries: per level [nEntries] then (indexWord value) pairs, sorted by
//     index, for the reported chunks (leaf level), their ancestors at every
//     level, and at level l+1 the whole child block of each level-l ancestor;
//     indexWord has bit 63 set (and value 0) if the summary is not mapped rw;
//  3. [nLevels] (summaryLevels after a grow or in full mode, else 0), then per
//     level [nRanges] and [lo hi) index ranges of mapped rw summary memory,
//     then (only when nLevels > 0) one word: the rw bytes the OS has mapped
//     in the summary arrays (each level's array rounded out to physical
//     pages, overlaps counted once) plus, if summaryMappedReady counts it,
//     in the scavenge index's backing store;
//  4. [nChunks] then per chunk: index present pallocBits[8] scavenged[8]
//     scavIndexEntry (bit 63 set if the entry's memory is not mapped rw or
//     the chunk is beyond the index);
//  5. the page caches of slots 0-3 (base, free bits, scavenged bits);
//  6. Go 1.21+ (feature ScavIndexChunkData): the index's scalars, gen
//     searchAddrBg bgMarked searchAddrForce forceMarked freeHWM min max
//     minHeapIdx (cursors and freeHWM as raw addresses);
//  7. one word: 1 if searchAddr's leaf summary is mapped rw, else 0.
func (d *avDriver) snapshot(mode uint64, isGrow bool, tBase, tLen uint64) []uint64 {
	g := d.g
	st := d.pa.State()
	w := append(d.snap[:0], st.SearchAddr, st.Start, st.End, st.InUseTotalBytes, st.SummaryMappedReady,
		uint64(len(st.InUse)/2))
	w = append(w, st.InUse...)

	// Reported chunks, ascending chunk index (inUse is sorted in offset order).
	chunks := d.chunks[:0]
	var spanLo, spanHi uint64 // inclusive chunk index span for mode touched
	haveSpan := false
	if mode == avSnapTouched && tLen != 0 {
		spanLo = d.chunkIndex(tBase)
		spanHi = d.chunkIndex(tBase + tLen - 1)
		haveSpan = spanLo <= spanHi
	}
	for i := 0; i+1 < len(st.InUse); i += 2 {
		lo, hi := d.chunkIndex(st.InUse[i]), d.chunkIndex(st.InUse[i+1]) // [lo, hi)
		if mode == avSnapTouched {
			if !haveSpan {
				break
			}
			if spanLo > lo {
				lo = spanLo
			}
			if spanHi+1 < hi {
				hi = spanHi + 1
			}
		}
		for c := lo; c < hi; c++ {
			chunks = append(chunks, c)
		}
	}

	regions := d.mappings()
	levels := int(g.SummaryLevels)
	leaf := levels - 1
	logChunkBytes := g.LogPallocChunkPages + avLog2(g.PageSize)
	// Index lists per level, built ascending from the ascending chunk list:
	// the leaves, each ancestor, and each ancestor's block of children.
	// Level l's list is its ancestors of the chunks merged with the blocks
	// of children of level l-1's ancestors; both are ascending, and the
	// merge writes into that level's reused buffer.
	d.chunks = chunks
	if len(d.idx) != levels {
		d.idx = make([][]uint64, levels)
	}
	idx := d.idx
	if len(d.ancs) != levels {
		d.ancs = make([][]uint64, levels)
	}
	anc := d.ancs // ancestors per level (views into one buffer)
	all := d.anc[:0]
	for l := 0; l < leaf; l++ {
		shift := g.LevelShift[l] - logChunkBytes
		start := len(all)
		for _, c := range chunks {
			if a := c >> shift; len(all) == start || all[len(all)-1] != a {
				all = append(all, a)
			}
		}
		anc[l] = all[start:len(all):len(all)]
	}
	d.anc = all
	for l := 0; l < levels; l++ {
		out := idx[l][:0]
		var own []uint64 // this level's own ancestors (the chunks at the leaf)
		if l == leaf {
			own = chunks
		} else {
			own = anc[l]
		}
		if l == 0 {
			out = append(out, own...)
		} else {
			// Children blocks of the parent's ancestors, merged with own.
			cb := g.LevelBits[l]
			i := 0
			for _, a := range anc[l-1] {
				for k := a << cb; k < (a+1)<<cb; k++ {
					for i < len(own) && own[i] < k {
						out = append(out, own[i])
						i++
					}
					if i < len(own) && own[i] == k {
						i++
					}
					out = append(out, k)
				}
			}
			out = append(out, own[i:]...)
		}
		idx[l] = out
	}
	for l := 0; l < levels; l++ {
		base := uint64(d.pa.SummaryBase(l))
		w = append(w, uint64(len(idx[l])))
		for _, k := range idx[l] {
			addr := base + 8*k
			if avMapped(regions, addr, 8) {
				w = append(w, k, runtime.AllocVerifyReadWord(uintptr(addr)))
			} else {
				w = append(w, k|avUnmappedBit, 0)
			}
		}
	}

	if isGrow || mode == avSnapFull {
		w = append(w, uint64(levels))
		for l := 0; l < levels; l++ {
			base := uint64(d.pa.SummaryBase(l))
			entries := uint64(1) << (g.HeapAddrBits - g.LevelShift[l])
			end := base + 8*entries
			var rs [][2]uint64
			for _, r := range regions {
				lo, hi := r.lo, r.hi
				if lo < base {
					lo = base
				}
				if hi > end {
					hi = end
				}
				if lo >= hi {
					continue
				}
				ilo, ihi := (lo-base+7)/8, (hi-base)/8
				if ilo >= ihi {
					continue
				}
				if n := len(rs); n > 0 && rs[n-1][1] >= ilo {
					if ihi > rs[n-1][1] {
						rs[n-1][1] = ihi
					}
					continue
				}
				rs = append(rs, [2]uint64{ilo, ihi})
			}
			w = append(w, uint64(len(rs)))
			for _, r := range rs {
				w = append(w, r[0], r[1])
			}
		}
		w = append(w, d.metadataBytes(regions))
	} else {
		w = append(w, 0)
	}

	w = append(w, uint64(len(chunks)))
	for _, c := range chunks {
		present, alloc, scav := d.pa.Chunk(c)
		p := uint64(0)
		if present {
			p = 1
		}
		w = append(w, c, p)
		w = append(w, alloc[:]...)
		w = append(w, scav[:]...)
		if addr, size := d.pa.ScavIndexEntry(c); size != 0 && avMapped(regions, uint64(addr), uint64(size)) {
			w = append(w, d.pa.ScavIndexRead(c))
		} else {
			w = append(w, avUnmappedBit)
		}
	}
	// The page caches of slots 0-3: base, free bits, scavenged bits.
	for slot := 0; slot < runtime.AllocVerifyPageCaches; slot++ {
		base, cache, scav := d.pa.Cache(slot)
		w = append(w, base, cache, scav)
	}
	// Go 1.21+: the scavenge index's scalar state.
	if g.Features&runtime.AllocVerifyFeatureScavIndexChunkData != 0 {
		sc := d.pa.ScavIndexScalars()
		w = append(w, sc[:]...)
	}
	// Last word: whether searchAddr's leaf summary is mapped (1) or not (0),
	// so that a searchAddr outside inUse can be told apart: pointing into
	// unmapped summary memory is the crash of golang/go#40191.
	saLeaf := d.chunkIndex(st.SearchAddr)
	if avMapped(regions, uint64(d.pa.SummaryBase(leaf))+8*saLeaf, 8) {
		w = append(w, 1)
	} else {
		w = append(w, 0)
	}
	d.snap = w
	return w
}

// metadataBytes measures, from /proc/self/maps, the bytes summaryMappedReady
// should account for: rw memory inside the summary arrays (each level's
// array [base, base+8*entries) rounded out to physical pages; on 32-bit
// platforms the levels share one reservation, so overlaps are counted once)
// and, when the version counts it, inside the scavenge index's store.
func (d *avDriver) metadataBytes(regions []avRegion) uint64 {
	g := d.g
	var ext []avRegion
	for l := 0; l < int(g.SummaryLevels); l++ {
		base := uint64(d.pa.SummaryBase(l))
		end := base + 8*(uint64(1)<<(g.HeapAddrBits-g.LevelShift[l]))
		ext = append(ext, avRegion{base &^ (g.PhysPageSize - 1), (end + g.PhysPageSize - 1) &^ (g.PhysPageSize - 1)})
	}
	if base, n, counted := d.pa.ScavIndexMem(); counted && n > 0 {
		ext = append(ext, avRegion{uint64(base), uint64(base) + uint64(n)})
	}
	sort.Slice(ext, func(i, j int) bool { return ext[i].lo < ext[j].lo })
	var total, covered uint64
	for _, e := range ext {
		if e.lo < covered {
			e.lo = covered
		}
		if e.lo >= e.hi {
			continue
		}
		covered = e.hi
		for _, r := range regions {
			lo, hi := r.lo, r.hi
			if lo < e.lo {
				lo = e.lo
			}
			if hi > e.hi {
				hi = e.hi
			}
			if lo < hi {
				total += hi - lo
			}
		}
	}
	return total
}

// avMapped reports whether [addr, addr+n) lies in one rw region.
func avMapped(regions []avRegion, addr, n uint64) bool {
	i := sort.Search(len(regions), func(i int) bool { return regions[i].hi > addr })
	return i < len(regions) && regions[i].lo <= addr && addr+n <= regions[i].hi
}

// mappings returns the cached rw regions of /proc/self/maps, sorted and
// merged, re-reading the file if the cache was invalidated (after a grow or
// reset: summary mappings change only in grow/sysGrow and init).
func (d *avDriver) mappings() []avRegion {
	if d.regions != nil {
		return d.regions
	}
	rs, err := avReadMaps()
	if err != nil {
		// Without /proc/self/maps nothing can be read safely.
		os.Stderr.WriteString("allocverify driver: " + err.Error() + "\n")
		os.Exit(3)
	}
	d.regions = rs
	return rs
}

func avReadMaps() ([]avRegion, error) {
	data, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return nil, err
	}
	var rs []avRegion
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		if len(f[1]) < 2 || f[1][0] != 'r' || f[1][1] != 'w' {
			continue
		}
		dash := strings.IndexByte(f[0], '-')
		if dash < 0 {
			return nil, errors.New("bad /proc/self/maps line: " + line)
		}
		lo, err1 := strconv.ParseUint(f[0][:dash], 16, 64)
		hi, err2 := strconv.ParseUint(f[0][dash+1:], 16, 64)
		if err1 != nil || err2 != nil {
			return nil, errors.New("bad /proc/self/maps line: " + line)
		}
		rs = append(rs, avRegion{lo, hi})
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].lo < rs[j].lo })
	merged := rs[:0]
	for _, r := range rs {
		if n := len(merged); n > 0 && merged[n-1].hi >= r.lo {
			if r.hi > merged[n-1].hi {
				merged[n-1].hi = r.hi
			}
			continue
		}
		merged = append(merged, r)
	}
	if merged == nil {
		merged = []avRegion{}
	}
	return merged, nil
}

// TestAllocVerifyYardstick runs BENCH.md's yardstick on this Go when
// ALLOCVERIFY_YARDSTICK=PAIRS,MIXED is set, and prints one line of
// key=value figures and check values for `verify bench --go`.
func TestAllocVerifyYardstick(t *testing.T) {
	spec := os.Getenv("ALLOCVERIFY_YARDSTICK")
	if spec == "" {
		t.Skip("ALLOCVERIFY_YARDSTICK not set")
	}
	if strconv.IntSize == 32 {
		t.Skip("the yardstick's heap is 64-bit (amd64 geometry)")
	}
	parts := strings.Split(spec, ",")
	pairs, _ := strconv.Atoi(parts[0])
	mixed, scav := 0, 0
	if len(parts) > 1 {
		mixed, _ = strconv.Atoi(parts[1])
	}
	if len(parts) > 2 {
		scav, _ = strconv.Atoi(parts[2])
	}
	pa := runtime.NewAllocVerifyPageAlloc()
	live, allocs, pages, failed, hash, used, sa := pa.AllocVerifyYardstickPrefill()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t0 := time.Now()
	wrong := pa.AllocVerifyYardstickPairs(pairs)
	pairNs := float64(time.Since(t0).Nanoseconds()) / float64(pairs)
	pa.Destroy()
	pb := runtime.NewAllocVerifyPageAlloc()
	live2, _, _, _, _, used2, _ := pb.AllocVerifyYardstickPrefill()
	_ = live
	t1 := time.Now()
	ma, mf, mh, ml, mu, msa := pb.AllocVerifyYardstickMixed(live2, used2, mixed)
	mixedNs := float64(time.Since(t1).Nanoseconds()) / float64(mixed)
	pb.Destroy()
	// The scavenging mix (only with a third count), on a fresh prefill.
	scavLine := ""
	if scav > 0 {
		pc := runtime.NewAllocVerifyPageAlloc()
		live3, _, _, _, _, used3, _ := pc.AllocVerifyYardstickPrefill()
		t2 := time.Now()
		sa, sf, ss, sr, sru, sh, sc, sl, su, ssa := pc.AllocVerifyYardstickScav(live3, used3, scav)
		scavNs := float64(time.Since(t2).Nanoseconds()) / float64(scav)
		pc.Destroy()
		scavLine = " scavNs=" + strconv.FormatFloat(scavNs, 'f', 2, 64) +
			" scavAllocs=" + strconv.Itoa(sa) + " scavFrees=" + strconv.Itoa(sf) + " scavCalls=" + strconv.Itoa(ss) +
			" scavReleased=" + strconv.FormatUint(sr, 10) + " scavReused=" + strconv.FormatUint(sru, 10) +
			" scavHash=" + strconv.FormatUint(sh, 16) + " scavCursors=" + strconv.FormatUint(sc, 16) +
			" scavLive=" + strconv.Itoa(sl) + " scavUsed=" + strconv.FormatUint(su, 10) +
			" scavSearchAddr=" + strconv.FormatUint(ssa, 16)
	}
	os.Stdout.WriteString("ALLOCVERIFY-YARDSTICK" +
		" version=" + runtime.Version() +
		" pairNs=" + strconv.FormatFloat(pairNs, 'f', 2, 64) +
		" mixedNs=" + strconv.FormatFloat(mixedNs, 'f', 2, 64) +
		" prefillAllocs=" + strconv.Itoa(allocs) +
		" prefillPages=" + strconv.FormatUint(pages, 10) +
		" failed=" + strconv.FormatUint(failed, 10) +
		" prefillHash=" + strconv.FormatUint(hash, 16) +
		" used=" + strconv.FormatUint(used, 10) +
		" live=" + strconv.Itoa(len(live)) +
		" searchAddr=" + strconv.FormatUint(sa, 16) +
		" wrong=" + strconv.Itoa(wrong) +
		" mixedAllocs=" + strconv.Itoa(ma) + " mixedFrees=" + strconv.Itoa(mf) +
		" mixedHash=" + strconv.FormatUint(mh, 16) + " mixedLive=" + strconv.Itoa(ml) +
		" mixedUsed=" + strconv.FormatUint(mu, 10) + " mixedSearchAddr=" + strconv.FormatUint(msa, 16) +
		" sys=" + strconv.FormatUint(ms.Sys, 10) + scavLine + "\n")
}

// avCoverDump writes the coverage counters, in Go's coverage profile format
// (mode: count), to $ALLOCVERIFY_GO_COVER_OUT/cover-PID.out, replacing what
// this process wrote before (the counters only grow). Nothing in a build
// without coverage, or without the variable.
func avCoverDump() {
	files := runtime.AllocVerifyCoverData()
	dir := os.Getenv("ALLOCVERIFY_GO_COVER_OUT")
	if len(files) == 0 || dir == "" {
		return
	}
	var b strings.Builder
	b.WriteString("mode: count\n")
	for _, f := range files {
		for i := range f.NumStmt {
			line0, line1, cols := f.Pos[3*i], f.Pos[3*i+1], f.Pos[3*i+2]
			b.WriteString(f.Path + ":" + strconv.Itoa(int(line0)) + "." + strconv.Itoa(int(cols&0xffff)) + "," +
				strconv.Itoa(int(line1)) + "." + strconv.Itoa(int(cols>>16)) + " " +
				strconv.Itoa(int(f.NumStmt[i])) + " " + strconv.Itoa(int(f.Count[i])) + "\n")
		}
	}
	name := dir + "/cover-" + strconv.Itoa(os.Getpid()) + ".out"
	tmp := name + ".tmp"
	if os.WriteFile(tmp, []byte(b.String()), 0o644) == nil {
		os.Rename(tmp, name)
	}
}
