package ddns

import (
	"strings"

	"github.com/miekg/dns"
)

// Flags of the Client FQDN option 81 (RFC 4702 §2.1).
const (
	FlagS = 0x01 // the server performs the A record update
	FlagO = 0x02 // the server overrode the client's wish (reply only)
	FlagE = 0x04 // the name is in canonical wire format
	FlagN = 0x08 // the server performs no update at all
)

// FQDNOption is a parsed Client FQDN option 81.
type FQDNOption struct {
	Flags byte
	// Name is the name in presentation form; with a final dot when the
	// client sent a fully qualified name, without when it sent a partial
	// one (RFC 4702 §2.3); "" when it sent none.
	Name string
}

// ParseFQDN parses the data of option 81. ok is false for data too short
// for the flags and the two RCODE octets, or a name that does not decode;
// it never panics.
func ParseFQDN(data []byte) (FQDNOption, bool) {
	if len(data) < 3 {
		return FQDNOption{}, false
	}
	o := FQDNOption{Flags: data[0] & (FlagS | FlagO | FlagE | FlagN)}
	raw := data[3:]
	if len(raw) == 0 {
		return o, true
	}
	if o.Flags&FlagE == 0 { // deprecated ASCII form (RFC 4702 §2.3.1)
		o.Name = strings.TrimRight(string(raw), "\x00")
		return o, true
	}
	partial := raw[len(raw)-1] != 0
	if partial {
		raw = append(raw[:len(raw):len(raw)], 0)
	}
	name, _, err := dns.UnpackDomainName(raw, 0)
	if err != nil {
		return FQDNOption{}, false
	}
	if partial {
		name = strings.TrimSuffix(name, ".")
	}
	o.Name = name
	return o, true
}

// Encode returns the data of an option 81 carrying o: the flags, both RCODE
// octets 255 (RFC 4702 §2.2: a server sends 255) and the name, in wire
// format when FlagE is set.
func (o FQDNOption) Encode() []byte {
	out := []byte{o.Flags, 255, 255}
	if o.Flags&FlagE == 0 {
		return append(out, o.Name...)
	}
	buf := make([]byte, 256)
	n, err := dns.PackDomainName(dns.Fqdn(o.Name), buf, 0, nil, false)
	if err != nil {
		return out
	}
	return append(out, buf[:n]...)
}

// Choice is what the server does for one client.
type Choice struct {
	FQDN    string // fully qualified, final dot; "" when nothing is registered
	Forward bool   // the server adds the A record (false: the client does)
	// Reply is the option 81 data for the ACK; nil when the client sent
	// no option 81.
	Reply []byte
}

// NameRules are the scope's naming settings.
type NameRules struct {
	Domain        string // qualifies partial names and host names
	Override      bool   // the server does the A record even when the client asks to
	GeneratedName string // template for clients that send no name; "" for none
	ReplaceChar   string // replaces invalid characters; "" drops them
}

// Choose decides the name of a client from its option 81 (opt81, nil when
// absent) or option 12 (hostname), or the generated name for addrDashes
// (see GeneratedName), and the option 81 of the reply.
func (r NameRules) Choose(opt81 []byte, hostname, generated string) Choice {
	if opt81 == nil {
		name := HostName(hostname, r.Domain, r.ReplaceChar)
		if name == "" {
			name = generated
		}
		return Choice{FQDN: name, Forward: name != ""}
	}
	o, ok := ParseFQDN(opt81)
	if !ok {
		return Choice{FQDN: generated, Forward: generated != ""}
	}
	name := r.fqdnOf(o.Name)
	if name == "" {
		name = generated
	}
	reply := FQDNOption{Flags: o.Flags & FlagE, Name: name}
	c := Choice{FQDN: name}
	switch {
	case o.Flags&FlagN != 0 && !r.Override:
		reply.Flags |= FlagN
		c.FQDN = "" // RFC 4702 §3.1: the client asked for no update by the server
	case o.Flags&FlagS != 0:
		reply.Flags |= FlagS
		c.Forward = true
	case r.Override:
		reply.Flags |= FlagS | FlagO
		c.Forward = true
	}
	c.Reply = reply.Encode()
	return c
}

// fqdnOf sanitizes a name from option 81 and qualifies a partial one.
func (r NameRules) fqdnOf(name string) string {
	full := strings.HasSuffix(name, ".")
	clean := sanitizeName(name, r.ReplaceChar)
	if clean == "" {
		return ""
	}
	if full {
		return qualify(clean, "")
	}
	return qualify(clean, r.Domain)
}
