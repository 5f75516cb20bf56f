package ddns

import (
	"encoding/base64"
	"net/netip"

	"github.com/miekg/dns"
)

// Reg is one registration: the records the server adds for a lease, and
// removes when the lease ends.
type Reg struct {
	Addr    netip.Addr `json:"addr"`
	FQDN    string     `json:"fqdn"`
	DHCID   []byte     `json:"dhcid"`
	Forward bool       `json:"forward"` // the A record is ours (false: the client's)
	Reverse bool       `json:"reverse"` // the PTR record is ours (the reverse zone holds it)
	TTL     uint32     `json:"ttl"`
	Client  string     `json:"client"` // the client's key (clientKey)
}

// same reports whether r and o register the same records for the same
// client: a renewal that changes nothing.
func (r Reg) same(o Reg) bool {
	return r.Addr == o.Addr && r.FQDN == o.FQDN && r.Forward == o.Forward && r.Reverse == o.Reverse && r.Client == o.Client
}

// firstStep is where an add (or a removal) of r starts.
func (r Reg) firstStep(add bool) int {
	switch {
	case add && r.Forward:
		return stepAddNew
	case add:
		return stepAddPTR
	case r.Forward:
		return stepRemoveA
	}
	return stepRemovePTR
}

// The steps of an update transaction (RFC 4703 §5). An add runs stepAddNew,
// then stepAddMine when the name exists, then stepAddPTR; a removal runs
// stepRemoveA, stepRemoveDHCID, stepRemovePTR. A registration without
// Forward starts at its PTR step.
const (
	stepAddNew = iota
	stepAddMine
	stepAddPTR
	stepRemoveA
	stepRemoveDHCID
	stepRemovePTR
	stepDone
)

// stepNames are the steps as traces name them.
var stepNames = [...]string{"add-new", "add-mine", "add-ptr", "remove-a", "remove-dhcid", "remove-ptr", "done"}

// message builds the update of one step for r, to zone: forward steps to
// the forward zone, PTR steps to the reverse zone. Every update carries
// prerequisites, so that a name held by another client is never changed.
func (r Reg) message(step int, zone string) *dns.Msg {
	m := new(dns.Msg)
	m.SetUpdate(dns.Fqdn(zone))
	name, rev := dns.Fqdn(r.FQDN), reverseName(r.Addr)
	switch step {
	case stepAddNew: // §5.3.1: the name is not in use at all
		m.NameNotUsed([]dns.RR{&dns.ANY{Hdr: hdr(name, dns.TypeANY, 0)}})
		m.Insert([]dns.RR{r.a(), r.dhcid(name)})
	case stepAddMine: // §5.3.2: the name is in use, by this client
		m.Used([]dns.RR{r.dhcid(name)})
		m.RemoveRRset([]dns.RR{&dns.A{Hdr: hdr(name, dns.TypeA, 0)}})
		m.Insert([]dns.RR{r.a()})
	case stepAddPTR: // §5.4: the reverse name belongs to the address, which the lease gives this client: replace what is there
		m.RemoveRRset([]dns.RR{&dns.PTR{Hdr: hdr(rev, dns.TypePTR, 0)}, &dns.DHCID{Hdr: hdr(rev, dns.TypeDHCID, 0)}})
		m.Insert([]dns.RR{r.ptr(), r.dhcid(rev)})
	case stepRemoveA: // §5.5: only a name this client owns
		m.Used([]dns.RR{r.dhcid(name)})
		m.Remove([]dns.RR{r.a()})
	case stepRemoveDHCID: // §5.5: the DHCID goes once no address record is left
		m.Used([]dns.RR{r.dhcid(name)})
		m.RRsetNotUsed([]dns.RR{&dns.A{Hdr: hdr(name, dns.TypeA, 0)}, &dns.AAAA{Hdr: hdr(name, dns.TypeAAAA, 0)}})
		m.RemoveRRset([]dns.RR{&dns.DHCID{Hdr: hdr(name, dns.TypeDHCID, 0)}})
	case stepRemovePTR: // only the PTR that names this client
		m.Used([]dns.RR{&dns.PTR{Hdr: hdr(rev, dns.TypePTR, 0), Ptr: name}})
		m.RemoveRRset([]dns.RR{&dns.PTR{Hdr: hdr(rev, dns.TypePTR, 0)}, &dns.DHCID{Hdr: hdr(rev, dns.TypeDHCID, 0)}})
	}
	return m
}

// toBase64 is the presentation form of DHCID RDATA.
func toBase64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func hdr(name string, t uint16, ttl uint32) dns.RR_Header {
	return dns.RR_Header{Name: name, Rrtype: t, Class: dns.ClassINET, Ttl: ttl}
}

func (r Reg) a() *dns.A {
	return &dns.A{Hdr: hdr(dns.Fqdn(r.FQDN), dns.TypeA, r.TTL), A: r.Addr.AsSlice()}
}

func (r Reg) ptr() *dns.PTR {
	return &dns.PTR{Hdr: hdr(reverseName(r.Addr), dns.TypePTR, r.TTL), Ptr: dns.Fqdn(r.FQDN)}
}

func (r Reg) dhcid(owner string) *dns.DHCID {
	return &dns.DHCID{Hdr: hdr(owner, dns.TypeDHCID, r.TTL), Digest: toBase64(r.DHCID)}
}

// reverseName is addr's name under in-addr.arpa.
func reverseName(addr netip.Addr) string {
	n, _ := dns.ReverseAddr(addr.String())
	return n
}
