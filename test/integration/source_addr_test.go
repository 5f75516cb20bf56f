package integration

import (
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/test/lab"
)

// sourceGIAddr is a second address of the relay's upstream interface, the
// giaddr override of the source scenario.
var sourceGIAddr = netip.MustParseAddr("198.51.100.200")

// Scenario: the IP source address of a relayed request, as the reference
// configuration (deploy/iphelper.yaml, the giaddr paragraph) states it. By
// default giaddr is the ingress interface's address but the packet leaves
// from the address the kernel's route to the helper picks (the upstream
// interface's primary address); a giaddr that is not the ingress
// interface's own address is also the source (IP_PKTINFO).
func TestRelayedRequestSourceAddress(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		giaddr   func(seg lab.Segment) netip.Addr
		wantFrom netip.Addr
	}{
		{name: "default", giaddr: func(seg lab.Segment) netip.Addr { return seg.Gateway }, wantFrom: lab.RelayUpAddr},
		{name: "giaddr override", args: []string{"--giaddr", sourceGIAddr.String()}, giaddr: func(lab.Segment) netip.Addr { return sourceGIAddr }, wantFrom: sourceGIAddr},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newScenario(t, "udhcpc")
			if tt.args != nil {
				s.needIphelper("the giaddr key")
			}
			tp := s.l.Standard()
			seg := tp.Segments[0]
			s.l.Addr(tp.Relay, lab.RelayUp, netip.PrefixFrom(sourceGIAddr, 32).String())
			up := s.l.Capture(tp.Servers[0].NS, tp.Servers[0].If, lab.DHCPFilter)
			s.startRelay(tp, tt.args...)
			s.l.StartClient(lab.Udhcpc, tp.Client, seg.ClientIf) // no server answers: its DISCOVERs are enough
			p := up.WaitFor("relayed DISCOVER", captureTimeout, isType(dhcpv4.MessageTypeDiscover, dhcpv4.OpcodeBootRequest))
			if p.Src.Addr() != tt.wantFrom || p.DHCP.GatewayIPAddr.String() != tt.giaddr(seg).String() {
				t.Errorf("relayed DISCOVER from %v with giaddr %v, want from %v with giaddr %v", p.Src, p.DHCP.GatewayIPAddr, tt.wantFrom, tt.giaddr(seg))
			}
		})
	}
	t.Run("reference config says so", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join("..", "..", "deploy", "iphelper.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		para := regexp.MustCompile(`(?m)^  # giaddr is by default.*(?:\n  #.*)*`).FindString(string(b))
		text := strings.Join(strings.Fields(strings.ReplaceAll(para, "#", "")), " ")
		for _, want := range []string{
			"the primary IPv4 address of the interface the request came in on",
			"route to the helper picks",
			"the primary address of the upstream interface",
			"sent from giaddr (IP_PKTINFO)",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("deploy/iphelper.yaml's giaddr paragraph does not say %q:\n%s", want, para)
			}
		}
	})
}
