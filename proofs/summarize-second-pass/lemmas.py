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
# Shifting twice is shifting once by the sum while the amounts stay <= 64 (the
# harvest step's words are shifted by j1, then j2, and x1 by c, then j1 + j2).
LEMMAS["shiftadd"] = (["x","a","b"], ["(bvule {a} (_ bv64 64))", "(bvule {b} (_ bv64 64))"],
                      "(= (bvlshr (bvlshr {x} {a}) {b}) (bvlshr {x} (bvadd {a} {b})))")

# S's definition one step at a time: one more shift (T <= 62), and no more
# shifts past 63.
LEMMAS["unfold"] = (["y","T"], ["(bvule {T} (_ bv62 64))"],
                    "(= (S {y} (bvadd {T} (_ bv1 64))) (bvor (S {y} {T}) (bvlshr {y} (bvadd {T} (_ bv1 64)))))")
LEMMAS["saturate"] = (["y","T"], ["(bvuge {T} (_ bv63 64))"], "(= (S {y} {T}) (S {y} (_ bv63 64)))")
# Two windows side by side make one: the shifts 0..a and a+1..a+b+1.
LEMMAS["concat"] = (["z","a","b"], ["(bvule {a} (_ bv63 64))", "(bvule {b} (_ bv63 64))",
                     "(bvule (bvadd {a} {b} (_ bv1 64)) (_ bv63 64))"],
                    "(= (bvor (S {z} {a}) (S (bvlshr {z} (bvadd {a} (_ bv1 64))) {b})) (S {z} (bvadd {a} {b} (_ bv1 64))))")
# A smear that is already a mask does not grow with more shifts.
LEMMAS["maskstable"] = (["v","T","M"], ["(bvule {T} {M})", "(bvule {M} (_ bv62 64))", "(isMask (S {v} {T}))"],
                        "(= (S {v} {M}) (S {v} {T}))")

# Lemmas proved from other lemmas rather than from S's definition: the file
# holds the lemma's own hypotheses, instances of the lemmas named (each proved
# in its own file), and the S-applications listed replaced by fresh constants
# (a generalisation, so unsat still proves the lemma). Solved directly, these
# took cvc5 over 60 s; each step below is a short argument about bits.
ALL = "every S-application, with Ackermann's congruence constraints"
_K = dict(z="z", M="M", x="x", j1="j1", j2="j2")
_Z = "(bvlshr w (tz w))"; _X = "(S %s m)" % _Z
_J1 = "(tz (bvnot %s))" % _X; _J2 = "(tz (bvlshr %s %s))" % (_X, _J1)
_KW = dict(z=_Z, M="m", x=_X, j1=_J1, j2=_J2)
DERIVED = {
 # x's bit j1 + j2 is its lowest one above the gap and bit j1 + j2 - 1 is zero
 # (F1 at both): the only bit of z the first window has and the second lacks.
 "K_b": ([("K_a", _K), ("F1", dict(z="z", M="M", b="(bvadd j1 j2)")),
          ("F1", dict(z="z", M="M", b="(bvsub (bvadd j1 j2) (_ bv1 64))"))], ["(S z M)"]),
 # below j1 the wider smear keeps x's ones (mono); from j1 to j1 + j2 it reaches
 # z's bit j1 + j2 + M (K_b).
 "K_low": ([("K_a", _K), ("K_b", _K), ("mono", dict(x="z", T="M", M="(bvadd M j2)"))], ["(S z M)"]),
 # the smear one short of M + j2 still has bit j1 + j2 and misses bit j1 (K_c).
 "K_nm": ([("K_a", _K), ("K_b", _K), ("K_c", _K)], ["(S z M)"]),
 # S(z, T) | S(z >> s, T) (shiftcomm) is the window 0..s-1 (concat, or all of
 # S(z, T) when s = T + 1), then s..T (inside s..s+T: mono), then s..s+T: the
 # windows 0..s-1 and s..s+T make 0..T+s (concat).
 "comp": ([("shiftcomm", dict(x="z", T="T", c="s")),
           ("concat", dict(z="z", a="(bvsub s (_ bv1 64))", b="(bvsub T s)")),
           ("concat", dict(z="z", a="(bvsub s (_ bv1 64))", b="T")),
           ("mono", dict(x="(bvlshr z s)", T="(bvsub T s)", M="T"))], ALL),
 # shifting S(x1, M) down by c gives S(x1 >> c, M) (shiftcomm), which equals the
 # mask S(x1 >> c, T) (maskstable); under it, c low ones.
 "exitmask": ([("shiftcomm", dict(x="x1", T="M", c="c")),
               ("maskstable", dict(v="(bvlshr x1 c)", T="T", M="M"))], ALL),
 # x >> j1 is S(z >> j1, M) (shiftcomm) and has j2 low zeros: the smear's
 # bit j2 - 1 is clear (F1) and it holds z >> j1 itself (mono from 0).
 "K_c": ([("K_a", _K), ("shiftcomm", dict(x="z", T="M", c="j1")),
          ("F1", dict(z="(bvlshr z j1)", M="M", b="(bvsub j2 (_ bv1 64))")),
          ("mono", dict(x="(bvlshr z j1)", T="(_ bv0 64)", M="M"))], ["(S z M)", "(S (bvlshr z j1) M)"]),
 # a run of r+1 zeros at b in w is one at b - tz(w) in z = w >> tz(w)
 # (shiftadd): the mask S(z, r) would have a zero there (F1) under a one
 # (z's bit above the run; mono from 0).
 "SP1": ([("F1", dict(z=_Z, M="r", b="(bvsub b (tz w))")),
          ("mono", dict(x=_Z, T="(_ bv0 64)", M="r")),
          ("shiftadd", dict(x="w", a="(tz w)", b="(bvsub b (tz w))")),
          ("shiftadd", dict(x="w", a="(tz w)", b="(bvadd (bvsub b (tz w)) r (_ bv1 64))"))], ["(S %s r)" % _Z]),
 # the run of K_c, with ones below (bit 0 of z) and above (K_b), moved back up
 # by tz(w) (shiftadd).
 "SP2": ([("K_a", _KW), ("K_b", _KW), ("K_c", _KW),
          ("shiftadd", dict(x="w", a="(tz w)", b=_J1)),
          ("shiftadd", dict(x="w", a="(tz w)", b="(bvadd %s %s m)" % (_J1, _J2)))], [_X]),
}

