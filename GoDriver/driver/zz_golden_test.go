// Golden traces for Go's page allocator.
//
// This file is not part of Go. It is one of the driver files: build.sh adds
// it to GOROOT/src/runtime with the others, so it drives the same test
// pageAlloc as the driver (zz_allocverify_export_test.go and the version
// shims). GoDriver/golden/regen.sh runs the driver binary as
//
//	GOLDEN_OPS_DIR=... GOLDEN_OUT_DIR=... driver.test -test.run '^TestGoldenTraces$' -test.count=1
//
// which is `go test runtime -run TestGoldenTraces` with the driver files.
// For each *.ops trace (trace format v1 without results) in GOLDEN_OPS_DIR
// whose `geometry` matches this test binary's GOARCH, it creates a fresh test
// pageAlloc, applies every operation to the REAL runtime page allocator and
// writes the same trace, with `-> RESULT` appended to every alloc and
// alloc-range line, to GOLDEN_OUT_DIR/NAME.trace.
//
// Every operation is checked against a shadow of grown and allocated pages
// before it is applied, and the test fails on an operation that is invalid
// (Go itself does not guard them); results of alloc are checked to be free,
// grown, page-aligned pages.

package runtime_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The geometry of this binary's GOARCH, set by TestGoldenTraces from the
// driver's AllocVerifyGetGeometry.
var (
	gPageSize        uint64
	gChunkBytes      uint64
	gArenaBaseOffset uint64
	gHeapAddrBits    uint64
)

// goldenShadow tracks which chunks are grown and which pages are allocated.
type goldenShadow struct {
	chunks map[uint64]*[8]uint64 // chunk base -> allocation bitmap (512 pages)
}

func (s *goldenShadow) page(addr uint64) (*[8]uint64, uint64, bool) {
	c := addr &^ (gChunkBytes - 1)
	b, ok := s.chunks[c]
	return b, (addr - c) / gPageSize, ok
}

// check reports an error unless every page of [base, base+npages*pageSize)
// is grown and has allocation state want.
func (s *goldenShadow) check(base, npages uint64, want bool) error {
	if base%gPageSize != 0 {
		return fmt.Errorf("base %#x is not page-aligned", base)
	}
	if npages == 0 {
		return fmt.Errorf("zero pages")
	}
	if !goldenInAddressSpace(base, npages*gPageSize) {
		return fmt.Errorf("range [%#x, +%d pages) is not inside the address space", base, npages)
	}
	for i := uint64(0); i < npages; i++ {
		a := base + i*gPageSize
		b, pi, ok := s.page(a)
		if !ok {
			return fmt.Errorf("page %#x is not grown", a)
		}
		if got := b[pi/64]&(1<<(pi%64)) != 0; got != want {
			if want {
				return fmt.Errorf("page %#x is not allocated", a)
			}
			return fmt.Errorf("page %#x is already allocated", a)
		}
	}
	return nil
}

func (s *goldenShadow) set(base, npages uint64, alloc bool) {
	for i := uint64(0); i < npages; i++ {
		b, pi, _ := s.page(base + i*gPageSize)
		if alloc {
			b[pi/64] |= 1 << (pi % 64)
		} else {
			b[pi/64] &^= 1 << (pi % 64)
		}
	}
}

// goldenInAddressSpace reports whether [base, base+size) lies in the heap
// address space (in the offset address space: [arenaBaseOffset,
// arenaBaseOffset+2^heapAddrBits)) and does not touch address 0.
func goldenInAddressSpace(base, size uint64) bool {
	off := base - gArenaBaseOffset
	limit := uint64(1) << gHeapAddrBits
	return base != 0 && size <= limit && off <= limit-size
}

func parseGoldenNum(s string) (uint64, error) {
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		return strconv.ParseUint(s[2:], 16, 64)
	}
	return strconv.ParseUint(s, 10, 64)
}

func goldenGeometry() string {
	switch runtime.GOARCH {
	case "amd64", "386":
		return runtime.GOARCH
	}
	return ""
}

