package integration

import (
	"net/netip"
	"testing"

	"github.com/iphelper/iphelper/test/lab"
)

// Scenario 5: a server hands a fixed address to the client by a host
// reservation keyed on the circuit-id the relay stamps.
func TestReservationByCircuitID(t *testing.T) {
	reserved := netip.MustParseAddr("203.0.113.77")
	tests := []struct {
		name         string
		server       lab.ServerKind
		iphelperArgs []string
		circuitID    string
	}{
		{name: "kea default circuit-id", server: lab.Kea, circuitID: lab.RelayDown},
		{name: "dhcpd default circuit-id", server: lab.Dhcpd, circuitID: lab.RelayDown},
		{
			name: "kea per-interface circuit-id", server: lab.Kea, circuitID: "sw1-port7",
			iphelperArgs: []string{"--circuit-id", lab.RelayDown + "=sw1-port7"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newScenario(t, serverTool(tt.server), "dhclient")
			if tt.iphelperArgs != nil {
				s.needIphelper("per-interface circuit-id templates")
			}
			tp := s.l.Standard()
			cfg := tp.ServerConfig(0)
			cfg.Subnets[0].Reservations = []lab.Reservation{{CircuitID: tt.circuitID, Addr: reserved}}
			s.l.StartServer(tt.server, tp.Servers[0].NS, tp.Servers[0].Addr, cfg)
			s.startRelay(tp, tt.iphelperArgs...)

			lease := s.l.StartClient(lab.Dhclient, tp.Client, tp.Segments[0].ClientIf).WaitLease(leaseTimeout)
			checkLease(t, lease, tp.Segments[0], reserved, reserved, tp.Servers[0].Addr, defaultLease)
		})
	}
}
