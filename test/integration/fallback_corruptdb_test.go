package integration

import (
	"os"
	"strings"
	"testing"

	"github.com/iphelper/iphelper/test/lab"
)

// A lease database that cannot be opened disables the fallback scope and
// nothing else: with garbage bytes in the lease file iphelper keeps
// running, a real client gets its lease from Kea through it, and `show
// interfaces` and the metrics say the interface's fallback is disabled,
// and why.
func TestFallbackCorruptLeaseDBKeepsRelaying(t *testing.T) {
	f := newFallback(t, false, "kea-dhcp4", lab.Dhclient.Program())
	garbage := []byte(strings.Repeat("this is not a bbolt database\x00\xff\x13", 300))
	if err := os.WriteFile(f.db, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	kea := f.startKea()
	f.startRelay(fbOptions{args: []string{"--metrics-listen", opsMetricsAddr}})
	f.waitLog("the lease database error", captureTimeout, `msg="fallback disabled on every interface: the lease database cannot be opened`)

	lease := f.l.StartClient(lab.Dhclient, f.tp.Client, f.seg.ClientIf).WaitLease(leaseTimeout)
	first, last := f.keaPool()
	checkLease(t, lease, f.seg, first, last, kea.Addr, defaultLease)
	if f.relay.Proc.Exited() {
		t.Fatalf("iphelper exited:\n%s", f.relay.Proc.Log())
	}

	ctl := newOpsCtl(t, f.l, f.relay, f.tp.Relay)
	got := ctl.interfaces()[f.seg.RelayIf]
	if got.Fallback != "disabled" || !strings.Contains(got.FallbackReason, "lease database unavailable") || !strings.Contains(got.FallbackReason, f.db) {
		t.Errorf("show interfaces: %s's fallback %q (%q), want disabled, naming the lease database %s", f.seg.RelayIf, got.Fallback, got.FallbackReason, f.db)
	}
	table := ctl.run("show", "interfaces", nil)
	if want := f.seg.RelayIf + ": fallback disabled: lease database unavailable"; !strings.Contains(table, want) {
		t.Errorf("show interfaces does not say %q:\n%s", want, table)
	}
	m := scrape(t, f.l, f.tp.Relay)
	if v, ok := m.value("iphelper_fallback_enabled", map[string]string{"interface": f.seg.RelayIf}); !ok || v != 0 {
		t.Errorf("iphelper_fallback_enabled{interface=%q} = %v (present %v), want 0", f.seg.RelayIf, v, ok)
	}
}
