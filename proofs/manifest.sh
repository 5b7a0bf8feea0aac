#!/bin/sh
# The manifest of checked proof files, shared by check-smt2.sh and
# summarize-second-pass/check.sh (their --manifest and --update-manifest).
# One line per file content a solver has answered as expected:
#
#   <sha256 of the file>  <solver>  <expected answer>  <path>
#
# The path is relative to the repository root (absolute for a file outside
# it) and is only for people and for pruning: a file is skipped when its
# hash, the solver and the expected answer are on one line, whatever its
# path. Lines starting with # are comments.
#
#   manifest.sh split MANIFEST SOLVER TODO SKIPPED
#       reads "FILE WANT" lines on stdin; writes to SKIPPED those the
#       manifest lists for SOLVER, to TODO the others (same format).
#   manifest.sh update MANIFEST SOLVER RUN PASSED
#       RUN: the "FILE WANT" lines of one check; PASSED: those that answered
#       WANT (or were skipped). Drops SOLVER's lines for RUN's files and for
#       files that no longer exist, adds one line per PASSED file, and
#       rewrites MANIFEST sorted by path and solver.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
if command -v sha256sum >/dev/null 2>&1; then sha=sha256sum; else sha="shasum -a 256"; fi

# The sha256 of each file of the "FILE WANT" lines in $1, as "HASH FILE" lines.
# A file that cannot be read has no line (and is then never skipped).
hashes() {
    [ -s "$1" ] || return 0
    cut -d' ' -f1 "$1" | xargs $sha | awk '{ print $1, substr($0, length($1) + 3) }'
}
# An awk function: a file's path as the manifest writes it.
pathkey='function pathkey(f) {
    if (substr(f, 1, 1) != "/") f = pwd "/" f
    if (index(f, root "/") == 1) f = substr(f, length(root) + 2)
    return f
}'

cmd=${1:-}
case "$cmd" in
    split)
        [ $# -eq 5 ] || { echo "manifest.sh: split MANIFEST SOLVER TODO SKIPPED" >&2; exit 64; }
        manifest=$2 solver=$3 todo=$4 skipped=$5
        [ -f "$manifest" ] || manifest=/dev/null
        tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
        cat >"$tmp/input"
        hashes "$tmp/input" >"$tmp/hashes"
        : >"$todo"; : >"$skipped"
        awk -v solver="$solver" -v todo="$todo" -v skipped="$skipped" '
            FILENAME == ARGV[1] { if (!/^#/ && NF >= 4) known[$1 " " $2 " " $3] = 1; next }
            FILENAME == ARGV[2] { hash[$2] = $1; next }
            { print > ((($1 in hash) && ((hash[$1] " " solver " " $2) in known)) ? skipped : todo) }
        ' "$manifest" "$tmp/hashes" "$tmp/input"
        ;;
    update)
        [ $# -eq 5 ] || { echo "manifest.sh: update MANIFEST SOLVER RUN PASSED" >&2; exit 64; }
        manifest=$2 solver=$3 run=$4 passed=$5
        new=$(mktemp "$manifest.XXXXXX"); tmp=$(mktemp -d)
        trap 'rm -rf "$new" "$tmp"' EXIT
        awk -v root="$root" -v pwd="$PWD" "$pathkey"' { print pathkey($1) }' "$run" >"$tmp/runpaths"
        hashes "$passed" >"$tmp/hashes"
        {
            echo "# Proof files each solver has answered as expected: sha256, solver, expected answer, path."
            echo "# Written by check-smt2.sh and summarize-second-pass/check.sh --update-manifest; not by hand."
            {
                # The old lines, less this solver's for this run's files and for files gone.
                if [ -f "$manifest" ]; then
                    awk -v solver="$solver" '
                        FILENAME == ARGV[1] { inrun[$0] = 1; next }
                        /^#/ || NF < 4 { next }
                        $2 == solver && ($4 in inrun) { next }
                        { print $1, $2, $3, $4 }
                    ' "$tmp/runpaths" "$manifest" |
                        while read -r h s w p; do
                            case "$p" in /*) f=$p ;; *) f=$root/$p ;; esac
                            [ "$s" != "$solver" ] || [ -e "$f" ] || continue
                            echo "$h  $s  $w  $p"
                        done
                fi
                # A line for each file that passed.
                awk -v root="$root" -v pwd="$PWD" -v solver="$solver" "$pathkey"'
                    FILENAME == ARGV[1] { want[$1] = $2; next }
                    $2 in want { print $1 "  " solver "  " want[$2] "  " pathkey($2) }
                ' "$passed" "$tmp/hashes"
            } | LC_ALL=C sort -u -b -k4,4 -k2,2 -k3,3 -k1,1
        } >"$new"
        mv "$new" "$manifest"
        ;;
    *) echo "manifest.sh: split|update ..." >&2; exit 64 ;;
esac
