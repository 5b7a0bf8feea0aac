# The machine's transition equations, read from transitions.txt, which
# `verify prove --emit-transitions` writes from proofs/SecondPassMachine.swift:
# the same table the summarizeStep obligations prove the code against.
import os
HERE = os.path.dirname(os.path.abspath(__file__))

def load():
    table = {}
    with open(os.path.join(HERE, "transitions.txt")) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            t, name, expr = line.rstrip("\n").split(" ", 2)
            table.setdefault(t, []).append((name, expr))
    return table

T = load()

def equations(t):
    """name -> expression of transition t (guards left out)."""
    return {n: e for n, e in T[t] if n != "guard"}

def asserts(t):
    """Transition t's guards and equations, in the table's order, as asserts."""
    return "".join("(assert %s)\n" % e if n == "guard" else "(assert (= %s %s))\n" % (n, e) for n, e in T[t])

def names(t):
    """The words transition t defines."""
    return [n for n, _ in T[t] if n != "guard"]
