package integration

import (
	"fmt"
	"testing"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/test/lab"
)

// Scenario 2: what the relay sends upstream carries giaddr = its downstream
// address, hops = 1 and its option 82; what reaches the client never carries
// option 82.
func TestRelayedRequestsCarryOption82(t *testing.T) {
	tests := []struct {
		name string
		// iphelperArgs configure option 82; nil for the defaults.
		iphelperArgs []string
		// want is the option 82 expected upstream; nil for the relay's default.
		want func(s *scenario, tp *lab.Topology) []lab.SubOption
	}{
		{name: "defaults"},
		{
			name:         "templates",
			iphelperArgs: []string{"--circuit-id", "{ifname}/{ifindex}", "--remote-id", "hex:0a0b0c"},
			want: func(s *scenario, tp *lab.Topology) []lab.SubOption {
				idx := s.l.IfIndex(tp.Relay, lab.RelayDown)
				return []lab.SubOption{
					{Code: lab.SubOptCircuitID, Data: []byte(fmt.Sprintf("%s/%d", lab.RelayDown, idx))},
					{Code: lab.SubOptRemoteID, Data: []byte{0x0a, 0x0b, 0x0c}},
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newScenario(t, "kea-dhcp4", "dhclient")
			if tt.iphelperArgs != nil {
				s.needIphelper("option 82 templates")
			}
			tp := s.l.Standard()
			seg := tp.Segments[0]
			s.l.StartKea(tp.Servers[0].NS, tp.Servers[0].Addr, tp.ServerConfig(0))
			up := s.l.Capture(tp.Servers[0].NS, tp.Servers[0].If, lab.DHCPFilter)
			down := s.l.Capture(tp.Client, seg.ClientIf, lab.DHCPFilter)
			relay := s.startRelay(tp, tt.iphelperArgs...)
			want := relay.DefaultOption82(seg.RelayIf)
			if tt.want != nil {
				want = tt.want(s, tp)
			}

			s.l.StartClient(lab.Dhclient, tp.Client, seg.ClientIf).WaitLease(leaseTimeout)
			up.WaitFor("relayed REQUEST", captureTimeout, isType(dhcpv4.MessageTypeRequest, dhcpv4.OpcodeBootRequest))
			down.WaitFor("ACK delivered to the client", captureTimeout, isType(dhcpv4.MessageTypeAck, dhcpv4.OpcodeBootReply))
			up.Stop()
			down.Stop()

			relayed := 0
			for _, p := range up.DHCP() {
				if p.DHCP.OpCode == dhcpv4.OpcodeBootRequest {
					relayed++
					checkRelayed(t, p, seg, want)
				}
			}
			seen := 0
			for _, p := range down.DHCP() {
				seen++
				if p.HasOption82() {
					t.Errorf("client side: packet with option 82: %s", p)
				}
			}
			if relayed < 2 || seen < 4 {
				t.Errorf("captured %d relayed requests (want DISCOVER and REQUEST) and %d client-side packets (want DORA):\nserver side:\n%sclient side:\n%s",
					relayed, seen, up.Summary(), down.Summary())
			}
		})
	}
}

// checkRelayed fails the test unless a request captured upstream came from the
// relay with giaddr = the segment's gateway, hops 1 and the wanted option 82.
func checkRelayed(t *testing.T, p lab.Packet, seg lab.Segment, want []lab.SubOption) {
	t.Helper()
	if p.DHCP.GatewayIPAddr.String() != seg.Gateway.String() || p.DHCP.HopCount != 1 {
		t.Errorf("relayed %s: want giaddr %s and hops 1", p, seg.Gateway)
	}
	got, err := p.Option82()
	if err != nil {
		t.Errorf("relayed %s: %v", p, err)
		return
	}
	if diff := cmpDiff(want, got); diff != "" {
		t.Errorf("relayed %s: option 82 (-want +got):\n%s", p.MessageType(), diff)
	}
}

// isType matches DHCP packets of a message type and op code.
func isType(typ dhcpv4.MessageType, op dhcpv4.OpcodeType) func(lab.Packet) bool {
	return func(p lab.Packet) bool {
		return p.DHCP != nil && p.DHCP.OpCode == op && p.MessageType() == typ
	}
}
