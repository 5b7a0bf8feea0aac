from model import *
from lemmas import inst
from transitions import asserts, names
Z = "(bvlshr x1 c)"
def harv_body(hints=True):
    b = decls(*STATE) + decls(*names("harv")) + decls("c2","E2","h2","s2")
    b += hyp_inv(CUR)
    b += asserts("harv")
    # The ghosts: the offset c, the end E, the harvest count h, the step count s.
    b += """(assert (= c2 (bvadd c j1 j2)))
(assert (= E2 (bvadd c j1 mx2)))
(assert (= h2 (bvadd h (_ bv1 64))))
(assert (= s2 (bvadd s (_ bv1 64))))
"""
    if hints:
        k = dict(z=Z, M="mx", x="x", j1="j1", j2="j2")
        for n in ["K_a","K_b","K_c","K_low","K_nm"]:
            b += inst(n, **k)
        b += inst("K_e", e="(bvsub E c)", **k)
        b += inst("shiftcomm", x="x1", T="mx2", c="c")
        b += inst("shiftcomm", x="x1", T="(bvsub mx2 (_ bv1 64))", c="c")
        b += inst("shiftcomm", x=Z, T="mx", c="(bvadd j1 j2)")
        b += inst("mono", x="x1", T="mx", M="mx2")
        b += inst("exitmask", x1="x1", T="mx", M="mx2", c="c2")
        # x2 is x shifted by j1 then j2, and x is a smear of x1 shifted by c.
        b += inst("shiftadd", x="x", a="j1", b="j2")
        b += inst("shiftadd", x="x1", a="c", b="(bvadd j1 j2)")
        b += inst("shiftadd", x="x1", a="c", b="(bvadd j1 j2 mx)")   # K_b's bit, in x1
    return b
NEW = dict(CUR, x="x2", p="p2", mx="mx2", c="c2", E="E2", h="h2", s="s2")
if __name__ == "__main__":
    write = write_abs
    write("harv_exit", harv_body(), "(=> (isMask x2) %s)" % exit_ok("x1","mx2","mi","s2"))
    for n, t in inv_parts(NEW).items():
        write("harv_" + n, harv_body(), "(=> (not (isMask x2)) %s)" % t)
