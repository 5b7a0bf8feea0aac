#!/usr/bin/env bash
# Builds a copy of this package whose *faithful* port is broken in its
# source, not behind a variant: the supervisor-rule test runs it so that any
# path where the supervisor runs the port (which a variant can hide, since
# helpers may reset it to faithful) dies in front of the test.
#
# The copy reads ALLOCVERIFY_MUTANT when it starts:
#   trap  find reads levelBits one level past the leaves when it finds a
#         run straddling entries (an index out of range);
#   loop  find's scan of a leaf level stops advancing (an endless loop).
# Unset, the copy is the faithful port.
#
# usage: tools/mutant-port/build.sh [DIR]   (default: the cache's mutant-port)
# Prints the path of the copy's verify executable. Files that did not change
# are not rewritten, so a second build is incremental.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cache=${ALLOCVERIFY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/allocverify}
out=${1:-$cache/mutant-port}
stage=$out/stage
pkg=$out/pkg
rm -rf "$stage"
mkdir -p "$stage" "$pkg"
cp -R "$root/Package.swift" "$root/Sources" "$root/Models" "$root/proofs" "$root/Tests" "$stage/"
[ -f "$root/Package.resolved" ] && cp "$root/Package.resolved" "$stage/"

cat > "$stage/Sources/PageAlloc/Mutant.swift" <<'SWIFT'
#if canImport(Glibc)
import Glibc
#endif
/// The source-level mutation this copy carries (tools/mutant-port/build.sh).
let sourceMutant: String = getenv("ALLOCVERIFY_MUTANT").map { String(cString: $0) } ?? ""
SWIFT
f=$stage/Sources/PageAlloc/PageAlloc+Find.swift
grep -q 'if variant == .trapInFind && levelBits\[l + 1\] < 0' "$f"
sed -i 's/if variant == .trapInFind && levelBits\[l + 1\] < 0/if (variant == .trapInFind || sourceMutant == "trap") \&\& levelBits[l + 1] < 0/' "$f"
grep -q 'sourceMutant == "trap"' "$f"
grep -q 'if variant == .loopInFind && l == summary.count - 1 && j > j0 { j -= 1 }' "$f"
sed -i 's/if variant == .loopInFind && l == summary.count - 1 && j > j0 { j -= 1 }/if (variant == .loopInFind || sourceMutant == "loop") \&\& l == summary.count - 1 \&\& j > j0 { j -= 1 }/' "$f"
grep -q 'sourceMutant == "loop"' "$f"

# Copy what changed into the package the builds use.
(cd "$stage" && find . -type f) | while read -r p; do
  if ! cmp -s "$stage/$p" "$pkg/$p"; then mkdir -p "$(dirname "$pkg/$p")"; cp "$stage/$p" "$pkg/$p"; fi
done
(cd "$pkg" && find . -path ./.build -prune -o -type f -print) | while read -r p; do
  [ -e "$stage/$p" ] || rm -f "$pkg/$p"
done
cd "$pkg"
swift build --product verify >&2
echo "$pkg/.build/debug/verify"
