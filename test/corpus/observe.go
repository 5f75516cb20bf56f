package corpus

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"

	"github.com/iphelper/iphelper/relay/wire"
	"github.com/iphelper/iphelper/test/lab"
)

// Side is the link a packet was captured on.
type Side int

// The two links of a session.
const (
	// ClientSide is the link between the client and the relay.
	ClientSide Side = iota
	// ServerSide is the link between the relay and the server.
	ServerSide
)

// String names the side in seed names.
func (s Side) String() string {
	if s == ClientSide {
		return "client"
	}
	return "upstream"
}

// isRelayAddr reports whether a is one of the relay's addresses in every
// session (lab.Standard): the gateway of the client segment and its
// address on the server segment.
func isRelayAddr(a netip.Addr) bool {
	return a == lab.ClientNet.Masked().Addr().Next() || a == lab.RelayUpAddr
}

// Ethernet types of the frames a capture holds.
const (
	etherTypeIPv4 = 0x0800
	etherTypeARP  = 0x0806
	etherTypeVLAN = 0x8100
)

// packet is one captured frame with what the corpus needs to know of it.
type packet struct {
	side  Side
	time  time.Time
	step  Step
	frame []byte
	// arp is set for ARP frames; the fields below are then zero.
	arp bool
	// udp is the decoded IPv4/UDP frame, msg its payload as DHCP.
	udp lab.Frame
	msg *dhcpv4.DHCPv4
}

// readSession decodes the two captures of a session and returns their
// packets in capture order, each tagged with its side and step. Frames that
// are neither ARP nor DHCP are left out.
func readSession(m Manifest, client, upstream []byte) ([]packet, error) {
	var pkts []packet
	for _, c := range []struct {
		side Side
		pcap []byte
	}{{ClientSide, client}, {ServerSide, upstream}} {
		recs, err := lab.ReadPcap(c.pcap)
		if err != nil {
			return nil, fmt.Errorf("failed to read the %s capture of %s: %w", c.side, m.Server, err)
		}
		for i, r := range recs {
			p, ok, err := decode(r)
			if err != nil {
				return nil, fmt.Errorf("failed to decode record %d of the %s capture of %s: %w", i, c.side, m.Server, err)
			}
			if !ok {
				continue
			}
			if p.step, ok = m.stepAt(r.Time); !ok {
				continue // before the first client ran: nothing of interest
			}
			p.side = c.side
			pkts = append(pkts, p)
		}
	}
	slices.SortStableFunc(pkts, func(a, b packet) int { return a.time.Compare(b.time) })
	return pkts, nil
}

// decode turns a pcap record into a packet; ok is false for frames the
// corpus has no use for.
func decode(r lab.PcapRecord) (packet, bool, error) {
	p := packet{time: r.Time, frame: bytes.Clone(r.Data)}
	if len(r.Data) >= 14 && binary.BigEndian.Uint16(r.Data[12:14]) == etherTypeARP {
		p.arp = true
		return p, true, nil
	}
	if len(r.Data) < 14 || !slices.Contains([]uint16{etherTypeIPv4, etherTypeVLAN}, binary.BigEndian.Uint16(r.Data[12:14])) {
		return packet{}, false, nil // neither ARP nor IPv4: not ours to seed
	}
	f, err := lab.ParseFrame(r.Data)
	if err != nil {
		return packet{}, false, err
	}
	m, err := dhcpv4.FromBytes(f.Payload)
	if err != nil {
		return packet{}, false, nil
	}
	p.udp, p.msg = f, m
	return p, true, nil
}

// fromRelay reports whether iphelper sent the packet.
func (p packet) fromRelay() bool {
	return !p.arp && isRelayAddr(p.udp.Src.Addr())
}

// option82 returns the data of the message's option 82, nil when it has
// none.
func (p packet) option82() []byte {
	if p.msg == nil {
		return nil
	}
	start, end, ok := wire.FindOption(p.udp.Payload, wire.OptRelayAgentInfo)
	if !ok {
		return nil
	}
	return bytes.Clone(p.udp.Payload[start:end])
}
