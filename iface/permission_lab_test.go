package iface

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"testing"

	testlab "github.com/iphelper/iphelper/test/lab"
)

// permChildEnv marks the child process of TestListenDHCPPermission.
const permChildEnv = "IPHIF_PERMISSION_CHILD"

// Without CAP_NET_RAW, ListenDHCP fails with ErrPermission. The test runs
// itself again inside a lab namespace with CAP_NET_RAW dropped (setpriv).
func TestListenDHCPPermission(t *testing.T) {
	if os.Getenv(permChildEnv) == "1" {
		_, err := ListenDHCP(&net.Interface{Index: 1, Name: "lo"}, ListenOptions{})
		if !errors.Is(err, ErrPermission) {
			t.Fatalf("ListenDHCP without CAP_NET_RAW: %v, want ErrPermission", err)
		}
		t.Logf("ListenDHCP without CAP_NET_RAW: %v", err)
		return
	}
	l := newLab(t)
	testlab.RequireTools(t, "setpriv")
	cmd := exec.Command("ip", "netns", "exec", l.ns1,
		"setpriv", "--inh-caps=-net_raw", "--bounding-set=-net_raw",
		os.Args[0], "-test.run=^TestListenDHCPPermission$", "-test.v")
	cmd.Env = append(os.Environ(), permChildEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child without CAP_NET_RAW: %v\n%s", err, out)
	}
	t.Logf("child:\n%s", out)
}
