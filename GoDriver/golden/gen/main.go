// Command gen writes the operation-only page-allocator traces (*.ops, trace
// format v1 without results) whose results are then produced by Go's real
// runtime page allocator (see ../../driver/zz_golden_test.go).
//
// It is deterministic: every random trace comes from its own SplitMix64
// stream seeded from a fixed constant and the trace number.
//
// The generator keeps a shadow of the allocator (grown chunks, allocated
// pages, live runs) so that every operation it writes is valid: grows never
// overlap, frees free only allocated pages (whole live runs or sub-ranges of
// them), alloc-range only uses free grown pages. To know where an alloc
// lands it assumes that Go's allocator is address-ordered first-fit (in the
// offset address space). That assumption only steers the choice of later
// operations; it never produces a result. The Go test re-checks every
// operation against the real allocator's results and refuses a trace with an
// invalid operation, and `gen -crosscheck DIR` reports whether Go's results
// agree with the first-fit assumption.
//
// Usage:
//
//	go run . -out DIR           write the random traces to DIR
//	go run . -crosscheck DIR    compare *.trace results in DIR with first-fit
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// splitMix64 is the SplitMix64 generator (Steele, Lea, Flood 2014).
type splitMix64 struct{ s uint64 }

func (r *splitMix64) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a value in [0, n) (n > 0); the modulo bias is irrelevant here.
func (r *splitMix64) intn(n uint64) uint64 { return r.next() % n }

// between returns a value in [lo, hi].
func (r *splitMix64) between(lo, hi uint64) uint64 { return lo + r.intn(hi-lo+1) }

// pct returns true with probability p percent.
func (r *splitMix64) pct(p uint64) bool { return r.intn(100) < p }

type geometry struct {
	name       string
	pageSize   uint64
	chunkBytes uint64
	offset     uint64 // arenaBaseOffset
	lo, hi     uint64 // grown memory stays in [lo, hi)
	descStart  uint64 // first base of a descending layout
	gaps       []uint64
	maxChunks  uint64 // cap on grown chunks per trace
	huge       []uint64
}

const (
	kib = 1 << 10
	mib = 1 << 20
	gib = 1 << 30
)

var geometries = map[string]*geometry{
	"amd64": {
		name: "amd64", pageSize: 8 * kib, chunkBytes: 4 * mib, offset: 0xffff800000000000,
		lo: 0xc000000000, hi: 0x7f0000000000, descStart: 0xc000000000 + 64*gib,
		gaps:      []uint64{4 * mib, 32 * mib, 256 * mib, 2 * gib, 16 * gib, 128 * gib},
		maxChunks: 1024,
		huge:      []uint64{1 << 16, 1 << 18, 1 << 20, 1 << 24},
	},
	"386": {
		name: "386", pageSize: 8 * kib, chunkBytes: 4 * mib, offset: 0,
		lo: 0x10000000, hi: 0xfc000000, descStart: 0x80000000,
		gaps:      []uint64{4 * mib, 8 * mib, 32 * mib, 256 * mib, 1 * gib},
		maxChunks: 256,
		huge:      []uint64{1 << 16, 1 << 18, 1 << 19},
	},
}

func (g *geometry) chunkPages() uint64 { return g.chunkBytes / g.pageSize }

// key orders addresses as Go's offset address space does.
func (g *geometry) key(addr uint64) uint64 { return addr - g.offset }

type run struct{ base, npages uint64 }

// shadow is the generator's view of the allocator state.
type shadow struct {
	g      *geometry
	chunks map[uint64]*[8]uint64 // chunk base -> allocated-page bitmap
	sorted []uint64              // grown chunk bases in offset-address order
	live   []run                 // allocated runs (from alloc and alloc-range)
}

func newShadow(g *geometry) *shadow {
	return &shadow{g: g, chunks: map[uint64]*[8]uint64{}}
}

func (s *shadow) grown(base, size uint64) bool {
	for c := base; c < base+size; c += s.g.chunkBytes {
		if _, ok := s.chunks[c]; ok {
			return true
		}
	}
	return false
}

