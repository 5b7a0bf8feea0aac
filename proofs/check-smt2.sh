#!/bin/sh
# Re-check every committed SMT-LIB problem with a solver outside Swift.
#
#   proofs/check-smt2.sh [--solver z3|bitwuzla|cvc5|all] [--jobs N] [--timeout SECONDS] [--rlimit N]
#                        [--manifest FILE [--update-manifest]] [DIR]
#
# z3 is bounded by its resource limit (rlimit, default 400000000: ten times
# the most any committed file needs, 31 million units for
# any/findBitRange64.smt2 with Debian's z3 4.8.12), a count that is the same
# on every machine, so its verdict does not depend on the machine's speed;
# --timeout (default 600 s) is then only an outer guard. Bitwuzla and cvc5
# are bounded by --timeout (Bitwuzla has no deterministic limit); give it
# far more than they need.
#
# DIR defaults to proofs/generated/smt2. Every file must answer `unsat`
# (each is the negation of a claim); anything else (sat, unknown, a timeout, an
# error) is a failure. Exit status: 0 all unsat, 1 otherwise, 64 bad arguments.
#
#   z3        the command-line solver (Debian's `z3`, default)
#   bitwuzla  the Bitwuzla Python bindings (pip install bitwuzla)
#   cvc5      the cvc5 Python bindings (pip install cvc5), bit-blasting
#             eagerly (bitblast=eager; with the default lazy bit-blasting
#             43 of these files time out)
#   all       each of the three in turn; fails if any fails
#
# --manifest FILE (proofs/generated/checked.sha256): a file whose sha256 FILE
# lists as answered unsat by this solver is skipped, and counted; the others
# are checked as usual. --update-manifest then records in FILE every file
# that answered unsat (manifest.sh has the format). Without --manifest every
# file is checked.
set -u
here=$(cd "$(dirname "$0")" && pwd)
self="$here/$(basename "$0")"
solver=z3
jobs=2
timeout=600
rlimit=400000000
dir="$here/generated/smt2"
manifest=
update=0

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
        --manifest) manifest=$2; shift 2 ;;
        --update-manifest) update=1; shift ;;
        -h|--help) awk 'NR > 1 { if (!/^#/) exit; print }' "$self"; exit 0 ;;
        -*) echo "check-smt2: unknown option $1" >&2; exit 64 ;;
        *) dir=$1; shift ;;
    esac
done
case "$solver" in z3|bitwuzla|cvc5|all) ;; *) echo "check-smt2: unknown solver $solver" >&2; exit 64 ;; esac
[ -d "$dir" ] || { echo "check-smt2: no directory $dir" >&2; exit 64; }
[ "$update" = 0 ] || [ -n "$manifest" ] || { echo "check-smt2: --update-manifest needs --manifest FILE" >&2; exit 64; }
if [ "$solver" = all ]; then
    status=0
    set -- --jobs "$jobs" --timeout "$timeout" --rlimit "$rlimit"
    [ -z "$manifest" ] || set -- "$@" --manifest "$manifest"
    [ "$update" = 0 ] || set -- "$@" --update-manifest
    for s in z3 bitwuzla cvc5; do
        start=$(date +%s)
        "$self" --solver "$s" "$@" "$dir" || status=1
        echo "check-smt2 ($s): $(( $(date +%s) - start )) s"
    done
    exit $status
fi

export ALLOCVERIFY_Z3_RLIMIT=$rlimit
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
results=$tmp/results all=$tmp/all todo=$tmp/todo skipped=$tmp/skipped
find "$dir" -name '*.smt2' | LC_ALL=C sort | sed 's/$/ unsat/' >"$all"
if [ -n "$manifest" ]; then
    sh "$here/manifest.sh" split "$manifest" "$solver" "$todo" "$skipped" <"$all" || exit 1
else
    cp "$all" "$todo"; : >"$skipped"
fi
: >"$results"
if [ -s "$todo" ]; then
    cut -d' ' -f1 "$todo" |
        xargs -P "$jobs" -n 1 "$self" --one "$solver" "$timeout" >"$results"
fi
total=$(wc -l <"$results")
nskipped=$(wc -l <"$skipped")
if [ "$total" -eq 0 ] && [ "$nskipped" -eq 0 ]; then echo "check-smt2: no .smt2 files under $dir" >&2; exit 1; fi
if [ -n "$manifest" ]; then
    echo "check-smt2 ($solver): $nskipped files already checked by this solver, skipped"
    if [ "$update" = 1 ]; then
        { sed -n 's/^unsat \(.*\)$/\1 unsat/p' "$results"; cat "$skipped"; } >"$tmp/passed"
        sh "$here/manifest.sh" update "$manifest" "$solver" "$all" "$tmp/passed" || exit 1
        echo "check-smt2 ($solver): $manifest updated"
    fi
fi
bad=$(grep -v '^unsat ' "$results" | LC_ALL=C sort)
if [ -n "$bad" ]; then
    echo "$bad"
    echo "check-smt2 ($solver): $(echo "$bad" | wc -l) of $total files did not answer unsat" >&2
    exit 1
fi
if [ -n "$manifest" ] && [ "$total" -eq 0 ]; then
    echo "check-smt2 ($solver): no file left to check"
else
    echo "check-smt2 ($solver): all $total files unsat"
fi
