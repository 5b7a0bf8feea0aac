from model import *
from lemmas import inst
from transitions import asserts, names
Z = "(bvlshr x1 c)"
T = "(bvsub mx p)"
def body(kind):
    b = decls(*STATE) + decls(*names("sm" + kind)) + decls("d2","s2")
    b += hyp_inv(CUR)
    b += asserts("sm" + kind)
    # The ghosts: d counts doublings, s steps.
    b += "(assert (= d2 d))\n" if kind == "final" else "(assert (= d2 (bvadd d (_ bv1 64))))\n"
    b += "(assert (= s2 (bvadd s (_ bv1 64))))\n"
    b += inst("comp", z=Z, T=T, s="sh")
    b += inst("exitmask", x1="x1", T="(bvsub mx p2)", M="mx", c="c")
    return b
for kind in ["final", "double"]:
    NEW = dict(CUR, x="x2", p="p2", k="k2", d="d2", s="s2")
    write_abs("sm%s_exit" % kind, body(kind), "(=> (isMask x2) %s)" % exit_ok("x1", "mx", "mi", "s2"))
    for n, t in inv_parts(NEW).items():
        write_abs("sm%s_%s" % (kind, n), body(kind), "(=> (not (isMask x2)) %s)" % t)
