package fallback

import (
	"net"
	"net/netip"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// clientKey identifies a client: "id:" and its option 61 when it sent one,
// else "hw:" and its chaddr (RFC 2131 §4.2; htype is left out, so that a
// stored record, which keeps the chaddr only, names the same client).
type clientKey string

// request is what the server reads from a client's message, each field
// checked for length: a field that is absent or malformed is the zero value.
type request struct {
	msg      *dhcpv4.DHCPv4
	typ      dhcpv4.MessageType
	key      clientKey
	clientID []byte           // option 61, nil when absent
	mac      net.HardwareAddr // chaddr, at most 16 bytes
	hostname string           // option 12, sanitized
	ciaddr   netip.Addr       // zero Addr when 0.0.0.0
	reqIP    netip.Addr       // option 50
	serverID netip.Addr       // option 54
	hasSID   bool             // option 54 present (even if malformed)
}

// maxClientID bounds option 61: the library concatenates repeated options
// (RFC 3396), so a hostile client could send kilobytes of identifier.
const maxClientID = 255

// parseRequest reads req, or returns false for a message the server must
// ignore: not a BOOTREQUEST, relayed, without a message type, or with no
// usable client identity.
func parseRequest(req *dhcpv4.DHCPv4) (request, bool) {
	if req == nil || req.OpCode != dhcpv4.OpcodeBootRequest {
		return request{}, false
	}
	r := request{msg: req, typ: req.MessageType()}
	if r.typ == dhcpv4.MessageTypeNone || len(req.ClientHWAddr) > 16 {
		return request{}, false
	}
	r.mac = req.ClientHWAddr
	r.clientID = req.Options.Get(dhcpv4.OptionClientIdentifier)
	if len(r.clientID) > maxClientID || len(r.clientID) == 0 && len(r.mac) == 0 {
		return request{}, false
	}
	if len(r.clientID) == 0 {
		r.clientID = nil
	}
	r.key = keyOf(r.clientID, r.mac)
	r.ciaddr = ipv4(req.ClientIPAddr)
	r.reqIP = optAddr(req, dhcpv4.OptionRequestedIPAddress)
	r.serverID = optAddr(req, dhcpv4.OptionServerIdentifier)
	r.hasSID = req.Options.Has(dhcpv4.OptionServerIdentifier)
	r.hostname = sanitizeHostname(req.Options.Get(dhcpv4.OptionHostName))
	return r, true
}

// relayed reports whether giaddr is set: such a request is not from a
// directly attached client, and the fallback server does not judge it.
func relayed(req *dhcpv4.DHCPv4) bool {
	return ipv4(req.GatewayIPAddr).IsValid()
}

// ipv4 converts a header field to an Addr: the zero Addr for 0.0.0.0, for
// nil and for anything that is not 4 (or 4-in-16) bytes.
func ipv4(ip net.IP) netip.Addr {
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return netip.Addr{}
	}
	a = a.Unmap()
	if !a.Is4() || a.IsUnspecified() {
		return netip.Addr{}
	}
	return a
}

// optAddr returns an address option that is exactly 4 bytes and not
// 0.0.0.0, else the zero Addr.
func optAddr(req *dhcpv4.DHCPv4, code dhcpv4.OptionCode) netip.Addr {
	v := req.Options.Get(code)
	if len(v) != 4 {
		return netip.Addr{}
	}
	a := netip.AddrFrom4([4]byte(v))
	if a.IsUnspecified() {
		return netip.Addr{}
	}
	return a
}

// maxHostname is the longest hostname kept (one DNS label).
const maxHostname = 63

// sanitizeHostname keeps option 12 only as far as it is a plain host name:
// letters, digits, '-', '_' and '.', at most 63 bytes. Anything else ends it.
func sanitizeHostname(b []byte) string {
	n := 0
	for n < len(b) && n < maxHostname && hostnameByte(b[n]) {
		n++
	}
	return string(b[:n])
}

func hostnameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
}
