package integration

import (
	"net/netip"
	"testing"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/test/lab"
)

// Fallback scenario 7: while the upstream is down, a client asking for
// an address of the upstream's scope (its valid upstream lease) is not
// NAKed by the fallback, whichever state it asks in; the fallback stays
// silent and logs why. The control cases show the fallback does judge
// these requests: it NAKs an address of another subnet.
//
// The health is driven down first: only then are REQUESTs that are not the
// fallback's own handed to it at all.
func TestFallbackDoesNotNakUpstreamLeases(t *testing.T) {
	f := newFallback(t, false, "kea-dhcp4")
	f.startKea().Proc.Stop()
	f.startRelay(fbOptions{})
	inj := f.injector(f.tp.Client, f.seg.ClientIf)
	inj.driveDown()
	first, _ := f.keaPool()
	upstream := first.Next().Next() // a lease the upstream server may have given

	sid := func(a netip.Addr) dhcpv4.Modifier { return dhcpv4.WithOption(dhcpv4.OptServerIdentifier(a.AsSlice())) }
	requested := func(a netip.Addr) dhcpv4.Modifier {
		return dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(a.AsSlice()))
	}
	tests := []struct {
		name    string
		mods    []dhcpv4.Modifier
		from    netip.Addr
		outcome string
		wantNAK bool
	}{
		{name: "INIT-REBOOT for an upstream-scope address", mods: []dhcpv4.Modifier{requested(upstream)}, from: zeroAddr, outcome: "silent_not_ours"},
		{name: "REBINDING an upstream-scope address", mods: []dhcpv4.Modifier{dhcpv4.WithClientIP(upstream.AsSlice())}, from: upstream, outcome: "silent_not_ours"},
		{name: "SELECTING the upstream server's offer", mods: []dhcpv4.Modifier{sid(f.tp.Servers[0].Addr), requested(upstream)}, from: zeroAddr, outcome: "ignored_other_server"},
		{name: "INIT-REBOOT for a fallback address it never had", mods: []dhcpv4.Modifier{requested(fbLast)}, from: zeroAddr, outcome: "silent_no_lease"},
		{name: "control: INIT-REBOOT for an address of another subnet", mods: []dhcpv4.Modifier{requested(netip.MustParseAddr("198.51.100.77"))}, from: zeroAddr, outcome: "nak_wrong_subnet", wantNAK: true},
	}
	// One daemon judges every case in turn, so the cases are not subtests:
	// the lab belongs to this test.
	xids := make([]dhcpv4.TransactionID, len(tests))
	for i, tc := range tests {
		xids[i] = lab.XID(0x7a000000 + uint32(i))
		inj.broadcast(inj.msg(dhcpv4.MessageTypeRequest, xids[i], fakeMAC(0x70+byte(i)), tc.mods...), tc.from)
	}
	for i, tc := range tests {
		if !f.waitOutcome(xids[i], tc.outcome, outcomeTimeout) {
			t.Errorf("%s: no outcome=%s in the fallback's log; its lines %q", tc.name, tc.outcome, f.fallbackLines(xids[i]))
		}
	}
	// Every request has had its outcome logged; give a reply the silence
	// window to reach the client's wire anyway.
	replies := inj.cap.After(silenceWindow, func(p lab.Packet) bool { return p.DHCP != nil && p.DHCP.OpCode == dhcpv4.OpcodeBootReply })
	for i, tc := range tests {
		var naks []lab.Packet
		for _, p := range replies {
			if isReply(dhcpv4.MessageTypeNak, xids[i])(p) {
				naks = append(naks, p)
			}
		}
		if got := len(naks) > 0; got != tc.wantNAK {
			t.Errorf("%s: NAKed %v, want %v; NAKs %v", tc.name, got, tc.wantNAK, naks)
		}
	}
}
