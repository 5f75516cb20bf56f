package relay

import (
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/miekg/dns"

	"github.com/iphelper/iphelper/config"
	"github.com/iphelper/iphelper/relay/fallback/leasestore"
	"github.com/iphelper/iphelper/relay/trace"
)

const ddnsTestSecret = "aXBoZWxwZXItbGFiLXRzaWctc2VjcmV0LTMyYnl0ZXM="

// dnsRecorder is a DNS server on loopback that accepts every update signed
// with the test key and reports each record an update inserts or removes
// (not the RRsets it empties) as "A+ name", "A- name", "PTR+ name", ...
type dnsRecorder struct {
	srv *dns.Server
	got chan string
}

func startDNSRecorder(t *testing.T) (*dnsRecorder, netip.AddrPort) {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d := &dnsRecorder{got: make(chan string, 64)}
	d.srv = &dns.Server{PacketConn: pc, TsigSecret: map[string]string{"ddns-key.": ddnsTestSecret}, Handler: dns.HandlerFunc(d.serve),
		MsgAcceptFunc: func(dns.Header) dns.MsgAcceptAction { return dns.MsgAccept }}
	go d.srv.ActivateAndServe() //nolint:errcheck // ends with Shutdown
	t.Cleanup(func() { d.srv.Shutdown() })
	return d, netip.MustParseAddrPort(pc.LocalAddr().String())
}

func (d *dnsRecorder) serve(w dns.ResponseWriter, m *dns.Msg) {
	r := new(dns.Msg)
	r.SetReply(m)
	if m.IsTsig() == nil || w.TsigStatus() != nil {
		r.Rcode = dns.RcodeNotAuth
	} else {
		for _, rr := range m.Ns {
			h := rr.Header()
			if h.Rrtype != dns.TypeA && h.Rrtype != dns.TypePTR {
				continue
			}
			op := "+"
			switch h.Class {
			case dns.ClassANY: // a whole RRset's removal, made before a PTR's insert
				continue
			case dns.ClassNONE:
				op = "-"
			}
			ev := dns.TypeToString[h.Rrtype] + op + " " + h.Name
			d.got <- ev
		}
		r.SetTsig("ddns-key.", dns.HmacSHA256, 300, time.Now().Unix())
	}
	_ = w.WriteMsg(r)
}

// orderStore is a MemStore that records the order of its writes: "meta"
// for the dynamic DNS state with an add of addr queued, "lease" for a
// batch that binds addr.
type orderStore struct {
	*leasestore.MemStore
	addr string
	mu   sync.Mutex
	log  []string
}

func (s *orderStore) PutMeta(key string, v []byte) error {
	if strings.HasPrefix(key, "ddns/") && strings.Contains(string(v), `"add":true`) && strings.Contains(string(v), s.addr) {
		s.note("meta")
	}
	return s.MemStore.PutMeta(key, v)
}

func (s *orderStore) Apply(ws []leasestore.Write) error {
	for _, w := range ws {
		if !w.Delete && w.Lease.State == leasestore.StateBound && w.Lease.Addr.String() == s.addr {
			s.note("lease")
		}
	}
	return s.MemStore.Apply(ws)
}

func (s *orderStore) note(what string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !slices.Contains(s.log, what) {
		s.log = append(s.log, what)
	}
}