func (s *shadow) grow(base, size uint64) {
	for c := base; c < base+size; c += s.g.chunkBytes {
		s.chunks[c] = new([8]uint64)
		s.sorted = append(s.sorted, c)
	}
	sort.Slice(s.sorted, func(i, j int) bool { return s.g.key(s.sorted[i]) < s.g.key(s.sorted[j]) })
}

func (s *shadow) isFree(addr uint64) bool {
	c := addr &^ (s.g.chunkBytes - 1)
	b, ok := s.chunks[c]
	if !ok {
		return false
	}
	i := (addr - c) / s.g.pageSize
	return b[i/64]&(1<<(i%64)) == 0
}

func (s *shadow) set(base, npages uint64, alloc bool) {
	for i := uint64(0); i < npages; i++ {
		a := base + i*s.g.pageSize
		c := a &^ (s.g.chunkBytes - 1)
		b := s.chunks[c]
		if b == nil {
			panic(fmt.Sprintf("page %#x not grown", a))
		}
		j := (a - c) / s.g.pageSize
		was := b[j/64]&(1<<(j%64)) != 0
		if was == alloc {
			panic(fmt.Sprintf("page %#x already in state %v", a, alloc))
		}
		if alloc {
			b[j/64] |= 1 << (j % 64)
		} else {
			b[j/64] &^= 1 << (j % 64)
		}
	}
}

// scan walks the free runs in offset-address order and calls f(base, len)
// for each maximal free run; f returns false to stop.
func (s *shadow) scan(f func(base, n uint64) bool) {
	var start, n uint64
	prev := uint64(0)
	havePrev := false
	flush := func() bool {
		if n > 0 {
			ok := f(start, n)
			n = 0
			return ok
		}
		return true
	}
	for _, c := range s.sorted {
		if havePrev && prev+s.g.chunkBytes != c {
			if !flush() {
				return
			}
		}
		prev, havePrev = c, true
		b := s.chunks[c]
		for w := uint64(0); w < 8; w++ {
			word := b[w]
			switch word {
			case ^uint64(0):
				if !flush() {
					return
				}
			case 0:
				if n == 0 {
					start = c + w*64*s.g.pageSize
				}
				n += 64
			default:
				for bit := uint64(0); bit < 64; bit++ {
					if word&(1<<bit) != 0 {
						if !flush() {
							return
						}
					} else {
						if n == 0 {
							start = c + (w*64+bit)*s.g.pageSize
						}
						n++
					}
				}
			}
		}
	}
	flush()
}

// firstFit is where an address-ordered first-fit allocator puts npages.
func (s *shadow) firstFit(npages uint64) (uint64, bool) {
	var addr uint64
	found := false
	s.scan(func(base, n uint64) bool {
		if n >= npages {
			addr, found = base, true
			return false
		}
		return true
	})
	return addr, found
}

func (s *shadow) largestFree() (largest, total uint64) {
	s.scan(func(_, n uint64) bool {
		total += n
		if n > largest {
			largest = n
		}
		return true
	})
	return
}

// freeRunAt is the number of free pages from addr on (at most limit).
func (s *shadow) freeRunAt(addr, limit uint64) uint64 {
	n := uint64(0)
	for n < limit && s.isFree(addr+n*s.g.pageSize) {
		n++
	}
	return n
}

func (s *shadow) addLive(r run) { s.live = append(s.live, r) }

func (s *shadow) removeLive(i int) run {
	r := s.live[i]
	s.live[i] = s.live[len(s.live)-1]
	s.live = s.live[:len(s.live)-1]
	return r
}

// generator writes one random trace.
type generator struct {
	r      *splitMix64
	g      *geometry
	s      *shadow
	out    []string
	layout string
	gap    uint64 // fixed gap of a "gap" layout
	lowest uint64 // lowest grown base (descending layouts)
	high   uint64 // highest grown limit
	failed bool   // the last alloc is expected to fail
}

var edgeSizes = []uint64{1, 1, 1, 2, 2, 3, 7, 8, 16, 31, 32, 33, 63, 63, 64, 64, 65, 65, 127, 128, 129,
	255, 256, 257, 511, 511, 512, 512, 513, 513, 1023, 1024, 1025, 1536, 2048, 4096, 5000}

