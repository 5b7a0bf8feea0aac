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
# With ALLOCVERIFY_GO_COVER=1 the build is a coverage build: the page heap's
# files (mpagealloc*.go, mpallocbits.go, mpagecache.go, mranges.go,
# mgcscavenge.go; patched first, if a patch touches them) are instrumented
# with `go tool cover -mode=count`, each counter guarded by a switch the
# driver turns on only while the test pageAlloc works on an operation. The
# instrumented sources' originals are kept in OUTDIR/KEY/src/runtime/, which
# the counters' positions refer to (verify ... --go-coverage DIR).
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
        echo "cover ${ALLOCVERIFY_GO_COVER:-0}"
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
cover=${ALLOCVERIFY_GO_COVER:-0}
coverfile=$work/zz_allocverify_cover_test.go
if [ "$cover" = 1 ]; then
    # The page heap's files in this GOARCH's build, instrumented.
    mkdir -p "$work/cwd"
    infiles=$(cd "$work/cwd" && "$gobin" list -f '{{join .GoFiles " "}}' runtime) || die "go list runtime failed"
    mkdir -p "$dest/src/runtime" "$work/cover"
    registry=""
    n=0
    for f in mpagealloc.go mpagealloc_64bit.go mpagealloc_32bit.go mpallocbits.go mpagecache.go mranges.go mgcscavenge.go; do
        case " $infiles " in *" $f "*) ;; *) continue ;; esac
        rel=src/runtime/$f
        src=$goroot/$rel
        [ -e "$work/patched/$rel" ] && src=$work/patched/$rel
        cp "$src" "$dest/src/runtime/$f"
        var=allocverifyCov$n
        "$gobin" tool cover -mode=count -var="$var" -o "$work/cover/$f" "$dest/src/runtime/$f" \
            || die "go tool cover failed on $f"
        # Count only while the driver says so (the test pageAlloc at work).
        sed -i "s/$var\.Count\[\([0-9]*\)\]++;/if allocverifyCoverOn { $var.Count[\1]++ };/g" "$work/cover/$f"
        grep -q "if allocverifyCoverOn { $var.Count" "$work/cover/$f" || die "no guarded counter in $f"
        if grep -q "$var\.Count\[[0-9]*\]++;" "$work/cover/$f"; then die "an unguarded counter is left in $f"; fi
        registry="$registry		{Path: \"$(jsonesc "$dest/src/runtime/$f")\", Count: $var.Count[:], Pos: $var.Pos[:], NumStmt: $var.NumStmt[:]},
"
        # The instrumented file replaces the original (or its patched copy).
        keep=()
        for e in "${overlay_entries[@]}"; do [ "${e%%=*}" = "$goroot/$rel" ] || keep+=("$e"); done
        overlay_entries=("${keep[@]}")
        overlay_entries+=("$goroot/$rel=$work/cover/$f")
        left=()
        for t in ${touched[@]+"${touched[@]}"}; do [ "$t" = "$rel" ] || left+=("$t"); done
        touched=(${left[@]+"${left[@]}"})
        n=$((n + 1))
    done
    [ "$n" -gt 0 ] || die "no page heap file to instrument"
    cat > "$coverfile" <<GO
// Generated by GoDriver/build.sh for a coverage build (not part of Go).

package runtime

// allocverifyCoverOn is read by every instrumented statement of the page heap.
var allocverifyCoverOn bool

func AllocVerifyCoverOn(on bool) { allocverifyCoverOn = on }

func AllocVerifyCoverData() []AllocVerifyCoverFile {
	return []AllocVerifyCoverFile{
$registry	}
}
GO
else
    cat > "$coverfile" <<'GO'
// Generated by GoDriver/build.sh (not part of Go): not a coverage build.

package runtime

func AllocVerifyCoverOn(on bool) {}

func AllocVerifyCoverData() []AllocVerifyCoverFile { return nil }
GO
fi
overlay_entries+=("$goroot/src/runtime/zz_allocverify_cover_test.go=$coverfile")
for rel in ${touched[@]+"${touched[@]}"}; do
    [ -n "$rel" ] && overlay_entries+=("$goroot/$rel=$work/patched/$rel")
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
