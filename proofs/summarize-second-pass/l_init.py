from model import *
from lemmas import inst, interior
from transitions import equations
eq = equations("init")
# The second pass runs on a nonzero word with max <= 61 (summarize's first pass
# and early exit); x1 is a ghost copy of the code's initial x.
b0 = decls("w","mi","x1") + """(assert (not (= w (_ bv0 64))))
(assert (bvule mi (_ bv61 64)))
(assert (= x1 %s))
""" % eq["x1"]
INIT = dict(x=eq["x"], p=eq["p"], k=eq["k"], mx=eq["mx"], x1="x1", c=B(0), E=B(0), h=B(0), d=B(0), s=B(0), mi="mi")
write("init_exit", b0, "(=> (isMask x1) %s)" % exit_ok("x1", "mi", "mi", B(0)))
for n, t in inv_parts(INIT).items():
    write("init_" + n, b0, "(=> (not (isMask x1)) %s)" % t)
# final glue: exit_ok at the returned value r implies the specification
bf = decls("w","mi","x1","r","se","b") + """(assert (not (= w (_ bv0 64))))
(assert (= x1 (bvlshr w (tz w))))
(assert %s)
""" % exit_ok("x1","r","mi","se") + inst("SP1", w="w", r="r", b="b") + inst("SP2", w="w", m="(bvsub r (_ bv1 64))")
goal = "(and (bvule mi r) (not %s) (or (= r mi) %s) (bvule se (_ bv30 64)))" % (
    interior("w", "b", "(bvadd r (_ bv1 64))"),
    interior("w", "(bvadd (tz w) (tz (bvnot (S x1 (bvsub r (_ bv1 64))))))", "r"))
write_abs("spec_glue", bf, goal)
