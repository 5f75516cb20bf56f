package integration

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/iphelper/iphelper/relay/control"
	"github.com/iphelper/iphelper/test/lab"
)

// opsSaveEvery is the scenario's --save-bindings: short, so the test waits
// little for the first save.
const opsSaveEvery = "1s"

// Operations scenario: a client gets a lease relayed to Kea, the binding
// table is saved to the lease database, iphelper is killed with SIGKILL (no
// clean stop, no last save) and started again on the same database: `show
// bindings` lists the client before it sent anything new.
func TestOpsBindingsSurviveKill(t *testing.T) {
	s := newScenario(t, "kea-dhcp4", "udhcpc")
	s.needIphelper("a control socket")
	tp := s.l.Switched()
	srv := tp.Servers[0]
	s.l.StartKea(srv.NS, srv.Addr, tp.ServerConfig(0))
	db := filepath.Join(s.l.Dir(), "leases.db")
	args := []string{"run", "--log-level", "debug", "--interface", "down0", "--helper-address", srv.Addr.String(),
		"--lease-db", db, "--save-bindings", opsSaveEvery}
	relay := s.l.StartIphelper(tp.Relay, build.bin, args...)
	relay.WaitListening(1, 15*time.Second)

	h1 := s.l.AddHost(tp, "h1")
	client := s.l.StartClient(lab.Udhcpc, h1.NS, h1.If)
	lease := client.WaitLease(leaseTimeout)
	bound := time.Now()
	want := control.Binding{Addr: lease.Addr, MAC: control.Hex(h1.MAC), ClientID: opsClientID(h1.MAC), Interface: "down0", Expiry: bound.Add(defaultLease)}
	checkShowBindings(t, newOpsCtl(t, s.l, relay, tp.Relay), want)
	if !relay.Proc.WaitLog("binding table saved", 15*time.Second) {
		t.Fatalf("iphelper never saved its binding table; log:\n%s", relay.Proc.Log())
	}
	// udhcpc exits once bound: nothing teaches the new process the binding
	// again, only the saved table can.
	relay.Proc.Signal(syscall.SIGKILL)

	again := s.l.StartIphelper(tp.Relay, build.bin, args...)
	again.WaitListening(1, 15*time.Second)
	if !again.Proc.WaitLog("bindings restored", 15*time.Second) {
		t.Fatalf("iphelper did not restore the bindings; log:\n%s", again.Proc.Log())
	}
	checkShowBindings(t, newOpsCtl(t, s.l, again, tp.Relay), want)
}
