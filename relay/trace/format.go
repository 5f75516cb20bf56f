package trace

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/iphelper/iphelper/relay/wire"
)

// TimeFormat is the time stamp of a trace line: RFC 3339 in UTC to the
// millisecond, the time format of every time iphelper shows a person
// (docs/operations.md, "Times and durations"). It has a fixed length.
const TimeFormat = "2006-01-02T15:04:05.000Z"

// Format returns e as one line without a trailing newline, e.g.
//
//	2026-03-01T14:02:11.123Z eth1 in  DISCOVER xid 0x1234abcd chaddr 02:00:00:00:00:99 giaddr 0.0.0.0 relayed to 198.51.100.2
//	2026-03-01T14:02:11.130Z eth1 out OFFER xid 0x1234abcd chaddr 02:00:00:00:00:99 giaddr 203.0.113.1 from 198.51.100.2 delivered to 203.0.113.50
//	2026-03-01T14:02:11.140Z eth1 in  REQUEST xid 0x1234abcd chaddr 02:00:00:00:00:99 giaddr 0.0.0.0 dropped: max_hops
//	2026-03-01T14:02:11.150Z eth1 in  UDP 203.0.113.50:40000 to port 69 relayed to 198.51.100.2
//
// The time is shown in UTC.
func Format(e Event) string { return string(AppendFormat(make([]byte, 0, 160), e)) }

// AppendFormat appends Format(e) to dst.
func AppendFormat(dst []byte, e Event) []byte {
	dst = e.Time.UTC().AppendFormat(dst, TimeFormat)
	dst = append(dst, ' ')
	if e.Interface == "" {
		dst = append(dst, '-')
	} else {
		dst = append(dst, e.Interface...)
	}
	if e.Dir == Out {
		dst = append(dst, " out "...)
	} else {
		dst = append(dst, " in  "...)
	}
	if e.Action == DNSUpdate {
		return appendDNS(dst, e)
	}
	if e.UDPPort != 0 {
		dst = append(dst, "UDP "...)
		dst = e.UDPSrc.AppendTo(dst)
		dst = append(dst, " to port "...)
		dst = strconv.AppendUint(dst, uint64(e.UDPPort), 10)
		return appendAction(dst, e)
	}
	dst = append(dst, TypeName(e.Op, e.Type)...)
	dst = append(dst, " xid 0x"...)
	dst = appendHex32(dst, e.XID)
	dst = append(dst, " chaddr "...)
	dst = AppendMAC(dst, e.CHAddr[:min(int(e.HLen), len(e.CHAddr))])
	dst = append(dst, " giaddr "...)
	dst = appendAddr(dst, e.GIAddr)
	if e.FromFallback {
		dst = append(dst, " from the fallback server"...)
	} else if e.From.IsValid() {
		dst = append(dst, " from "...)
		dst = e.From.AppendTo(dst)
	}
	return appendAction(dst, e)
}

// appendDNS appends a dynamic DNS step: "DNS add-new laptop.example.test.
// 203.0.113.102 zone example.test: success".
func appendDNS(dst []byte, e Event) []byte {
	dst = append(dst, "DNS "...)
	dst = append(dst, e.DNS.Step...)
	dst = append(dst, ' ')
	dst = append(dst, e.DNS.Name...)
	dst = append(dst, ' ')
	dst = appendAddr(dst, e.DNS.Addr)
	dst = append(dst, " zone "...)
	dst = append(dst, e.DNS.Zone...)
	dst = append(dst, ": "...)
	return append(dst, e.Reason...)
}

func appendAction(dst []byte, e Event) []byte {
	switch e.Action {
	case Relayed:
		if len(e.Helpers) == 0 {
			return append(dst, " relayed"...)
		}
		dst = appendHelpers(dst, " relayed to ", e.Helpers)
	case Delivered:
		if e.Broadcast {
			dst = append(dst, " delivered by broadcast"...)
		} else {
			dst = append(dst, " delivered to "...)
			dst = appendAddr(dst, e.To)
		}
	case Dropped:
		dst = append(dst, " dropped: "...)
		dst = append(dst, e.Reason...)
		dst = appendHelpers(dst, " to ", e.Helpers)
	case Fallback:
		dst = append(dst, " handed to the fallback server"...)
	case Silent:
		dst = append(dst, " not answered by the fallback server: "...)
		dst = append(dst, e.Reason...)
	}
	return dst
}

// appendHelpers appends prefix and the helpers' addresses, comma
// separated; nothing when there are none.
func appendHelpers(dst []byte, prefix string, helpers []netip.AddrPort) []byte {
	if len(helpers) == 0 {
		return dst
	}
	dst = append(dst, prefix...)
	for i, h := range helpers {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		dst = h.Addr().AppendTo(dst)
	}
	return dst
}

// TypeName is the short name of a message: "DISCOVER" for a DHCPDISCOVER,
// "BOOTREQUEST" or "BOOTREPLY" for plain BOOTP, "TYPE(n)" for a type with
// no name.
func TypeName(op wire.Op, t wire.MessageType) string {
	if t == 0 {
		return op.String()
	}
	s := t.String()
	if rest, ok := strings.CutPrefix(s, "DHCP"); ok {
		return rest
	}
	return "TYPE(" + strconv.Itoa(int(t)) + ")"
}

// AppendMAC appends mac as colon-separated lower-case hex bytes; "-" when
// it is empty.
func AppendMAC(dst, mac []byte) []byte {
	if len(mac) == 0 {
		return append(dst, '-')
	}
	const digits = "0123456789abcdef"
	for i, b := range mac {
		if i > 0 {
			dst = append(dst, ':')
		}
		dst = append(dst, digits[b>>4], digits[b&0xf])
	}
	return dst
}

func appendHex32(dst []byte, v uint32) []byte {
	const digits = "0123456789abcdef"
	for shift := 28; shift >= 0; shift -= 4 {
		dst = append(dst, digits[(v>>uint(shift))&0xf])
	}
	return dst
}

// appendAddr appends a, or 0.0.0.0 when a is invalid (a short message).
func appendAddr(dst []byte, a netip.Addr) []byte {
	if !a.IsValid() {
		return append(dst, "0.0.0.0"...)
	}
	return a.AppendTo(dst)
}
