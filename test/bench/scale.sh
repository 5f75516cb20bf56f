#!/bin/bash
# Measures iphelper with N pattern-matched downstream interfaces (default
# 1000): time until all are listening, idle CPU over 20 s, RSS, open fds.
# The interfaces are macvlans on one veth in a namespace of its own (this
# kernel has no 802.1Q; the relay treats them the same). Needs root.
#   bash test/bench/scale.sh [N]
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v go >/dev/null 2>&1 || export PATH="$PATH:/usr/local/go/bin"
n=${1:-1000}
[ "$(id -u)" = 0 ] || { echo "scale.sh: needs root (network namespaces)" >&2; exit 1; }
tmp=$(mktemp -d)
ns="iphs-$$"
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
	ip netns del "$ns-p" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
go build -o "$tmp/iphelper" ./cmd/iphelper
ip netns add "$ns"
ip netns add "$ns-p"
ip link add t0 netns "$ns" type veth peer name t1 netns "$ns-p"
ip -n "$ns" link set lo up
ip -n "$ns" link set t0 up
ip -n "$ns-p" link set t1 up
ip -n "$ns" addr add 198.51.100.1/25 dev lo
for i in $(seq 1 "$n"); do
	echo "link add t0.$i link t0 type macvlan mode bridge"
	echo "addr add 203.0.113.$(( i % 250 + 1 ))/32 dev t0.$i"
	echo "link set t0.$i up"
done >"$tmp/batch"
ip -n "$ns" -batch "$tmp/batch"

start=$(date +%s%N)
ip netns exec "$ns" "$tmp/iphelper" run --allow-root --interface 't0.*' --helper-address 198.51.100.2 \
	--control-socket "$tmp/ctl.sock" --log-level warn >"$tmp/log" 2>&1 &
pid=$!
up=0
for _ in $(seq 1 200); do
	up=$("$tmp/iphelper" show interfaces --json --control-socket "$tmp/ctl.sock" 2>/dev/null | grep -c '"state": "up"' || true)
	[ "$up" = "$n" ] && break
	sleep 0.05
done
ready_ms=$(( ($(date +%s%N) - start) / 1000000 ))
sleep 3
hz=$(getconf CLK_TCK)
t0=$(awk '{print $14+$15}' "/proc/$pid/stat")
sleep 20
t1=$(awk '{print $14+$15}' "/proc/$pid/stat")
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
fds=$(ls "/proc/$pid/fd" | wc -l)
printf 'interfaces listening   %s of %s after %s ms (includes the show command'"'"'s own start)\n' "$up" "$n" "$ready_ms"
printf 'idle CPU over 20 s     %s ticks of 1/%s s (%s %% of one core)\n' "$((t1 - t0))" "$hz" "$(awk -v d="$((t1 - t0))" -v hz="$hz" 'BEGIN { printf "%.3f", d * 100 / (hz * 20) }')"
printf 'RSS                    %s MiB\n' "$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')"
printf 'open fds               %s\n' "$fds"
