package lab

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// Packet is one captured IPv4/UDP frame, with its payload decoded as DHCP where
// it is one.
type Packet struct {
	// Time is when tcpdump saw the packet.
	Time time.Time
	Frame
	// DHCP is the payload decoded by dhcpv4.FromBytes; nil when the payload is
	// not a DHCP message. Use Payload for byte-exact checks: the library's view
	// merges repeated options and forgets their order.
	DHCP *dhcpv4.DHCPv4
}

// DecodePackets turns pcap records into packets, skipping frames that are not
// IPv4/UDP (ARP, IPv6…). A malformed IPv4/UDP frame is an error.
func DecodePackets(recs []PcapRecord) ([]Packet, error) {
	var pkts []Packet
	for i, r := range recs {
		f, err := ParseFrame(r.Data)
		if errors.Is(err, errNotUDP) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("failed to decode record %d: %w", i, err)
		}
		p := Packet{Time: r.Time, Frame: f}
		if d, err := dhcpv4.FromBytes(f.Payload); err == nil {
			p.DHCP = d
		}
		pkts = append(pkts, p)
	}
	return pkts, nil
}

// MessageType is the DHCP message type, or dhcpv4.MessageTypeNone when the
// packet is not DHCP or has no option 53.
func (p Packet) MessageType() dhcpv4.MessageType {
	if p.DHCP == nil {
		return dhcpv4.MessageTypeNone
	}
	return p.DHCP.MessageType()
}

// HasOption82 reports whether the packet is DHCP and carries option 82.
func (p Packet) HasOption82() bool {
	return p.DHCP != nil && p.DHCP.Options.Has(dhcpv4.OptionRelayAgentInformation)
}

// Option82 returns the sub-options of the packet's option 82; an error when the
// packet has none or it is malformed.
func (p Packet) Option82() ([]SubOption, error) {
	if !p.HasOption82() {
		return nil, errors.New("packet has no option 82")
	}
	return ParseSubOptions(p.DHCP.Options.Get(dhcpv4.OptionRelayAgentInformation))
}

// String summarises the packet on one line for test logs and the demo.
func (p Packet) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s → %s", p.Src, p.Dst)
	if p.VLAN != 0 {
		fmt.Fprintf(&b, " vlan %d", p.VLAN)
	}
	if p.DHCP == nil {
		fmt.Fprintf(&b, " %d bytes (not DHCP)", len(p.Payload))
		return b.String()
	}
	d := p.DHCP
	fmt.Fprintf(&b, " %s xid %s chaddr %s hops %d giaddr %s ciaddr %s yiaddr %s",
		d.MessageType(), d.TransactionID, d.ClientHWAddr, d.HopCount, d.GatewayIPAddr, d.ClientIPAddr, d.YourIPAddr)
	if d.IsBroadcast() {
		b.WriteString(" broadcast")
	}
	if subs, err := p.Option82(); err == nil {
		fmt.Fprintf(&b, " option82 %v", subs)
	} else if p.HasOption82() {
		fmt.Fprintf(&b, " option82 malformed: %v", err)
	}
	return b.String()
}
