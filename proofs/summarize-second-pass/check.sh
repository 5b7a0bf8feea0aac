#!/usr/bin/env bash
# Regenerates the summarize second-pass proof files, requires them to equal the
# committed ones in proofs/generated/summarize-second-pass/, and has z3 check
# every one (and the broken models of mut/, written by hand):
#   NAME.smt2            a lemma, a transition or the glue: must be unsat
#   NAME.vac.smt2        its hypotheses alone: must be sat (not vacuous)
#   *_ante_{exit,cont}   a transition's hypotheses plus each branch: must be sat
#   NAME.*.mut.smt2      a split proof with a needed part removed or a hypothesis widened: must be sat
#   mut/*.smt2           a deliberately broken model: must be sat (the checks can fail)
# Usage: proofs/summarize-second-pass/check.sh [--jobs N] [--solver-timeout S] [--solver z3|bitwuzla|cvc5]
#          [--manifest FILE [--update-manifest]]
# (bitwuzla and cvc5 through proofs/check-smt2.sh's Python bindings; z3 by default)
# z3 is bounded by its resource limit (rlimit 400000000, ten times the most a
# file here needs: 28 million units for shiftadd.smt2), the same on every
# machine; the timeout (default 600 s) is only an outer guard.
# --manifest FILE (proofs/generated/checked.sha256): a file whose sha256 FILE
# lists as answered as expected by this solver is skipped, and counted; the
# others are checked. --update-manifest then records in FILE every file that
# answered as expected (../manifest.sh has the format). Without --manifest
# every file is checked.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jobs=1; limit=600; solver=z3; manifest=; update=0
generated=$(cd "$here/../generated/summarize-second-pass" && pwd)
while [ $# -gt 0 ]; do
  case "$1" in
    --jobs) jobs=$2; shift 2 ;;
    --solver-timeout) limit=$2; shift 2 ;;
    --solver) solver=$2; shift 2 ;;
    --manifest) manifest=$2; shift 2 ;;
    --update-manifest) update=1; shift ;;
    *) echo "check.sh: unknown argument '$1'" >&2; exit 64 ;;
  esac
done
case "$solver" in z3|bitwuzla|cvc5) ;; *) echo "check.sh: unknown solver '$solver'" >&2; exit 64 ;; esac
[ "$update" = 0 ] || [ -n "$manifest" ] || { echo "check.sh: --update-manifest needs --manifest FILE" >&2; exit 64; }
[ "$solver" != z3 ] || command -v z3 >/dev/null || { echo "check.sh: z3 not found (apt-get install z3)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "check.sh: python3 not found" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
(cd "$out" && PYTHONPATH="$here" bash "$here/generate.sh")
if ! diff -rq "$generated" "$out" >/dev/null; then
  echo "check.sh: the generated files differ from proofs/generated/summarize-second-pass (run generate.sh there):" >&2
  diff -rq "$generated" "$out" >&2 || true
  exit 1
fi
mkdir "$out/check"  # the run's lists, apart from the generated files
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
    echo "$f $want" >> "$passed"
  else
    printf "FAIL  %-30s got '%s', expected %s\n" "$(basename "$f")" "$got" "$want"
    return 1
  fi
}
checker="$here/../check-smt2.sh"
passed="$out/check/passed"; : > "$passed"
export -f expect; export limit solver checker passed
{
  for f in "$generated"/*.smt2; do
    case "$f" in
      *.vac.smt2|*_ante_*|*.mut.smt2) echo "$f sat" ;;
      *) echo "$f unsat" ;;
    esac
  done
  for f in "$here"/mut/*.smt2; do echo "$f sat"; done
} > "$out/check/all"
if [ -n "$manifest" ]; then
  sh "$here/../manifest.sh" split "$manifest" "$solver" "$out/check/todo" "$out/check/skipped" < "$out/check/all"
else
  cp "$out/check/all" "$out/check/todo"; : > "$out/check/skipped"
fi
: > "$out/results"
if [ -s "$out/check/todo" ]; then
  xargs -P "$jobs" -L 1 bash -c 'expect "$0" "$1"' < "$out/check/todo" > "$out/results" || true
fi
sort -k2 "$out/results"
total=$(wc -l < "$out/results"); bad=$(grep -c '^FAIL' "$out/results" || true)
if [ -n "$manifest" ]; then
  echo "summarize second pass ($solver): $(wc -l < "$out/check/skipped") files already checked by this solver, skipped"
  if [ "$update" = 1 ]; then
    cat "$out/check/skipped" >> "$passed"
    sh "$here/../manifest.sh" update "$manifest" "$solver" "$out/check/all" "$passed"
    echo "summarize second pass ($solver): $manifest updated"
  fi
fi
if [ -n "$manifest" ] && [ "$total" = 0 ]; then
  echo "summarize second pass ($solver): no file left to check"
else
  echo "summarize second pass: $((total - bad))/$total answers as expected"
fi
[ "$bad" = 0 ]