# Lemmas proved by induction on one variable n, each part its own file:
#   NAME.base  the lemma at n = 0, from S's definition;
#   NAME.step  for n < cap: the lemma at n (the induction hypothesis, same other
#              variables) and the lemmas named give it at n + 1;
#   NAME.top   (when given) for n >= cap: the lemma at n = cap and the lemmas
#              named give it at n.
# Base and step give n = 0, 1, ..., cap; top the rest. Every S-application is
# abstracted in the step and the top.
INDUCTION = {
 # one more shift on both sides (unfold), and x >> (T+1) >> c = x >> c >> (T+1)
 # (shiftadd both ways); past 63 nothing changes (saturate).
 "shiftcomm": dict(var="T", cap=63,
     step=[("unfold", dict(y="x", T="T")), ("unfold", dict(y="(bvlshr x c)", T="T")),
           ("shiftadd", dict(x="x", a="(bvadd T (_ bv1 64))", b="c")),
           ("shiftadd", dict(x="x", a="c", b="(bvadd T (_ bv1 64))"))],
     top=[("saturate", dict(y="x", T="T")), ("saturate", dict(y="(bvlshr x c)", T="T"))]),
 # the second window one longer: its new shift is z >> (a+1) >> (b+1) = z >>
 # (a+b+2) (shiftadd), the whole window's new shift (unfold).
 "concat": dict(var="b", cap=63,
     step=[("unfold", dict(y="(bvlshr z (bvadd a (_ bv1 64)))", T="b")),
           ("unfold", dict(y="z", T="(bvadd a b (_ bv1 64))")),
           ("shiftadd", dict(x="z", a="(bvadd a (_ bv1 64))", b="(bvadd b (_ bv1 64))"))]),
}

