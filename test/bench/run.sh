#!/bin/bash
# The relay benchmark, in one command (as root, on Debian, from anywhere):
#
#   bash test/bench/run.sh                 # the table: 3 repetitions, about 5 minutes on 2 vCPUs
#   bash test/bench/run.sh -reps 5         # more repetitions
#   bash test/bench/run.sh -broadcast      # clients set the BROADCAST flag (broadcast replies)
#   bash test/bench/run.sh -quick          # check the harness in about a minute (figures not comparable)
#   bash test/bench/run.sh -only iphelper,none
#   bash test/bench/run.sh -fallback       # iphelper's fallback server against Kea, about 5 minutes
#
# It builds iphelper (./cmd/iphelper of this tree; IPHELPER_BIN=path uses a
# binary instead), the load generator, the responder and the driver; fetches
# dhcp-helper with `apt-get download` and unpacks it with `dpkg-deb -x` into
# the work directory (the package conflicts with isc-dhcp-relay, so it is not
# installed); builds the lab below out of network namespaces named
# iphb-<pid>-*; runs test/bench/benchrun, which interleaves iphelper, ISC
# dhcrelay, dhcp-helper and a no-relay row (A B C D A B C D …) and prints
# the table (Markdown) and the ratios against the performance targets; and
# removes the namespaces and everything running in them on exit, also on
# failure or Ctrl-C. Arguments are passed to benchrun (see its -help).
#
#   iphb-<pid>-cl  eth0 ──veth── down0  iphb-<pid>-relay  up0 ──veth── eth0  iphb-<pid>-srv
#   (loadgen, emulated clients)  203.0.113.1/24   198.51.100.1/24   198.51.100.2/24 (responder)
#
#   iphb-<pid>-dcl eth0 ──veth── eth0 iphb-<pid>-dsrv 203.0.113.1/24 (responder): the no-relay row
#
# With -fallback no responder runs: iphelper in iphb-<pid>-relay serves
# its fallback scope on down0 (its helper 198.51.100.9 answers nothing),
# kea-dhcp4 serves in iphb-<pid>-dsrv, and dcl's eth0 gets 203.0.113.5/24
# for perfdhcp, which always emulates a relay (giaddr = that address). It
# needs kea-dhcp4-server and kea-admin (perfdhcp; its row is skipped when
# missing) instead of the relays.
#
# Only the documentation ranges 203.0.113.0/24 (clients) and 198.51.100.0/24
# (servers) are used; nothing is added to the root namespace. Every load run
# is bounded in count and time. Needs: iproute2 (ip, ss), isc-dhcp-relay
# (dhcrelay; its row is skipped when missing), apt-get access for dhcp-helper
# (its row is skipped when the download fails), Go ≥ 1.26.
#   BENCH_KEEP=1  keep the work directory (logs, results.json) after the run
#   IPHELPER_B=path  also run that iphelper binary, as row iphelper-b (an A/B in one run)
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$(id -u)" != 0 ]; then
	echo "run.sh: the benchmark needs root (network namespaces, packet sockets)" >&2
	exit 1
fi
if ! command -v go >/dev/null 2>&1; then
	export PATH="$PATH:/usr/local/go/bin"
fi

fallback=0
for a in "$@"; do
	case "$a" in
	-fallback | --fallback | -fallback=true | --fallback=true) fallback=1 ;;
	esac
done

prefix="iphb-$$-"
work=$(mktemp -d /tmp/iphelper-bench.XXXXXX)
namespaces=(cl relay srv dcl dsrv)

# remove_ns kills what runs in a namespace of ours (only this script's lab
# runs there) and deletes it.
remove_ns() {
	local ns=$1 pid
	for pid in $(ip netns pids "$ns" 2>/dev/null); do
		kill -9 "$pid" 2>/dev/null || true
	done
	ip netns del "$ns" 2>/dev/null || true
}

