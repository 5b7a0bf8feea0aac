#!/bin/sh
# Regenerates golden/*.trace: page-allocator traces whose results come from
# Go's real runtime page allocator (Go 1.19.8, Debian's golang-1.19-go).
#
#   apt-get install -y golang-1.19-go     # once
#   ./regen.sh                            # from any directory
#
# Environment: GO_SYSROOT (default /usr/lib/go-1.19), SKIP_386=1 to skip the
# 32-bit geometry, GOLDEN_LOCK (default /tmp/swift-build.lock; heavy steps run
# under flock on it so they do not compete with another build on a small box).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
GO_SYSROOT=${GO_SYSROOT:-/usr/lib/go-1.19}
GR=$HERE/goroot
LOCK=${GOLDEN_LOCK:-/tmp/swift-build.lock}

# 1. A scratch copy of GOROOT (symlinks such as src -> /usr/share/go-1.19/src
#    followed), so that test files can be added to its runtime package without
#    touching the system install.
if [ ! -x "$GR/bin/go" ]; then
	cp -aL "$GO_SYSROOT" "$GR"
fi
cp "$HERE/runtime-test/zz_golden_export_test.go" "$HERE/runtime-test/zz_golden_test.go" "$GR/src/runtime/"
export GOROOT="$GR"
GOVERSION=$("$GR/bin/go" version)

# 2. The random operation-only traces (deterministic; the hand-written
#    ops/*-hand-*.ops files are kept as they are).
(cd "$HERE/gen" && "$GR/bin/go" run . -out "$HERE/ops")

# 3. Apply every operation to Go's real page allocator and write the traces
#    with results. One run per GOARCH; each takes the *.ops files whose
#    `geometry` line names its GOARCH.
mkdir -p "$HERE/../../Tests/Golden"
# Only the traces made here: the page-cache and scavenger traces
#    (*-cache-*, *-scavenge-*) are recorded through the Go target (README).
rm -f "$HERE"/../../Tests/Golden/*-random-*.trace "$HERE"/../../Tests/Golden/*-hand-*.trace
ARCHES=amd64
[ "${SKIP_386:-}" = 1 ] || ARCHES="amd64 386"
for arch in $ARCHES; do
	flock "$LOCK" env GOARCH=$arch GOLDEN_OPS_DIR="$HERE/ops" GOLDEN_OUT_DIR="$HERE/../../Tests/Golden" \
		GOLDEN_GO_VERSION="$GOVERSION" \
		"$GR/bin/go" test runtime -run '^TestGoldenTraces$' -count=1 -v
done

# 4. Cross-check: do Go's results agree with address-ordered first-fit (the
#    assumption the generator uses to choose valid frees)? Informative only.
(cd "$HERE/gen" && "$GR/bin/go" run . -crosscheck "$HERE/../../Tests/Golden")
