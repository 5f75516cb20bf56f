package fallback

import (
	"bytes"
	"slices"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// Option is one configured DHCP option of a scope besides those the server
// builds itself (config.Option, encoded).
type Option struct {
	// Code is the option code; never one the server sets itself.
	Code uint8
	// Data is the payload, 1..255 bytes; shared, never modified.
	Data []byte
	// AlwaysSend sends the option to a client whose parameter request
	// list does not name it.
	AlwaysSend bool
}

// Message sizes of RFC 2131 §2 and RFC 2132 §9.10: without option 57 a
// client must accept a 576-byte IP datagram, so a DHCP message of 548
// bytes after the IP (20) and UDP (8) headers; option 57 counts the whole
// datagram too, and is never less than 576.
const (
	minMaxMessage = 576
	ipUDPHeaders  = 28
)

// maxReplySize returns the largest DHCP message the client r accepts.
func maxReplySize(r request) int {
	n, err := r.msg.MaxMessageSize()
	if err != nil || int(n) < minMaxMessage {
		return minMaxMessage - ipUDPHeaders
	}
	return int(n) - ipUDPHeaders
}

// addOptions adds the scope's configured options for client r: each one
// the client's parameter request list (option 55) names, every one when
// it sent no list (RFC 2131 §3.5 leaves the choice to the server; a
// client that asks for nothing gets what the scope has), and those marked
// AlwaysSend. They are added in the client's order of option 55, the
// unrequested last, each only if the reply still fits the client's
// maximum message size (option 57); the lease and built-in options always
// stay.
func addOptions(rep *dhcpv4.DHCPv4, r request, opts []Option) {
	if len(opts) == 0 {
		return
	}
	prl := r.msg.Options.Get(dhcpv4.OptionParameterRequestList)
	var send []Option
	for _, o := range opts {
		if prl == nil || o.AlwaysSend || bytes.IndexByte(prl, o.Code) >= 0 {
			send = append(send, o)
		}
	}
	// Least wanted last: unrequested ones, then by the client's order.
	rank := func(o Option) int {
		if i := bytes.IndexByte(prl, o.Code); i >= 0 || prl == nil {
			return i
		}
		return len(prl)
	}
	slices.SortStableFunc(send, func(a, b Option) int { return rank(a) - rank(b) })
	limit := maxReplySize(r)
	for _, o := range send {
		code := dhcpv4.GenericOptionCode(o.Code)
		rep.UpdateOption(dhcpv4.OptGeneric(code, o.Data))
		if len(rep.ToBytes()) > limit {
			rep.Options.Del(code)
		}
	}
}
