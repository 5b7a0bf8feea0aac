#!/usr/bin/env python3
"""selftest.py DRIVER.TEST [--qemu QEMU] [--scenario basic|issue40191]

Starts a built allocverify driver binary, does the handshake, runs a few
operations and prints the decoded results and snapshots. No dependencies.
Exit status 0 if the protocol round-trips and (scenario issue40191) prints
whether searchAddr ended outside inUse.

Every hello and snapshot is decoded strictly (counts, field ranges, no
missing or trailing words), so if the driver's wire format drifts from what
this file knows, it stops with "FORMAT MISMATCH: ..." naming the word where
decoding went wrong, and exit status 1. The layout is the doc comment of
snapshot() in driver/zz_allocverify_driver_test.go; the authoritative reader
is decodeSnapshot in Sources/GoTarget/GoTarget+Wire.swift.
"""
import argparse
import os
import struct
import subprocess
import sys
import tempfile

GROW, ALLOC, FREE, ALLOC_RANGE, RESET, QUIT = 1, 2, 3, 4, 5, 6
ALLOC_TO_CACHE, CACHE_ALLOC, CACHE_FLUSH = 8, 9, 10
NONE, TOUCHED, FULL = 0, 1, 2

# What this decoder knows of the protocol. The authoritative reader is
# decodeSnapshot in Sources/GoTarget/GoTarget+Wire.swift; the writer is
# snapshot() in driver/zz_allocverify_driver_test.go (its doc comment lists
# the layout). Keep the three in step.
PROTOCOL_LINE = b"ALLOCVERIFY-DRIVER 2\n"
HELLO_NAMES = ["heapAddrBits", "logPallocChunkPages", "summaryLevels", "summaryLevelBits",
               "summaryL0Bits", "arenaBaseOffset", "pageSize", "physPageSize", "ptrSize",
               "bigEndian", "maxSearchAddr", "features", "versionLen"]
F_SUMMARY_MAPPED_READY = 1 << 0   # pageAlloc.summaryMappedReady exists (Go 1.19+)
F_FREE_SCAVENGED = 1 << 1         # free takes a scavenged argument (Go 1.19, 1.20)
F_SCAV_INDEX_BITMAP = 1 << 2      # scavenge index: one bit per chunk (Go 1.19, 1.20)
F_SCAV_INDEX_CHUNK_DATA = 1 << 3  # scavenge index: packed scavChunkData + scalars (Go 1.21+)
F_PADDING = 1 << 4                # markRandomPaddingPages exists (Go 1.26+)
KNOWN_FEATURES = (F_SUMMARY_MAPPED_READY | F_FREE_SCAVENGED | F_SCAV_INDEX_BITMAP |
                  F_SCAV_INDEX_CHUNK_DATA | F_PADDING)
CHUNK_BITS_WORDS = 8           # pallocBits and scavenged: 512 bits each
PAGE_CACHES = 4                # AllocVerifyPageCaches: slots 0-3, (base, cache, scav) each
SCAV_INDEX_SCALARS = ["gen", "searchAddrBg", "bgMarked", "searchAddrForce", "forceMarked",
                      "freeHWM", "min", "max", "minHeapIdx"]  # AllocVerifyScavIndexScalarWords
UNMAPPED = 1 << 63
NOT_AVAILABLE = 2**64 - 1      # inUseTotalBytes / summaryMappedReady when the version lacks it
MAX_ANSWER_WORDS = 1 << 28     # more than any snapshot; beyond it the stream is misaligned
LAYOUT_HINT = ("the driver's protocol changed and selftest.py no longer matches it: update "
               "GoDriver/selftest.py to the protocol in GoDriver/driver/zz_allocverify_driver_test.go "
               "(header comment; snapshot layout: snapshot()'s doc comment; the authoritative reader is "
               "decodeSnapshot in Sources/GoTarget/GoTarget+Wire.swift)")


class DriverDied(Exception):
    pass


class FormatError(Exception):
    """The driver's words do not have the shape this selftest expects."""


def fail_format(msg):
    raise SystemExit("FORMAT MISMATCH: %s\n  -> %s" % (msg, LAYOUT_HINT))


