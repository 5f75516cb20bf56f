package integration

import (
	"fmt"
	"testing"

	"github.com/iphelper/iphelper/test/lab"
)

// Scenario 1: every client gets a lease through the relay from every server.
// udhcpc without -B asks for unicast delivery (the relay must build the frame to
// chaddr), udhcpc -B for broadcast; dhclient and dhcpcd are the common Linux
// clients.
func TestClientsGetLeases(t *testing.T) {
	for _, server := range []lab.ServerKind{lab.Kea, lab.Dhcpd} {
		for _, client := range lab.AllClients {
			t.Run(fmt.Sprintf("%s/%s", server, client), func(t *testing.T) {
				s := newScenario(t, serverTool(server), client.Program())
				tp := s.l.Standard()
				cfg := tp.ServerConfig(0)
				s.l.StartServer(server, tp.Servers[0].NS, tp.Servers[0].Addr, cfg)
				s.startRelay(tp)

				c := s.l.StartClient(client, tp.Client, tp.Segments[0].ClientIf)
				lease := c.WaitLease(leaseTimeout)
				first, last := cfg.Subnets[0].PoolFirst, cfg.Subnets[0].PoolLast
				checkLease(t, lease, tp.Segments[0], first, last, tp.Servers[0].Addr, defaultLease)
			})
		}
	}
}
