#!/bin/bash
# Installs the Debian packages listed in test/packages.txt, as root.
#   test/install-packages.sh          install only the missing ones (nothing to do: no apt at all)
#   test/install-packages.sh --all    apt-get update and install the whole list (CI)
# Debian starts some of these daemons (isc-dhcp-server, kea) in the root network
# namespace on install; a temporary /usr/sbin/policy-rc.d that exits 101 and
# RUNLEVEL=1 keep them from starting. The policy file is removed afterwards only
# if this script created it.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t packages < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' test/packages.txt | grep -v '^$')
wanted=("${packages[@]}")
if [ "${1:-}" != "--all" ]; then
	wanted=()
	for p in "${packages[@]}"; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
			wanted+=("$p")
		fi
	done
fi
if [ ${#wanted[@]} -eq 0 ]; then
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-packages.sh: missing packages ${wanted[*]}; run as root to install them" >&2
	exit 1
fi

policy=/usr/sbin/policy-rc.d
created_policy=""
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\n# written by iphelper test/install-packages.sh: start no daemon on install\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	created_policy=1
fi
cleanup() {
	if [ -n "$created_policy" ]; then
		rm -f "$policy"
	fi
}
trap cleanup EXIT

echo "install-packages.sh: installing ${wanted[*]}"
export DEBIAN_FRONTEND=noninteractive RUNLEVEL=1
apt-get update
apt-get install -y --no-install-recommends "${wanted[@]}"
