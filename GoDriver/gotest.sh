#!/usr/bin/env bash
# gotest.sh GOROOT TESTFILE [PATCH.diff ...]
#
# Runs `go test -run TestAllocVerify -count=1 runtime` with the Go at GOROOT,
# TESTFILE added to $GOROOT/src/runtime together with its companion of
# export helpers (export_allocverify_test.go in TESTFILE's directory, if it
# exists, else the one in GoDriver/gotest/; $ALLOCVERIFY_COMPANION
# overrides), and each patch applied. As in
# build.sh, nothing in GOROOT is written (it may be read-only): files are
# added, and patched copies replace the originals, through `go test -overlay`.
# Patch paths are relative to GOROOT (a/src/runtime/mgcscavenge.go), applied
# with patch -p1. Extra go test flags: $GOTESTFLAGS (e.g. -v).
# Prints go test's output; the exit status is go test's (2 for a usage error).
set -euo pipefail
die() { echo "gotest.sh: error: $*" >&2; exit 2; }

[ $# -ge 2 ] || die "usage: gotest.sh GOROOT TESTFILE [PATCH.diff ...]"
goroot=$(cd "$1" 2>/dev/null && pwd -P) || die "no GOROOT $1"
[ -x "$goroot/bin/go" ] || die "no go binary at $goroot/bin/go"
[ -f "$2" ] || die "no test file $2"
testfile=$(realpath "$2")
shift 2
case "$testfile" in *_test.go) ;; *) die "$testfile: the name must end in _test.go" ;; esac
# -run matching nothing would PASS silently.
grep -q '^func TestAllocVerify' "$testfile" || die "$testfile declares no TestAllocVerify* function"

work=$(mktemp -d "${TMPDIR:-/tmp}/gotest.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Overlay entries, "path in GOROOT=replacement".
entries=("$goroot/src/runtime/$(basename "$testfile")=$testfile")
companion=${ALLOCVERIFY_COMPANION:-$(dirname "$testfile")/export_allocverify_test.go}
[ -f "$companion" ] || companion=$(dirname "$(realpath "$0")")/gotest/export_allocverify_test.go
if [ -f "$companion" ] && [ "$(realpath "$companion")" != "$testfile" ]; then
    entries+=("$goroot/src/runtime/$(basename "$companion")=$(realpath "$companion")")
fi

# Patches: copy each file a patch touches (once), make the copy writable
# (a read-only GOROOT's files are read-only) and patch the copy.
mkdir "$work/patched"
for p in "$@"; do
    [ -f "$p" ] || die "no patch $p"
    for rel in $(sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$p"); do
        case "$rel" in /*|*..*) die "$p: unsafe path $rel" ;; esac
        [ -f "$goroot/$rel" ] || die "$p touches $rel, which is not in $goroot"
        if [ ! -e "$work/patched/$rel" ]; then
            mkdir -p "$work/patched/$(dirname "$rel")"
            cp "$goroot/$rel" "$work/patched/$rel" && chmod u+w "$work/patched/$rel"
            entries+=("$goroot/$rel=$work/patched/$rel")
        fi
    done
    (cd "$work/patched" && patch -p1 --batch --forward --fuzz=0 --no-backup-if-mismatch -s) < "$p" >&2 \
        || die "patch $p does not apply to $goroot"
done

# The overlay file (paths are assumed to need no JSON escaping but \ and ").
{
    printf '{"Replace":{'
    sep=
    for e in "${entries[@]}"; do
        k=${e%%=*} v=${e#*=}
        k=${k//\\/\\\\} v=${v//\\/\\\\}
        printf '%s"%s":"%s"' "$sep" "${k//\"/\\\"}" "${v//\"/\\\"}"
        sep=,
    done
    printf '}}\n'
} > "$work/overlay.json"

# Run from an empty directory outside any module, with this toolchain only.
export GOROOT=$goroot GOTOOLCHAIN=local GOFLAGS= GOWORK=off GO111MODULE= CGO_ENABLED=0
mkdir "$work/cwd" && cd "$work/cwd"
"$goroot/bin/go" version >&2
# Before Go 1.24, cmd/go hands vet the files of GOROOT, not the overlay's
# (buildVetConfig), so vet fails on the added files: turn it off there.
vet=
minor=$("$goroot/bin/go" env GOVERSION | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
if [ "${minor:-99}" -lt 24 ]; then
    vet=-vet=off
    echo "gotest.sh: go vet ignores -overlay before Go 1.24: running with -vet=off" >&2
fi
rc=0
# shellcheck disable=SC2086 # GOTESTFLAGS is a list of flags
"$goroot/bin/go" test $vet -overlay "$work/overlay.json" -run 'TestAllocVerify' -count=1 ${GOTESTFLAGS:-} runtime || rc=$?
exit $rc
