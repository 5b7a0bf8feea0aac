from model import *
from lemmas import inst
Z = "(bvlshr x1 c)"
T = "(bvsub mx p)"
def body(kind):
    b = decls(*STATE) + decls("x2","p2","k2","d2","s2","sh")
    b += hyp_inv(CUR)
    b += "(assert (bvugt p (_ bv0 64)))\n"
    if kind == "final":
        b += "(assert (bvule p k))\n(assert (= sh p))\n(assert (= p2 (_ bv0 64)))\n(assert (= k2 k))\n(assert (= d2 d))\n"
    else:
        b += "(assert (bvugt p k))\n(assert (= sh k))\n(assert (= p2 (bvsub p k)))\n(assert (= k2 (bvmul (_ bv2 64) k)))\n(assert (= d2 (bvadd d (_ bv1 64))))\n"
    b += "(assert (= x2 (bvor x (bvlshr x sh))))\n(assert (= s2 (bvadd s (_ bv1 64))))\n"
    b += inst("comp", z=Z, T=T, s="sh")
    b += inst("exitmask", x1="x1", T="(bvsub mx p2)", M="mx", c="c")
    return b
for kind in ["final", "double"]:
    NEW = dict(CUR, x="x2", p="p2", k="k2", d="d2", s="s2")
    write_abs("sm%s_exit" % kind, body(kind), "(=> (isMask x2) %s)" % exit_ok("x1", "mx", "mi", "s2"))
    for n, t in inv_parts(NEW).items():
        write_abs("sm%s_%s" % (kind, n), body(kind), "(=> (not (isMask x2)) %s)" % t)
