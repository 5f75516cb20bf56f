package config

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDDNS: the ddns: block, under the interface or inherited from
// defaults, key by key, and its errors.
func TestDDNS(t *testing.T) {
	eth1 := func(ddns string) string {
		return "interfaces:\n  - name: eth1\n    helper-addresses: [198.51.100.2]\n" +
			"    fallback: {pools: [203.0.113.100-203.0.113.150], domain: example.test" + ddns + "}\n"
	}
	full := &DDNS{ForwardZone: "example.test", ReverseZone: "113.0.203.in-addr.arpa", Server: netip.MustParseAddrPort("198.51.100.53:53"),
		KeyFile: "/etc/iphelper/ddns.key", ReplaceChar: "-"}
	const where = `interface "eth1": fallback`
	tests := []struct {
		name    string
		data    string
		want    *DDNS
		wantErr string
	}{
		{name: "none", data: eth1(""), want: nil},
		{
			name: "on the interface",
			data: eth1(", ddns: {forward-zone: example.test, reverse-zone: 113.0.203.in-addr.arpa, server: 198.51.100.53, key-file: /etc/iphelper/ddns.key}"),
			want: full,
		},
		{
			name: "from defaults, the interface adds a port and a name template",
			data: "defaults: {fallback: {ddns: {forward-zone: example.test, reverse-zone: 113.0.203.in-addr.arpa, server: 198.51.100.9, key-file: /etc/iphelper/ddns.key}}}\n" +
				eth1(`, ddns: {server: "198.51.100.53:5353", generated-name: "dhcp-{ip-dashes}", replace-char: "", override-client-update: true, key-name: k2}`),
			want: &DDNS{ForwardZone: "example.test", ReverseZone: "113.0.203.in-addr.arpa", Server: netip.MustParseAddrPort("198.51.100.53:5353"),
				KeyFile: "/etc/iphelper/ddns.key", KeyName: "k2", GeneratedName: "dhcp-{ip-dashes}", OverrideClientUpdate: true},
		},
		{
			name: "turned off on the interface",
			data: "defaults: {fallback: {ddns: {forward-zone: example.test, server: 198.51.100.53, key-file: /k}}}\n" + eth1(", ddns: {enabled: false}"),
			want: nil,
		},
		{name: "no key file", data: eth1(", ddns: {forward-zone: example.test, server: 198.51.100.53}"), wantErr: where + ".ddns.key-file: missing: updates are signed with a TSIG key"},
		{name: "no zone", data: eth1(", ddns: {server: 198.51.100.53, key-file: /k}"), wantErr: where + ".ddns: neither forward-zone nor reverse-zone is set"},
		{name: "enabled without a server", data: eth1(", ddns: {enabled: true, forward-zone: example.test, key-file: /k}"), wantErr: where + ".ddns.server: missing: dynamic DNS needs the zones' primary server"},
		{name: "reverse zone not in-addr.arpa", data: eth1(", ddns: {reverse-zone: example.test, server: 198.51.100.53, key-file: /k}"), wantErr: `fallback.ddns.reverse-zone: "example.test" is not under in-addr.arpa`},
		{name: "bad server", data: eth1(", ddns: {forward-zone: example.test, server: dns.example.test, key-file: /k}"), wantErr: `fallback.ddns.server: "dns.example.test": `},
		{name: "bad replace-char", data: eth1(`, ddns: {forward-zone: example.test, server: 198.51.100.53, key-file: /k, replace-char: "_"}`), wantErr: `fallback.ddns.replace-char: "_" must be one letter, digit or hyphen, or empty`},
		{name: "unknown key", data: eth1(", ddns: {zone: example.test}"), wantErr: `unknown key "zone"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseTest(tt.data, Flags{})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, cfg.Interfaces[0].Fallback.DDNS, cmpOpts()); diff != "" {
				t.Errorf("DDNS (-want +got):\n%s", diff)
			}
		})
	}
}
