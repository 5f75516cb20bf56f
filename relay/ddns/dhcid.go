package ddns

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/miekg/dns"
)

// DHCID identifier types (RFC 4701 §3.3).
const (
	idTypeChaddr   = 0x0000 // htype (1 octet) and chaddr
	idTypeClientID = 0x0001 // the DHCPv4 client identifier option's data
	idTypeDUID     = 0x0002 // a DUID: DHCPv6, or DHCPv4 client identifier of RFC 4361
	digestSHA256   = 1      // the only digest type defined (RFC 4701 §3.4)
)

// DHCID returns the RDATA of the DHCID record (RFC 4701 §3) that ties fqdn
// to one client: two octets of identifier type, one of digest type
// (SHA-256), and SHA-256 over the identifier and fqdn in canonical wire
// form (lower case). The identifier is the client identifier option when
// the client sent one (its DUID, type 2, when the option is an RFC 4361
// one: type 255, IAID, DUID), else htype and chaddr (type 0).
func DHCID(clientID []byte, htype byte, chaddr []byte, fqdn string) ([]byte, error) {
	wire, err := canonicalName(fqdn)
	if err != nil {
		return nil, err
	}
	typ, id := idTypeChaddr, append([]byte{htype}, chaddr...)
	switch {
	case len(clientID) > 5 && clientID[0] == 255:
		typ, id = idTypeDUID, clientID[5:]
	case len(clientID) > 0:
		typ, id = idTypeClientID, clientID
	}
	h := sha256.New()
	h.Write(id)
	h.Write(wire)
	out := make([]byte, 3, 3+sha256.Size)
	binary.BigEndian.PutUint16(out, uint16(typ))
	out[2] = digestSHA256
	return h.Sum(out), nil
}

// canonicalName returns fqdn in DNS wire form, lower case (RFC 4034 §6.2).
func canonicalName(fqdn string) ([]byte, error) {
	name := dns.Fqdn(strings.ToLower(fqdn))
	buf := make([]byte, 256)
	n, err := dns.PackDomainName(name, buf, 0, nil, false)
	if err != nil {
		return nil, fmt.Errorf("failed to encode name %q: %w", fqdn, err)
	}
	return buf[:n], nil
}