func (gen *generator) allocSize() uint64 {
	r, cp := gen.r, gen.g.chunkPages()
	switch x := r.intn(100); {
	case x < 45:
		return edgeSizes[r.intn(uint64(len(edgeSizes)))]
	case x < 60:
		return r.between(1, 64)
	case x < 70:
		return r.between(1, cp)
	case x < 77: // whole chunks
		return cp * r.between(1, 8)
	case x < 85: // more than a chunk
		return cp*r.between(1, 4) + r.between(1, cp-1)
	case x < 89:
		return gen.g.huge[r.intn(uint64(len(gen.g.huge)))]
	default: // around the largest free run: exactly fits, or just fails
		largest, _ := gen.s.largestFree()
		if largest == 0 {
			return r.between(1, 4)
		}
		switch r.intn(3) {
		case 0:
			return largest
		case 1:
			return largest + 1
		default:
			if largest > 1 {
				return largest - 1
			}
			return largest
		}
	}
}

func (gen *generator) growSize() uint64 {
	r, cb := gen.r, gen.g.chunkBytes
	switch x := r.intn(100); {
	case x < 40:
		return cb
	case x < 70:
		return cb * r.between(2, 8)
	case x < 90:
		return cb * r.between(9, 64)
	case x < 98:
		return cb * r.between(65, 256)
	default:
		return cb * r.between(257, 512)
	}
}

func (gen *generator) emit(format string, args ...any) {
	gen.out = append(gen.out, fmt.Sprintf(format, args...))
}

func (gen *generator) ok(base, size uint64) bool {
	return base >= gen.g.lo && base+size <= gen.g.hi && base+size > base && !gen.s.grown(base, size)
}

// doGrow grows the heap following the trace's layout.
func (gen *generator) doGrow() bool {
	g, r := gen.g, gen.r
	size := gen.growSize()
	if used := uint64(len(gen.s.sorted)); used+size/g.chunkBytes > g.maxChunks {
		if used >= g.maxChunks {
			return false
		}
		size = (g.maxChunks - used) * g.chunkBytes
	}
	first := len(gen.s.sorted) == 0
	var cands []uint64
	switch {
	case first && gen.layout == "descending":
		cands = append(cands, g.descStart)
	case first:
		cands = append(cands, g.lo+g.chunkBytes*[]uint64{0, 0, 0, 1, 7, 1024}[r.intn(6)])
	case gen.layout == "contiguous":
		cands = append(cands, gen.high)
	case gen.layout == "descending":
		if gen.lowest >= size {
			cands = append(cands, gen.lowest-size)
		}
		cands = append(cands, gen.high+g.gaps[r.intn(uint64(len(g.gaps)))])
	case gen.layout == "gap":
		cands = append(cands, gen.high+gen.gap, gen.high)
	case gen.layout == "mixed":
		switch r.intn(5) {
		case 0:
			cands = append(cands, gen.high)
		case 1:
			if gen.lowest >= size {
				cands = append(cands, gen.lowest-size)
			}
		case 2: // fill a hole between grown ranges, or grow inside one
			cands = append(cands, gen.holeBase(size)...)
		}
		cands = append(cands, gen.high+g.gaps[r.intn(uint64(len(g.gaps)))], gen.high+g.chunkBytes*r.between(1, 4096))
	}
	cands = append(cands, gen.high+g.chunkBytes)
	for _, base := range cands {
		if base%g.chunkBytes == 0 && gen.ok(base, size) {
			gen.s.grow(base, size)
			gen.emit("grow %#x %#x", base, size)
			if first || base < gen.lowest {
				gen.lowest = base
			}
			if base+size > gen.high {
				gen.high = base + size
			}
			return true
		}
	}
	return false
}

