package lab

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// InCI reports whether the tests run in CI (CI=true), where nothing may skip.
func InCI() bool { return os.Getenv("CI") == "true" }

// Require skips t unless the lab can run: root, and the ip command present.
// In CI it fails instead of skipping, so a CI run never silently skips the
// integration tests.
func Require(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		skipOrFail(t, "the namespace lab needs root (network namespaces, veth, raw sockets); run the tests as root")
	}
	RequireTools(t, "ip")
}

// RequireTools skips t (fails it in CI) when one of the named programs is not
// installed, naming the Debian package that brings it.
func RequireTools(t testing.TB, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			skipOrFail(t, fmt.Sprintf("%s is not installed (Debian package %s; test/run-tests.sh installs it)", n, debianPackage(n)))
		}
	}
}

func skipOrFail(t testing.TB, msg string) {
	t.Helper()
	if InCI() {
		t.Fatalf("CI=true, so not skipping: %s", msg)
	}
	t.Skip(msg)
}

// debianPackage names the package that ships a program the lab runs.
func debianPackage(prog string) string {
	switch prog {
	case "ip", "ss":
		return "iproute2"
	case "dhclient":
		return "isc-dhcp-client"
	case "dhcpcd":
		return "dhcpcd-base"
	case "kea-dhcp4":
		return "kea-dhcp4-server"
	case "kea-dhcp-ddns":
		return "kea-dhcp-ddns-server"
	case "dhcpd":
		return "isc-dhcp-server"
	case "dnsmasq":
		return "dnsmasq-base"
	case "dhcrelay":
		return "isc-dhcp-relay"
	case "unshare", "setpriv":
		return "util-linux"
	case "systemd-analyze", "systemctl":
		return "systemd"
	case "man":
		return "man-db"
	case "sysctl":
		return "procps"
	case "nmbd":
		return "samba"
	case "nmblookup":
		return "samba-common-bin"
	case "in.tftpd":
		return "tftpd-hpa"
	default:
		return prog
	}
}