func TestGoldenTraces(t *testing.T) {
	opsDir := os.Getenv("GOLDEN_OPS_DIR")
	outDir := os.Getenv("GOLDEN_OUT_DIR")
	if opsDir == "" || outDir == "" {
		t.Skip("GOLDEN_OPS_DIR and GOLDEN_OUT_DIR not set")
	}
	geom := goldenGeometry()
	if geom == "" {
		t.Skipf("no trace geometry for GOARCH=%s", runtime.GOARCH)
	}
	g := runtime.AllocVerifyGetGeometry()
	gPageSize, gChunkBytes = g.PageSize, uint64(1)<<g.LogPallocChunkBytes
	gArenaBaseOffset, gHeapAddrBits = g.ArenaBaseOffset, g.HeapAddrBits
	files, err := filepath.Glob(filepath.Join(opsDir, "*.ops"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		t.Fatal(err)
	}
	goVersion := os.Getenv("GOLDEN_GO_VERSION")
	if goVersion == "" {
		goVersion = runtime.Version()
	}
	done, ops := 0, 0
	for _, f := range files {
		n, ok := runGoldenFile(t, f, outDir, geom, goVersion)
		if ok {
			done++
			ops += n
		}
	}
	t.Logf("GOARCH=%s: wrote %d traces, %d operations", runtime.GOARCH, done, ops)
	if done == 0 {
		t.Errorf("no *.ops file with geometry %s in %s", geom, opsDir)
	}
}

// runGoldenFile replays one .ops file; it returns the number of operations
// and whether a trace was written (false for another geometry or an error).
func runGoldenFile(t *testing.T, path, outDir, geom, goVersion string) (int, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	name := filepath.Base(path)
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "pagealloc-trace 1" {
		t.Errorf("%s: first line is not `pagealloc-trace 1`", name)
		return 0, false
	}
	fileGeom := "amd64" // the format's default
	geomLine := -1
	for i, l := range lines {
		f := strings.Fields(l)
		if len(f) >= 2 && f[0] == "geometry" {
			fileGeom, geomLine = f[1], i
			break
		}
	}
	if fileGeom != geom {
		return 0, false
	}

	var out strings.Builder
	out.WriteString("pagealloc-trace 1\n")
	fmt.Fprintf(&out, "# Results produced by Go's real runtime page allocator: %s (GOOS=%s GOARCH=%s test binary),\n",
		goVersion, runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(&out, "# by calling (*pageAlloc).grow/alloc/free/allocRange of a fresh test pageAlloc in\n")
	fmt.Fprintf(&out, "# `go test runtime -run TestGoldenTraces` (zz_golden_test.go) on %s. Do not edit.\n", name)
	out.WriteString("geometry " + geom + "\n")

	shadow := &goldenShadow{chunks: map[uint64]*[8]uint64{}}
	pa := runtime.NewAllocVerifyPageAlloc()
	defer pa.Destroy()
	nops := 0
	for i, raw := range lines {
		if i == 0 || i == geomLine {
			continue
		}
		line := raw
		if k := strings.Index(line, "->"); k >= 0 {
			line = strings.TrimRight(line[:k], " \t") // drop any old result
		}
		code, comment := line, ""
		if k := strings.Index(code, "#"); k >= 0 {
			code, comment = code[:k], "  "+code[k:]
		}
		line = strings.Join(strings.Fields(code), " ")
		f := strings.Fields(code)
		if len(f) == 0 {
			out.WriteString(strings.TrimRight(raw, " \t") + "\n")
			continue
		}
		fail := func(format string, args ...any) (int, bool) {
			t.Errorf("%s:%d: %q: %s (no trace written)", name, i+1, raw, fmt.Sprintf(format, args...))
			return nops, false
		}
		nums := make([]uint64, 0, 2)
		for _, s := range f[1:] {
			if s == "scavenged" {
				continue
			}
			v, err := parseGoldenNum(s)
			if err != nil {
				return fail("bad number %q", s)
			}
			nums = append(nums, v)
		}
		wantNums := map[string]int{"grow": 2, "alloc": 1, "free": 2, "alloc-range": 2}
		if w, ok := wantNums[f[0]]; ok && len(nums) != w {
			return fail("want %d numbers", w)
		}
		nops++
		switch f[0] {
		case "grow":
			if len(f) != 3 {
				return fail("want grow BASE BYTES")
			}
			base, size := nums[0], nums[1]
			if base%gChunkBytes != 0 || size%gChunkBytes != 0 || size == 0 || !goldenInAddressSpace(base, size) || base-gArenaBaseOffset < gChunkBytes {
				return fail("grow base and size must be non-zero multiples of the chunk size inside the address space, not at chunk 0")
			}
			for c := base; c < base+size; c += gChunkBytes {
				if _, ok := shadow.chunks[c]; ok {
					return fail("chunk %#x is already grown", c)
				}
			}
			pa.Grow(uintptr(base), uintptr(size))
			for c := base; c < base+size; c += gChunkBytes {
				shadow.chunks[c] = new([8]uint64)
			}
			out.WriteString(line + comment + "\n")
		case "alloc":
			if len(f) != 2 || nums[0] == 0 {
				return fail("want alloc NPAGES (> 0)")
			}
			addr, scav := pa.Alloc(uintptr(nums[0]))
			if addr != 0 {
				if err := shadow.check(uint64(addr), nums[0], false); err != nil {
					return fail("Go returned %#x, but: %v", addr, err)
				}
				shadow.set(uint64(addr), nums[0], true)
			} else if scav != 0 {
				return fail("Go returned a failed alloc with scav %#x", scav)
			}
			fmt.Fprintf(&out, "%s -> %#x %#x%s\n", line, uint64(addr), uint64(scav), comment)
		case "free":
			scavenged := false
			if len(f) == 4 {
				if f[3] != "scavenged" {
					return fail("4th token must be `scavenged`")
				}
				scavenged = true
			} else if len(f) != 3 {
				return fail("want free BASE NPAGES [scavenged]")
			}
			if err := shadow.check(nums[0], nums[1], true); err != nil {
				return fail("invalid free: %v", err)
			}
			pa.Free(uintptr(nums[0]), uintptr(nums[1]), scavenged)
			shadow.set(nums[0], nums[1], false)
			out.WriteString(line + comment + "\n")
		case "alloc-range":
			if len(f) != 3 {
				return fail("want alloc-range BASE NPAGES")
			}
			if err := shadow.check(nums[0], nums[1], false); err != nil {
				return fail("invalid alloc-range: %v", err)
			}
			scav := pa.AllocRange(uintptr(nums[0]), uintptr(nums[1]))
			shadow.set(nums[0], nums[1], true)
			fmt.Fprintf(&out, "%s -> %#x%s\n", line, uint64(scav), comment)
		default:
			return fail("unknown operation %q", f[0])
		}
	}
	outPath := filepath.Join(outDir, strings.TrimSuffix(name, ".ops")+".trace")
	if err := os.WriteFile(outPath, []byte(out.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return nops, true
}