// holeBase proposes bases inside the gaps between grown chunks.
func (gen *generator) holeBase(size uint64) []uint64 {
	var res []uint64
	cs := gen.s.sorted
	for i := 1; i < len(cs); i++ {
		lo, hi := cs[i-1]+gen.g.chunkBytes, cs[i]
		if hi > lo && hi-lo >= size {
			// at the start of the hole, at its end, or somewhere inside
			res = append(res, lo, hi-size)
			if hi-lo > size {
				res = append(res, lo+gen.g.chunkBytes*gen.r.intn((hi-lo-size)/gen.g.chunkBytes+1))
			}
		}
	}
	if len(res) > 0 {
		i := gen.r.intn(uint64(len(res)))
		return res[i : i+1]
	}
	return nil
}

func (gen *generator) doAlloc() {
	n := gen.allocSize()
	gen.emit("alloc %d", n)
	addr, ok := gen.s.firstFit(n)
	gen.failed = !ok
	if ok {
		gen.s.set(addr, n, true)
		gen.s.addLive(run{addr, n})
	}
}

func (gen *generator) scav() string {
	if gen.r.pct(25) {
		return " scavenged"
	}
	return ""
}

func (gen *generator) doFree() bool {
	if len(gen.s.live) == 0 {
		return false
	}
	r, ps := gen.r, gen.g.pageSize
	i := int(r.intn(uint64(len(gen.s.live))))
	lr := gen.s.live[i]
	if lr.npages == 1 || r.pct(55) { // the whole run
		gen.s.removeLive(i)
		gen.s.set(lr.base, lr.npages, false)
		gen.emit("free %#x %d%s", lr.base, lr.npages, gen.scav())
		return true
	}
	// a sub-range [off, off+k) of the run, k < npages
	var off, k uint64
	switch r.intn(4) {
	case 0: // prefix
		off, k = 0, r.between(1, lr.npages-1)
	case 1: // suffix
		k = r.between(1, lr.npages-1)
		off = lr.npages - k
	case 2: // one page
		off, k = r.intn(lr.npages), 1
	default: // anywhere inside
		off = r.intn(lr.npages)
		k = r.between(1, lr.npages-off)
		if k == lr.npages {
			k--
			off = 1
		}
	}
	gen.s.removeLive(i)
	if off > 0 {
		gen.s.addLive(run{lr.base, off})
	}
	if rest := lr.npages - off - k; rest > 0 {
		gen.s.addLive(run{lr.base + (off+k)*ps, rest})
	}
	base := lr.base + off*ps
	gen.s.set(base, k, false)
	gen.emit("free %#x %d%s", base, k, gen.scav())
	return true
}

func (gen *generator) doAllocRange() bool {
	r, g := gen.r, gen.g
	if len(gen.s.sorted) == 0 {
		return false
	}
	for try := 0; try < 8; try++ {
		c := gen.s.sorted[r.intn(uint64(len(gen.s.sorted)))]
		addr := c + r.intn(g.chunkPages())*g.pageSize
		if r.pct(20) {
			addr = c // at a chunk boundary
		}
		avail := gen.s.freeRunAt(addr, 3*g.chunkPages())
		if avail == 0 {
			continue
		}
		var n uint64
		switch x := r.intn(10); {
		case x < 3:
			n = 1
		case x < 5:
			n = avail // all of it
		default:
			n = edgeSizes[r.intn(uint64(len(edgeSizes)))]
		}
		if n > avail {
			n = r.between(1, avail)
		}
		gen.s.set(addr, n, true)
		gen.s.addLive(run{addr, n})
		gen.emit("alloc-range %#x %d", addr, n)
		return true
	}
	return false
}

