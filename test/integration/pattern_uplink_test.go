package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iphelper/iphelper/test/lab"
)

// TestStarPatternLeavesUplinkAlone: with an interfaces entry named "*",
// the relay serves the client segment but neither its interface toward
// the upstream server nor lo, so the server's replies reach the client: a
// real client gets its lease from Kea, not from the fallback pool the
// pattern also carries. check-config, run in the relay's namespace, lists
// the same.
func TestStarPatternLeavesUplinkAlone(t *testing.T) {
	f := newFallback(t, false, "kea-dhcp4", lab.Dhclient.Program())
	kea := f.startKea()
	cfg := filepath.Join(f.l.Dir(), "iphelper.yaml")
	file := fmt.Sprintf(`hostname: relay1
lease-db: %s
interfaces:
  - name: "*"
    helper-addresses: [%s]
    fallback:
      pools: ["%s-%s"]
      offer-delay: %s
`, f.db, kea.Addr, fbFirst, fbLast, offerDelay)
	if err := os.WriteFile(cfg, []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}

	out := f.l.Exec(f.tp.Relay, build.bin, "check-config", cfg)
	for _, want := range []string{
		fmt.Sprintf("#   %q: %s\n", "*", f.seg.RelayIf),
		fmt.Sprintf("#     not %s: it holds the route to helper %s", f.tp.Upstream, kea.Addr),
		"#     not lo: it is loopback",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("check-config does not say %q:\n%s", want, out)
		}
	}

	r := f.l.StartIphelper(f.tp.Relay, build.bin, "run", "--log-level", "debug", "--config", cfg)
	r.WaitListening(1, 10*time.Second)
	for _, name := range []string{f.tp.Upstream, "lo"} {
		if !r.WaitLog(`msg="interface is not served: name it exactly to serve it" iface=`+name+" ", captureTimeout) {
			t.Errorf("no log line says %s is left alone:\n%s", name, r.Proc.Log())
		}
	}
	lease := f.l.StartClient(lab.Dhclient, f.tp.Client, f.seg.ClientIf).WaitLease(leaseTimeout)
	first, last := f.keaPool()
	checkLease(t, lease, f.seg, first, last, kea.Addr, defaultLease)
	if log := r.Proc.Log(); strings.Contains(log, "reply_from_downstream") {
		t.Errorf("the upstream's replies were dropped as coming from downstream:\n%s", log)
	}
}
