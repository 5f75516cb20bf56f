package bindings

import (
	"encoding/binary"
	"net"
	"net/netip"
	"time"

	"github.com/iphelper/iphelper/relay/wire"
)

// DHCP option codes read from ACKs (RFC 2132).
const (
	optHostname    byte = 12 // host name
	optRequestedIP byte = 50 // requested IP address (DECLINE)
	optLeaseTime   byte = 51 // IP address lease time, seconds
	optClientID    byte = 61 // client identifier
)

// infiniteLease is the lease time that never ends (RFC 2131 §3.3).
const infiniteLease = 0xffffffff

// FromAck reads the binding a DHCPACK grants: yiaddr to chaddr (and option
// 61) on iface until now plus the lease time (option 51), with the host
// name of option 12. ok is false for anything else: another message type,
// a BOOTREQUEST, no yiaddr, no or a malformed lease time (an ACK to an
// INFORM has none), or a malformed options field before the options
// needed. It never panics, whatever msg holds; it allocates only the
// binding's MAC, client-id and host name.
func FromAck(msg []byte, iface string, vlan int, now time.Time) (Binding, bool) {
	p := wire.Packet(msg)
	if p.Op() != wire.OpReply || p.MessageType() != wire.Ack {
		return Binding{}, false
	}
	addr := p.YIAddr()
	if !addr.IsValid() || addr.IsUnspecified() {
		return Binding{}, false
	}
	start, end, ok := wire.FindOption(msg, optLeaseTime)
	if !ok || end-start != 4 {
		return Binding{}, false
	}
	b := Binding{Addr: addr, Interface: iface, VLAN: vlan}
	if secs := binary.BigEndian.Uint32(msg[start:end]); secs != infiniteLease {
		b.Expiry = now.Add(time.Duration(secs) * time.Second)
	}
	if mac := p.CHAddr(); len(mac) > 0 {
		b.MAC = net.HardwareAddr(append([]byte(nil), mac...))
	}
	if s, e, ok := wire.FindOption(msg, optClientID); ok && e > s {
		b.ClientID = append([]byte(nil), msg[s:e]...)
	}
	if s, e, ok := wire.FindOption(msg, optHostname); ok {
		b.Hostname = sanitize(msg[s:e])
	}
	return b, true
}

// sanitize returns b as a string with every byte that is not printable
// ASCII replaced by '?', so that a host name never carries terminal
// escapes into `show bindings`.
func sanitize(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			c = '?'
		}
		out[i] = c
	}
	return string(out)
}

// ObserveReply updates the table from a BOOTREPLY the relay delivered on
// iface: a DHCPACK that grants a lease is learned, a DHCPNAK forgets the
// client's binding on iface. Other replies are ignored. A nil table does
// nothing, so the relay may call it unconditionally.
func (t *Table) ObserveReply(msg []byte, iface string, vlan int, now time.Time) {
	if t == nil {
		return
	}
	p := wire.Packet(msg)
	switch p.MessageType() {
	case wire.Ack:
		if b, ok := FromAck(msg, iface, vlan, now); ok {
			t.Learn(b)
		}
	case wire.Nak:
		if p.Op() == wire.OpReply {
			if mac := p.CHAddr(); len(mac) > 0 {
				t.ForgetClient(iface, mac)
			}
		}
	}
}

// ObserveRequest updates the table from a BOOTREQUEST the relay received:
// a DHCPRELEASE (ciaddr) or DHCPDECLINE (option 50) gives the client's
// address up. The binding is removed only if it belongs to the sender's
// chaddr. A nil table does nothing.
func (t *Table) ObserveRequest(msg []byte) {
	if t == nil {
		return
	}
	p := wire.Packet(msg)
	if p.Op() != wire.OpRequest {
		return
	}
	var addr netip.Addr
	switch p.MessageType() {
	case wire.Release:
		addr = p.CIAddr()
	case wire.Decline:
		if s, e, ok := wire.FindOption(msg, optRequestedIP); ok && e-s == 4 {
			addr = netip.AddrFrom4([4]byte(msg[s:e]))
		}
	default:
		return
	}
	if addr.IsValid() && !addr.IsUnspecified() {
		t.Release(addr, p.CHAddr())
	}
}
