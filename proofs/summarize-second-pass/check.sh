#!/usr/bin/env bash
# Regenerates the summarize second-pass proof files, requires them to equal the
# committed ones in smt2/, and has z3 check every one:
#   NAME.smt2            a lemma, a transition or the glue: must be unsat
#   NAME.vac.smt2        its hypotheses alone: must be sat (not vacuous)
#   *_ante_{exit,cont}   a transition's hypotheses plus each branch: must be sat
#   NAME.*.mut.smt2      a split proof with a needed part removed or a hypothesis widened: must be sat
#   mut/*.smt2           a deliberately broken model: must be sat (the checks can fail)
# Usage: proofs/summarize-second-pass/check.sh [--jobs N] [--solver-timeout S] [--solver z3|bitwuzla|cvc5]
# (bitwuzla and cvc5 through proofs/check-smt2.sh's Python bindings; z3 by default)
# z3 is bounded by its resource limit (rlimit 400000000, ten times the most a
# file here needs: 28 million units for shiftadd.smt2), the same on every
# machine; the timeout (default 600 s) is only an outer guard.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jobs=1; limit=600; solver=z3
while [ $# -gt 0 ]; do
  case "$1" in
    --jobs) jobs=$2; shift 2 ;;
    --solver-timeout) limit=$2; shift 2 ;;
    --solver) solver=$2; shift 2 ;;
    *) echo "check.sh: unknown argument '$1'" >&2; exit 64 ;;
  esac
done
case "$solver" in z3|bitwuzla|cvc5) ;; *) echo "check.sh: unknown solver '$solver'" >&2; exit 64 ;; esac
[ "$solver" != z3 ] || command -v z3 >/dev/null || { echo "check.sh: z3 not found (apt-get install z3)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "check.sh: python3 not found" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
(cd "$out" && PYTHONPATH="$here" bash "$here/generate.sh")
if ! diff -rq "$here/smt2" "$out" >/dev/null; then
  echo "check.sh: the generated files differ from proofs/summarize-second-pass/smt2 (run generate.sh there):" >&2
  diff -rq "$here/smt2" "$out" >&2 || true
  exit 1
fi
expect() {  # file expected-answer
  local f=$1 want=$2 t0 got t1
  t0=$(date +%s.%N)
  if [ "$solver" = z3 ]; then
    got=$(timeout $((limit + 10)) z3 -T:"$limit" rlimit=400000000 "$f" 2>&1 | head -1 || true)
  else
    got=$(sh "$checker" --one "$solver" "$limit" "$f" | cut -d' ' -f1)
  fi
  t1=$(date +%s.%N)
  if [ "$got" = "$want" ]; then
    printf "ok    %-30s %-6s %6.1fs\n" "$(basename "$f")" "$got" "$(echo "$t1 - $t0" | bc)"
  else
    printf "FAIL  %-30s got '%s', expected %s\n" "$(basename "$f")" "$got" "$want"
    return 1
  fi
}
checker="$here/../check-smt2.sh"
export -f expect; export limit solver checker
{
  for f in "$here"/smt2/*.smt2; do
    case "$f" in
      *.vac.smt2|*_ante_*|*.mut.smt2) echo "$f sat" ;;
      *) echo "$f unsat" ;;
    esac
  done
  for f in "$here"/mut/*.smt2; do echo "$f sat"; done
} | xargs -P "$jobs" -L 1 bash -c 'expect "$0" "$1"' > "$out/results" || true
sort -k2 "$out/results"
total=$(wc -l < "$out/results"); bad=$(grep -c '^FAIL' "$out/results" || true)
echo "summarize second pass: $((total - bad))/$total answers as expected"
[ "$bad" = 0 ]
