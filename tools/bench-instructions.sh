#!/bin/bash
# Instructions per yardstick operation (../shared/BENCH.md), the port against
# Go's own page allocator, counted by valgrind's callgrind: a figure that does
# not move with the machine's noise, to read beside `verify bench --go V
# --rounds N`'s timings.
#
#   tools/bench-instructions.sh [GO_VERSION]      (default 1.19)
#
# With Go 1.21 or later it also counts the scavenging mix (README.md, "The
# yardstick with scavenges"): port@1.27 against that Go's own scavenger.
#
# Needs valgrind, a release build (swift build -c release), and a Go driver
# built once by `verify bench --go GO_VERSION` (it is cached). Only the timed
# loops are counted (--toggle-collect), so heap construction is left out.
set -euo pipefail
version=${1:-1.19}
here=$(cd "$(dirname "$0")/.." && pwd)
verify=$here/.build/release/verify
[ -x "$verify" ] || { echo "error: no release build at $verify (swift build -c release)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "error: valgrind is not installed (apt-get install -y valgrind)" >&2; exit 2; }
driver=""
# The newest such driver (the cache keeps builds of older driver sources too).
for info in $(ls -tr "$HOME"/.cache/allocverify/drivers/*/info.txt 2>/dev/null); do
  [ -f "$info" ] || continue
  # The host's toolchain builds drivers for every GOARCH: take the amd64 one.
  if grep -q "go version go$version[. ].*linux/amd64" "$info" && grep -qx 'goarch: amd64' "$info" && ! grep -q '\.diff' "$info"; then
    driver=$(dirname "$info")/driver.test
  fi
done
[ -n "$driver" ] || { echo "error: no unpatched Go $version amd64 driver cached; run: $verify bench --go $version" >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pairs=200000 mixed=300000
# The collected instruction count; none means the toggle named no function
# (a renamed or moved benchmark loop): stop rather than print a zero.
count() {
  local n; n=$(grep -o 'refs: *[0-9,]*' "$1" | tr -dc 0-9)
  [ "${n:-0}" -gt 0 ] || { echo "error: callgrind counted nothing in $1 (does --toggle-collect still name the loop?)" >&2; exit 3; }
  echo "$n"
}
valgrind --tool=callgrind --callgrind-out-file="$tmp/p" --toggle-collect='$s9Campaigns18yardstickAllocFree*' \
  "$verify" bench --pairs $pairs --mixed 1000 --scav 0 --summary-calls 10 >/dev/null 2>"$tmp/p.err"
valgrind --tool=callgrind --callgrind-out-file="$tmp/m" --toggle-collect='$s9Campaigns14yardstickMixed*' \
  "$verify" bench --pairs 1000 --mixed $mixed --scav 0 --summary-calls 10 >/dev/null 2>"$tmp/m.err"
portPair=$(( $(count "$tmp/p.err") / pairs )); portMixed=$(( $(count "$tmp/m.err") / mixed ))
# Go: asynchronous preemption signals upset callgrind; the runtime does not need them here.
GODEBUG=asyncpreemptoff=1 ALLOCVERIFY_YARDSTICK=$pairs,1000 valgrind --tool=callgrind --callgrind-out-file="$tmp/gp" \
  --toggle-collect='runtime.(*AllocVerifyPageAlloc).AllocVerifyYardstickPairs' \
  "$driver" -test.run='^TestAllocVerifyYardstick$' -test.count=1 >/dev/null 2>"$tmp/gp.err"
GODEBUG=asyncpreemptoff=1 ALLOCVERIFY_YARDSTICK=1000,$mixed valgrind --tool=callgrind --callgrind-out-file="$tmp/gm" \
  --toggle-collect='runtime.(*AllocVerifyPageAlloc).AllocVerifyYardstickMixed' \
  "$driver" -test.run='^TestAllocVerifyYardstick$' -test.count=1 >/dev/null 2>"$tmp/gm.err"
goPair=$(( $(count "$tmp/gp.err") / pairs )); goMixed=$(( $(count "$tmp/gm.err") / mixed ))
printf 'instructions per operation   port   Go %s   port/Go\n' "$version"
printf 'alloc(1)+free(1) pair      %6d   %6d     %s\n' $portPair $goPair "$(awk "BEGIN{printf \"%.3f\", $portPair/$goPair}")"
printf 'mixed operation            %6d   %6d     %s\n' $portMixed $goMixed "$(awk "BEGIN{printf \"%.3f\", $portMixed/$goMixed}")"
minor=$(echo "$version" | cut -d. -f2)
if [ "${minor:-0}" -ge 21 ]; then
  scav=300000
  valgrind --tool=callgrind --callgrind-out-file="$tmp/s" --toggle-collect='$s9Campaigns18yardstickScavMixed*' \
    "$verify" bench --pairs 1000 --mixed 1000 --scav $scav --summary-calls 10 >/dev/null 2>"$tmp/s.err"
  GODEBUG=asyncpreemptoff=1 ALLOCVERIFY_YARDSTICK=1000,1000,$scav valgrind --tool=callgrind --callgrind-out-file="$tmp/gs" \
    --toggle-collect='runtime.(*AllocVerifyPageAlloc).AllocVerifyYardstickScav' \
    "$driver" -test.run='^TestAllocVerifyYardstick$' -test.count=1 >/dev/null 2>"$tmp/gs.err"
  portScav=$(( $(count "$tmp/s.err") / scav )); goScav=$(( $(count "$tmp/gs.err") / scav ))
  printf 'scavenging mix (port@1.27) %6d   %6d     %s\n' $portScav $goScav "$(awk "BEGIN{printf \"%.3f\", $portScav/$goScav}")"
fi