func randomTrace(geom string, idx int, seed uint64) []string {
	g := geometries[geom]
	r := &splitMix64{s: seed}
	layouts := []string{"contiguous", "descending", "gap", "mixed", "mixed"}
	gen := &generator{r: r, g: g, s: newShadow(g), layout: layouts[idx%len(layouts)]}
	if gen.layout == "gap" {
		gen.gap = g.gaps[(idx/len(layouts))%len(g.gaps)]
	}
	nops := int(r.between(100, 400))
	header := []string{"pagealloc-trace 1", "geometry " + geom}
	desc := fmt.Sprintf("# random trace %d: gen/main.go, SplitMix64 seed %#x, layout %s", idx, seed, gen.layout)
	if gen.layout == "gap" {
		desc += fmt.Sprintf(" (gap %#x)", gen.gap)
	}
	header = append(header, desc, fmt.Sprintf("# %d operations", nops))
	gen.doGrow()
	for len(gen.out) < nops {
		x := r.intn(100)
		growP := uint64(4)
		if gen.failed {
			growP = 40
		}
		switch {
		case x < growP:
			if gen.doGrow() {
				continue
			}
		case x < growP+25:
			if gen.doFree() {
				continue
			}
		case x < growP+33:
			if gen.doAllocRange() {
				continue
			}
		}
		gen.doAlloc()
	}
	return append(header, gen.out...)
}

func writeRandom(dir string) error {
	counts := map[string]int{"amd64": 40, "386": 20}
	for _, geom := range []string{"amd64", "386"} {
		for i := 0; i < counts[geom]; i++ {
			seed := 0x5eed0000_00000000 ^ uint64(i)<<8 ^ uint64(len(geom))
			lines := randomTrace(geom, i, seed)
			name := filepath.Join(dir, fmt.Sprintf("%s-random-%02d.ops", geom, i))
			if err := os.WriteFile(name, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

func parseNum(s string) uint64 {
	var v uint64
	var err error
	if strings.HasPrefix(s, "0x") {
		v, err = strconv.ParseUint(s[2:], 16, 64)
	} else {
		v, err = strconv.ParseUint(s, 10, 64)
	}
	if err != nil {
		panic(err)
	}
	return v
}

// crosscheck replays the traces in dir on the first-fit shadow and reports
// every alloc whose address differs from Go's. Only the traces regen.sh
// makes (*-hand-*, *-random-*) are read: the page-cache and scavenger
// traces next to them have operations the shadow does not model.
func crosscheck(dir string) error {
	var files []string
	for _, pat := range []string{"*-hand-*.trace", "*-random-*.trace"} {
		m, _ := filepath.Glob(filepath.Join(dir, pat))
		files = append(files, m...)
	}
	sort.Strings(files)
	allocs, mismatches := 0, 0
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return err
		}
		var s *shadow
		sc := bufio.NewScanner(fh)
		ln := 0
		for sc.Scan() {
			ln++
			line := sc.Text()
			if k := strings.Index(line, "#"); k >= 0 {
				line = line[:k]
			}
			t := strings.Fields(line)
			if len(t) == 0 {
				continue
			}
			switch t[0] {
			case "pagealloc-trace":
			case "geometry":
				s = newShadow(geometries[t[1]])
			case "grow":
				if s == nil {
					s = newShadow(geometries["amd64"])
				}
				s.grow(parseNum(t[1]), parseNum(t[2]))
			case "alloc":
				n := parseNum(t[1])
				goAddr := parseNum(t[3])
				want, ok := s.firstFit(n)
				if !ok {
					want = 0
				}
				allocs++
				if want != goAddr {
					mismatches++
					fmt.Printf("%s:%d: Go %#x, first-fit %#x\n", filepath.Base(f), ln, goAddr, want)
				}
				if goAddr != 0 {
					s.set(goAddr, n, true)
				}
			case "free":
				s.set(parseNum(t[1]), parseNum(t[2]), false)
			case "alloc-range":
				s.set(parseNum(t[1]), parseNum(t[2]), true)
			}
		}
		fh.Close()
	}
	fmt.Printf("crosscheck: %d traces, %d allocs, %d differ from address-ordered first-fit\n", len(files), allocs, mismatches)
	if mismatches > 0 {
		os.Exit(1)
	}
	return nil
}

func main() {
	out := flag.String("out", "", "write the random *.ops traces to this directory")
	cc := flag.String("crosscheck", "", "compare the *.trace results in this directory with first-fit")
	flag.Parse()
	var err error
	switch {
	case *out != "":
		if err = os.MkdirAll(*out, 0o755); err == nil {
			err = writeRandom(*out)
		}
	case *cc != "":
		err = crosscheck(*cc)
	default:
		flag.Usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
