from gen import *
B = bv
STATE = ["x","p","k","mx","x1","c","E","h","d","s","mi"]

def inv_parts(v):
    """v: dict name->term. returns dict of named invariant conjuncts"""
    g = lambda n: v[n]
    T = "(bvsub %s %s)" % (g("mx"), g("p"))
    return {
     "I1": "(bit %s %s)" % (g("x1"), B(0)),
     "I2": "(and (bvule %s %s) (= %s (S (bvlshr %s %s) %s)))" % (g("p"), g("mx"), g("x"), g("x1"), g("c"), T),
     "I3": "(lowOnes (S %s %s) %s)" % (g("x1"), g("mx"), g("c")),
     "I4": "(and (bvule %s %s) (bvule %s %s) (bvule %s %s) (or (= %s %s) (not (isMask (S %s (bvsub %s %s))))))" % (
            g("mi"), g("mx"), g("mx"), B(62), g("mi"), B(61), g("mx"), g("mi"), g("x1"), g("mx"), B(1)),
     "I5": "(and (bvule %s %s) (= %s (bvshl %s %s)) (bvule %s (bvadd %s %s)))" % (
            g("d"), B(5), g("k"), B(1), g("d"), g("k"), T, B(1)),
     "I6": "(and (bit %s %s) (bvule %s %s) (bvule (bvsub %s %s) %s))" % (
            g("x1"), g("E"), g("c"), g("E"), g("E"), g("c"), T),
     "I7": "(and (bvule %s (_ bv30 64)) (bvule %s %s) (bvuge (bvmul %s %s) (bvmul %s (bvadd %s %s))) (bvule (bvadd %s (ite (= %s %s) %s %s)) (bvadd (bvmul %s %s) %s %s)))" % (
            g("s"), g("h"), g("mx"), B(2), g("E"), g("h"), g("h"), B(3),
            g("s"), g("p"), B(0), B(0), B(1), B(2), g("h"), g("d"), B(1)),
     "I8": "(not (isMask %s))" % g("x"),
    }

def exit_ok(x1, r, mi, se):
    return "(and (isMask (S %s %s)) (bvule %s %s) (or (= %s %s) (not (isMask (S %s (bvsub %s %s))))) (bvule %s %s) (bvule %s %s))" % (
        x1, r, mi, r, r, mi, x1, r, B(1), se, B(30), r, B(62))

def hyp_inv(v, which=None):
    parts = inv_parts(v)
    return "".join("(assert %s) ; %s\n" % (parts[n], n) for n in sorted(parts) if which is None or n in which)

CUR = {n: n for n in STATE}
