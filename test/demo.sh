#!/bin/bash
# Builds iphelper and runs the demo (test/demo): a client, the relay and a DHCP
# server in network namespaces, and the story of one lease. Needs root.
#   test/demo.sh [-relay iphelper|dhcrelay] [-server kea|dhcpd] [-v] [-- iphelper run flags…]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v go >/dev/null 2>&1 || export PATH="$PATH:/usr/local/go/bin"
if [ "$(id -u)" != 0 ]; then
	echo "demo.sh: needs root (it creates network namespaces)" >&2
	exit 1
fi
bash test/install-packages.sh # the peers: Kea, dhclient, tcpdump… (only what is missing)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/iphelper" ./cmd/iphelper
go build -o "$tmp/demo" ./test/demo
"$tmp/demo" -iphelper "$tmp/iphelper" "$@"
