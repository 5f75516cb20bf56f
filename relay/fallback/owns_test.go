package fallback

import (
	"net/netip"
	"testing"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

func TestOwns(t *testing.T) {
	ours, theirs := ip("203.0.113.1"), ip("203.0.113.254")
	tests := []struct {
		name string
		msg  func(t *testing.T) *dhcpv4.DHCPv4
		want bool
	}{
		{"DISCOVER", func(t *testing.T) *dhcpv4.DHCPv4 { return cl(1).discover(t) }, false},
		{"SELECTING our offer", func(t *testing.T) *dhcpv4.DHCPv4 { return cl(3).selecting(t, ours, ip("203.0.113.101")) }, true},
		{"SELECTING our server-id, another client's offer", func(t *testing.T) *dhcpv4.DHCPv4 { return cl(4).selecting(t, ours, ip("203.0.113.101")) }, false},
		// With server-id-override the upstream's OFFER carries our address
		// as its server identifier: the client's answer must be relayed.
		{"SELECTING our server-id, an upstream offer", func(t *testing.T) *dhcpv4.DHCPv4 { return cl(9).selecting(t, ours, ip("203.0.113.20")) }, false},
		{"SELECTING our server-id, a pool address never offered", func(t *testing.T) *dhcpv4.DHCPv4 { return cl(9).selecting(t, ours, ip("203.0.113.104")) }, false},
		{"SELECTING our server-id, our client's other address", func(t *testing.T) *dhcpv4.DHCPv4 { return cl(1).selecting(t, ours, ip("203.0.113.20")) }, false},
		{"SELECTING another server", func(t *testing.T) *dhcpv4.DHCPv4 { return cl(1).selecting(t, theirs, ip("203.0.113.100")) }, false},
		{"INIT-REBOOT of our lease", func(t *testing.T) *dhcpv4.DHCPv4 { return cl(1).initReboot(t, ip("203.0.113.100")) }, true},
		{"INIT-REBOOT of another's lease", func(t *testing.T) *dhcpv4.DHCPv4 { return cl(2).initReboot(t, ip("203.0.113.100")) }, false},
		{"INIT-REBOOT of an upstream address", func(t *testing.T) *dhcpv4.DHCPv4 { return cl(1).initReboot(t, ip("203.0.113.20")) }, false},
		{"RENEWING our lease", func(t *testing.T) *dhcpv4.DHCPv4 { return cl(1).renewing(t, ip("203.0.113.100")) }, true},
		{"REBINDING our lease", func(t *testing.T) *dhcpv4.DHCPv4 { return cl(1).rebinding(t, ip("203.0.113.100")) }, true},
		{"RENEWING a pool address we have no record of", func(t *testing.T) *dhcpv4.DHCPv4 { return cl(1).renewing(t, ip("203.0.113.104")) }, false},
		{"RELEASE to us", func(t *testing.T) *dhcpv4.DHCPv4 { return cl(1).release(t, ours, ip("203.0.113.100")) }, true},
		{"RELEASE to another server", func(t *testing.T) *dhcpv4.DHCPv4 { return cl(1).release(t, theirs, ip("203.0.113.20")) }, false},
		{"RELEASE to our server-id of an upstream lease", func(t *testing.T) *dhcpv4.DHCPv4 { return cl(9).release(t, ours, ip("203.0.113.20")) }, false},
		{"RELEASE to us of another's lease", func(t *testing.T) *dhcpv4.DHCPv4 { return cl(2).release(t, ours, ip("203.0.113.100")) }, false},
		{"DECLINE to us", func(t *testing.T) *dhcpv4.DHCPv4 { return cl(1).decline(t, ours, ip("203.0.113.100")) }, true},
		{"DECLINE to our server-id of an upstream offer", func(t *testing.T) *dhcpv4.DHCPv4 { return cl(9).decline(t, ours, ip("203.0.113.20")) }, false},
		{"INFORM from our client", func(t *testing.T) *dhcpv4.DHCPv4 { return cl(1).inform(t, ip("203.0.113.100")) }, true},
		{"INFORM from a static host", func(t *testing.T) *dhcpv4.DHCPv4 { return cl(5).inform(t, ip("203.0.113.20")) }, false},
		{"relayed REQUEST", func(t *testing.T) *dhcpv4.DHCPv4 {
			return cl(1).msg(t, dhcpv4.MessageTypeRequest, withSID(ours), withReqIP(ip("203.0.113.100")), dhcpv4.WithGatewayIP(ip4(ip("198.51.100.1"))))
		}, false},
		{"RENEWING an address the appliance uses", func(t *testing.T) *dhcpv4.DHCPv4 { return cl(7).renewing(t, ip("203.0.113.108")) }, true},
		{"INIT-REBOOT of an address the appliance uses", func(t *testing.T) *dhcpv4.DHCPv4 { return cl(7).initReboot(t, ip("203.0.113.108")) }, true},
		{"SELECTING another server for an address the appliance uses", func(t *testing.T) *dhcpv4.DHCPv4 { return cl(7).selecting(t, theirs, ip("203.0.113.108")) }, false},
		{"RELEASE to us of an address the appliance uses", func(t *testing.T) *dhcpv4.DHCPv4 { return cl(7).release(t, ours, ip("203.0.113.108")) }, false},
		{"nil", func(*testing.T) *dhcpv4.DHCPv4 { return nil }, false},
	}
	sc := testScope()
	sc.Local = []netip.Addr{ip("203.0.113.108")} // a secondary address of the interface
	e := newEnv(t, sc)
	e.dora(t, cl(1)) // .100
	if a, o := e.offer(t, cl(3)); a != ip("203.0.113.101") || o != OutcomeOffer {
		t.Fatalf("DISCOVER: offered %v (%v), want 203.0.113.101", a, o)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := e.s.Owns(tt.msg(t)); got != tt.want {
				t.Errorf("Owns = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestOutcomeNames(t *testing.T) {
	seen := map[string]Outcome{}
	for _, o := range Outcomes() {
		n := o.String()
		if n == "" || n == "unknown" {
			t.Errorf("outcome %d has no name", o)
		}
		if prev, dup := seen[n]; dup {
			t.Errorf("outcomes %d and %d share the name %q", prev, o, n)
		}
		seen[n] = o
	}
	if got := Outcome(200).String(); got != "unknown" {
		t.Errorf("Outcome(200) = %q, want unknown", got)
	}
	for f, want := range map[Failback]string{FailbackNAK: "nak", FailbackKeep: "keep", 9: "unknown"} {
		if got := f.String(); got != want {
			t.Errorf("Failback(%d) = %q, want %q", f, got, want)
		}
	}
}
