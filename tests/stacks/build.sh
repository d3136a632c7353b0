#!/usr/bin/env bash
# Builds the other stacks' peer programs into build/stacks (or $1): netstack (Go: gVisor's
# netstack, or the kernel through Go's net package) and lwip-tcp (C: lwIP). Offline: Go takes
# gVisor from Debian's GOPATH (/usr/share/gocode), without modules.
#   needs: golang-go golang-gvisor-gvisor-dev liblwip-dev gcc pkg-config
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE/../../build/stacks}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
gvisor_version=$(dpkg-query -W -f='${Version}' golang-gvisor-gvisor-dev 2>/dev/null || echo unknown)
( cd "$HERE/gvisor" &&
  GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS= GOCACHE="$OUT/gocache" \
    go build -ldflags "-X main.gvisorVersion=$gvisor_version" -o "$OUT/netstack" . )
gcc -O2 -Wall -Wextra -Werror -o "$OUT/lwip-tcp" "$HERE/lwip/lwip-tcp.c" \
    $(pkg-config --cflags --libs lwip) -lpthread