cleanup() {
	local n
	for n in "${namespaces[@]}"; do
		remove_ns "${prefix}${n}"
	done
	if [ "${BENCH_KEEP:-}" = 1 ]; then
		echo "run.sh: work directory kept: $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Leftovers of runs that died: namespaces iphb-PID-* whose PID is gone.
for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^iphb-[0-9]+-' || true); do
	pid=${ns#iphb-}
	pid=${pid%%-*}
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "run.sh: removing stale namespace $ns" >&2
		remove_ns "$ns"
	fi
done

echo "=== build" >&2
mkdir -p "$work/bin"
(cd "$root" && go build -o "$work/bin/" ./test/bench/loadgen ./test/bench/responder ./test/bench/benchrun)
iphelper=${IPHELPER_BIN:-}
if [ -z "$iphelper" ]; then
	(cd "$root" && go build -o "$work/bin/iphelper" ./cmd/iphelper)
	iphelper="$work/bin/iphelper"
fi

dhcrelay=""
dhcp_helper=""
kea=""
perfdhcp=""
if [ "$fallback" = 1 ]; then
	kea=$(command -v kea-dhcp4 || true)
	if [ -z "$kea" ]; then
		echo "run.sh: kea-dhcp4 is not installed (Debian package kea-dhcp4-server)" >&2
		exit 1
	fi
	perfdhcp=$(command -v perfdhcp || true)
	[ -n "$perfdhcp" ] || echo "run.sh: perfdhcp is not installed (Debian package kea-admin): skipping its row" >&2
else
	dhcrelay=$(command -v dhcrelay || true)
	[ -n "$dhcrelay" ] || echo "run.sh: dhcrelay is not installed (Debian package isc-dhcp-relay): skipping its row" >&2
	if (cd "$work" && apt-get download dhcp-helper >/dev/null 2>&1); then
		dpkg-deb -x "$work"/dhcp-helper_*.deb "$work/dhcp-helper"
		dhcp_helper="$work/dhcp-helper/usr/sbin/dhcp-helper"
	else
		echo "run.sh: could not download dhcp-helper (apt-get download dhcp-helper): skipping its row" >&2
	fi
fi

echo "=== lab ${prefix}*" >&2
for n in "${namespaces[@]}"; do
	ip netns add "${prefix}${n}"
	ip -n "${prefix}${n}" link set lo up
done
ipn() { local ns=$1; shift; ip -n "${prefix}${ns}" "$@"; }
ipn cl link add eth0 type veth peer name down0 netns "${prefix}relay"
ipn relay link add up0 type veth peer name eth0 netns "${prefix}srv"
ipn dcl link add eth0 type veth peer name eth0 netns "${prefix}dsrv"
for pair in cl:eth0 relay:down0 relay:up0 srv:eth0 dcl:eth0 dsrv:eth0; do
	ipn "${pair%%:*}" link set "${pair#*:}" up
done
ipn relay addr add 203.0.113.1/24 dev down0
ipn relay addr add 198.51.100.1/24 dev up0
ip netns exec "${prefix}relay" sysctl -qw net.ipv4.ip_forward=1
ipn srv addr add 198.51.100.2/24 dev eth0
ipn srv route add default via 198.51.100.1
ipn dsrv addr add 203.0.113.1/24 dev eth0
if [ "$fallback" = 1 ]; then
	ipn dcl addr add 203.0.113.5/24 dev eth0 # perfdhcp's giaddr; outside the servers' pool
fi

echo "=== benchmark (progress on stderr, table on stdout)" >&2
timeout 100m "$work/bin/benchrun" -prefix "$prefix" -bin "$work/bin" -dir "$work" \
	-iphelper "$iphelper" -iphelper-b "${IPHELPER_B:-}" -dhcrelay "$dhcrelay" -dhcp-helper "$dhcp_helper" \
	-kea "$kea" -perfdhcp "$perfdhcp" "$@"
