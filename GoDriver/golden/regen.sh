#!/bin/sh
# Regenerates traces/golden/*-hand-*.trace and *-random-*.trace: page-allocator
# traces whose results come from Go's real runtime page allocator (Go 1.19.8,
# Debian's golang-1.19-go), through the driver binary (../build.sh).
#
#   apt-get install -y golang-1.19-go     # once
#   GoDriver/golden/regen.sh              # from any directory
#
# Environment: GO_SYSROOT (default: what ../toolchain.sh 1.19 prints, i.e.
# /usr/lib/go-1.19), SKIP_386=1 to skip the 32-bit geometry, GOLDEN_OPS_DIR
# (default traces/generator-inputs) and GOLDEN_OUT_DIR (default
# traces/golden), ALLOCVERIFY_CACHE (the driver cache, as for the Go target),
# GOLDEN_LOCK (default /tmp/swift-build.lock; heavy steps run under flock on
# it so they do not compete with another build on a small box).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
GODRIVER=$(cd "$HERE/.." && pwd)
ROOT=$(cd "$GODRIVER/.." && pwd)
GO_SYSROOT=${GO_SYSROOT:-$(bash "$GODRIVER/toolchain.sh" 1.19 | tail -1)}
OPS=${GOLDEN_OPS_DIR:-$ROOT/traces/generator-inputs}
OUT=${GOLDEN_OUT_DIR:-$ROOT/traces/golden}
CACHE=${ALLOCVERIFY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/allocverify}
LOCK=${GOLDEN_LOCK:-/tmp/swift-build.lock}
mkdir -p "$OPS" "$OUT"
OPS=$(cd "$OPS" && pwd)
OUT=$(cd "$OUT" && pwd)
GOBIN=$GO_SYSROOT/bin/go
export GOROOT="$GO_SYSROOT" GOTOOLCHAIN=local GOFLAGS= GOWORK=off
GOVERSION=$("$GOBIN" version)

# 1. The random operation-only traces (deterministic; the hand-written
#    *-hand-*.ops files are kept as they are).
(cd "$HERE/gen" && "$GOBIN" run . -out "$OPS")

# 2. Apply every operation to Go's real page allocator and write the traces
#    with results. One driver binary per GOARCH (the Go target's own build,
#    cached); its TestGoldenTraces (../driver/zz_golden_test.go) takes the
#    *.ops files whose `geometry` line names its GOARCH.
ARCHES=amd64
[ "${SKIP_386:-}" = 1 ] || ARCHES="amd64 386"
# Build first, so that a failed build leaves the old traces in place.
for arch in $ARCHES; do
	flock "$LOCK" bash "$GODRIVER/build.sh" "$GO_SYSROOT" $arch "$CACHE/drivers" >/dev/null
done
# Only the traces made here: the page-cache and scavenger traces
# (*-cache-*, *-scavenge-*) are recorded through the Go target (README.md).
rm -f "$OUT"/*-random-*.trace "$OUT"/*-hand-*.trace
for arch in $ARCHES; do
	bin=$(bash "$GODRIVER/build.sh" "$GO_SYSROOT" $arch "$CACHE/drivers" 2>/dev/null | tail -1)
	flock "$LOCK" env GOLDEN_OPS_DIR="$OPS" GOLDEN_OUT_DIR="$OUT" GOLDEN_GO_VERSION="$GOVERSION" \
		"$bin" -test.run '^TestGoldenTraces$' -test.count=1 -test.v
done

# 3. Cross-check: do Go's results agree with address-ordered first-fit (the
#    assumption the generator uses to choose valid frees)? Informative only.
(cd "$HERE/gen" && "$GOBIN" run . -crosscheck "$OUT")