def write_induction(name, ih=True):
    """ih=False: only the step, without its induction hypothesis, as the twin
    NAME.step.noIH.mut."""
    vs, hs, c = LEMMAS[name]
    spec = INDUCTION[name]
    n, cap = spec["var"], spec["cap"]
    at = lambda val: dict({v: v for v in vs}, **{n: val})
    hyps_at = lambda val: "".join("(assert %s)\n" % _sub(h, at(val)) for h in hs)
    nxt = "(bvadd %s (_ bv1 64))" % n
    base = decls(*vs) + "(assert (= %s (_ bv0 64)))\n" % n + hyps_at(n)
    if ih: write(name + ".base", base, _sub(c, at(n)))
    head = lambda part, uses: PRELUDE + "; %s of the induction on %s; uses %s\n" % (
        part, n, ", ".join(sorted({u for u, _ in uses}) + [name + " at the other value"]))
    step = decls(*vs) + "(assert (bvult %s (_ bv%d 64)))\n" % (n, cap) + hyps_at(nxt)
    write_abs_to(name + (".step" if ih else ".step.noIH.mut"), head("step", spec["step"]),
                 step + (inst(name, **at(n)) if ih else "") + "".join(inst(u, **kw) for u, kw in spec["step"]),
                 _sub(c, at(nxt)), step if ih else None)
    if ih and "top" in spec:
        top = decls(*vs) + "(assert (bvuge %s (_ bv%d 64)))\n" % (n, cap) + hyps_at(n)
        write_abs_to(name + ".top", head("top", spec["top"]),
                     top + inst(name, **at("(_ bv%d 64)" % cap)) + "".join(inst(u, **kw) for u, kw in spec["top"]),
                     _sub(c, at(n)), top)

def _uses(n):
    if n in DERIVED: return [u for u, _ in DERIVED[n][0]]
    if n in INDUCTION: return [u for u, _ in INDUCTION[n]["step"] + INDUCTION[n].get("top", [])]
    return []

def _order():
    """The lemmas in an order where each derived one follows everything it uses;
    raises on a cycle (a lemma proved, through others, from itself)."""
    done, out = set(), []
    def visit(n, path):
        if n in done: return
        if n in path: raise ValueError("lemma cycle: " + " -> ".join(path + [n]))
        for u in _uses(n): visit(u, path + [n])
        done.add(n); out.append(n)
    for n in LEMMAS: visit(n, [])
    return out

def write_derived(name, out=None, uses=None, hs=None):
    """out, uses, hs: a mutated twin's file name, instances and hypotheses
    (the twin gets no vacuity file)."""
    out, vac = (out, False) if out else (name, True)
    vs, hs0, c = LEMMAS[name]
    hs = hs0 if hs is None else hs
    uses, generalised = (DERIVED[name][0] if uses is None else uses), DERIVED[name][1]
    m = {v: v for v in vs}
    hyps = decls(*vs) + "".join("(assert %s)\n" % _sub(h, m) for h in hs)
    body = hyps + "".join(inst(u, **kw) for u, kw in uses)
    goal = _sub(c, m)
    if generalised is ALL:
        write_abs_to(out, PRELUDE + "; proved from " + ", ".join(sorted({u for u, _ in uses})) + "\n",
                     body, goal, hyps if vac else None)
        return
    for i, t in enumerate(generalised):
        assert t in body + goal, (name, t)
        body, goal = body.replace(t, "G%d" % i), goal.replace(t, "G%d" % i)
    body = decls(*["G%d" % i for i in range(len(generalised))]) + body
    with open(out + ".smt2", "w") as f:
        f.write(PRELUDE + "; proved from " + ", ".join(sorted({u for u, _ in uses})) + "\n" + body +
                "(assert (not %s))\n(check-sat)\n" % goal)
    if vac:
        with open(name + ".vac.smt2", "w") as f:   # vacuity on the lemma's own hypotheses
            f.write(PRELUDE + hyps + "(check-sat)\n")

# Mutated twins (NAME.*.mut.smt2, must answer sat): the split proofs are not
# unsat for free. Without a lemma instance it needs, or without the induction
# hypothesis, or with a hypothesis widened so the claim is false, a proof file
# has a model.
def write_mutants():
    k_b = DERIVED["K_b"][0]
    write_derived("K_b", out="K_b.noF1.mut", uses=k_b[:-1])       # bit j1 + j2 - 1 unknown
    vs, hs, c = LEMMAS["comp"]
    wide = [h.replace("(bvule {s} (bvadd {T} (_ bv1 64)))", "(bvule {s} (bvadd {T} (_ bv2 64)))") for h in hs]
    assert wide != hs
    write_derived("comp", out="comp.gap.mut", hs=wide)            # s = T + 2 leaves a hole
    write_induction("shiftcomm", ih=False)                        # the step alone

if __name__ == "__main__":
    for n in _order():
        if not sys.argv[1:] or n in sys.argv[1:]:
            (write_derived if n in DERIVED else write_induction if n in INDUCTION else write_lemma)(n)
    if not sys.argv[1:]: write_mutants()
