#!/bin/sh
# Re-check every committed SMT-LIB problem with a solver outside Swift.
#
#   proofs/check-smt2.sh [--solver z3|bitwuzla|cvc5|all] [--jobs N] [--timeout SECONDS] [--rlimit N] [DIR]
#
# z3 is bounded by its resource limit (rlimit, default 400000000: ten times
# the most any committed file needs, 31 million units for
# any/findBitRange64.smt2 with Debian's z3 4.8.12), a count that is the same
# on every machine, so its verdict does not depend on the machine's speed;
# --timeout (default 600 s) is then only an outer guard. Bitwuzla and cvc5
# are bounded by --timeout (Bitwuzla has no deterministic limit); give it
# far more than they need.
#
# DIR defaults to proofs/smt2 next to this script. Every file must answer `unsat`
# (each is the negation of a claim); anything else (sat, unknown, a timeout, an
# error) is a failure. Exit status: 0 all unsat, 1 otherwise, 64 bad arguments.
#
#   z3        the command-line solver (Debian's `z3`, default)
#   bitwuzla  the Bitwuzla Python bindings (pip install bitwuzla)
#   cvc5      the cvc5 Python bindings (pip install cvc5), bit-blasting
#             eagerly (bitblast=eager; with the default lazy bit-blasting
#             43 of these files time out)
#   all       each of the three in turn; fails if any fails
set -u
here=$(cd "$(dirname "$0")" && pwd)
self="$here/$(basename "$0")"
solver=z3
jobs=2
timeout=600
rlimit=400000000
dir="$here/smt2"

# Internal: check one file and print "<answer> <file>".
if [ "${1:-}" = "--one" ]; then
    solver=$2 timeout=$3 f=$4
    case "$solver" in
        z3) answer=$(timeout "$((timeout + 5))" z3 -T:"$timeout" rlimit="${ALLOCVERIFY_Z3_RLIMIT:-400000000}" "$f" 2>&1 | head -n 1) ;;
        bitwuzla) answer=$(timeout "$((timeout + 5))" python3 -c '
import sys, bitwuzla
tm = bitwuzla.TermManager(); o = bitwuzla.Options()
o.set(bitwuzla.Option.TIME_LIMIT_PER, int(sys.argv[2]) * 1000)
bitwuzla.Parser(tm, o).parse(sys.argv[1])' "$f" "$timeout" 2>&1 | head -n 1) ;;
        cvc5) answer=$(timeout "$((timeout + 5))" python3 -c '
import sys, cvc5
tm = cvc5.TermManager(); s = cvc5.Solver(tm)
s.setOption("tlimit-per", str(int(sys.argv[2]) * 1000))
s.setOption("bitblast", "eager")
p = cvc5.InputParser(s); p.setFileInput(cvc5.InputLanguage.SMT_LIB_2_6, sys.argv[1])
sm = p.getSymbolManager()
while True:
    cmd = p.nextCommand()
    if cmd.isNull(): break
    out = cmd.invoke(s, sm).strip()
    if out: print(out)' "$f" "$timeout" 2>&1 | head -n 1) ;;
    esac
    echo "${answer:-no-answer} $f"
    exit 0
fi

while [ $# -gt 0 ]; do
    case "$1" in
        --solver) solver=$2; shift 2 ;;
        --jobs) jobs=$2; shift 2 ;;
        --timeout) timeout=$2; shift 2 ;;
        --rlimit) rlimit=$2; shift 2 ;;
        -h|--help) sed -n '2,23p' "$self"; exit 0 ;;
        -*) echo "check-smt2: unknown option $1" >&2; exit 64 ;;
        *) dir=$1; shift ;;
    esac
done
case "$solver" in z3|bitwuzla|cvc5|all) ;; *) echo "check-smt2: unknown solver $solver" >&2; exit 64 ;; esac
[ -d "$dir" ] || { echo "check-smt2: no directory $dir" >&2; exit 64; }
if [ "$solver" = all ]; then
    status=0
    for s in z3 bitwuzla cvc5; do
        start=$(date +%s)
        "$self" --solver "$s" --jobs "$jobs" --timeout "$timeout" --rlimit "$rlimit" "$dir" || status=1
        echo "check-smt2 ($s): $(( $(date +%s) - start )) s"
    done
    exit $status
fi

export ALLOCVERIFY_Z3_RLIMIT=$rlimit
results=$(mktemp)
trap 'rm -f "$results"' EXIT
find "$dir" -name '*.smt2' | LC_ALL=C sort |
    xargs -P "$jobs" -n 1 "$self" --one "$solver" "$timeout" >"$results"
total=$(wc -l <"$results")
if [ "$total" -eq 0 ]; then echo "check-smt2: no .smt2 files under $dir" >&2; exit 1; fi
bad=$(grep -v '^unsat ' "$results" | LC_ALL=C sort)
if [ -n "$bad" ]; then
    echo "$bad"
    echo "check-smt2 ($solver): $(echo "$bad" | wc -l) of $total files did not answer unsat" >&2
    exit 1
fi
echo "check-smt2 ($solver): all $total files unsat"