// withDDNS gives the rig's scope dynamic DNS toward server, with a key
// file of its own.
func withDDNS(t *testing.T, server netip.AddrPort) func(*config.Interface) {
	key := filepath.Join(t.TempDir(), "ddns.key")
	if err := os.WriteFile(key, []byte("key \"ddns-key\" {\n\talgorithm hmac-sha256;\n\tsecret \""+ddnsTestSecret+"\";\n};\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return func(ic *config.Interface) {
		ic.Fallback.Domain = "example.test"
		ic.Fallback.DDNS = &config.DDNS{ForwardZone: "example.test", ReverseZone: "113.0.203.in-addr.arpa", Server: server, KeyFile: key, ReplaceChar: "-"}
	}
}

// ddnsRequest is a SELECTING REQUEST of addr by a client named host.
func ddnsRequest(t *testing.T, typ dhcpv4.MessageType, addr netip.Addr, host string) *dhcpv4.DHCPv4 {
	t.Helper()
	mods := []dhcpv4.Modifier{dhcpv4.WithHwAddr(clientMAC), dhcpv4.WithMessageType(typ),
		dhcpv4.WithOption(dhcpv4.OptServerIdentifier(relayAddr.Addr().AsSlice())), dhcpv4.WithOption(dhcpv4.OptHostName(host))}
	if typ == dhcpv4.MessageTypeRequest {
		mods = append(mods, dhcpv4.WithOption(dhcpv4.OptRequestedIPAddress(addr.AsSlice())))
	} else {
		mods = append(mods, dhcpv4.WithClientIP(addr.AsSlice()))
	}
	m, err := dhcpv4.New(mods...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestFallbackDDNSAddStoredBeforeLease: the add of a new client's records
// is in the store before the lease the ACK grants, so a crash between the
// two never leaves a leased client the records are forgotten for.
func TestFallbackDDNSAddStoredBeforeLease(t *testing.T) {
	_, server := startDNSRecorder(t)
	leased := netip.MustParseAddr("203.0.113.102")
	store := &orderStore{MemStore: leasestore.NewMemStore(), addr: leased.String()}
	rig := startFallbackRigWith(t, store, nil, withDDNS(t, server))
	rig.send(t, ddnsRequest(t, dhcpv4.MessageTypeRequest, leased, "laptop"), zeroAddr, ipBroadcast)
	if ack := rig.delivered(t, "the ACK"); ack.MessageType() != dhcpv4.MessageTypeAck {
		t.Fatalf("got %v, want ACK", ack.MessageType())
	}
	store.mu.Lock()
	defer store.mu.Unlock()
	if want := []string{"meta", "lease"}; !slices.Equal(store.log, want) {
		t.Errorf("store writes %v, want %v: the add must be durable before the lease", store.log, want)
	}
}

// TestFallbackDDNSReleaseRemovesAtOnce: a RELEASE removes the client's
// records without waiting for the sweep (here an hour away).
func TestFallbackDDNSReleaseRemovesAtOnce(t *testing.T) {
	rec, server := startDNSRecorder(t)
	leased := netip.MustParseAddr("203.0.113.102")
	rig := startFallbackRigOpts(t, leasestore.NewMemStore(), nil, withDDNS(t, server), rigOpts{sweepEvery: time.Hour})
	rig.send(t, ddnsRequest(t, dhcpv4.MessageTypeRequest, leased, "laptop"), zeroAddr, ipBroadcast)
	rig.delivered(t, "the ACK")
	for _, want := range []string{"A+ laptop.example.test.", "PTR+ 102.113.0.203.in-addr.arpa."} {
		if got := waitFor(t, rec.got, want); got != want {
			t.Fatalf("update %q, want %q", got, want)
		}
	}
	rig.send(t, ddnsRequest(t, dhcpv4.MessageTypeRelease, leased, "laptop"), leased, relayAddr.Addr())
	if got, want := waitFor(t, rec.got, "the removal after RELEASE"), "A- laptop.example.test."; got != want {
		t.Errorf("update %q, want %q", got, want)
	}
}

// TestFallbackDDNSTraced: each update step shows in the packet trace of
// the scope's interface, with its result.
func TestFallbackDDNSTraced(t *testing.T) {
	_, server := startDNSRecorder(t)
	tr := trace.New(0, nil)
	events, cancel := tr.Subscribe("eth1")
	defer cancel()
	rig := startFallbackRigTraced(t, leasestore.NewMemStore(), nil, withDDNS(t, server), tr)
	rig.send(t, ddnsRequest(t, dhcpv4.MessageTypeRequest, netip.MustParseAddr("203.0.113.102"), "laptop"), zeroAddr, ipBroadcast)
	rig.delivered(t, "the ACK")
	var got []string
	for len(got) < 2 {
		e := waitFor(t, events, "the update steps' events")
		if e.Action == trace.DNSUpdate {
			line := trace.Format(e)
			got = append(got, line[strings.IndexByte(line, ' ')+1:]) // past the time
		}
	}
	want := []string{
		"eth1 out DNS add-new laptop.example.test. 203.0.113.102 zone example.test: success",
		"eth1 out DNS add-ptr laptop.example.test. 203.0.113.102 zone 113.0.203.in-addr.arpa: success",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("traced steps (-want +got):\n%s", diff)
	}
}
