package fallback

import (
	"net"
	"net/netip"
	"slices"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// flagBroadcast is the only defined bit of the flags field (RFC 2131 §2);
// the others must be zero, so only it is copied.
const flagBroadcast = 0x8000

// newReply returns the skeleton of a reply of type mt to r, with the header
// fields of RFC 2131 table 3 that every reply shares: op, htype, xid, flags
// and chaddr from the request, giaddr copied, hops, secs, siaddr, sname and
// file zero. Options: 53, 54 and, when the client sent one, its client
// identifier echoed (RFC 6842).
func newReply(r request, c *compiled, mt dhcpv4.MessageType) *dhcpv4.DHCPv4 {
	req := r.msg
	rep := &dhcpv4.DHCPv4{
		OpCode:        dhcpv4.OpcodeBootReply,
		HWType:        req.HWType,
		TransactionID: req.TransactionID,
		Flags:         req.Flags & flagBroadcast,
		ClientIPAddr:  ip4(netip.Addr{}),
		YourIPAddr:    ip4(netip.Addr{}),
		ServerIPAddr:  ip4(netip.Addr{}),
		GatewayIPAddr: ip4(ipv4(req.GatewayIPAddr)),
		ClientHWAddr:  slices.Clone(r.mac),
		Options:       dhcpv4.Options{},
	}
	rep.UpdateOption(dhcpv4.OptMessageType(mt))
	rep.UpdateOption(dhcpv4.OptServerIdentifier(ip4(c.ServerID)))
	if len(r.clientID) > 0 {
		rep.UpdateOption(dhcpv4.OptClientIdentifier(slices.Clone(r.clientID)))
	}
	return rep
}

// ip4 returns a as a 4-byte net.IP; 0.0.0.0 for the zero Addr.
func ip4(a netip.Addr) net.IP {
	if !a.Is4() {
		return net.IPv4zero.To4()
	}
	b := a.As4()
	return net.IP(b[:])
}

func ip4s(as []netip.Addr) []net.IP {
	ips := make([]net.IP, len(as))
	for i, a := range as {
		ips[i] = ip4(a)
	}
	return ips
}

// addConfig adds the scope's configuration: options 1, 3, and 6 and 15
// when configured, sent whether requested or not (RFC 2131 §4.3.1 lets
// the server send what the client did not ask for); with lease also 51,
// 58 and 59; siaddr and file when configured; and the configured options
// the client gets (addOptions). The library writes options in code
// order, so the order of the client's option 55 cannot be followed.
func addConfig(rep *dhcpv4.DHCPv4, r request, c *compiled, lease bool) {
	addConfigLease(rep, r, c, lease, c.LeaseTime)
}

// addConfigLease is addConfig with the lease time d, shorter than the
// scope's when a failover pair's rules bound it: then the renewal and
// rebinding times keep their proportions of the scope's (T1 at 1/2 and T2
// at 7/8 unless configured).
func addConfigLease(rep *dhcpv4.DHCPv4, r request, c *compiled, lease bool, d time.Duration) {
	rep.UpdateOption(dhcpv4.OptSubnetMask(net.IPMask(c.mask)))
	rep.UpdateOption(dhcpv4.OptRouter(ip4s(c.Router)...))
	if len(c.DNS) > 0 {
		rep.UpdateOption(dhcpv4.OptDNS(ip4s(c.DNS)...))
	}
	if c.Domain != "" {
		rep.UpdateOption(dhcpv4.OptDomainName(c.Domain))
	}
	if lease {
		t1, t2 := c.T1, c.T2
		if d != c.LeaseTime && c.LeaseTime > 0 {
			t1 = (d * (c.T1 / time.Second) / (c.LeaseTime / time.Second)).Truncate(time.Second)
			t2 = (d * (c.T2 / time.Second) / (c.LeaseTime / time.Second)).Truncate(time.Second)
		}
		rep.UpdateOption(dhcpv4.OptIPAddressLeaseTime(d))
		rep.UpdateOption(dhcpv4.OptRenewTimeValue(t1))
		rep.UpdateOption(dhcpv4.OptRebindingTimeValue(t2))
	}
	if c.NextServer.IsValid() {
		rep.ServerIPAddr = ip4(c.NextServer)
	}
	rep.BootFileName = c.BootFile
	addOptions(rep, r, c.Options)
}

// offerReply is the OFFER of addr (table 3: ciaddr 0, yiaddr the address).
func offerReply(r request, c *compiled, addr netip.Addr) *dhcpv4.DHCPv4 {
	rep := newReply(r, c, dhcpv4.MessageTypeOffer)
	rep.YourIPAddr = ip4(addr)
	addConfig(rep, r, c, true)
	return rep
}

// ackReply is the ACK of addr (table 3: ciaddr from the request).
func ackReply(r request, c *compiled, addr netip.Addr, lease time.Duration) *dhcpv4.DHCPv4 {
	rep := newReply(r, c, dhcpv4.MessageTypeAck)
	rep.ClientIPAddr = ip4(r.ciaddr)
	rep.YourIPAddr = ip4(addr)
	addConfigLease(rep, r, c, true, lease)
	return rep
}

// informReply is the ACK to an INFORM (RFC 2131 §4.3.5): configuration
// without a lease, yiaddr 0, no lease time, addressed to ciaddr.
func informReply(r request, c *compiled) *dhcpv4.DHCPv4 {
	rep := newReply(r, c, dhcpv4.MessageTypeAck)
	rep.ClientIPAddr = ip4(r.ciaddr)
	addConfig(rep, r, c, false)
	return rep
}

// nakMessage returns the option 56 text of a NAK, for the client's logs.
func nakMessage(why Outcome) string {
	switch why {
	case OutcomeNakWrongSubnet:
		return "address not on this subnet"
	case OutcomeNakNotOurs:
		return "address not assigned to this client"
	case OutcomeNakTaken:
		return "address in use by another client"
	case OutcomeNakDisabled:
		return "scope disabled"
	case OutcomeNakFailback:
		return "lease moved back to the central server"
	case OutcomeNakReservedForKnown:
		return "no address left for new clients"
	case OutcomeNakLocalAddress:
		return "address in use by the server"
	}
	return ""
}

// nakReply is a NAK (table 3: ciaddr and yiaddr 0; only 53, 54, 56 and the
// echoed client identifier).
func nakReply(r request, c *compiled, why Outcome) *dhcpv4.DHCPv4 {
	rep := newReply(r, c, dhcpv4.MessageTypeNak)
	if msg := nakMessage(why); msg != "" {
		rep.UpdateOption(dhcpv4.OptMessage(msg))
	}
	return rep
}
