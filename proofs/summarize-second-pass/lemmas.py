from gen import *
# name -> (free variables, hypotheses, conclusion); templates use {var}
KB = ["(bvule {M} (_ bv62 64))", "(= {x} (S {z} {M}))", "(not (isMask {x}))",
      "(= {j1} (tz (bvnot {x})))", "(= {j2} (tz (bvlshr {x} {j1})))"]
KV = ["z","M","x","j1","j2"]
LEMMAS = {
 "comp": (["z","T","s"], ["(bvule (_ bv1 64) {s})", "(bvule {s} (bvadd {T} (_ bv1 64)))",
          "(bvule (bvadd {T} {s}) (_ bv63 64))", "(bvule {T} (_ bv63 64))"],
          "(= (bvor (S {z} {T}) (bvlshr (S {z} {T}) {s})) (S {z} (bvadd {T} {s})))"),
 "shiftcomm": (["x","T","c"], [], "(= (bvlshr (S {x} {T}) {c}) (S (bvlshr {x} {c}) {T}))"),
 "mono": (["x","T","M"], ["(bvule {T} {M})"], "(= (bvand (S {x} {T}) (bvnot (S {x} {M}))) (_ bv0 64))"),
 "exitmask": (["x1","T","M","c"], ["(bvule {T} {M})", "(bvule {M} (_ bv62 64))", "(bvule {c} (_ bv64 64))",
          "(lowOnes (S {x1} {M}) {c})", "(isMask (S (bvlshr {x1} {c}) {T}))"], "(isMask (S {x1} {M}))"),
 "K_a": (KV, KB, "(and (bvule (_ bv1 64) {j2}) (bvule (bvadd {j1} {j2}) (_ bv63 64)))"),
 "K_b": (KV, KB, "(bit {z} (bvadd {j1} {j2} {M}))"),
 "K_c": (KV, KB, "(= (bvand (bvlshr {z} {j1}) (bvsub (bvshl (_ bv1 64) (bvadd {j2} {M})) (_ bv1 64))) (_ bv0 64))"),
 "K_e": (KV + ["e"], KB + ["(bit {z} {e})", "(bvule {e} {M})"], "(bvuge {j1} (bvadd {e} (_ bv1 64)))"),
 "K_low": (KV, KB, "(lowOnes (S {z} (bvadd {M} {j2})) (bvadd {j1} {j2}))"),
 "K_nm": (KV, KB, "(not (isMask (S {z} (bvsub (bvadd {M} {j2}) (_ bv1 64)))))"),
 "F1": (["z","M","b"], ["(bvule {M} (_ bv62 64))"],
        "(= (bit (S {z} {M}) {b}) (not (= (bvand (bvlshr {z} {b}) (bvsub (bvshl (_ bv2 64) {M}) (_ bv1 64))) (_ bv0 64))))"),
}
def _sub(t, m): return t.format(**m)
def write_lemma(name):
    vs, hs, c = LEMMAS[name]
    m = {v: v for v in vs}
    body = decls(*vs) + "".join("(assert %s)\n" % _sub(h, m) for h in hs)
    write(name, body, _sub(c, m))
def inst(name, **m):
    vs, hs, c = LEMMAS[name]
    assert set(m) == set(vs), (name, m)
    h = " ".join(_sub(x, m) for x in hs)
    c = _sub(c, m)
    # One hypothesis stands alone: SMT-LIB's `and` takes two or more (Bitwuzla
    # rejects a unary one).
    hyp = h if len(hs) == 1 else "(and %s)" % h
    return "(assert %s) ; instance of %s\n" % (("(=> %s %s)" % (hyp, c)) if hs else c, name)

INTERIOR = ("(and (bvule (_ bv1 64) {n}) (bvule {n} (_ bv64 64)) (bvule {b} (_ bv63 64)) "
            "(= (bvand (bvlshr {w} {b}) (bvsub (bvshl (_ bv1 64) {n}) (_ bv1 64))) (_ bv0 64)) "
            "(not (= (bvand {w} (bvsub (bvshl (_ bv1 64) {b}) (_ bv1 64))) (_ bv0 64))) "
            "(not (= (bvlshr {w} (bvadd {b} {n})) (_ bv0 64))))")
def interior(w, b, n): return INTERIOR.format(w=w, b=b, n=n)
LEMMAS["SP1"] = (["w","r","b"], ["(not (= {w} (_ bv0 64)))", "(bvule {r} (_ bv62 64))",
                  "(isMask (S (bvlshr {w} (tz {w})) {r}))"],
                 "(not %s)" % INTERIOR.format(w="{w}", b="{b}", n="(bvadd {r} (_ bv1 64))"))
LEMMAS["SP2"] = (["w","m"], ["(not (= {w} (_ bv0 64)))", "(bvule {m} (_ bv61 64))",
                  "(not (isMask (S (bvlshr {w} (tz {w})) {m})))"],
                 INTERIOR.format(w="{w}", b="(bvadd (tz {w}) (tz (bvnot (S (bvlshr {w} (tz {w})) {m}))))",
                                 n="(bvadd {m} (_ bv1 64))"))
if __name__ == "__main__":
    for n in (sys.argv[1:] or LEMMAS): write_lemma(n)
