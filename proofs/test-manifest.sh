#!/bin/sh
# Test of check-smt2.sh --manifest (and manifest.sh), in about a second: a
# fake z3 on PATH logs every file it is given and answers unsat (sat for a
# file containing BROKEN). On three small files it checks that
#   - a first run checks all three and records them;
#   - a second run gives none to the solver, and says three were skipped;
#   - after one byte of one file changes, only that file is checked again;
#   - a file that fails is not recorded, and is checked again next time;
#   - without --manifest every file is checked;
#   - an entry for one expected answer does not skip a file expecting another.
# Exit status 0 when all hold, 1 otherwise.
set -u
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/d/sub"
cat >"$tmp/bin/z3" <<'EOF'
#!/bin/sh
# Fake z3: the file is the last argument.
for f; do :; done
echo "$f" >>"$FAKE_Z3_LOG"
if grep -q BROKEN "$f"; then echo sat; else echo unsat; fi
EOF
chmod +x "$tmp/bin/z3"
PATH=$tmp/bin:$PATH
FAKE_Z3_LOG=$tmp/log
export PATH FAKE_Z3_LOG
for n in a b sub/c; do printf '(set-logic QF_BV)\n; %s\n(check-sat)\n' "$n" >"$tmp/d/$n.smt2"; done
m=$tmp/checked.sha256
failures=0
fail() { echo "test-manifest: FAIL: $1" >&2; failures=$((failures + 1)); }

# run ARGS...: run check-smt2.sh on the directory; sets $status, $output and
# $checked (the files the fake solver was given, sorted, space-separated).
run() {
    : >"$FAKE_Z3_LOG"
    output=$(sh "$here/check-smt2.sh" --jobs 2 "$@" "$tmp/d" 2>&1)
    status=$?
    checked=$(sed "s|^$tmp/d/||" "$FAKE_Z3_LOG" | LC_ALL=C sort | tr '\n' ' ')
}
expect() {  # what, wanted status, wanted checked files
    [ "$status" = "$2" ] || fail "$1: exit status $status, expected $2"
    [ "$checked" = "$3" ] || fail "$1: checked '$checked', expected '$3'"
}

run --manifest "$m" --update-manifest
expect "first run" 0 "a.smt2 b.smt2 sub/c.smt2 "
[ "$(grep -vc '^#' "$m")" = 3 ] || fail "first run: the manifest has not 3 lines"

run --manifest "$m"
expect "second run" 0 ""
echo "$output" | grep -q "3 files already checked by this solver, skipped" || fail "second run: no skip count"

# The negative control: one byte of b changes.
sed 's/; b/; B/' "$tmp/d/b.smt2" >"$tmp/b" && mv "$tmp/b" "$tmp/d/b.smt2"
run --manifest "$m" --update-manifest
expect "one byte changed" 0 "b.smt2 "
echo "$output" | grep -q "2 files already checked by this solver, skipped" || fail "one byte changed: no skip count"
run --manifest "$m"
expect "after recording the change" 0 ""

# A failing file: reported, not recorded, so checked again.
echo "; BROKEN" >>"$tmp/d/sub/c.smt2"
run --manifest "$m" --update-manifest
expect "a failing file" 1 "sub/c.smt2 "
grep -q "sub/c.smt2" "$m" && fail "a failing file: still in the manifest"
run --manifest "$m"
expect "a failing file, again" 1 "sub/c.smt2 "

run
expect "without --manifest" 1 "a.smt2 b.smt2 sub/c.smt2 "

# The expected answer is part of the key: a file recorded as unsat is not
# skipped where sat is expected, nor for another solver.
echo "$tmp/d/a.smt2 sat" | sh "$here/manifest.sh" split "$m" z3 "$tmp/todo" "$tmp/skipped"
[ -s "$tmp/todo" ] && [ ! -s "$tmp/skipped" ] || fail "a file expecting sat was skipped on an unsat entry"
echo "$tmp/d/a.smt2 unsat" | sh "$here/manifest.sh" split "$m" bitwuzla "$tmp/todo" "$tmp/skipped"
[ -s "$tmp/todo" ] && [ ! -s "$tmp/skipped" ] || fail "a file was skipped on another solver's entry"

if [ "$failures" -ne 0 ]; then echo "test-manifest: $failures failures" >&2; exit 1; fi
echo "test-manifest: ok"
