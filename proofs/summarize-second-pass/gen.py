# Generator of QF_BV lemma files for Go's pallocBits.summarize (second pass).
import sys, os
W = 64
def bv(n): return "(_ bv%d 64)" % (n % (1 << 64))
ZERO, ONE, ONES = bv(0), bv(1), "#xffffffffffffffff"

PRELUDE = """(set-logic QF_BV)
(set-option :produce-models true)
; S x T = OR_{i=0..T} (x >> i)   (smear by T)
(define-fun S ((x (_ BitVec 64)) (T (_ BitVec 64))) (_ BitVec 64)
  (bvor x %s))
(define-fun isMask ((y (_ BitVec 64))) Bool (= (bvand y (bvadd y %s)) %s))
; all bits of y strictly below position c are ones
(define-fun lowOnes ((y (_ BitVec 64)) (c (_ BitVec 64))) Bool (= (bvor y (bvshl %s c)) %s))
(define-fun bit ((y (_ BitVec 64)) (b (_ BitVec 64))) Bool (= ((_ extract 0 0) (bvlshr y b)) #b1))
(define-fun tz ((v (_ BitVec 64))) (_ BitVec 64) %s)
""" % (
    " ".join("(ite (bvule %s T) (bvlshr x %s) %s)" % (bv(i), bv(i), ZERO) for i in range(1, 64)),
    ONE, ZERO, ONES, ONES,
    "".join("(ite (= ((_ extract %d %d) v) #b1) %s " % (i, i, bv(i)) for i in range(64)) + bv(64) + ")" * 64,
)

def decls(*names):
    return "".join("(declare-const %s (_ BitVec 64))\n" % n for n in names)

def write(name, body, goal, check_sat_version=True):
    """body: declarations+hypotheses; goal: SMT bool. Writes name.smt2 (negated goal)
    and name.vac.smt2 (hypotheses only, must be sat)."""
    with open(name + ".smt2", "w") as f:
        f.write(PRELUDE + body + "(assert (not %s))\n(check-sat)\n" % goal)
    if check_sat_version:
        with open(name + ".vac.smt2", "w") as f:
            f.write(PRELUDE + body + "(check-sat)\n")

def _match(t, i):
    # t[i] == '(' ; return index after matching ')'
    dep = 0
    for j in range(i, len(t)):
        if t[j] == '(': dep += 1
        elif t[j] == ')':
            dep -= 1
            if dep == 0: return j + 1
    raise ValueError

def _split_args(s):
    # s: "a b" two s-expr args
    s = s.strip(); out = []; i = 0
    while i < len(s):
        if s[i].isspace(): i += 1; continue
        if s[i] == '(':
            j = _match(s, i)
        else:
            j = i
            while j < len(s) and not s[j].isspace(): j += 1
        out.append(s[i:j]); i = j
    return out

def abstract_S(text):
    """Replace every application (S a b) by a fresh constant and add Ackermann
    congruence constraints (sound: treats S as an uninterpreted function)."""
    apps = {}
    while True:
        i = text.find("(S ")
        if i < 0: break
        j = _match(text, i)
        term = text[i:j]
        if "(S " in term[3:]:
            raise ValueError("nested S")
        if term not in apps:
            apps[term] = "SV%d" % len(apps)
        text = text[:i] + apps[term] + text[j:]
    hdr = "; S-applications abstracted (Ackermann):\n"
    items = list(apps.items())
    for t, v in items:
        hdr += "; %s := %s\n(declare-const %s (_ BitVec 64))\n" % (v, t, v)
    for a in range(len(items)):
        for b in range(a + 1, len(items)):
            (ta, va), (tb, vb) = items[a], items[b]
            xa, ya = _split_args(ta[3:-1]); xb, yb = _split_args(tb[3:-1])
            hdr += "(assert (=> (and (= %s %s) (= %s %s)) (= %s %s)))\n" % (xa, xb, ya, yb, va, vb)
    return hdr, text

def write_abs_to(name, head, body, goal, vac_body):
    """name.smt2: head, then body and the negated goal with every S-application
    replaced by a constant (abstract_S); name.vac.smt2: vac_body, concrete."""
    marker = "\n;;GOAL;;\n"
    hdr, t = abstract_S(body + marker + goal)
    body2, goal2 = t.split(marker)
    with open(name + ".smt2", "w") as f:
        f.write(head + body2.replace("(assert", hdr + "(assert", 1) + "(assert (not %s))\n(check-sat)\n" % goal2)
    if vac_body is not None:
        with open(name + ".vac.smt2", "w") as f:
            f.write(PRELUDE + vac_body + "(check-sat)\n")

def write_abs(name, body, goal):
    """like write(), but S is treated as uninterpreted (abstracted)."""
    marker = "\n;;GOAL;;\n"
    hdr, t = abstract_S(body + marker + goal)
    body2, goal2 = t.split(marker)
    # declarations of state must come before header uses -> put hdr after body decls: simply append hdr after body
    with open(name + ".smt2", "w") as f:
        f.write(PRELUDE + body2.replace("(assert", hdr + "(assert", 1) + "(assert (not %s))\n(check-sat)\n" % goal2)
    with open(name + ".vac.smt2", "w") as f:   # vacuity check on the CONCRETE hypotheses
        f.write(PRELUDE + body + "(check-sat)\n")
