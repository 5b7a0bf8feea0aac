#!/usr/bin/env bash
# build.sh GOROOT GOARCH OUTDIR [PATCH.diff ...]
#
# Builds the allocverify driver (Go's runtime package test binary with the
# driver files of driver/ added) for GOARCH with the Go toolchain at GOROOT,
# WITHOUT modifying GOROOT: `go test -c -overlay` adds the driver files to
# $GOROOT/src/runtime and replaces each file a patch touches by a patched
# copy. Patch paths are relative to GOROOT (a/src/runtime/mpagealloc.go),
# applied with patch -p1.
#
# Cache: OUTDIR/KEY/driver.test, KEY = sha256 over this script, the driver
# files, the patches, GOARCH, `go version`, the GOROOT path and
# $GOROOT/src/runtime/*.go. A cached binary is reused without building.
#
# The binary's path is the LAST line of stdout; progress goes to stderr.
set -euo pipefail

die() { echo "build.sh: error: $*" >&2; exit 1; }
log() { echo "build.sh: $*" >&2; }
jsonesc() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; printf '%s' "$s"; }

[ $# -ge 3 ] || die "usage: build.sh GOROOT GOARCH OUTDIR [PATCH.diff ...]"
GOROOT_IN=$1 GOARCH_IN=$2 OUTDIR_IN=$3
shift 3

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
driverdir=$here/driver

[ -d "$GOROOT_IN" ] || die "GOROOT $GOROOT_IN is not a directory"
goroot=$(cd "$GOROOT_IN" && pwd -P)
gobin=$goroot/bin/go
[ -x "$gobin" ] || die "no go binary at $gobin"
[ -d "$goroot/src/runtime" ] || die "no $goroot/src/runtime"
[ -n "$GOARCH_IN" ] || die "empty GOARCH"
mkdir -p "$OUTDIR_IN" || die "cannot create $OUTDIR_IN"
outdir=$(cd "$OUTDIR_IN" && pwd -P)

patches=()
for p in "$@"; do
    [ -f "$p" ] || die "patch $p not found"
    patches+=("$(cd "$(dirname "$p")" && pwd -P)/$(basename "$p")")
done

export GOROOT=$goroot GOTOOLCHAIN=local GOFLAGS= CGO_ENABLED=0 GOARCH=$GOARCH_IN GOOS=linux GOWORK=off GO111MODULE=

goversion=$("$gobin" version) || die "'$gobin version' failed"

driverfiles=()
for f in "$driverdir"/*.go; do driverfiles+=("$f"); done
[ ${#driverfiles[@]} -gt 0 ] || die "no driver files in $driverdir"

# Cache key.
key=$(
    {
        echo "allocverify-build 1"
        echo "script"; sha256sum < "${BASH_SOURCE[0]}"
        (cd "$driverdir" && sha256sum -- *.go)
        for p in ${patches[@]+"${patches[@]}"}; do echo "patch"; sha256sum < "$p"; done
        echo "goarch $GOARCH_IN"
        echo "goversion $goversion"
        echo "goroot $goroot"
        echo "runtime"
        (cd "$goroot/src/runtime" && sha256sum -- *.go)
    } | sha256sum | cut -c1-32
)
dest=$outdir/$key
bin=$dest/driver.test
if [ -x "$bin" ]; then
    log "cached: $bin"
    echo "$bin"
    exit 0
fi

work=$(mktemp -d "$outdir/.build-$key.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Overlay: driver files, and a patched copy of every file a patch touches.
mkdir -p "$work/patched"
overlay_entries=()
for f in "${driverfiles[@]}"; do
    overlay_entries+=("$goroot/src/runtime/$(basename "$f")=$f")
done
touched=()
for p in ${patches[@]+"${patches[@]}"}; do
    while IFS= read -r rel; do
        [ -n "$rel" ] || continue
        case "$rel" in /*|*..*) die "patch $p: unsafe path $rel" ;; esac
        if [ ! -e "$work/patched/$rel" ]; then
            [ -f "$goroot/$rel" ] || die "patch $p touches $rel, which is not in $goroot"
            mkdir -p "$work/patched/$(dirname "$rel")"
            cp "$goroot/$rel" "$work/patched/$rel"
            chmod u+w "$work/patched/$rel"
            touched+=("$rel")
        fi
    done < <(sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "$p")
    log "applying $(basename "$p")"
    (cd "$work/patched" && patch -p1 --batch --forward --fuzz=0 --no-backup-if-mismatch < "$p" >&2) \
        || die "patch $p does not apply to $goroot ($goversion)"
done
for rel in ${touched[@]+"${touched[@]}"}; do
    overlay_entries+=("$goroot/$rel=$work/patched/$rel")
done
{
    printf '{"Replace":{'
    sep=
    for e in "${overlay_entries[@]}"; do
        printf '%s"%s":"%s"' "$sep" "$(jsonesc "${e%%=*}")" "$(jsonesc "${e#*=}")"
        sep=,
    done
    printf '}}\n'
} > "$work/overlay.json"

log "building driver: $goversion GOARCH=$GOARCH_IN GOROOT=$goroot${patches[*]:+ patches: ${patches[*]}}"
start=$(date +%s)
mkdir -p "$work/cwd"
if ! (cd "$work/cwd" && "$gobin" test -c -vet=off -overlay "$work/overlay.json" -o "$work/driver.test" runtime >&2); then
    die "go test -c failed ($goversion GOARCH=$GOARCH_IN)"
fi
log "built in $(( $(date +%s) - start ))s"

mkdir -p "$dest"
{
    echo "go version: $goversion"
    echo "goroot: $goroot"
    echo "goarch: $GOARCH_IN"
    echo "patches:"
    for p in ${patches[@]+"${patches[@]}"}; do echo "  $p sha256=$(sha256sum < "$p" | cut -d' ' -f1)"; done
    echo "driver files:"
    for f in "${driverfiles[@]}"; do echo "  $(basename "$f")"; done
    echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$work/info.txt"
mv -f "$work/info.txt" "$dest/info.txt"
mv -f "$work/driver.test" "$bin"
echo "$bin"