KIND = {1: "grow", 2: "alloc", 3: "free", 4: "allocRange", 5: "reset", 6: "quit",
        8: "allocToCache", 9: "cacheAlloc", 10: "cacheFlush"}


class Driver:
    def __init__(self, path, qemu=None):
        cmd = ([qemu] if qemu else []) + [path, "-test.run=^TestAllocVerifyDriver$", "-test.count=1"]
        env = dict(os.environ, ALLOCVERIFY_DRIVER="1", GOTRACEBACK="system")
        self.errf = tempfile.TemporaryFile()
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errf, env=env)
        line = self.p.stdout.readline()
        if line != PROTOCOL_LINE:
            if line.startswith(b"ALLOCVERIFY-DRIVER "):
                fail_format("driver greets with %r, this selftest speaks %r" % (line, PROTOCOL_LINE))
            raise SystemExit("bad magic line: %r (stderr: %s)" % (line, self.stderr_head()))
        n = self.word()
        if not len(HELLO_NAMES) <= n < 1 << 10:
            fail_format("hello has %d words, expected %d fixed words and the version" % (n, len(HELLO_NAMES)))
        hello = self.words(n)
        self.hello = dict(zip(HELLO_NAMES, hello))
        vlen = self.hello["versionLen"]
        vwords = hello[len(HELLO_NAMES):]
        if len(vwords) != (vlen + 7) // 8:
            fail_format("hello has %d words: %d fixed + %d version words, but versionLen %d needs %d "
                        "(a hello field was added or removed?)" % (
                            n, len(HELLO_NAMES), len(vwords), vlen, (vlen + 7) // 8))
        vb = b"".join(struct.pack("<Q", w) for w in vwords)
        if any(vb[vlen:]):
            fail_format("version padding is not zero: %r" % vb)
        self.hello["version"] = vb[:vlen].decode(errors="replace")
        h = self.hello
        if h["ptrSize"] not in (4, 8) or h["bigEndian"] not in (0, 1) or not 1 <= h["summaryLevels"] <= 8:
            fail_format("implausible hello %r" % h)
        self.features = h["features"]
        self.unknownFeatures = self.features & ~KNOWN_FEATURES
        if self.unknownFeatures:
            # Not every feature changes the snapshot (padding did not), so
            # only warn; a layout change is caught by decode_snapshot.
            sys.stderr.write("WARNING: driver reports feature bits %#x that selftest.py does not know "
                             "(known: %#x); if the snapshot layout changed, decoding will fail\n" % (
                                 self.unknownFeatures, KNOWN_FEATURES))
        self.levels = h["summaryLevels"]
        self.levelBits = [h["summaryL0Bits"]] + [h["summaryLevelBits"]] * (self.levels - 1)
        self.levelEntries = [1 << sum(self.levelBits[:l + 1]) for l in range(self.levels)]
        self.chunkBytes = h["pageSize"] << h["logPallocChunkPages"]

    def stderr_head(self, n=3):
        self.errf.seek(0)
        err = self.errf.read().decode(errors="replace").strip().splitlines()
        return " | ".join(err[:n])

    def word(self):
        b = self.p.stdout.read(8)
        if len(b) != 8:
            rc = self.p.wait()
            raise DriverDied("exit status %s; stderr: %s" % (rc, self.stderr_head()))
        return struct.unpack("<Q", b)[0]

    def words(self, n):
        b = self.p.stdout.read(8 * n)
        if len(b) != 8 * n:
            rc = self.p.wait()
            raise DriverDied("exit status %s; stderr: %s" % (rc, self.stderr_head()))
        return list(struct.unpack("<%dQ" % n, b))

    def batch(self, ops):
        out = [len(ops)]
        for op in ops:
            kind, a, b, flags = (list(op) + [0, 0, 0])[:4]
            out += [kind, a, b, flags]
        self.p.stdin.write(b"".join(struct.pack("<Q", w & (2**64 - 1)) for w in out))
        self.p.stdin.flush()
        res = []
        for i, op in enumerate(ops):
            r0, r1, r2, n = self.words(4)
            mode = ((list(op) + [0, 0, 0])[3] >> 8) & 3
            if n > MAX_ANSWER_WORDS:
                fail_format("answer %d (%s) announces %d snapshot words" % (i, KIND.get(op[0], op[0]), n))
            if (mode in (TOUCHED, FULL)) != (n > 0):
                fail_format("answer %d (%s) with snapshot mode %d has %d snapshot words" % (
                    i, KIND.get(op[0], op[0]), mode, n))
            snap = self.words(n)
            res.append((r0, r1, r2, snap))
        return res

    def close(self):
        self.p.stdin.close()
        return self.p.wait()


class Reader:
    """Reads a snapshot's words in order; every shortfall is a FormatError."""

    def __init__(self, w):
        self.w, self.p = w, 0

    def take(self, what):
        if self.p >= len(self.w):
            raise FormatError("snapshot ends (%d words) where %s was expected" % (len(self.w), what))
        self.p += 1
        return self.w[self.p - 1]

    def count(self, what, limit):
        n = self.take(what)
        if n > limit:
            raise FormatError("%s = %d at word %d exceeds %d" % (what, n, self.p - 1, limit))
        if n > len(self.w) - self.p:
            raise FormatError("%s = %d at word %d, but only %d words follow" % (
                what, n, self.p - 1, len(self.w) - self.p))
        return n

    def flag(self, what):
        v = self.take(what)
        if v not in (0, 1):
            raise FormatError("%s at word %d is %#x, expected 0 or 1" % (what, self.p - 1, v))
        return v


def decode_snapshot(d, w):
    """Decodes one snapshot (layout: snapshot() in the driver, decodeSnapshot
    in GoTarget+Wire.swift); a mismatch exits with a FORMAT MISMATCH message."""
    try:
        return _decode_snapshot(d, w)
    except FormatError as e:
        extra = ""
        if d.unknownFeatures:
            extra = "; the driver reports unknown feature bits %#x" % d.unknownFeatures
        fail_format("%s (driver %s, features %#x%s)" % (e, d.hello["version"], d.features, extra))


def _decode_snapshot(d, w):
    r = Reader(w)
    s = {}
    # 1. scalars and inUse
    for k in ["searchAddr", "start", "end", "inUseTotalBytes", "summaryMappedReady"]:
        s[k] = r.take(k)
    n = r.count("nInUse", 1 << 20)
    s["inUse"] = []
    for i in range(n):
        s["inUse"].append((r.take("inUse[%d].base" % i), r.take("inUse[%d].limit" % i)))
    # 2. summaries: per level [n] (indexWord value) pairs, ascending
    s["summaries"] = []
    for l in range(d.levels):
        n = r.count("level-%d summary count" % l, d.levelEntries[l])
        ents, prev = [], -1
        for _ in range(n):
            iw, v = r.take("L%d index word" % l), r.take("L%d summary" % l)
            idx, unm = iw & ~UNMAPPED, bool(iw & UNMAPPED)
            if not prev < idx < d.levelEntries[l]:
                raise FormatError("L%d summary index %d at word %d is not ascending in [0, %d)" % (
                    l, idx, r.p - 2, d.levelEntries[l]))
            if unm and v:
                raise FormatError("L%d summary %d is unmapped but has value %#x" % (l, idx, v))
            prev = idx
            ents.append((idx, unm, v))
        s["summaries"].append(ents)
    # 3. mapped summary index ranges (after a grow or in full mode), then
    # the metadata bytes the OS has mapped
    nl = r.take("nLevels of mapped ranges")
    if nl not in (0, d.levels):
        raise FormatError("nLevels of mapped ranges at word %d is %d, expected 0 or %d" % (r.p - 1, nl, d.levels))
    s["mapped"] = []
    for l in range(nl):
        rs = []
        for i in range(r.count("L%d mapped range count" % l, d.levelEntries[l])):
            lo, hi = r.take("L%d range lo" % l), r.take("L%d range hi" % l)
            if not lo < hi <= d.levelEntries[l] or (rs and lo <= rs[-1][1]):
                raise FormatError("L%d mapped range [%d, %d) at word %d is not an ascending range in [0, %d)" % (
                    l, lo, hi, r.p - 2, d.levelEntries[l]))
            rs.append((lo, hi))
        s["mapped"].append(rs)
    if nl:
        s["metadataMappedBytes"] = r.take("metadataMappedBytes")
    # 4. chunks: index present pallocBits[8] scavenged[8] scavIndexEntry
    s["chunks"] = []
    for _ in range(r.count("nChunks", d.levelEntries[-1])):
        ci = r.take("chunk index")
        if ci >= d.levelEntries[-1]:
            raise FormatError("chunk index %d at word %d is not in [0, %d)" % (ci, r.p - 1, d.levelEntries[-1]))
        present = r.flag("chunk %d present" % ci)
        alloc = [r.take("chunk %d pallocBits" % ci) for _ in range(CHUNK_BITS_WORDS)]
        scav = [r.take("chunk %d scavenged" % ci) for _ in range(CHUNK_BITS_WORDS)]
        index = r.take("chunk %d scavenge index entry" % ci)
        if index & UNMAPPED:
            index = None
        elif d.features & F_SCAV_INDEX_BITMAP and index > 1:
            raise FormatError("chunk %d scavenge index bit at word %d is %#x, expected 0 or 1" % (ci, r.p - 1, index))
        s["chunks"].append((ci, present, alloc, scav, index))
    # 5. page caches of slots 0-3
    s["pageCaches"] = [(r.take("pageCache[%d].base" % i), r.take("pageCache[%d].cache" % i),
                        r.take("pageCache[%d].scav" % i)) for i in range(PAGE_CACHES)]
    # 6. Go 1.21+: the scavenge index's scalars
    if d.features & F_SCAV_INDEX_CHUNK_DATA:
        sc = {k: r.take("scavIndex.%s" % k) for k in SCAV_INDEX_SCALARS}
        if sc["gen"] > 0xffffffff or sc["bgMarked"] > 1 or sc["forceMarked"] > 1:
            raise FormatError("scavenge index scalars %s are implausible" % (
                {k: hex(v) for k, v in sc.items()}))
        s["scavIndex"] = sc
    # 7. whether searchAddr's leaf summary is mapped
    s["searchAddrLeafMapped"] = r.flag("searchAddrLeafMapped (the last word)")
    if r.p != len(w):
        raise FormatError("%d word(s) left after the last field searchAddrLeafMapped (snapshot of %d words; "
                          "layout read: %d)" % (len(w) - r.p, len(w), r.p))
    return s


def unpack_sum(v):
    return v & (2**21 - 1), (v >> 21) & (2**21 - 1), (v >> 42) & (2**21 - 1)


def popcount(ws):
    return sum(bin(x).count("1") for x in ws)


def show(d, op, r, verbose=True):
    r0, r1, r2, snap = r
    kind = KIND.get(op[0], str(op[0]))
    args = ", ".join(hex(x) if x > 4096 else str(x) for x in op[1:3])
    res = ""
    if op[0] in (ALLOC, CACHE_ALLOC):
        res = " -> addr=%#x scav=%d" % (r0, r1)
    elif op[0] == ALLOC_TO_CACHE:
        res = " -> base=%#x cache=%#x scav=%#x" % (r0, r1, r2)
    elif op[0] == CACHE_FLUSH:
        res = " -> base=%#x" % r0
    elif op[0] == ALLOC_RANGE:
        res = " -> scav=%d" % r0
    scavenged = ""
    if op[0] == FREE and len(op) > 3 and op[3] & 1:
        scavenged = " scavenged" if d.features & F_FREE_SCAVENGED else " scavenged (ignored: this free has no such argument)"
    print("%s(%s)%s%s" % (kind, args, scavenged, res))
    if not snap:
        return None
    s = decode_snapshot(d, snap)
    inuse = " ".join("[%#x,%#x)" % rg for rg in s["inUse"])
    na = lambda v: "n/a" if v == NOT_AVAILABLE else "%#x" % v
    print("   searchAddr=%#x (leaf summary %s) start=%d end=%d inUseTotal=%s mappedReady=%s inUse=%s" % (
        s["searchAddr"], "mapped" if s["searchAddrLeafMapped"] else "UNMAPPED", s["start"], s["end"],
        na(s["inUseTotalBytes"]), na(s["summaryMappedReady"]), inuse))
    caches = ["P%d: base=%#x free=%d scav=%d" % (i, b, popcount([c]), popcount([sc]))
              for i, (b, c, sc) in enumerate(s["pageCaches"]) if b or c or sc]
    if caches or verbose:
        print("   page caches: %s" % (" ".join(caches) if caches else "all empty"))
    if verbose:
        for l, ents in enumerate(s["summaries"]):
            shown = []
            for idx, unm, v in ents:
                if unm:
                    shown.append("%d:unmapped" % idx)
                elif v:
                    shown.append("%d:%s" % (idx, unpack_sum(v)))
            print("   L%d: %d entries, %d unmapped; nonzero: %s" % (
                l, len(ents), sum(1 for e in ents if e[1]), " ".join(shown[:12]) + (" ..." if len(shown) > 12 else "")))
        for l, rs in enumerate(s["mapped"]):
            print("   mapped L%d: %s" % (l, " ".join("[%d,%d)" % x for x in rs[:6]) + (" ..." if len(rs) > 6 else "")))
        if "metadataMappedBytes" in s:
            print("   metadata mapped: %#x bytes" % s["metadataMappedBytes"])
        for ci, present, alloc, scav, index in s["chunks"][:8]:
            print("   chunk %d present=%d alloc=%d pages scav=%d pages scavIndex=%s" % (
                ci, present, popcount(alloc), popcount(scav), "unmapped" if index is None else "%#x" % index))
        if len(s["chunks"]) > 8:
            print("   ... %d chunks" % len(s["chunks"]))
        if "scavIndex" in s:
            print("   scavenge index: %s" % " ".join(
                "%s=%s" % (k, v if v < 4096 else hex(v)) for k, v in s["scavIndex"].items()))
    return s


def snapflag(mode):
    return mode << 8


def in_use(s, addr):
    return any(b <= addr < l for b, l in s["inUse"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("driver")
    ap.add_argument("--qemu")
    ap.add_argument("--scenario", default="basic", choices=["basic", "issue40191"])
    args = ap.parse_args()
    d = Driver(args.driver, args.qemu)
    print("hello:", {k: (hex(v) if isinstance(v, int) and v > 4096 else v) for k, v in d.hello.items()})
    C = d.chunkBytes
    P = d.hello["pageSize"]
    chunkPages = C // P
    is64 = d.hello["ptrSize"] == 8
    base1 = 0xc000000000 if is64 else 0x10000000
    base2 = base1 + (1 << 32 if is64 else 1 << 28)
    status = 0
    if args.scenario == "basic":
        ops = [
            (GROW, base1, 4 * C, snapflag(TOUCHED)),
            (GROW, base2, 2 * C, snapflag(TOUCHED)),
            (ALLOC, 1, 0, snapflag(TOUCHED)),
            (ALLOC, chunkPages + 10, 0, snapflag(TOUCHED)),
            (ALLOC, 3, 0, snapflag(NONE)),
            (FREE, base1, 1, snapflag(TOUCHED)),
            (FREE, base1 + P, chunkPages + 10, 1 | snapflag(TOUCHED)),
            (ALLOC_RANGE, base2 + C - 4 * P, 8, snapflag(TOUCHED)),
            (ALLOC, 4 * chunkPages, 0, snapflag(NONE)),        # too big: fails
            (ALLOC, 2 * chunkPages - 8, 0, snapflag(TOUCHED)),  # lands in base1
            (ALLOC, 1, 0, snapflag(FULL)),
        ]
        res = d.batch(ops)
        for op, r in zip(ops, res):
            show(d, op, r)
        res = d.batch([(RESET, 0, 0, snapflag(FULL)), (GROW, base1, C, snapflag(FULL)),
                       (ALLOC, chunkPages, 0, snapflag(TOUCHED)), (ALLOC, 1, 0, snapflag(TOUCHED))])
        for op, r in zip([(RESET, 0, 0), (GROW, base1, C), (ALLOC, chunkPages, 0), (ALLOC, 1, 0)], res):
            show(d, op, r)
        assert res[2][0] == base1 and res[3][0] == 0, "unexpected results after reset"
        # The page cache of P slot 1, so that the snapshot's cache words are
        # checked against what the driver answered (r0 r1 r2).
        ops = [(RESET, 0, 0, snapflag(NONE)), (GROW, base1, C, snapflag(NONE)),
               (ALLOC_TO_CACHE, 1, 0, snapflag(TOUCHED)), (CACHE_ALLOC, 3, 1, snapflag(TOUCHED)),
               (CACHE_FLUSH, 1, 0, snapflag(TOUCHED))]
        res = d.batch(ops)
        snaps = [show(d, op, r, verbose=False) for op, r in zip(ops, res)]
        snaps = [x["pageCaches"] for x in snaps[2:]]
        (b, c, sc), (a3, _, _), (fb, _, _) = [r[:3] for r in res[2:]]
        assert b == base1 and c == 2**64 - 1 and sc == 2**64 - 1, "allocToCache answered %#x %#x %#x" % (b, c, sc)
        assert snaps[0][1] == (b, c, sc), "snapshot page cache 1 %r, driver answered %r" % (snaps[0][1], (b, c, sc))
        assert a3 == b and snaps[1][1] == (b, c & ~7, sc & ~7), "cacheAlloc(3): %#x, cache %r" % (a3, snaps[1][1])
        assert fb == b and snaps[2][1] == (0, 0, 0), "flush: %#x, cache %r" % (fb, snaps[2][1])
        assert all(x == (0, 0, 0) for snap in snaps for i, x in enumerate(snap) if i != 1), "other slots not empty"
    else:
        # golang/go#40191: R1 (1 chunk) is exhausted; R2 (1 chunk, one page
        # taken) sits a quarter into a level-0 (64-bit) summary entry E far away from
        # R1, so the leaf summaries of E's first part (the gap) are unmapped
        # on 64-bit; R3 (2 chunks) is in the next level-0 entry. alloc(512)
        # does not fit in R1 or R2, so find notes E as the first free region at
        # level 0 (firstFree.base = E's base, in the gap) and stops narrowing
        # when it descends into R3's entry. Fixed Go passes the candidate
        # through findMappedAddr (-> R2's base); with the bug put back
        # searchAddr = E's base, outside inUse, and the next alloc's fast path
        # reads the unmapped leaf summary of that address (SIGSEGV on 64-bit).
        # Level-0 entries (16 GiB on 64-bit); on 32-bit level 0 has only two
        # 2 GiB entries, so use level-1 entries (256 MiB) there instead.
        lvl = 0 if is64 else 1
        E = 1 << (d.hello["heapAddrBits"] - d.hello["summaryL0Bits"] - lvl * d.hello["summaryLevelBits"])
        r1 = base1
        r2 = base1 + 4 * E + E // 4
        r3 = base1 + 5 * E + E // 4
        ops = [
            (GROW, r1, C, snapflag(TOUCHED)),
            (GROW, r2, C, snapflag(TOUCHED)),
            (GROW, r3, 2 * C, snapflag(TOUCHED)),
            (ALLOC, chunkPages, 0, snapflag(NONE)),        # exhausts R1
            (ALLOC_RANGE, r2, 1, snapflag(NONE)),          # R2 has 511 free pages
            (ALLOC, chunkPages, 0, snapflag(TOUCHED)),     # slow path: find -> R3
        ]
        res = d.batch(ops)
        last = None
        for op, r in zip(ops, res):
            last = show(d, op, r, verbose=False) or last
        sa = last["searchAddr"]
        outside = not in_use(last, sa)
        print("RESULT: alloc(%d) -> %#x (R3 = %#x); searchAddr=%#x is %s inUse (R2 = %#x, gap level-%d entry base = %#x)" % (
            chunkPages, res[-1][0], r3, sa, "OUTSIDE" if outside else "inside", r2, lvl, base1 + 4 * E))
        try:
            res = d.batch([(ALLOC, 1, 0, snapflag(TOUCHED))])
            show(d, (ALLOC, 1, 0), res[0], verbose=False)
            print("RESULT: next alloc(1) -> %#x" % res[0][0])
        except DriverDied as e:
            print("RESULT: next alloc(1) killed the driver: %s" % e)
            return 0
    res = d.batch([(QUIT, 0, 0, 0)])
    rc = d.close()
    print("driver exit status:", rc)
    return 0 if rc == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
