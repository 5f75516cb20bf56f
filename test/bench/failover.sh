#!/usr/bin/env bash
# The failover pair's figures (README.md, Performance, "Failover pair"):
# leases/s and CPU per lease of the fallback server for a single node and
# each failover mode beside Kea HA hot-standby, and the hot-standby
# takeover after SIGKILL / SIGSTOP of the primary, iphelper's and Kea's.
# Needs root, iproute2, kea-dhcp4-server (the HA hook). Every cell builds
# its own namespaces and removes them.
#
#   bash test/bench/failover.sh                 # everything, ~15 min on 2 vCPUs
#   bash test/bench/failover.sh -only rate -reps 3
#   bash test/bench/failover.sh -only takeover,kea -takeover-reps 5 -kea-default-reps 0
#   bash test/bench/failover.sh -json out.json  # every measurement
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=$PATH:/usr/local/go/bin
if [ "$(id -u)" -ne 0 ]; then
	echo "failover.sh: needs root (network namespaces)" >&2
	exit 1
fi
echo "iphelper $(git rev-parse --short HEAD)$(git diff --quiet || echo '+dirty'), nproc $(nproc), $(uptime)"
go build -o /dev/null ./test/bench/fobench
exec go run ./test/bench/fobench "$@"
