package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Linux capability numbers (linux/capability.h).
const (
	capNetBindService = 10
	capNetRaw         = 13
)

// errRoot is why run refuses to start as root without --allow-root.
var errRoot = errors.New("refusing to run as root: a relay sits on every client VLAN, so run it as an unprivileged user " +
	"with only CAP_NET_RAW and CAP_NET_BIND_SERVICE (the systemd unit deploy/iphelper.service does; by hand: " +
	"setpriv --reuid=iphelper --regid=iphelper --clear-groups --inh-caps=-all,+net_raw,+net_bind_service " +
	"--ambient-caps=+net_raw,+net_bind_service iphelper run …), or pass --allow-root")

// checkNotRoot refuses uid 0 unless allowed: least privilege is the
// default, and running as root is a choice made on the command line.
func checkNotRoot(euid int, allowRoot bool) error {
	if euid == 0 && !allowRoot {
		return errRoot
	}
	return nil
}

// checkPrivileges fails early, with a message that says what to do, when
// the process lacks a capability the relay needs: CAP_NET_RAW for the
// packet sockets and CAP_NET_BIND_SERVICE for UDP port 67.
func checkPrivileges() error {
	eff, err := effectiveCaps()
	if err != nil {
		return nil // cannot tell (not Linux /proc?): let the sockets say
	}
	var missing []string
	if eff&(1<<capNetRaw) == 0 {
		missing = append(missing, "CAP_NET_RAW (packet sockets)")
	}
	if eff&(1<<capNetBindService) == 0 {
		missing = append(missing, "CAP_NET_BIND_SERVICE (udp port 67)")
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("missing capabilities: %s; grant them (systemd: AmbientCapabilities=CAP_NET_RAW CAP_NET_BIND_SERVICE) or run as root with --allow-root", strings.Join(missing, ", "))
}

// effectiveCaps reads CapEff from /proc/self/status.
func effectiveCaps() (uint64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "CapEff:"); ok {
			return strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		}
	}
	return 0, errors.New("no CapEff in /proc/self/status")
}
