#!/usr/bin/env python3
"""selftest.py DRIVER.TEST [--qemu QEMU] [--scenario basic|issue40191]

Starts a built allocverify driver binary, does the handshake, runs a few
operations and prints the decoded results and snapshots. No dependencies.
Exit status 0 if the protocol round-trips and (scenario issue40191) prints
whether searchAddr ended outside inUse.
"""
import argparse
import os
import struct
import subprocess
import sys
import tempfile

GROW, ALLOC, FREE, ALLOC_RANGE, RESET, QUIT = 1, 2, 3, 4, 5, 6
NONE, TOUCHED, FULL = 0, 1, 2
class DriverDied(Exception):
    pass


KIND = {1: "grow", 2: "alloc", 3: "free", 4: "allocRange", 5: "reset", 6: "quit"}


class Driver:
    def __init__(self, path, qemu=None):
        cmd = ([qemu] if qemu else []) + [path, "-test.run=^TestAllocVerifyDriver$", "-test.count=1"]
        env = dict(os.environ, ALLOCVERIFY_DRIVER="1", GOTRACEBACK="system")
        self.errf = tempfile.TemporaryFile()
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errf, env=env)
        line = self.p.stdout.readline()
        if line != b"ALLOCVERIFY-DRIVER 2\n":
            raise SystemExit("bad magic line: %r" % line)
        n = self.word()
        hello = self.words(n)
        names = ["heapAddrBits", "logPallocChunkPages", "summaryLevels", "summaryLevelBits",
                 "summaryL0Bits", "arenaBaseOffset", "pageSize", "physPageSize", "ptrSize",
                 "bigEndian", "maxSearchAddr", "features", "versionLen"]
        self.hello = dict(zip(names, hello))
        vlen = self.hello["versionLen"]
        vb = b"".join(struct.pack("<Q", w) for w in hello[len(names):])
        self.hello["version"] = vb[:vlen].decode()
        h = self.hello
        self.levels = h["summaryLevels"]
        self.levelBits = [h["summaryL0Bits"]] + [h["summaryLevelBits"]] * (self.levels - 1)
        self.chunkBytes = h["pageSize"] << h["logPallocChunkPages"]

    def word(self):
        b = self.p.stdout.read(8)
        if len(b) != 8:
            rc = self.p.wait()
            self.errf.seek(0)
            err = self.errf.read().decode(errors="replace").strip().splitlines()
            raise DriverDied("exit status %s; stderr: %s" % (rc, " | ".join(err[:3])))
        return struct.unpack("<Q", b)[0]

    def words(self, n):
        return [self.word() for _ in range(n)]

    def batch(self, ops):
        out = [len(ops)]
        for op in ops:
            kind, a, b, flags = (list(op) + [0, 0, 0])[:4]
            out += [kind, a, b, flags]
        self.p.stdin.write(b"".join(struct.pack("<Q", w & (2**64 - 1)) for w in out))
        self.p.stdin.flush()
        res = []
        for op in ops:
            r0, r1, _r2, n = self.words(4)
            res.append((r0, r1, self.words(n)))
        return res

    def close(self):
        self.p.stdin.close()
        return self.p.wait()


def decode_snapshot(d, w):
    it = iter(w)
    nxt = lambda: next(it)
    s = {}
    s["searchAddr"], s["start"], s["end"], s["inUseTotalBytes"], s["summaryMappedReady"] = [nxt() for _ in range(5)]
    s["inUse"] = [(nxt(), nxt()) for _ in range(nxt())]
    s["summaries"] = []
    for l in range(d.levels):
        ents = []
        for _ in range(nxt()):
            iw, v = nxt(), nxt()
            ents.append((iw & ~(1 << 63), bool(iw >> 63), v))
        s["summaries"].append(ents)
    nl = nxt()
    s["mapped"] = [[(nxt(), nxt()) for _ in range(nxt())] for _ in range(nl)]
    if nl:
        s["metadataMappedBytes"] = nxt()
    s["chunks"] = []
    for _ in range(nxt()):
        ci, present = nxt(), nxt()
        alloc = [nxt() for _ in range(8)]
        scav = [nxt() for _ in range(8)]
        index = nxt()
        s["chunks"].append((ci, present, alloc, scav, index))
    s["searchAddrLeafMapped"] = nxt()
    rest = list(it)
    if rest:
        raise SystemExit("snapshot has %d trailing words" % len(rest))
    return s


def unpack_sum(v):
    return v & (2**21 - 1), (v >> 21) & (2**21 - 1), (v >> 42) & (2**21 - 1)


def popcount(ws):
    return sum(bin(x).count("1") for x in ws)


def show(d, op, r, verbose=True):
    r0, r1, snap = r
    kind = KIND.get(op[0], str(op[0]))
    args = ", ".join(hex(x) if x > 4096 else str(x) for x in op[1:3])
    res = ""
    if op[0] == ALLOC:
        res = " -> addr=%#x scav=%d" % (r0, r1)
    elif op[0] == ALLOC_RANGE:
        res = " -> scav=%d" % r0
    print("%s(%s)%s%s" % (kind, args, " scavenged" if op[0] == FREE and len(op) > 3 and op[3] & 1 else "", res))
    if not snap:
        return None
    s = decode_snapshot(d, snap)
    inuse = " ".join("[%#x,%#x)" % rg for rg in s["inUse"])
    print("   searchAddr=%#x start=%d end=%d inUseTotal=%#x mappedReady=%#x inUse=%s" % (
        s["searchAddr"], s["start"], s["end"], s["inUseTotalBytes"], s["summaryMappedReady"], inuse))
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
        for ci, present, alloc, scav, _index in s["chunks"][:8]:
            print("   chunk %d present=%d alloc=%d pages scav=%d pages" % (ci, present, popcount(alloc), popcount(scav)))
        if len(s["chunks"]) > 8:
            print("   ... %d chunks" % len(s["chunks"]))
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
