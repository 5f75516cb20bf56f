package ddns

import (
	"encoding/hex"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDHCIDVectors checks the examples of RFC 4701 §3.6.
func TestDHCIDVectors(t *testing.T) {
	for _, tc := range []struct {
		name, fqdn, want string
		cid, chaddr      []byte
	}{
		{name: "duid (RFC 4361 client id)", fqdn: "chi6.example.com",
			cid:  append([]byte{255, 0, 0, 0, 1}, unhex(t, "000100064 12df166010203040506")...),
			want: "AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA="},
		{name: "client identifier", fqdn: "chi.example.com", cid: unhex(t, "01070809 0a0b0c"),
			want: "AAEBOSD+XR3Os/0LozeXVqcNc7FwCfQdWL3b/NaiUDlW2No="},
		{name: "chaddr", fqdn: "client.example.com", chaddr: unhex(t, "010203040506"),
			want: "AAABxLmlskllE0MVjd57zHcWmEH3pCQ6VytcKD//7es/deY="},
		{name: "case and final dot do not matter", fqdn: "Client.Example.COM.", chaddr: unhex(t, "010203040506"),
			want: "AAABxLmlskllE0MVjd57zHcWmEH3pCQ6VytcKD//7es/deY="},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DHCID(tc.cid, 1, tc.chaddr, tc.fqdn)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, toBase64(got)); diff != "" {
				t.Errorf("DHCID (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSanitizeLabel(t *testing.T) {
	for _, tc := range []struct{ in, repl, want string }{
		{"laptop", "-", "laptop"},
		{"John's PC", "-", "john-s-pc"},
		{"John's PC", "", "johnspc"},
		{"-edge-", "-", "edge"},
		{"__", "-", ""},
		{"ünïcode", "x", "xxnxxcode"},
		{strings.Repeat("a", 70), "-", strings.Repeat("a", 63)},
		{strings.Repeat("a", 62) + "_b", "-", strings.Repeat("a", 62)},
		{"a\x00b", "-", "a-b"},
	} {
		if got := SanitizeLabel(tc.in, tc.repl); got != tc.want {
			t.Errorf("SanitizeLabel(%q, %q) = %q, want %q", tc.in, tc.repl, got, tc.want)
		}
	}
}

func TestChoose(t *testing.T) {
	rules := NameRules{Domain: "example.test", ReplaceChar: "-"}
	override := rules
	override.Override = true
	wire := func(flags byte, name string) []byte { return FQDNOption{Flags: flags, Name: name}.Encode() }
	for _, tc := range []struct {
		name     string
		rules    NameRules
		opt81    []byte
		hostname string
		want     Choice
	}{
		{name: "host name qualified", rules: rules, hostname: "Bob's laptop.local",
			want: Choice{FQDN: "bob-s-laptop.example.test.", Forward: true}},
		{name: "nothing: generated", rules: rules, want: Choice{FQDN: "dhcp-203-0-113-9.example.test.", Forward: true}},
		{name: "fqdn S=1 full name", rules: rules, opt81: wire(FlagS|FlagE, "ws1.example.test."),
			want: Choice{FQDN: "ws1.example.test.", Forward: true, Reply: wire(FlagS|FlagE, "ws1.example.test.")}},
		{name: "fqdn S=1 partial name", rules: rules, opt81: append([]byte{FlagS | FlagE, 0, 0}, 3, 'w', 's', '2'),
			want: Choice{FQDN: "ws2.example.test.", Forward: true, Reply: wire(FlagS|FlagE, "ws2.example.test.")}},
		{name: "fqdn S=0: client does A", rules: rules, opt81: wire(FlagE, "ws3.example.test."),
			want: Choice{FQDN: "ws3.example.test.", Reply: wire(FlagE, "ws3.example.test.")}},
		{name: "fqdn S=0 overridden", rules: override, opt81: wire(FlagE, "ws3.example.test."),
			want: Choice{FQDN: "ws3.example.test.", Forward: true, Reply: wire(FlagS|FlagO|FlagE, "ws3.example.test.")}},
		{name: "fqdn N=1: no update", rules: rules, opt81: wire(FlagN, "ws4"),
			want: Choice{Reply: wire(FlagN, "ws4.example.test.")}},
		{name: "fqdn ascii", rules: rules, opt81: append([]byte{FlagS, 0, 0}, "ws5"...),
			want: Choice{FQDN: "ws5.example.test.", Forward: true, Reply: wire(FlagS, "ws5.example.test.")}},
		{name: "fqdn truncated", rules: rules, opt81: []byte{FlagS},
			want: Choice{FQDN: "dhcp-203-0-113-9.example.test.", Forward: true}},
		{name: "fqdn bad wire name", rules: rules, opt81: []byte{FlagS | FlagE, 0, 0, 60, 'a'},
			want: Choice{FQDN: "dhcp-203-0-113-9.example.test.", Forward: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gen := GeneratedName("dhcp-{ip-dashes}", netip.MustParseAddr("203.0.113.9"), tc.rules.Domain, "-")
			got := tc.rules.Choose(tc.opt81, tc.hostname, gen)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Choose (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMessages checks the prerequisite and update sections of every step
// (RFC 4703 §5), in zone-file form.
func TestMessages(t *testing.T) {
	r := Reg{Addr: netip.MustParseAddr("203.0.113.10"), FQDN: "ws1.example.test.", DHCID: []byte{0, 0, 1, 0xaa}, TTL: 300}
	sections := func(m *dns.Msg) []string {
		var out []string
		for _, rr := range m.Answer {
			out = append(out, "pre "+strings.Join(strings.Fields(rr.String()), " "))
		}
		for _, rr := range m.Ns {
			out = append(out, "upd "+strings.Join(strings.Fields(rr.String()), " "))
		}
		return out
	}
	for _, tc := range []struct {
		step int
		want []string
	}{
		{stepAddNew, []string{"pre ws1.example.test. 0 NONE ANY", "upd ws1.example.test. 300 IN A 203.0.113.10", "upd ws1.example.test. 300 IN DHCID AAABqg=="}},
		{stepAddMine, []string{"pre ws1.example.test. 0 IN DHCID AAABqg==", "upd ws1.example.test. 0 CLASS255 A", "upd ws1.example.test. 300 IN A 203.0.113.10"}},
		{stepAddPTR, []string{"upd 10.113.0.203.in-addr.arpa. 0 CLASS255 PTR", "upd 10.113.0.203.in-addr.arpa. 0 CLASS255 DHCID", "upd 10.113.0.203.in-addr.arpa. 300 IN PTR ws1.example.test.", "upd 10.113.0.203.in-addr.arpa. 300 IN DHCID AAABqg=="}},
		{stepRemoveA, []string{"pre ws1.example.test. 0 IN DHCID AAABqg==", "upd ws1.example.test. 0 NONE A 203.0.113.10"}},
		{stepRemoveDHCID, []string{"pre ws1.example.test. 0 IN DHCID AAABqg==", "pre ws1.example.test. 0 NONE A", "pre ws1.example.test. 0 NONE AAAA", "upd ws1.example.test. 0 CLASS255 DHCID"}},
		{stepRemovePTR, []string{"pre 10.113.0.203.in-addr.arpa. 0 IN PTR ws1.example.test.", "upd 10.113.0.203.in-addr.arpa. 0 CLASS255 PTR", "upd 10.113.0.203.in-addr.arpa. 0 CLASS255 DHCID"}},
	} {
		if diff := cmp.Diff(tc.want, sections(r.message(tc.step, "example.test"))); diff != "" {
			t.Errorf("step %d (-want +got):\n%s", tc.step, diff)
		}
	}
}

func TestAdvance(t *testing.T) {
	for _, tc := range []struct {
		step, rcode, next int
		reason            string
	}{
		{stepAddNew, dns.RcodeSuccess, stepAddPTR, ""},
		{stepAddNew, dns.RcodeYXDomain, stepAddMine, ""},
		{stepAddMine, dns.RcodeNXRrset, stepAddMine, ReasonConflict},
		{stepAddNew, dns.RcodeNotAuth, stepAddNew, "notauth"},
		{stepAddNew, dns.RcodeRefused, stepAddNew, "refused"},
		{stepRemoveA, dns.RcodeNXRrset, stepRemovePTR, ""},
		{stepRemoveDHCID, dns.RcodeYXRrset, stepRemovePTR, ""},
		{stepRemovePTR, dns.RcodeNXRrset, stepDone, ""},
	} {
		next, reason := advance(tc.step, tc.rcode, nil)
		if next != tc.next || reason != tc.reason {
			t.Errorf("advance(%d, %s) = %d, %q; want %d, %q", tc.step, dns.RcodeToString[tc.rcode], next, reason, tc.next, tc.reason)
		}
	}
}

func TestLoadKey(t *testing.T) {
	dir := t.TempDir()
	text := "# made by tsig-keygen\nkey \"ddns-key\" {\n\talgorithm hmac-sha256;\n\tsecret \"c2VjcmV0c2VjcmV0\";\n};\n"
	path := filepath.Join(dir, "k")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := LoadKey(path, "")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Key{Name: "ddns-key.", Algorithm: dns.HmacSHA256, Secret: "c2VjcmV0c2VjcmV0"}, k); diff != "" {
		t.Errorf("LoadKey (-want +got):\n%s", diff)
	}
	if _, err := LoadKey(path, "other"); err == nil || !strings.Contains(err.Error(), `no key "other"`) {
		t.Errorf("LoadKey of a missing name: %v", err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadKey(path, ""); !errors.Is(err, ErrKeyFileMode) {
		t.Errorf("LoadKey of a group-readable file: %v, want ErrKeyFileMode", err)
	}
	md5 := filepath.Join(dir, "md5")
	if err := os.WriteFile(md5, []byte(strings.Replace(text, "hmac-sha256", "hmac-md5", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadKey(md5, ""); err == nil || !strings.Contains(err.Error(), `algorithm "hmac-md5" is not one of`) {
		t.Errorf("LoadKey of an md5 key: %v", err)
	}
}

func FuzzParseFQDN(f *testing.F) {
	f.Add([]byte{FlagS | FlagE, 0, 0, 3, 'w', 's', '1', 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		if o, ok := ParseFQDN(b); ok {
			_ = o.Encode()
		}
		_ = NameRules{Domain: "example.test"}.Choose(b, string(b), "")
	})
}
